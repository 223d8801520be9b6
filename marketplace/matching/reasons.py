"""Reasons as data: a code and its parameters, worded in French here and translated by the pages.

The matcher is a pure library: it never imports Flask nor Babel. Each reason it gives is a
:class:`Reason` — a ``str`` holding the French text (for the JSON API, the ``rank-file``
command and the tests) that also carries ``code`` and ``params``. The message behind a code
is a French message id (marked with ``N_`` for extraction); the web layer renders it again
in the reader's language with :func:`render` and a formatter that speaks that language.

Parameters are plain JSON values whose *name* says how to show them: ``weekdays`` and
``free`` are weekday codes, ``days``/``capacity``/``needed``/``asked`` numbers of days,
``years``/``minimum`` years, ``rate``/``budget`` cents, ``needs`` need codes, ``tools``
tool names, ``skills`` ``[code, level, asked]`` triples, ``dimension`` a skill code,
``mode``/``wanted`` work-mode codes, ``sector`` a sector code; anything else as is.
"""

from __future__ import annotations

from typing import Any, Protocol

from marketplace.domain import (
    N_,
    SKILL_LABELS,
    TOOLS_CATALOGUE,
    WORK_MODE_LABELS,
    WorkMode,
)
from marketplace.formatting import (
    days_fr,
    decimal_fr,
    euros,
    join_fr,
    sector_fr,
    weekdays_fr,
    years_fr,
)

__all__ = ["MESSAGES", "FrenchFormatter", "Reason", "render"]

MESSAGES: dict[str, str] = {
    # --- the score's breakdown, for the SME ------------------------------------------
    "skills.best": N_("Point fort : %(dimension)s %(level)s/5"),
    "skills": N_("Compétences %(skills)s"),
    "needs.done": N_("Déjà mené : %(needs)s"),
    "needs.missing": N_("Pas encore d'expérience visible en %(needs)s"),
    "availability.named": N_("Disponible %(weekdays)s (jusqu'à %(capacity)s par semaine)"),
    "availability.flexible": N_("Libre le %(free)s (besoin : %(needed)s par semaine)"),
    "experience": N_("%(years)s d'expérience"),
    "experience.minimum": N_("%(years)s d'expérience (minimum : %(minimum)s)"),
    "rate": N_("TJM %(rate)s pour %(budget)s de budget"),
    "rate.over": N_("TJM %(rate)s pour %(budget)s de budget (+%(over)s\u00a0%%)"),
    "tools.known": N_("Outils : %(tools)s"),
    "tools.missing": N_("Ne mentionne pas : %(tools)s"),
    "work_mode": N_("Travaille %(mode)s"),
    "work_mode.far": N_("Travaille %(mode)s, à %(km)s km du site"),
    "work_mode.other": N_("Travaille %(mode)s (mission %(wanted)s)"),
    "work_mode.far.other": N_("Travaille %(mode)s, à %(km)s km du site (mission %(wanted)s)"),
    # --- the same, addressed to the freelancer ------------------------------------------
    "skills.you": N_("Vos compétences %(skills)s"),
    "needs.done.you": N_("Projets que vous avez déjà menés : %(needs)s"),
    "needs.missing.you": N_("Nouveau pour vous d'après votre bio : %(needs)s"),
    "availability.named.you": N_("Mission le %(weekdays)s : vous êtes libre ces jours-là"),
    "availability.flexible.you": N_("Jours à convenir (%(needed)s par semaine) : vous êtes libre le %(free)s"),
    "experience.you": N_("Votre expérience : %(years)s"),
    "experience.minimum.you": N_("Votre expérience : %(years)s (minimum : %(minimum)s)"),
    "rate.you": N_("Budget %(budget)s par jour pour votre TJM de %(rate)s"),
    "rate.over.you": N_("Budget %(budget)s par jour pour votre TJM de %(rate)s (+%(over)s\u00a0%%)"),
    "tools.known.you": N_("Outils demandés que vous maîtrisez : %(tools)s"),
    "tools.missing.you": N_("Outils demandés à découvrir : %(tools)s"),
    "work_mode.you": N_("Mission %(wanted)s"),
    "work_mode.far.you": N_("Mission %(wanted)s, à %(km)s km de chez vous"),
    "work_mode.other.you": N_("Mission %(wanted)s (vous préférez : %(mode)s)"),
    "work_mode.far.other.you": N_("Mission %(wanted)s, à %(km)s km de chez vous (vous préférez : %(mode)s)"),
    # --- nothing asked on a criterion ---------------------------------------------------
    "nothing.skills": N_("Aucun niveau de compétence imposé"),
    "nothing.needs": N_("Aucun projet précis repéré dans l'annonce"),
    "nothing.availability": N_("Disponibilités compatibles"),
    "nothing.experience": N_("Aucune expérience minimale demandée"),
    "nothing.rate": N_("Tarif compatible"),
    "nothing.tools": N_("Aucun outil imposé par la mission"),
    "nothing.work_mode": N_("Mode de travail compatible"),
    # --- hard constraints: why a pair is not proposed -----------------------------------
    "not_vetted": N_("Profil pas encore vérifié par la plateforme"),
    "capacity": N_("Disponible au plus %(capacity)s par semaine (besoin : %(asked)s)"),
    "weekday_taken": N_("Pas libre le %(weekdays)s"),
    "weekdays_taken": N_("Pas libre ces jours-là : %(weekdays)s"),
    "free_days": N_("Jours libres dans la semaine : %(days)s (besoin : %(asked)s)"),
    "non_compete": N_("Clause de non-concurrence : travaille déjà pour une entreprise du secteur « %(sector)s »"),
    "remote_only": N_("Travaille uniquement à distance ; la mission demande une présence sur site"),
    "no_location": N_("Localisation inconnue : impossible de vérifier la distance au site"),
    "radius": N_("Site à %(km)s km, au-delà de son rayon de %(radius)s km"),
    "rate_too_high": N_("TJM %(rate)s : plus de %(percent)s\u00a0%% au-dessus du budget de %(budget)s"),
    # the same, addressed to the freelancer
    "not_vetted.you": N_("Votre profil n'est pas encore vérifié par la plateforme"),
    "capacity.you": N_("Vous êtes disponible au plus %(capacity)s par semaine (besoin : %(asked)s)"),
    "weekday_taken.you": N_("Vous n'êtes pas libre le %(weekdays)s"),
    "weekdays_taken.you": N_("Vous n'êtes pas libre ces jours-là : %(weekdays)s"),
    "free_days.you": N_("Vos jours libres dans la semaine : %(days)s (besoin : %(asked)s)"),
    "non_compete.you": N_("Clause de non-concurrence : vous travaillez déjà pour une entreprise du secteur « %(sector)s »"),
    "remote_only.you": N_("Vous travaillez uniquement à distance ; la mission demande une présence sur site"),
    "no_location.you": N_("Votre localisation est inconnue : impossible de vérifier la distance au site"),
    "radius.you": N_("Site à %(km)s km, au-delà de votre rayon de %(radius)s km"),
    "rate_too_high.you": N_("Votre TJM de %(rate)s est plus de %(percent)s\u00a0%% au-dessus du budget de %(budget)s"),
}


