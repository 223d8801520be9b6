"""Explanations of a match score, in French, for the SME director and for the freelancer.

Each result carries structured items (kind, label, positive/negative, points) that the
web pages can render as they like, and plain French lines for the JSON API and e-mails.
The points of a kind are the model's own contribution of that kind's features to the
score, measured from an average candidate, so the breakdown is the score's, not a story
told next to it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from marketplace.domain import (
    SKILL_CODES,
    SKILL_LABELS,
    TOOLS_CATALOGUE,
    WORK_MODE_LABELS,
    WorkMode,
)
from marketplace.formatting import days_fr, euros, join_fr, weekdays_fr, years_fr
from marketplace.matching.records import MissionRecord
from marketplace.matching.text import NEED_LABELS

__all__ = ["Explanation", "ExplanationItem", "explain_pair", "KIND_LABELS"]

Audience = Literal["sme", "freelancer"]

KIND_LABELS = {
    "skills": "Compétences",
    "needs": "Projets déjà menés",
    "availability": "Disponibilités",
    "experience": "Expérience",
    "rate": "Tarif",
    "tools": "Outils",
    "work_mode": "Mode de travail",
}
# Order in which the items are shown: what the SME looks at first.
_ORDER = ("skills", "needs", "availability", "experience", "rate", "tools", "work_mode")


@dataclass(frozen=True)
class ExplanationItem:
    """One line of a breakdown: what kind of criterion, the French text, its effect."""

    kind: str
    label: str
    positive: bool
    points: float  # points this line adds to (or takes from) the score

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Explanation:
    """Score 0–100 of a pair and its breakdown."""

    score: int
    base: float  # score of an average candidate: the points are counted from it
    items: tuple[ExplanationItem, ...]

    @property
    def positives(self) -> list[ExplanationItem]:
        return [i for i in self.items if i.positive]

    @property
    def negatives(self) -> list[ExplanationItem]:
        return [i for i in self.items if not i.positive]

    def lines(self) -> list[str]:
        """French strings, strengths first: "+ Disponible mardi et jeudi"."""
        return [f"+ {i.label}" for i in self.positives] + [f"− {i.label}" for i in self.negatives]

    def summary(self) -> str:
        """One French sentence for a list view."""
        strengths = [i.label for i in self.positives[:3]]
        return f"Score {self.score}/100" + (" : " + " ; ".join(strengths) if strengths else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "base": round(self.base, 1),
            "items": [i.to_dict() for i in self.items],
            "lines": self.lines(),
        }


def _dimension(code: str) -> str:
    return SKILL_LABELS[code].lower()


def _tool_names(tools) -> str:
    # Catalogue spelling first (PayFit, Google Workspace), then free entries.
    rank = {fold_name.lower(): i for i, fold_name in enumerate(TOOLS_CATALOGUE)}
    return join_fr(sorted(tools, key=lambda t: (rank.get(t.lower(), 99), t)))


def _split(kind: str, points: float, good: str | None, bad: str | None) -> list[ExplanationItem]:
    """A kind's items: its points go to the line whose sign they share, so they add up."""
    items = []
    if good:
        items.append(ExplanationItem(kind, good, True, round(max(points, 0.0) if bad else points, 1)))
    if bad:
        items.append(ExplanationItem(kind, bad, False, round(min(points, 0.0) if good else points, 1)))
    return items


def explain_pair(
    mission: MissionRecord,
    facts: dict[str, Any],
    points: dict[str, float],
    score: int,
    *,
    audience: Audience = "sme",
    base: float = 0.0,
) -> Explanation:
    """The breakdown of one (mission, freelancer) score for the SME or for the freelancer."""
    you = audience == "freelancer"
    items: list[ExplanationItem] = []
    for kind in _ORDER:
        builder = _BUILDERS[kind]
        good, bad = builder(mission, facts, you)
        if not good and not bad and round(points.get(kind, 0.0), 1):
            # Nothing asked on this criterion, yet it moves the score against the
            # average candidate: say so, so that the points still add up.
            good = _NOTHING_ASKED[kind]
        items += _split(kind, points.get(kind, 0.0), good, bad)
    return Explanation(score=score, base=base, items=tuple(items))


