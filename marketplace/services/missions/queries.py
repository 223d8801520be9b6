"""What the mission pages and dashboards show, scoped by construction to one company or profile."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.services.missions.rules import (
    AWAITING_SME,
    OPEN_STATUSES,
    TOLD_OF_CHANGES,
)


def status_counts(session: Session, company_id: int) -> dict[str, int]:
    """The company's missions counted by status."""
    return dict(session.execute(
        select(Mission.status, func.count()).where(Mission.company_id == company_id).group_by(Mission.status)
    ).all())


def company_missions(session: Session, company_id: int, status: str | None = None) -> list[Mission]:
    """The company's missions, newest first (of one status when given)."""
    stmt = select(Mission).where(Mission.company_id == company_id).order_by(Mission.created_at.desc())
    if status is not None:
        stmt = stmt.where(Mission.status == status)
    return list(session.scalars(stmt))


def active_missions(session: Session, company_id: int) -> list[Mission]:
    """Drafts and published missions: the ones the company is still working on."""
    return list(session.scalars(
        select(Mission)
        .where(Mission.company_id == company_id,
               Mission.status.in_([MissionStatus.DRAFT.value, MissionStatus.PUBLISHED.value]))
        .order_by(Mission.created_at.desc())
    ))


def waiting_applications(session: Session, company_id: int) -> list[Application]:
    """Applications to the company's published missions waiting for its decision, newest first."""
    return list(session.scalars(
        select(Application)
        .join(Application.mission)
        .options(selectinload(Application.mission), selectinload(Application.freelancer).joinedload(FreelancerProfile.user))
        .where(Mission.company_id == company_id, Mission.status == MissionStatus.PUBLISHED.value,
               Application.status.in_(AWAITING_SME))
        .order_by(Application.created_at.desc())
    ))


def waiting_counts(session: Session, mission_ids: list[int]) -> dict[int, int]:
    """Applications waiting for the SME's decision, per mission."""
    if not mission_ids:
        return {}
    return dict(session.execute(
        select(Application.mission_id, func.count())
        .where(Application.mission_id.in_(mission_ids), Application.status.in_(AWAITING_SME))
        .group_by(Application.mission_id)
    ).all())


def application_counts(session: Session, mission_id: int) -> dict[str, int]:
    """One mission's applications counted by status."""
    return dict(session.execute(
        select(Application.status, func.count()).where(Application.mission_id == mission_id).group_by(Application.status)
    ).all())


def open_application_count(session: Session, mission_id: int) -> int:
    """Applications neither side has closed yet (closing the mission tells them)."""
    return session.scalar(select(func.count()).select_from(Application).where(
        Application.mission_id == mission_id, Application.status.in_(OPEN_STATUSES)))


def told_of_changes_count(session: Session, mission_id: int) -> int:
    """Applicants who would be e-mailed a material change of the mission."""
    return session.scalar(select(func.count()).select_from(Application).where(
        Application.mission_id == mission_id, Application.status.in_(TOLD_OF_CHANGES)))


def accepted_application(session: Session, mission_id: int) -> Application | None:
    """The application the company accepted for this mission, if any."""
    return session.scalar(select(Application).where(
        Application.mission_id == mission_id, Application.status == ApplicationStatus.ACCEPTED.value))


def applicant_ids(session: Session, mission_id: int) -> list[int]:
    """Freelancers who applied or were invited (never recommended twice)."""
    return list(session.scalars(select(Application.freelancer_id).where(Application.mission_id == mission_id)))


def application_of(session: Session, mission_id: int, profile_id: int) -> Application | None:
    """The freelancer's application (or invitation) to the mission, if any."""
    return session.scalar(select(Application).where(Application.mission_id == mission_id,
                                                    Application.freelancer_id == profile_id))


def freelancer_applications(session: Session, profile_id: int) -> list[Application]:
    """A freelancer's applications and invitations, most recently changed first."""
    return list(session.scalars(
        select(Application).where(Application.freelancer_id == profile_id)
        .options(selectinload(Application.mission).options(joinedload(Mission.company), selectinload(Mission.perimeter)))
        .order_by(Application.updated_at.desc())
    ))


def published_count(session: Session) -> int:
    """Missions open to applications on the whole platform (the home page's figure)."""
    return session.scalar(select(func.count()).select_from(Mission).where(Mission.status == MissionStatus.PUBLISHED.value))


# --- the hiring pipeline --------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineStep:
    code: str
    label: str
    count: int
    percent: int  # of the widest step, for the bar's length


def hiring_pipeline(session: Session, company_id: int) -> list[PipelineStep]:
    """Published missions → applications received → shortlisted → accepted, in one query.

    A mission counts once it has been published (filled and closed ones too); an
    invitation the freelancer never answered is not an application; an accepted
    application has passed the shortlist, so each step holds the next one.
    """
    received = ~and_(Application.source == "invited", Application.note == "",
                     Application.status.in_([ApplicationStatus.INVITED.value, ApplicationStatus.DECLINED.value,
                                             ApplicationStatus.WITHDRAWN.value, ApplicationStatus.CLOSED.value]))
    reached = (ApplicationStatus.SHORTLISTED.value, ApplicationStatus.ACCEPTED.value)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    missions, applications, shortlisted, accepted = session.execute(
        select(
            func.count(distinct(Mission.id)),
            count_if(and_(Application.id.is_not(None), received)),
            count_if(Application.status.in_(reached)),
            count_if(Application.status == ApplicationStatus.ACCEPTED.value),
        )
        .select_from(Mission)
        .outerjoin(Application, Application.mission_id == Mission.id)
        .where(Mission.company_id == company_id, Mission.status != MissionStatus.DRAFT.value)
    ).one()
    counts = [
        ("published", _l("Missions publiées"), missions),
        ("applications", _l("Candidatures reçues"), applications),
        ("shortlisted", _l("Présélectionnées"), shortlisted),
        ("accepted", _l("Freelances retenus"), accepted),
    ]
    widest = max(int(c) for _, _, c in counts) or 1
    return [PipelineStep(code, label, int(count), round(int(count) * 100 / widest)) for code, label, count in counts]
