"""Form helpers shared by every blueprint, and the one place where raw input is bounded.

Every form derives from :class:`BaseForm` (or carries :class:`InputHygiene` for the rows
of a table), so every value a browser sends is checked before any service sees it:
no control character (a NUL cannot even be stored by PostgreSQL), no line break in a
single-line field (it would break an e-mail's subject), and a bounded length. Query
strings read directly go through :func:`query_text` and :func:`page_arg`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request
from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, Form, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from marketplace.errors import DomainError

REQUIRED = "Ce champ est obligatoire."
# Control characters refused everywhere (tabs and line breaks are judged by the field).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")
SINGLE_LINE_MAX = 300
MULTI_LINE_MAX = 10_000
# No page of a list lies beyond this: ``?page=10**20`` is clamped, not sent to the database.
MAX_PAGE = 10_000


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs or a ``{value: label}`` dict.

    Labels are French message ids (``domain``'s vocabulary, marked ``N_``): they are shown
    translated, in the language of the page that renders the form.
    """
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    options = [SelectChoice(str(value), _shown(label)) for value, label in items]
    return ([SelectChoice("", _shown(blank))] if blank is not None else []) + options


def _shown(label):
    return label if isinstance(label, LazyString) else lazy_gettext(str(label))


def input_problem(value: str, *, multiline: bool, max_length: int) -> str | None:
    """Why a raw value cannot be accepted (French), or None."""
    if _CONTROL.search(value):
        return _("Ce champ contient un caractère invisible non autorisé : retapez-le.")
    if not multiline and (_LINE_BREAK.search(value) or "\t" in value):
        return _("Ce champ tient sur une ligne : retirez les retours à la ligne.")
    if len(value) > max_length:
        count = format(max_length, ",").replace(",", "\u202f")
        return _("%(count)s caractères au plus.", count=count)
    return None


def _max_length(field: Field) -> int:
    declared = [v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0]
    default = MULTI_LINE_MAX if isinstance(field, TextAreaField) else SINGLE_LINE_MAX
    return min(declared) if declared else default


def check_raw_input(form: Form) -> bool:
    """Refuse, beside each field, the raw values no field of the platform accepts; False if any."""
    clean = True
    for field in form:
        subform = getattr(field, "form", None)
        entries = getattr(field, "entries", None)
        if entries is not None:
            for entry in entries:
                inner = getattr(entry, "form", None)
                clean &= check_raw_input(inner) if inner is not None else _check_field(entry)
        elif subform is not None and isinstance(subform, Form) and subform is not form:
            clean &= check_raw_input(subform)
        else:
            clean &= _check_field(field)
    return clean


def _check_field(field: Field) -> bool:
    for raw in field.raw_data or []:
        if not isinstance(raw, str):
            continue  # an uploaded file: judged by its own checks
        problem = input_problem(raw, multiline=isinstance(field, TextAreaField), max_length=_max_length(field))
        if problem and field.errors and len(raw) > _max_length(field) and not _CONTROL.search(raw):
            return False  # its Length validator already said it, in the field's own words
        if problem:
            field.errors = [*field.errors, problem] if problem not in field.errors else field.errors
            return False
    return True


class InputHygiene:
    """Mix into a plain ``wtforms.Form`` (rows of a table): its raw input is bounded too."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return check_raw_input(self) and valid


class BaseForm(FlaskForm):
    """A CSRF-protected form whose raw input is bounded, and that carries a service's errors beside their fields."""

    form_errors_extra: list[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_errors_extra = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return check_raw_input(self) and valid

    def add_domain_error(self, exc: DomainError) -> None:
        """Show each of a service's refusals beside the field it names, or above the form."""
        for error in exc.errors:
            self.place_error(error)

    def place_error(self, error: DomainError) -> None:
        """One refusal beside its field (forms with tables place their cells' errors)."""
        field: Field | None = getattr(self, error.field, None) if error.field else None
        if isinstance(field, Field):
            if error.message not in field.errors:
                # errors may be a tuple before validation ran
                field.errors = [*field.errors, error.message]
        elif error.message not in self.form_errors_extra:
            self.form_errors_extra.append(error.message)

    @property
    def all_form_errors(self) -> list[str]:
        return [*self.form_errors, *self.form_errors_extra]


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a local path, else ``default``."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def client_ip() -> str | None:
    """The client's address, as the trusted proxies (``TRUSTED_PROXIES``, via ProxyFix) reported it."""
    return request.remote_addr


def query_text(name: str, max_length: int = 100) -> str:
    """A query-string parameter as text: control characters dropped, one line, bounded."""
    value = request.args.get(name) or ""
    return " ".join(_CONTROL.sub("", value).split())[:max_length]


def page_arg(name: str = "page") -> int:
    """A page number from the query string, between 1 and MAX_PAGE (garbage gives 1)."""
    raw = (request.args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE if len(raw) > 6 else min(max(int(raw), 1), MAX_PAGE)
