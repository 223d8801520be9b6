"""Freelance office managers: profile, work history, references."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check, utcnow
from marketplace.domain import (
    N_,
    SKILL_CODES,
    LegalForm,
    StrEnum,
    VatRegime,
    WeekSlots,
    WorkMode,
)
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.users import User


class ProfileStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


PROFILE_STATUS_LABELS = {
    ProfileStatus.DRAFT: N_("Brouillon"),
    ProfileStatus.SUBMITTED: N_("Soumis pour vérification"),
    ProfileStatus.IN_REVIEW: N_("En cours de vérification"),
    ProfileStatus.APPROVED: N_("Vérifié"),
    ProfileStatus.REJECTED: N_("Refusé"),
    ProfileStatus.SUSPENDED: N_("Suspendu"),
}


def _skill_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(f"skill_{code} BETWEEN 0 AND 5", name=f"skill_{code}_range") for code in SKILL_CODES
    )


class FreelancerProfile(Timestamps, Base):
    __tablename__ = "freelancer_profiles"
    __table_args__ = (
        enum_check("status", ProfileStatus),
        enum_check("work_mode", WorkMode),
        enum_check("legal_form", LegalForm),
        enum_check("vat_regime", VatRegime),
        *_skill_checks(),
        CheckConstraint("years_experience >= 0", name="years_experience_positive"),
        CheckConstraint("daily_rate_cents IS NULL OR daily_rate_cents > 0", name="daily_rate_positive"),
        CheckConstraint("available_slots BETWEEN 0 AND 1023", name="available_slots_range"),
        # The vetting queue (submitted and in-review profiles, oldest submission first) read
        # from this index a page at a time, not by sorting every profile waiting.
        Index("ix_freelancer_profiles_vetting_queue", "submitted_at", "id",
              postgresql_where=text("status IN ('submitted', 'in_review')"),
              sqlite_where=text("status IN ('submitted', 'in_review')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Indexed: the matcher's per-process index re-reads the profiles changed since its last sync.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    # Presentation
    headline: Mapped[str] = mapped_column(String(160), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    years_experience: Mapped[int] = mapped_column(default=0)
    freelance_years: Mapped[int] = mapped_column(default=0)

    # Skills: level 0–5 per dimension, plus the sub-skills ticked
    skill_people_culture: Mapped[int] = mapped_column(default=0)
    skill_operations_process: Mapped[int] = mapped_column(default=0)
    skill_finance_procurement: Mapped[int] = mapped_column(default=0)
    skill_facilities_workplace: Mapped[int] = mapped_column(default=0)
    skill_communication_coordination: Mapped[int] = mapped_column(default=0)
    sub_skills: Mapped[list[str]] = mapped_column(default=list)
    tools: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)

    # Where and how
    city: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    commune_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    mobility_km: Mapped[int] = mapped_column(default=20)
    work_mode: Mapped[str] = mapped_column(String(10), default="hybrid")
    daily_rate_cents: Mapped[int | None]
    # Half-day slots offered Monday–Friday (see marketplace.domain.WeekSlots).
    available_slots: Mapped[int] = mapped_column(default=0)
    client_sectors: Mapped[list[str]] = mapped_column(default=list)

    # Business identity (the seller on invoices issued under the billing mandate)
    business_name: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str | None] = mapped_column(String(10))
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    vat_regime: Mapped[str | None] = mapped_column(String(10))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    vat_debits_option: Mapped[bool] = mapped_column(default=False)
    iban: Mapped[str | None] = mapped_column(String(34), index=True)
    bic: Mapped[str | None] = mapped_column(String(11))
    billing_address_line: Mapped[str] = mapped_column(String(200), default="")
    billing_postal_code: Mapped[str] = mapped_column(String(10), default="")
    billing_city: Mapped[str] = mapped_column(String(120), default="")
    off_platform_turnover_cents: Mapped[int] = mapped_column(default=0)
    # Companies (EURL, SASU) print their share capital and RCS city on invoices.
    share_capital_cents: Mapped[int | None]
    # Stripe Connect: the account the platform pays the freelancer's share into, and what Stripe says of it.
    stripe_account_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    stripe_payouts_enabled: Mapped[bool] = mapped_column(default=False)
    stripe_requirements: Mapped[list[str]] = mapped_column(default=list)
    rcs_city: Mapped[str | None] = mapped_column(String(120))
    mandate_accepted_at: Mapped[datetime | None]
    mandate_version: Mapped[str | None] = mapped_column(String(20))
    mandate_ip: Mapped[str | None] = mapped_column(String(45))

    # Vetting
    status: Mapped[str] = mapped_column(String(12), default=ProfileStatus.DRAFT.value, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    # Matching eligibility can be suspended (expired document) without closing the account.
    matching_suspended_reason: Mapped[str | None] = mapped_column(Text)
    badges: Mapped[list[str]] = mapped_column(default=list)
    vetting_score: Mapped[int | None]

    user: Mapped["User"] = relationship(back_populates="freelancer_profile")
    experiences: Mapped[list["ExperienceEntry"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ExperienceEntry.start_date.desc()"
    )
    references: Mapped[list["Reference"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Reference.id"
    )

    def skill(self, code: str) -> int:
        return getattr(self, f"skill_{code}")

    def set_skill(self, code: str, level: int) -> None:
        if code not in SKILL_CODES:
            raise KeyError(code)
        setattr(self, f"skill_{code}", level)

    @property
    def skills(self) -> dict[str, int]:
        return {code: self.skill(code) for code in SKILL_CODES}

    @property
    def slots(self) -> WeekSlots:
        return WeekSlots(self.available_slots)

    @property
    def is_approved(self) -> bool:
        return self.status == ProfileStatus.APPROVED

    @property
    def is_matchable(self) -> bool:
        """Approved and not suspended from matching (e.g. expired document)."""
        return self.is_approved and not self.matching_suspended_reason

    @property
    def status_label(self) -> str:
        return PROFILE_STATUS_LABELS[ProfileStatus(self.status)]

    @property
    def display_name(self) -> str:
        return self.user.display_name

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.id == profile_id

    def __repr__(self) -> str:
        return f"<FreelancerProfile {self.id} {self.status}>"


class ExperienceEntry(Timestamps, Base):
    """One position in the freelancer's history (dates let vetting check the years)."""

    __tablename__ = "experience_entries"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    organisation: Mapped[str] = mapped_column(String(160))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    is_freelance: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")

    profile: Mapped[FreelancerProfile] = relationship(back_populates="experiences")

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.profile_id == profile_id


class Reference(Timestamps, Base):
    """A referee the freelancer names; the vetting e-mails them a questionnaire."""

    __tablename__ = "freelancer_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    company: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(160))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    relationship_label: Mapped[str] = mapped_column("relationship", String(160))
    is_current_client: Mapped[bool] = mapped_column(default=False)
    period: Mapped[str] = mapped_column(String(80), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    profile: Mapped[FreelancerProfile] = relationship(back_populates="references")

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.profile_id == profile_id
