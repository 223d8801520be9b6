"""Scoping contracts ("document de cadrage"), their versions, signatures and bookings."""

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

from marketplace.db import Base, enum_check
from marketplace.domain import StrEnum, WorkMode
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.missions import Application, Mission


class ContractStatus(StrEnum):
    DRAFT = "draft"
    PENDING_SIGNATURE = "pending_signature"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


CONTRACT_STATUS_LABELS = {
    ContractStatus.DRAFT: "Brouillon",
    ContractStatus.PENDING_SIGNATURE: "En attente de signature",
    ContractStatus.ACTIVE: "En cours",
    ContractStatus.ENDED: "Terminé",
    ContractStatus.CANCELLED: "Annulé",
}


class Contract(Timestamps, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        enum_check("status", ContractStatus),
        enum_check("work_mode", WorkMode),
        CheckConstraint("daily_rate_cents > 0", name="rate_positive"),
        CheckConstraint("half_days_per_week BETWEEN 1 AND 10", name="half_days_range"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 60", name="payment_terms_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="RESTRICT"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ContractStatus.DRAFT.value, index=True)
    version: Mapped[int] = mapped_column(default=1)

    # The scoping document
    objectives: Mapped[str] = mapped_column(Text, default="")
    in_scope: Mapped[str] = mapped_column(Text, default="")
    out_of_scope: Mapped[str] = mapped_column(Text, default="")
    half_days_per_week: Mapped[int]
    weekdays: Mapped[list[str]] = mapped_column(default=list)
    work_mode: Mapped[str] = mapped_column(String(10))
    onsite_days_per_week: Mapped[int] = mapped_column(default=0)
    spending_threshold_cents: Mapped[int] = mapped_column(default=50_000)
    kpis: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    daily_rate_cents: Mapped[int]
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    notice_days: Mapped[int] = mapped_column(default=30)
    non_compete: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    document_hash: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    activated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)

    mission: Mapped["Mission"] = relationship()
    application: Mapped["Application | None"] = relationship()
    company: Mapped["Company"] = relationship()
    freelancer: Mapped["FreelancerProfile"] = relationship()
    signatures: Mapped[list["ContractSignature"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractSignature.signed_at"
    )
    versions: Mapped[list["ContractVersion"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractVersion.number"
    )
    bookings: Mapped[list["ContractBooking"]] = relationship(back_populates="contract", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return CONTRACT_STATUS_LABELS[ContractStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


class ContractVersion(Base):
    """A frozen copy of the scoping document, as it was when sent for signature."""

    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    document_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contract: Mapped[Contract] = relationship(back_populates="versions")


class ContractSignature(Base):
    """One party's signature of one version: who, when, from where, on which document."""

    __tablename__ = "contract_signatures"
    __table_args__ = (
        enum_check("party", ("sme", "freelancer")),
        UniqueConstraint("contract_id", "version_number", "party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    version_number: Mapped[int]
    party: Mapped[str] = mapped_column(String(12))  # sme | freelancer
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    signer_name: Mapped[str] = mapped_column(String(160))
    signed_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    document_hash: Mapped[str] = mapped_column(String(64))

    contract: Mapped[Contract] = relationship(back_populates="signatures")


class ContractBooking(Base):
    """A half-day slot of the freelancer's week taken by a contract.

    The partial unique index is the time-sharing invariant: a freelancer's weekday
    half is booked by at most one active contract.
    """

    __tablename__ = "contract_bookings"
    __table_args__ = (
        UniqueConstraint("contract_id", "weekday", "half"),
        CheckConstraint("weekday IN ('mon','tue','wed','thu','fri')", name="weekday_code"),
        CheckConstraint("half IN ('am','pm')", name="half_code"),
        Index(
            "uq_contract_bookings_active_slot",
            "freelancer_id",
            "weekday",
            "half",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"))
    weekday: Mapped[str] = mapped_column(String(3))
    half: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(default=True)

    contract: Mapped[Contract] = relationship(back_populates="bookings")
