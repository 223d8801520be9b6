"""Missions posted by SMEs, their perimeter, and the freelancers' applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check, utcnow
from marketplace.domain import N_, SKILL_CODES, StrEnum, WorkMode
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.users import User


class MissionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    FILLED = "filled"
    CLOSED = "closed"


MISSION_STATUS_LABELS = {
    MissionStatus.DRAFT: N_("Brouillon"),
    MissionStatus.PUBLISHED: N_("Publiée"),
    MissionStatus.FILLED: N_("Pourvue"),
    MissionStatus.CLOSED: N_("Clôturée"),
}

DEFAULT_SPENDING_THRESHOLD_CENTS = 50_000
DEFAULT_KPIS: tuple[dict[str, str], ...] = (
    {"code": "satisfaction", "label": "Satisfaction des équipes", "target": "≥ 7/10, mesurée chaque trimestre"},
    {"code": "budget", "label": "Budget de fonctionnement", "target": "tenu à ± 5 %"},
    {"code": "director_time", "label": "Temps opérationnel du dirigeant", "target": "− 40 %"},
)


def _level_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(f"min_{code} BETWEEN 0 AND 5", name=f"min_{code}_range") for code in SKILL_CODES
    )


class Mission(Timestamps, Base):
    __tablename__ = "missions"
    __table_args__ = (
        enum_check("status", MissionStatus),
        enum_check("work_mode", WorkMode),
        *_level_checks(),
        CheckConstraint("half_days_per_week BETWEEN 1 AND 10", name="half_days_range"),
        CheckConstraint("max_daily_rate_cents > 0", name="budget_positive"),
        CheckConstraint("min_years_experience >= 0", name="min_years_positive"),
        # « Missions pour vous » lists the latest published missions: read from the index, not by
        # sorting every published one (its cost then stays flat as missions pile up).
        Index("ix_missions_status_published_at", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    half_days_per_week: Mapped[int]
    # Named weekdays (codes mon..fri); an empty list means flexible weekdays.
    weekdays: Mapped[list[str]] = mapped_column(default=list)
    work_mode: Mapped[str] = mapped_column(String(10))
    onsite_days_per_week: Mapped[int] = mapped_column(default=0)
    site_city: Mapped[str] = mapped_column(String(120), default="")
    site_latitude: Mapped[float | None]
    site_longitude: Mapped[float | None]
    start_date: Mapped[date | None]
    max_daily_rate_cents: Mapped[int]
    min_years_experience: Mapped[int] = mapped_column(default=0)
    min_people_culture: Mapped[int] = mapped_column(default=0)
    min_operations_process: Mapped[int] = mapped_column(default=0)
    min_finance_procurement: Mapped[int] = mapped_column(default=0)
    min_facilities_workplace: Mapped[int] = mapped_column(default=0)
    min_communication_coordination: Mapped[int] = mapped_column(default=0)
    tools: Mapped[list[str]] = mapped_column(default=list)
    non_compete: Mapped[bool] = mapped_column(default=False)
    spending_threshold_cents: Mapped[int] = mapped_column(default=DEFAULT_SPENDING_THRESHOLD_CENTS)
    kpis: Mapped[list[dict[str, Any]]] = mapped_column(default=lambda: [dict(k) for k in DEFAULT_KPIS])
    status: Mapped[str] = mapped_column(String(10), default=MissionStatus.DRAFT.value, index=True)
    close_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    company: Mapped["Company"] = relationship(back_populates="missions")
    created_by: Mapped["User | None"] = relationship()
    perimeter: Mapped[list["PerimeterLine"]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", order_by="PerimeterLine.position"
    )
    applications: Mapped[list["Application"]] = relationship(back_populates="mission")

    def min_level(self, code: str) -> int:
        return getattr(self, f"min_{code}")

    def set_min_level(self, code: str, level: int) -> None:
        if code not in SKILL_CODES:
            raise KeyError(code)
        setattr(self, f"min_{code}", level)

    @property
    def required_skills(self) -> dict[str, int]:
        """Dimensions with a required level above zero."""
        return {code: self.min_level(code) for code in SKILL_CODES if self.min_level(code) > 0}

    @property
    def days_per_week(self) -> float:
        return self.half_days_per_week / 2

    @property
    def status_label(self) -> str:
        return MISSION_STATUS_LABELS[MissionStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    def __repr__(self) -> str:
        return f"<Mission {self.id} {self.title!r} {self.status}>"


class PerimeterLine(Base):
    """One task of the perimeter: what, how long each month, how critical, who does it today."""

    __tablename__ = "perimeter_lines"
    __table_args__ = (
        CheckConstraint("criticality BETWEEN 1 AND 5", name="criticality_range"),
        CheckConstraint("minutes_per_month > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    task: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str | None] = mapped_column(String(40))
    catalogue_code: Mapped[str | None] = mapped_column(String(40))
    minutes_per_month: Mapped[int]
    criticality: Mapped[int] = mapped_column(default=3)
    current_owner: Mapped[str] = mapped_column(String(120), default="")

    mission: Mapped[Mission] = relationship(back_populates="perimeter")

    @property
    def hours_per_month(self) -> float:
        return self.minutes_per_month / 60


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    SHORTLISTED = "shortlisted"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    # The mission was closed or filled while the application was open: no judgement of fit.
    CLOSED = "closed"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.APPLIED: N_("Candidature envoyée"),
    ApplicationStatus.SHORTLISTED: N_("Présélectionnée"),
    ApplicationStatus.INVITED: N_("Invitation"),
    ApplicationStatus.ACCEPTED: N_("Acceptée"),
    ApplicationStatus.DECLINED: N_("Déclinée"),
    ApplicationStatus.WITHDRAWN: N_("Retirée"),
    ApplicationStatus.CLOSED: N_("Mission close"),
}


class Application(Timestamps, Base):
    """A freelancer's candidacy to a mission (or the SME's invitation to apply)."""

    __tablename__ = "applications"
    __table_args__ = (
        enum_check("status", ApplicationStatus),
        enum_check("source", ("applied", "invited")),
        UniqueConstraint("mission_id", "freelancer_id"),
        # One accepted application per mission, whatever two SME members click at once.
        Index(
            "uq_applications_one_accepted_per_mission", "mission_id", unique=True,
            sqlite_where=text("status = 'accepted'"), postgresql_where=text("status = 'accepted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), index=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10), default="applied")  # applied | invited
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_rate_cents: Mapped[int | None]
    offered_weekdays: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.APPLIED.value, index=True)
    score: Mapped[int | None]
    score_breakdown: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    sme_message: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    mission: Mapped[Mission] = relationship(back_populates="applications")
    freelancer: Mapped["FreelancerProfile"] = relationship()

    @property
    def status_label(self) -> str:
        return APPLICATION_STATUS_LABELS[ApplicationStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.mission.has(Mission.company_id == company_id)

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


class MissionVersion(Base):
    """What a published mission said at one point: a snapshot of its fields, who and when.

    Number 1 is the content as published; each edit of a published mission adds the next
    one with the list of what changed and whether applicants had to be told.
    """

    __tablename__ = "mission_versions"
    __table_args__ = (
        UniqueConstraint("mission_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The mission's fields as plain JSON (dates as ISO strings, money in cents).
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # [{"field", "label", "before", "after", "material"}], empty for the first version.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    material: Mapped[bool] = mapped_column(default=False)

    mission: Mapped[Mission] = relationship()
    author: Mapped["User | None"] = relationship()

    @property
    def material_changes(self) -> list[dict[str, Any]]:
        return [c for c in self.changes if c.get("material")]
