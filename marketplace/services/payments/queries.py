"""What the dashboards show of payments and payouts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.payments import Payout


def payouts_for_freelancer(session: Session, profile_id: int, limit: int = 12) -> list[Payout]:
    """What the platform paid (or will pay) the freelancer, latest first."""
    return list(session.scalars(
        select(Payout).where(Payout.freelancer_id == profile_id).order_by(Payout.created_at.desc()).limit(limit)
    ))
