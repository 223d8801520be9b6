"""What the profile pages show and the look-ups other areas need."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.models.freelancers import FreelancerProfile, ProfileStatus


def profile(session: Session, profile_id: int) -> FreelancerProfile | None:
    """A freelancer's profile by id (SMEs see recommended profiles; their data stays theirs)."""
    return session.get(FreelancerProfile, profile_id)


def vetted_count(session: Session) -> int:
    """Freelancers the vetting approved (the home page's figure)."""
    return session.scalar(
        select(func.count()).select_from(FreelancerProfile).where(FreelancerProfile.status == ProfileStatus.APPROVED.value)
    )