def _skills(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    levels: dict[str, int] = facts["skills"]
    prefix = "Vos compétences" if you else "Compétences"
    if not mission.skills_required:
        best = max(SKILL_CODES, key=lambda c: levels.get(c, 0))
        return f"Point fort : {_dimension(best)} {levels.get(best, 0)}/5", None
    met, short = [], []
    for code in SKILL_CODES:
        asked = mission.skills_required.get(code)
        if not asked:
            continue
        text = f"{_dimension(code)} {levels.get(code, 0)}/5 pour {asked} demandé{'s' if asked > 1 else ''}"
        (met if levels.get(code, 0) >= asked else short).append(text)
    good = f"{prefix} {', '.join(met)}" if met else None
    bad = f"{prefix} {', '.join(short)}" if short else None
    return good, bad


def _needs(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    asked, shown = facts["needs_asked"], set(facts["needs_shown"])
    done = [NEED_LABELS[c] for c in asked if c in shown]
    missing = [NEED_LABELS[c] for c in asked if c not in shown]
    if you:
        good = f"Projets que vous avez déjà menés : {join_fr(done)}" if done else None
        bad = f"Nouveau pour vous d'après votre bio : {join_fr(missing)}" if missing else None
    else:
        good = f"Déjà mené : {join_fr(done)}" if done else None
        bad = f"Pas encore d'expérience visible en {join_fr(missing)}" if missing else None
    return good, bad


def _availability(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    free = facts["free_weekdays"]
    capacity = days_fr(facts["max_half_days"] / 2)
    if mission.weekdays:
        if you:
            return f"Mission le {weekdays_fr(mission.weekdays)} : vous êtes libre ces jours-là", None
        return f"Disponible {weekdays_fr(mission.weekdays)} (jusqu'à {capacity} par semaine)", None
    needed = days_fr(mission.half_days_per_week / 2)
    if you:
        return f"Jours à convenir ({needed} par semaine) : vous êtes libre le {weekdays_fr(free)}", None
    plural = "s" if mission.half_days_per_week >= 4 else ""
    return f"Libre le {weekdays_fr(free)} pour {needed} par semaine demandé{plural}", None


def _experience(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    years, minimum = facts["years"], mission.min_years_experience
    text = f"{'Vos ' if you else ''}{years_fr(years)} d'expérience"
    if minimum:
        text += f" ({minimum} demandé{'s' if minimum > 1 else ''})"
    return (text, None) if years >= minimum else (None, text)


def _rate(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    rate, budget = facts["rate_cents"], mission.max_daily_rate_cents
    if you:
        text = f"Budget {euros(budget)} par jour pour votre TJM de {euros(rate)}"
    else:
        text = f"TJM {euros(rate)} pour {euros(budget)} de budget"
    if rate <= budget:
        return text, None
    over = round((rate - budget) * 100 / budget)
    return None, f"{text} (+{over} %)"


def _tools(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    if not mission.tools:
        return None, None
    known = {t.lower() for t in facts["tools"]}
    have = [t for t in mission.tools if t.lower() in known]
    lack = [t for t in mission.tools if t.lower() not in known]
    if you:
        good = f"Outils demandés que vous maîtrisez : {_tool_names(have)}" if have else None
        bad = f"Outils demandés à découvrir : {_tool_names(lack)}" if lack else None
    else:
        good = f"Outils : {_tool_names(have)}" if have else None
        bad = f"Ne mentionne pas : {_tool_names(lack)}" if lack else None
    return good, bad


def _work_mode(mission: MissionRecord, facts: dict[str, Any], you: bool) -> tuple[str | None, str | None]:
    mode: WorkMode = facts["work_mode"]
    wanted = mission.work_mode
    where = ""
    if wanted != WorkMode.REMOTE and facts.get("distance_km") is not None:
        km = facts["distance_km"]
        where = f", à {max(1, round(km))} km {'de chez vous' if you else 'du site'}"
    mission_label = WORK_MODE_LABELS[wanted].lower()
    if you:
        text = f"Mission {mission_label}{where}"
    else:
        text = f"Travaille {'en ' if mode == WorkMode.HYBRID else ''}{WORK_MODE_LABELS[mode].lower()}{where}"
    # A hybrid freelancer fits any mission; otherwise the modes should be the same.
    if mode == wanted or mode == WorkMode.HYBRID:
        return text, None
    if you:
        return None, f"{text} (vous préférez : {WORK_MODE_LABELS[mode].lower()})"
    return None, f"{text} (mission {mission_label})"


_NOTHING_ASKED = {
    "skills": "Aucun niveau de compétence imposé",
    "needs": "Aucun projet précis repéré dans l'annonce",
    "availability": "Disponibilités compatibles",
    "experience": "Aucune expérience minimale demandée",
    "rate": "Tarif compatible",
    "tools": "Aucun outil imposé par la mission",
    "work_mode": "Mode de travail compatible",
}

_BUILDERS = {
    "skills": _skills,
    "needs": _needs,
    "availability": _availability,
    "experience": _experience,
    "rate": _rate,
    "tools": _tools,
    "work_mode": _work_mode,
}
