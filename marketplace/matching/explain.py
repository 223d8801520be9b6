"""Explanations of a match score, in French, for the SME director and for the freelancer.

Each result carries structured items (kind, label, positive/negative, points, and the
reason's ``code`` and ``params`` that the pages translate, see `reasons`) and plain French
lines for the JSON API and e-mails.
The points of a kind are the model's own contribution of that kind's features to the
score, measured from an average candidate, so the breakdown is the score's, not a story
told next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from marketplace.domain import N_, SKILL_CODES, WorkMode
from marketplace.matching.reasons import MESSAGES, Reason
from marketplace.matching.records import MissionRecord

__all__ = ["Explanation", "ExplanationItem", "explain_pair", "KIND_LABELS"]

Audience = Literal["sme", "freelancer"]

KIND_LABELS = {
    "skills": N_("Compétences"),
    "needs": N_("Projets déjà menés"),
    "availability": N_("Disponibilités"),
    "experience": N_("Expérience"),
    "rate": N_("Tarif"),
    "tools": N_("Outils"),
    "work_mode": N_("Mode de travail"),
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
    code: str = ""  # the reason's message (`reasons.MESSAGES`), for the pages to translate
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "label": str(self.label), "positive": self.positive, "points": self.points,
            "code": self.code, "params": dict(self.params),
        }


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


def _split(kind: str, points: float, good: Reason | None, bad: Reason | None) -> list[ExplanationItem]:
    """A kind's items: its points go to the line whose sign they share, so they add up."""
    items = []
    if good:
        items.append(ExplanationItem(kind, good, True, round(max(points, 0.0) if bad else points, 1), good.code, good.params))
    if bad:
        items.append(ExplanationItem(kind, bad, False, round(min(points, 0.0) if good else points, 1), bad.code, bad.params))
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
            good = Reason(f"nothing.{kind}")
        items += _split(kind, points.get(kind, 0.0), good, bad)
    return Explanation(score=score, base=base, items=tuple(items))


def _reason(code: str, you: bool, **params: Any) -> Reason:
    """The reason ``code``, in its wording for the freelancer when ``you``."""
    return Reason(f"{code}.you" if you and f"{code}.you" in MESSAGES else code, params)


Pair = tuple["Reason | None", "Reason | None"]


def _skills(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    levels: dict[str, int] = facts["skills"]
    if not mission.skills_required:
        best = max(SKILL_CODES, key=lambda c: levels.get(c, 0))
        return Reason("skills.best", {"dimension": best, "level": levels.get(best, 0)}), None
    met, short = [], []
    for code in SKILL_CODES:
        asked = mission.skills_required.get(code)
        if not asked:
            continue
        (met if levels.get(code, 0) >= asked else short).append([code, levels.get(code, 0), asked])
    good = _reason("skills", you, skills=met) if met else None
    bad = _reason("skills", you, skills=short) if short else None
    return good, bad


def _needs(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    asked, shown = facts["needs_asked"], set(facts["needs_shown"])
    done = [c for c in asked if c in shown]
    missing = [c for c in asked if c not in shown]
    good = _reason("needs.done", you, needs=done) if done else None
    bad = _reason("needs.missing", you, needs=missing) if missing else None
    return good, bad


def _availability(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    if mission.weekdays:
        return _reason("availability.named", you, weekdays=list(mission.weekdays),
                       capacity=facts["max_half_days"] / 2), None
    return _reason("availability.flexible", you, free=list(facts["free_weekdays"]),
                   needed=mission.half_days_per_week / 2), None


def _experience(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    years, minimum = facts["years"], mission.min_years_experience
    if minimum:
        text = _reason("experience.minimum", you, years=years, minimum=minimum)
    else:
        text = _reason("experience", you, years=years)
    return (text, None) if years >= minimum else (None, text)


def _rate(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    rate, budget = facts["rate_cents"], mission.max_daily_rate_cents
    if rate <= budget:
        return _reason("rate", you, rate=rate, budget=budget), None
    over = round((rate - budget) * 100 / budget)
    return None, _reason("rate.over", you, rate=rate, budget=budget, over=over)


def _tools(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    if not mission.tools:
        return None, None
    known = {t.lower() for t in facts["tools"]}
    have = [t for t in mission.tools if t.lower() in known]
    lack = [t for t in mission.tools if t.lower() not in known]
    good = _reason("tools.known", you, tools=have) if have else None
    bad = _reason("tools.missing", you, tools=lack) if lack else None
    return good, bad


def _work_mode(mission: MissionRecord, facts: dict[str, Any], you: bool) -> Pair:
    mode: WorkMode = facts["work_mode"]
    wanted = mission.work_mode
    params: dict[str, Any] = {"mode": WorkMode(mode).value, "wanted": WorkMode(wanted).value}
    code = "work_mode"
    if wanted != WorkMode.REMOTE and facts.get("distance_km") is not None:
        code, params["km"] = "work_mode.far", max(1, round(facts["distance_km"]))
    # A hybrid freelancer fits any mission; otherwise the modes should be the same.
    if mode == wanted or mode == WorkMode.HYBRID:
        return _reason(code, you, **params), None
    return None, _reason(f"{code}.other", you, **params)


_BUILDERS = {
    "skills": _skills,
    "needs": _needs,
    "availability": _availability,
    "experience": _experience,
    "rate": _rate,
    "tools": _tools,
    "work_mode": _work_mode,
}
