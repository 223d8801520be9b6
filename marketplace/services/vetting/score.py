"""The vetting score: a weighted summary of the checks, for sorting and at-a-glance reading.

It never decides anything: approval is an operator's act, whatever the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.vetting import CheckStatus, VettingCheck
from marketplace.services.vetting import rules
from marketplace.services.vetting.checks import CHECK_LABELS

FACTORS = {
    CheckStatus.PASSED.value: 1.0,
    CheckStatus.WARNING.value: 0.5,
}


@dataclass(frozen=True)
class ScoreLine:
    kind: str
    label: str
    status: str | None
    weight: int
    points: float


def breakdown(rows: list[VettingCheck]) -> list[ScoreLine]:
    """Each weighted check with the points it brings (missing or pending checks bring none)."""
    by_kind = {r.kind: r for r in rows if r.subject == ""}
    lines = []
    for kind, weight in rules.SCORE_WEIGHTS.items():
        row = by_kind.get(kind)
        status = row.status if row else None
        lines.append(ScoreLine(kind, CHECK_LABELS[kind], status, weight, weight * FACTORS.get(status or "", 0.0)))
    return lines


def compute(session: Session, profile_id: int) -> int | None:
    """The 0–100 score of a profile's checks, or None before any check exists."""
    rows = list(session.scalars(select(VettingCheck).where(VettingCheck.profile_id == profile_id)))
    if not rows:
        return None
    total = sum(rules.SCORE_WEIGHTS.values())
    return math.floor(100 * sum(line.points for line in breakdown(rows)) / total + 0.5)  # half up
