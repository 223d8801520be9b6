"""Keeping the matcher's per-process index fresh: changes touch their profile's ``updated_at``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from marketplace.db import db, utcnow
from marketplace.models.contracts import ContractBooking
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile
from marketplace.platform import events


def _touch(session: Session, profile_id: int) -> None:
    profile = session.get(FreelancerProfile, profile_id)
    if profile is not None:
        profile.updated_at = utcnow()


@db.before_flush
def touch_profiles_on_booking_or_history_change(session: Session) -> None:
    """A booking or work history that changes makes its profile re-read by the index."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ContractBooking) and obj.freelancer_id:
            _touch(session, obj.freelancer_id)
        elif isinstance(obj, ExperienceEntry) and obj.profile_id:
            _touch(session, obj.profile_id)


@events.bookings_changed.connect
def _on_bookings_changed(session: Session, freelancer_id: int, **_: Any) -> None:
    _touch(session, freelancer_id)
