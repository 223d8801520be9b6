"""A freelancer's profile as a client company may see it before inviting: no contact, no papers, no bank details.

Only vetted profiles still open to matching are shown, and only through :class:`ClientView`,
which copies the fields a client may read: a template given the view cannot print an
e-mail, a phone number, an IBAN, a SIRET or a document by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.users import User
from marketplace.models.vetting import ReferenceRequest
from marketplace.services.contracts.bookings import booked_slots, free_slots
from marketplace.services.contracts.satisfaction import freelancer_average
from marketplace.services.contracts.terms import describe_slots

# What a client reads of each badge the vetting grants.
BADGE_LABELS = {
    "verified": "Vérifié",
    "references_checked": "Références vérifiées",
    "documents_checked": "Documents vérifiés",
}


@dataclass(frozen=True)
class ExperienceLine:
    title: str
    organisation: str
    start_year: int
    end_year: int | None
    is_freelance: bool
    description: str


@dataclass(frozen=True)
class ReferencesSummary:
    total: int
    current_clients: int
    answered: int  # referees who answered the platform's questionnaire


@dataclass(frozen=True)
class ClientView:
    """What a client company may read of a vetted freelancer's profile."""

    profile_id: int
    name: str  # first name and initial: the full name comes with the application
    headline: str
    bio: str
    city: str
    mobility_km: int
    work_mode: str
    daily_rate_cents: int | None
    years_experience: int
    freelance_years: int
    free_days: str  # « mardi et jeudi matin »: what is offered and no signed contract holds
    free_half_days: int
    skills: dict[str, int]
    tools: list[str]
    languages: list[str]
    experiences: list[ExperienceLine]
    status_label: str
    badges: list[str]
    references: ReferencesSummary
    satisfaction: Decimal | None
    satisfaction_answers: int


def visible_profile(session: Session, profile_id: int) -> FreelancerProfile | None:
    """The profile when clients may see it: vetted, open to matching, its account active."""
    return session.scalar(
        select(FreelancerProfile).join(User, User.id == FreelancerProfile.user_id).where(
            FreelancerProfile.id == profile_id,
            FreelancerProfile.status == ProfileStatus.APPROVED.value,
            FreelancerProfile.matching_suspended_reason.is_(None),
            User.active.is_(True), User.erased_at.is_(None),
        ))


def for_client(session: Session, profile_id: int) -> ClientView | None:
    """The client's view of a visible profile, or None (the page answers 404)."""
    profile = visible_profile(session, profile_id)
    if profile is None:
        return None
    user = profile.user
    free = free_slots(profile, booked_slots(session, [profile.id])[profile.id])
    answered = session.scalar(select(func.count(ReferenceRequest.id)).where(
        ReferenceRequest.profile_id == profile.id, ReferenceRequest.status == "answered")) or 0
    satisfaction = freelancer_average(session, profile.id)
    return ClientView(
        profile_id=profile.id,
        name=f"{user.first_name} {user.last_name[:1]}." if user.last_name else user.first_name,
        headline=profile.headline, bio=profile.bio, city=profile.city, mobility_km=profile.mobility_km,
        work_mode=profile.work_mode, daily_rate_cents=profile.daily_rate_cents,
        years_experience=profile.years_experience, freelance_years=profile.freelance_years,
        free_days=describe_slots([f"{day}-{half}" for day, half in free.pairs()]), free_half_days=free.half_days(),
        skills=dict(profile.skills),
        tools=list(profile.tools), languages=list(profile.languages),
        experiences=[ExperienceLine(e.title, e.organisation, e.start_date.year, e.end_date.year if e.end_date else None,
                                    e.is_freelance, e.description) for e in profile.experiences],
        status_label=profile.status_label,
        badges=[BADGE_LABELS.get(b, b) for b in profile.badges],
        references=ReferencesSummary(total=len(profile.references),
                                     current_clients=sum(1 for r in profile.references if r.is_current_client),
                                     answered=answered),
        satisfaction=satisfaction.average if satisfaction else None,
        satisfaction_answers=satisfaction.answers if satisfaction else 0,
    )