class Formatter(Protocol):
    """What :func:`render` needs to word parameters in one language."""

    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: float) -> str: ...
    def weekdays(self, codes: list[str]) -> str: ...
    def days(self, count: float) -> str: ...
    def years(self, count: int) -> str: ...
    def money(self, cents: int) -> str: ...
    def number(self, value: float) -> str: ...
    def join(self, items: list[str]) -> str: ...
    def label(self, text: str) -> str: ...  # a French label (skill, need, work mode, sector) in this language


class FrenchFormatter:
    """The matcher's own wording: French, without Babel."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: float) -> str:
        return plural if n >= 2 else singular

    def weekdays(self, codes: list[str]) -> str:
        return weekdays_fr(codes)

    def days(self, count: float) -> str:
        return days_fr(count)

    def years(self, count: int) -> str:
        return years_fr(count)

    def money(self, cents: int) -> str:
        return euros(cents)

    def number(self, value: float) -> str:
        return decimal_fr(value)

    def join(self, items: list[str]) -> str:
        return join_fr(items)

    def label(self, text: str) -> str:
        return text


FRENCH = FrenchFormatter()


def _tool_order(tools: list[str]) -> list[str]:
    # Catalogue spelling first (PayFit, Google Workspace), then free entries.
    rank = {name.lower(): i for i, name in enumerate(TOOLS_CATALOGUE)}
    return sorted(tools, key=lambda t: (rank.get(t.lower(), 99), t))


def _skill(fmt: Formatter, code: str) -> str:
    return fmt.label(SKILL_LABELS.get(code, code)).lower()


def _mode(fmt: Formatter, code: str) -> str:
    return fmt.label(WORK_MODE_LABELS[WorkMode(code)]).lower() if code in WorkMode.values() else code


def _need(fmt: Formatter, code: str) -> str:
    from marketplace.matching.text import NEED_LABELS

    return fmt.label(NEED_LABELS.get(code, code))


def _value(fmt: Formatter, name: str, value: Any) -> str:
    """One parameter worded by ``fmt``, by the parameter's name."""
    if name in ("weekdays", "free"):
        return fmt.weekdays(list(value))
    if name in ("days", "capacity", "needed", "asked"):
        return fmt.days(value)
    if name in ("years", "minimum"):
        return fmt.years(int(value))
    if name in ("rate", "budget"):
        return fmt.money(int(value))
    if name == "needs":
        return fmt.join([_need(fmt, c) for c in value])
    if name == "tools":
        return fmt.join(_tool_order(list(value)))
    if name == "dimension":
        return _skill(fmt, value)
    if name in ("mode", "wanted"):
        return _mode(fmt, value)
    if name == "sector":
        return fmt.label(sector_fr(value))
    if name == "skills":
        parts = [
            fmt.ngettext("%(dimension)s %(level)s/5 pour %(asked)s demandé",
                         "%(dimension)s %(level)s/5 pour %(asked)s demandés", asked)
            % {"dimension": _skill(fmt, code), "level": level, "asked": asked}
            for code, level, asked in value
        ]
        return ", ".join(parts)
    if isinstance(value, float):
        return fmt.number(value)
    return str(value)


def render(code: str, params: dict[str, Any] | None = None, fmt: Formatter = FRENCH) -> str:
    """The sentence of a reason in ``fmt``'s language."""
    message = fmt.gettext(MESSAGES[code])
    if not params:
        return message.replace("%%", "%") if "%%" in message else message
    return message % {name: _value(fmt, name, value) for name, value in params.items()}


class Reason(str):
    """A French reason that also carries its ``code`` and ``params`` for translation."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, params: dict[str, Any] | None = None) -> "Reason":
        params = dict(params or {})
        self = super().__new__(cls, render(code, params))
        self.code = code
        self.params = params
        return self

    def __reduce__(self):  # pickling and deepcopy keep the code, not only the text
        return (Reason, (self.code, self.params))
