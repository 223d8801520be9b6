"""What the account pages and the operator's overview show."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Mission
from marketplace.models.outbox import JobIntent
from marketplace.models.users import User


def company_member(session: Session, company_id: int, user_id: int) -> User | None:
    """A member of the company (active or not), or None."""
    return session.scalar(select(User).where(User.id == user_id, User.company_id == company_id))


def platform_overview(session: Session) -> dict:
    """Counts that tell the operator where attention is needed."""
    def by_status(column):
        return dict(session.execute(select(column, func.count()).group_by(column)).all())

    return {
        "companies": session.scalar(select(func.count()).select_from(Company)),
        "profiles_by_status": by_status(FreelancerProfile.status),
        "missions_by_status": by_status(Mission.status),
        "jobs_by_status": by_status(JobIntent.status),
    }
