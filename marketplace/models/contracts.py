"""Scoping contracts ("document de cadrage"), their versions, signatures and bookings."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
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
from marketplace.domain import N_, StrEnum, WorkMode
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.documents import Document
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.missions import Application, Mission
    from marketplace.models.users import User


class ContractStatus(StrEnum):
    DRAFT = "draft"
    PENDING_SIGNATURE = "pending_signature"
    ACTIVE = "active"
    NOTICE = "notice"
    ENDED = "ended"
    CANCELLED = "cancelled"


CONTRACT_STATUS_LABELS = {
    ContractStatus.DRAFT: N_("En cours de rédaction"),
    ContractStatus.PENDING_SIGNATURE: N_("En attente de signature"),
    ContractStatus.ACTIVE: N_("En cours"),
    ContractStatus.NOTICE: N_("En préavis"),
    ContractStatus.ENDED: N_("Terminé"),
    ContractStatus.CANCELLED: N_("Abandonné"),
}


class Party(StrEnum):
    """The two sides of a contract (the platform drafts, it never signs)."""

    SME = "sme"
    FREELANCER = "freelancer"


class EndKind(StrEnum):
    NOTICE = "notice"      # one side gave the one-month notice
    MUTUAL = "mutual"      # both agreed on an end date
    TERM = "term"          # the end date written in the contract


class Contract(Timestamps, Base):
    """The scoping document between one SME and one freelancer, and the terms in force.

    The columns hold the terms in force (or, before the first signature, the latest
    proposal); every proposal is a :class:`ContractVersion`, kept for ever.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        enum_check("status", ContractStatus),
        enum_check("work_mode", WorkMode),
        enum_check("end_kind", EndKind),
        enum_check("end_requested_by", Party),
        CheckConstraint("daily_rate_cents > 0", name="rate_positive"),
        CheckConstraint("half_days_per_week BETWEEN 1 AND 10", name="half_days_range"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 45", name="payment_terms_range"),
        CheckConstraint("platform_fee_bp BETWEEN 0 AND 10000", name="fee_range"),
        CheckConstraint("notice_months BETWEEN 0 AND 3", name="notice_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="RESTRICT"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ContractStatus.DRAFT.value, index=True)
    # The latest version (under discussion, agreed, or signed) and the one in force.
    version: Mapped[int] = mapped_column(default=1)
    signed_version: Mapped[int | None]

    # The scoping document (terms in force)
    title: Mapped[str] = mapped_column(String(160), default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    in_scope: Mapped[str] = mapped_column(Text, default="")
    out_of_scope: Mapped[str] = mapped_column(Text, default="")
    half_days_per_week: Mapped[int]
    weekdays: Mapped[list[str]] = mapped_column(default=list)
    slots: Mapped[list[str]] = mapped_column(default=list)  # "tue-am", "tue-pm"…
    work_mode: Mapped[str] = mapped_column(String(10))
    onsite_days_per_week: Mapped[int] = mapped_column(default=0)
    spending_threshold_cents: Mapped[int] = mapped_column(default=50_000)
    kpis: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    daily_rate_cents: Mapped[int]
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    notice_months: Mapped[int] = mapped_column(default=1)
    non_compete: Mapped[bool] = mapped_column(default=False)
    platform_fee_bp: Mapped[int] = mapped_column(default=1500)  # frozen at drafting: 1500 = 15 %
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    document_hash: Mapped[str | None] = mapped_column(String(64))  # of the signed version's PDF
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))  # sealed PDF
    activated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    # Why the contract went back to drafting (weekdays taken meanwhile…), shown on its page.
    blocked_reason: Mapped[str | None] = mapped_column(Text)

    # Ending: notice given, or an end date one side proposed and the other must accept.
    end_kind: Mapped[str | None] = mapped_column(String(10))
    end_requested_by: Mapped[str | None] = mapped_column(String(12))
    end_requested_at: Mapped[datetime | None]
    end_proposed_date: Mapped[date | None]

    # URSSAF vigilance: the certificate on file at activation or at the last check.
    vigilance_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    vigilance_requested_at: Mapped[datetime | None]

    mission: Mapped["Mission"] = relationship()
    application: Mapped["Application | None"] = relationship()
    company: Mapped["Company"] = relationship()
    freelancer: Mapped["FreelancerProfile"] = relationship()
    document: Mapped["Document | None"] = relationship(foreign_keys=[document_id])
    signatures: Mapped[list["ContractSignature"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractSignature.signed_at"
    )
    versions: Mapped[list["ContractVersion"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractVersion.number"
    )
    bookings: Mapped[list["ContractBooking"]] = relationship(back_populates="contract", cascade="all, delete-orphan")
    surveys: Mapped[list["SatisfactionSurvey"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="SatisfactionSurvey.quarter"
    )

    @property
    def status_label(self) -> str:
        return CONTRACT_STATUS_LABELS[ContractStatus(self.status)]

    @property
    def platform_fee_rate(self) -> Decimal:
        return Decimal(self.platform_fee_bp) / 10_000

    @property
    def latest_version(self) -> "ContractVersion | None":
        return self.versions[-1] if self.versions else None

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


class VersionKind(StrEnum):
    INITIAL = "initial"
    AMENDMENT = "amendment"


class VersionStatus(StrEnum):
    PROPOSED = "proposed"        # under discussion: the other side may accept or answer with edits
    SUPERSEDED = "superseded"    # a newer proposal replaced it
    AGREED = "agreed"            # both accepted it: its PDF is rendered, then signed
    SIGNED = "signed"            # both signed: in force (from ``effective_from`` for an amendment)
    WITHDRAWN = "withdrawn"      # abandoned (weekdays taken meanwhile, draft or amendment dropped)


VERSION_STATUS_LABELS = {
    VersionStatus.PROPOSED: N_("Proposée"),
    VersionStatus.SUPERSEDED: N_("Remplacée"),
    VersionStatus.AGREED: N_("Acceptée, à signer"),
    VersionStatus.SIGNED: N_("Signée"),
    VersionStatus.WITHDRAWN: N_("Abandonnée"),
}


class ContractVersion(Base):
    """One proposal of the scoping document, frozen: its terms, who accepted it, its PDF."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        UniqueConstraint("contract_id", "number"),
        enum_check("kind", VersionKind),
        enum_check("status", VersionStatus),
        enum_check("proposed_by", ("sme", "freelancer", "platform")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default=VersionKind.INITIAL.value)
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.PROPOSED.value)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")  # what the proposer says about the change
    proposed_by: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sme_accepted_at: Mapped[datetime | None]
    freelancer_accepted_at: Mapped[datetime | None]
    effective_from: Mapped[date | None]  # amendments: the date the new terms apply
    applied_at: Mapped[datetime | None]  # amendments: when the terms and bookings changed
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    document_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the PDF signed
    sealed_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    closed_reason: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="versions")
    document: Mapped["Document | None"] = relationship(foreign_keys=[document_id])
    sealed_document: Mapped["Document | None"] = relationship(foreign_keys=[sealed_document_id])
    created_by: Mapped["User | None"] = relationship()

    @property
    def status_label(self) -> str:
        return VERSION_STATUS_LABELS[VersionStatus(self.status)]

    @property
    def closed_reason_message(self) -> tuple[str, dict[str, Any]] | None:
        """The stored (French) closing reason as a message id and its values, worded in the reader's language.

        ``None`` for a reason the platform does not recognise: it is then shown as stored, marked French.
        """
        superseded = _SUPERSEDED_BY.match(self.closed_reason or "")
        if superseded:
            return N_("Remplacée par la version %(n)s."), {"n": int(superseded.group(1))}
        if self.closed_reason == "Contrat abandonné.":
            return N_("Contrat abandonné."), {}
        return None

    def accepted_by(self, party: str) -> datetime | None:
        return self.sme_accepted_at if party == Party.SME.value else self.freelancer_accepted_at


_SUPERSEDED_BY = re.compile(r"^Remplacée par la version (\d+)\.$")


class ContractSignature(Base):
    """One party's signature of one version: who, when, from where, on which document."""

    __tablename__ = "contract_signatures"
    __table_args__ = (
        enum_check("party", Party),
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
    read_and_approved: Mapped[bool] = mapped_column(default=True)

    contract: Mapped[Contract] = relationship(back_populates="signatures")


class ContractBooking(Base):
    """A half-day slot of the freelancer's week held by a contract.

    The partial unique index is the time-sharing invariant: a freelancer's weekday
    half is held by at most one contract at a time. A slot is held from the signature
    (worked from ``starts_on``) until the morning of ``released_on``, when the daily
    job releases it (end of contract, or a weekday an amendment gives up).
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
    starts_on: Mapped[date | None]
    released_on: Mapped[date | None]

    contract: Mapped[Contract] = relationship(back_populates="bookings")


class SatisfactionSurvey(Base):
    """The SME's quarterly word on a contract: a score out of 10, the KPIs, a comment."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        UniqueConstraint("contract_id", "quarter"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[date]  # first day of the quarter judged
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[int | None]
    kpi_results: Mapped[list[dict[str, Any]]] = mapped_column(default=list)  # {code, label, target, status}
    comment: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(back_populates="surveys")

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.contract.has(Contract.company_id == company_id)
