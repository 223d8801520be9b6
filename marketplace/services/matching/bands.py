"""What a match is shown as: a calibrated band and a per-criterion breakdown, never « x / 100 ».

The model predicts what an SME would do with a proposed freelancer, as a grade: 0
declined, 1 shortlisted, 2 invited, 3 hired. Its expected grade Σ grade·P(grade) is
the number a band reads. The thresholds sit halfway between consecutive grades; on
the judged development set the model was fitted on, 85 % of the hired pairs fall in
« excellente », 86 % of the invited ones in « bonne », 86 % of the shortlisted ones
in « possible » and 97 % of the declined ones below (checked by the tests). Below the lowest band a
pair still meets every hard condition (days, distance, budget): it is labelled so,
neutrally. These thresholds are the only ones: every page and e-mail reads them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from marketplace.domain import N_
from marketplace.matching import OUTCOME_GRADES
from marketplace.matching.explain import KIND_LABELS

TOP_GRADE = max(OUTCOME_GRADES.values())


@dataclass(frozen=True)
class Band:
    """One band: a code (CSS class, tests), its French label and what it means."""

    code: str
    label: str
    meaning: str
    minimum: float  # lowest expected grade in the band


BANDS: tuple[Band, ...] = (
    Band("excellent", N_("Excellente adéquation"), N_("Du niveau des profils que les entreprises retiennent"), 2.5),
    Band("good", N_("Bonne adéquation"), N_("Du niveau des profils que les entreprises invitent à candidater"), 1.5),
    Band("possible", N_("Adéquation possible"), N_("Du niveau des profils que les entreprises présélectionnent"), 0.5),
    Band("basic", N_("Conditions remplies"), N_("Remplit les conditions (jours, distance, budget), sans point fort marqué"),
         float("-inf")),
)


def band_for(grade: float | None) -> Band | None:
    """The band of an expected grade (None: no score, e.g. not eligible)."""
    if grade is None:
        return None
    return next(band for band in BANDS if grade >= band.minimum)


def grade_from_score(score: int | None) -> float | None:
    """The expected grade behind a stored 0–100 score (the score is its share of the top grade)."""
    return None if score is None else score * TOP_GRADE / 100


def band_for_score(score: int | None) -> Band | None:
    """The band of a stored score (an application's snapshot)."""
    return band_for(grade_from_score(score))


# --- the breakdown as a chart ------------------------------------------------------------

# A bar's full width: the points (measured from an average candidate) of a decisive criterion.
FULL_SCALE_POINTS = 20.0


@dataclass(frozen=True)
class BreakdownRow:
    """One criterion of a breakdown: its name, what was found, which way and how strongly it weighs."""

    kind: str
    criterion: str
    text: str
    positive: bool
    strength: str  # strong, moderate, weak
    width: float  # 2..50: half the bar, from the middle outwards
    item: Any = None  # the matcher's item, for the pages to word it in the reader's language


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def breakdown(items: Iterable[Any]) -> list[BreakdownRow]:
    """The matcher's explanation items (objects or stored dicts) as chart rows, in the matcher's order."""
    rows = []
    for item in items:
        points = float(_get(item, "points") or 0.0)
        size = abs(points)
        strength = "strong" if size >= 8 else ("moderate" if size >= 3 else "weak")
        width = round(min(size / FULL_SCALE_POINTS, 1.0) * 50, 1)
        kind = _get(item, "kind")
        rows.append(BreakdownRow(
            kind=kind, criterion=KIND_LABELS.get(kind, kind), text=_get(item, "label"),
            positive=bool(_get(item, "positive")), strength=strength, width=max(width, 2.0), item=item,
        ))
    return rows
