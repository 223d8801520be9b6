"""Language selection: French first, English second."""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType

from flask import has_request_context, request, session
from flask_babel import get_locale, get_translations, gettext, ngettext
from flask_login import current_user
from markupsafe import Markup

from marketplace import domain, formatting
from marketplace.domain import (
    SECTORS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    WORK_MODE_LABELS,
    WorkMode,
)
from marketplace.matching.reasons import MESSAGES, render

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LOCALE = "fr"


def select_locale() -> str:
    """The user's saved choice, else the session's, else French (a job or the CLI: French, or `force_locale`)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return DEFAULT_LOCALE


def select_timezone() -> str:
    return "Europe/Paris"


# --- the vocabulary and the matcher's reasons, in the reader's language ---------------------
#
# `marketplace.domain` and `marketplace.matching` stay free of Flask: their labels are French
# message ids (marked ``N_``), translated here when a page or an e-mail shows them.


def is_french() -> bool:
    return str(get_locale() or DEFAULT_LOCALE) == "fr"


class LocaleFormatter:
    """Words numbers, weekdays and labels in the current locale (French formats stay French)."""

    def gettext(self, message: str) -> str:
        return get_translations().ugettext(message)

    def ngettext(self, singular: str, plural: str, n: float) -> str:
        return get_translations().ungettext(singular, plural, plural_count(n))

    def weekdays(self, codes) -> str:
        return weekdays(codes)

    def days(self, count: float) -> str:
        return days(count)

    def years(self, count: int) -> str:
        return years(count)

    def money(self, cents: int) -> str:
        return formatting.euros(cents)

    def number(self, value: float) -> str:
        return number(value)

    def join(self, items) -> str:
        return join(items)

    def label(self, text: str) -> str:
        return self.gettext(text)


FORMATTER = LocaleFormatter()


def plural_count(n: float) -> float:
    """The count that picks the plural form: in French, below two is singular (« 0 an », « 1,5 jour »)."""
    if is_french():
        return 1 if n < 2 else 2
    return n


def number(value) -> str:
    """A decimal number, trailing zeros dropped: ``1,5`` in French, ``1.5`` in English."""
    text = formatting.decimal_fr(value)
    return text if is_french() else text.replace(",", ".")


def join(items) -> str:
    """``a, b et c`` / ``a, b and c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s et %(last)s", items=", ".join(items[:-1]), last=items[-1])


def weekday(code: str) -> str:
    return gettext(WEEKDAY_LABELS.get(code, code))


def weekdays(codes) -> str:
    """``["tue", "thu"]`` → ``mardi et jeudi`` / ``Tuesday and Thursday``; none → flexible days."""
    wanted = set(codes or ())
    labels = [weekday(c) for c in WEEKDAYS if c in wanted]
    return join(labels) if labels else gettext("jours flexibles")


def days(count) -> str:
    """``1 jour``, ``1,5 jour``, ``2 jours`` (``1.5 days`` in English)."""
    count = float(count)
    return ngettext("%(n)s jour", "%(n)s jours", plural_count(count), n=number(count))


def years(count: int) -> str:
    """``1 an``, ``11 ans``."""
    return get_translations().ungettext("%(num)s an", "%(num)s ans", plural_count(count)) % {"num": count}


class Later:
    """A value worded in the language current when it is shown, not when it is built.

    ``Later(month, date)`` in a lazy message (``_l("… %(month)s", month=Later(month, d))``) or an
    e-mail's context reads « novembre 2026 » or « November 2026 » as the reader's language
    wants. Jinja escapes it like any text (no ``__html__``).
    """

    __slots__ = ("func", "args")

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def __str__(self) -> str:
        return str(self.func(*self.args))

    def __repr__(self) -> str:
        return f"Later({self})"


def half_days(count) -> str:
    """A number of half days, worded in days: ``3`` → ``1,5 jour`` / ``1.5 days``."""
    return days(count / 2)


def weekdays_with_article(codes) -> str:
    """``["tue", "thu"]`` → ``le mardi et le jeudi`` / ``Tuesday and Thursday``."""
    wanted = set(codes or ())
    if not is_french():
        return weekdays(codes)
    return join([f"le {weekday(c)}" for c in WEEKDAYS if c in wanted])


def label_lower(text) -> str:
    """A status label held in data, translated, in lower case (« acceptée », « accepted »)."""
    return gettext(str(text)).lower() if text else ""


def month_capitalized(value) -> str:
    """``Novembre 2026`` / ``November 2026``."""
    return month(value)[:1].upper() + month(value)[1:]


def month(value) -> str:
    """``novembre 2026`` / ``November 2026``."""
    if is_french():
        return formatting.month_fr(value)
    from babel.dates import format_date

    return format_date(value, "MMMM yyyy", locale="en")


def sector(code: str) -> str:
    return gettext(SECTORS[code]) if code in SECTORS else code.replace("_", " ")


def work_mode(code: str) -> str:
    try:
        return gettext(WORK_MODE_LABELS[WorkMode(code)])
    except ValueError:
        return code


# Rendered reasons by (language, code, parameters): a page of fifty missions words the same
# few hundred sentences again and again, and wording one goes through the catalogue several
# times. The rendering is a pure function of its key, so the memo never needs emptying; it
# is only bounded.
_REASON_MEMO: dict[tuple, str] = {}
_REASON_MEMO_SIZE = 20_000


