"""Vetting of freelancers: automatic checks and reference requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check
from marketplace.domain import StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.freelancers import FreelancerProfile, Reference


class CheckKind(StrEnum):
    SIRET = "siret"
    VAT_NUMBER = "vat_number"
    IBAN = "iban"
    LEGAL_FORM = "legal_form"
    URSSAF_CERTIFICATE = "urssaf_certificate"
    REGISTRATION_PROOF = "registration_proof"
    INSURANCE = "insurance"
    IDENTITY = "identity"
    REFERENCES = "references"
    DUPLICATES = "duplicates"
    EXPERIENCE = "experience"


class CheckStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    ERROR = "error"  # the check itself could not run; it will be retried


class VettingCheck(Timestamps, Base):
    """The latest result of one check of one profile; a rerun updates the same row."""

    __tablename__ = "vetting_checks"
    __table_args__ = (
        enum_check("kind", CheckKind),
        enum_check("status", CheckStatus),
        UniqueConstraint("profile_id", "kind", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # What the check is about when a profile has several (a document id, a reference id).
    subject: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(10), default=CheckStatus.PENDING.value, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    input_fingerprint: Mapped[str | None] = mapped_column(String(64))
    run_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)

    profile: Mapped["FreelancerProfile"] = relationship()


class ReferenceRequest(Timestamps, Base):
    """A one-time, expiring questionnaire sent to a referee."""

    __tablename__ = "reference_requests"
    __table_args__ = (
        enum_check("status", ("pending", "sent", "answered", "expired", "cancelled")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("freelancer_references.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending|sent|answered|expired|cancelled
    # The address the link went to: a referee whose address changes gets a new request.
    sent_to: Mapped[str | None] = mapped_column(String(254))
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_ip: Mapped[str | None] = mapped_column(String(45))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[list[str]] = mapped_column(default=list)
    comment: Mapped[str | None] = mapped_column(Text)

    reference: Mapped["Reference"] = relationship()