def _params_key(params) -> tuple | None:
    """A hashable, order-independent key of a reason's parameters (None when one cannot be made)."""
    try:
        key = tuple(sorted((name, tuple(map(_frozen, value)) if isinstance(value, (list, tuple, set, frozenset))
                            else value) for name, value in (params or {}).items()))
        hash(key)
    except TypeError:
        return None
    return key


def _frozen(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def reason_text(reason) -> str:
    """A matcher reason in the reader's language.

    ``reason`` is a `Reason` string, an explanation item or its stored dict (``code`` and
    ``params``); older snapshots without a code keep their French label.
    """
    if isinstance(reason, dict):
        code, params, label = reason.get("code"), reason.get("params"), reason.get("label", "")
    else:
        code, params = getattr(reason, "code", None), getattr(reason, "params", None)
        label = getattr(reason, "label", reason)
    if code in MESSAGES:
        key = _params_key(params)
        memo_key = (str(get_locale() or DEFAULT_LOCALE), code, key) if key is not None else None
        if memo_key is not None and memo_key in _REASON_MEMO:
            return _REASON_MEMO[memo_key]
        try:
            text = typography(render(code, params or {}, FORMATTER))
        except (KeyError, TypeError, ValueError):  # a stored snapshot older than its message
            pass
        else:
            if memo_key is not None:
                if len(_REASON_MEMO) >= _REASON_MEMO_SIZE:
                    _REASON_MEMO.clear()
                _REASON_MEMO[memo_key] = text
            return text
    return typography(gettext(str(label)))


class TranslatedDomain:
    """``marketplace.domain`` for the templates, its label tables read in the current language."""

    _TABLES = ("WORK_MODE_LABELS", "WEEKDAY_LABELS", "HALF_LABELS", "SKILL_LABELS", "SUB_SKILL_LABELS",
               "SKILL_LEVEL_LABELS", "LANGUAGES", "SECTORS", "LEGAL_FORM_LABELS")

    # The tables translated once per language (they are constants, and a list page reads
    # them once per row).
    _translated: dict[tuple[str, str], object] = {}

    def __getattr__(self, name: str):
        value = getattr(domain, name)
        if name not in self._TABLES and name != "SKILL_DIMENSIONS":
            return value
        key = (str(get_locale() or DEFAULT_LOCALE), name)
        if key not in self._translated:
            if name == "SKILL_DIMENSIONS":
                self._translated[key] = tuple(
                    replace(d, label=gettext(d.label), sub_skills=tuple((c, gettext(lbl)) for c, lbl in d.sub_skills))
                    for d in value
                )
            else:
                self._translated[key] = MappingProxyType({k: gettext(label) for k, label in value.items()})
        return self._translated[key]


translated_domain = TranslatedDomain()


# --- French typography ---------------------------------------------------------------------

_PERCENT = re.compile(r"(?<=\d)[ \u00a0]?%")
_BEFORE_PUNCTUATION = re.compile(r"(?<=\S)[ \u00a0]([:;?!»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_NO_SPACE_BEFORE = re.compile(r"(?<=\S)[ \u00a0\u202f]+([:;?!%])(?=\s|$|[),.])")


def french_typography(text: str) -> str:
    """Narrow no-break spaces before « : ; ? ! % » and inside guillemets, so « 40 % » never breaks.

    A colon glued to a word or figure (« 14:05 », « https: ») is left alone: only one that
    already stands after a space (« Total : ») or a figure before « % » is made unbreakable.
    """
    text = _PERCENT.sub("\u202f%", text)
    text = _BEFORE_PUNCTUATION.sub("\u202f\\1", text)
    return _AFTER_GUILLEMET.sub("«\u202f", text)


def english_typography(text: str) -> str:
    """No space before « : ; ? ! % » (« Your diagnostic: 3/10 », « 40% »)."""
    return _NO_SPACE_BEFORE.sub(r"\1", text)


def typography(text) -> str:
    """The current language's punctuation spacing; ``Markup`` stays ``Markup``."""
    if text is None:
        return ""
    fixed = french_typography(str(text)) if is_french() else english_typography(str(text))
    return Markup(fixed) if isinstance(text, Markup) else fixed


def de(name: str) -> str:
    """« de » before a name, elided before a vowel or a mute h: « d'Atelier Lumen », « de Bureau Vert »."""
    return formatting.de(name) if is_french() else name


def translate(text) -> str:
    """A French message id held in data (a status label, a vocabulary entry) in the reader's language.

    Unlike ``_()`` in a template, the result is plain text that Jinja escapes.
    """
    return gettext(str(text)) if text else ""


def user_text(text) -> Markup | str:
    """Text a person wrote (a mission title, an experience, a reason) marked ``data-user-text``.

    It is shown as written, in whatever language its author used: it is not the interface, which
    speaks the reader's language.
    """
    if text is None or text == "":
        return ""
    return Markup('<span data-user-text>%s</span>') % text


def register_filters(app) -> None:
    """Jinja filters speaking the current language; they replace the French-only ones of `formatting`."""
    app.jinja_env.filters.update(
        tr=translate,
        weekdays_fr=weekdays,
        days_fr=days,
        years=years,
        month_fr=month,
        sector_fr=sector,
        work_mode=work_mode,
        weekday=weekday,
        reason=reason_text,
        typo=typography,
        de=de,
        user=user_text,
    )
    app.jinja_env.globals.update(de=de)
