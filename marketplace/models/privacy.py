"""Personal data: account closures and their erasure, data exports, and what is kept and until when."""

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
from marketplace.domain import StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.users import User


class ClosureStatus(StrEnum):
    PENDING = "pending"      # the grace period runs; the erasure job acts at ``erase_after``
    HELD = "held"            # suspended by an operator (open dispute, unpaid invoice) or by the job itself
    CANCELLED = "cancelled"  # the person changed their mind within the grace period
    ERASED = "erased"        # personal data erased; what the law keeps is listed as RetentionRecord rows


CLOSURE_STATUS_LABELS = {
    ClosureStatus.PENDING: "Effacement programmé",
    ClosureStatus.HELD: "Suspendu",
    ClosureStatus.CANCELLED: "Annulé",
    ClosureStatus.ERASED: "Effacé",
}


class ClosureScope(StrEnum):
    ACCOUNT = "account"  # one person's account
    COMPANY = "company"  # the last owner closes the company, with every member's account


class AccountClosure(Timestamps, Base):
    """A person's request to close their account, erased after a grace period unless cancelled or held."""

    __tablename__ = "account_closures"
    __table_args__ = (
        enum_check("status", ClosureStatus),
        enum_check("scope", ClosureScope),
        CheckConstraint("scope = 'account' OR company_id IS NOT NULL", name="company_scope_has_company"),
        # One open closure per account, whatever two clicks send at once.
        Index("uq_account_closures_open_user", "user_id", unique=True,
              sqlite_where=text("status IN ('pending', 'held')"),
              postgresql_where=text("status IN ('pending', 'held')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    scope: Mapped[str] = mapped_column(String(10), default=ClosureScope.ACCOUNT.value)
    status: Mapped[str] = mapped_column(String(10), default=ClosureStatus.PENDING.value, index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # the person's own words, erased with the rest
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    erase_after: Mapped[datetime] = mapped_column(index=True)
    held_at: Mapped[datetime | None]
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    # What the erasure did: counts of rows and files erased, and of records kept.
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    company: Mapped["Company | None"] = relationship()
    held_by: Mapped["User | None"] = relationship(foreign_keys=[held_by_id])

    @property
    def status_label(self) -> str:
        return CLOSURE_STATUS_LABELS[ClosureStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in (ClosureStatus.PENDING.value, ClosureStatus.HELD.value)


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"  # the archive was deleted once its link expired


class DataExport(Timestamps, Base):
    """An archive of everything the platform holds about one person, built by a job, offered by a signed link."""

    __tablename__ = "data_exports"
    __table_args__ = (
        enum_check("status", ExportStatus),
        CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.PENDING.value, index=True)
    storage_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    downloaded_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class RetainedKind(StrEnum):
    """What an erasure keeps because the law says so (see ``services/privacy/rules.py``)."""

    INVOICE = "invoice"
    TIMESHEET = "timesheet"
    CONTRACT = "contract"
    SIGNED_DOCUMENT = "signed_document"
    VIGILANCE_CERTIFICATE = "vigilance_certificate"
    PAYMENT = "payment"  # payments received, refunds and payouts to freelancers
    YEARLY_STATEMENT = "yearly_statement"
    VETTING_AUDIT = "vetting_audit"
    BILLING_MANDATE = "billing_mandate"


class RetentionRecord(Base):
    """One record an erasure kept: which, why (its kind) and until when; the purge deletes it after."""

    __tablename__ = "retention_records"
    __table_args__ = (
        enum_check("kind", RetainedKind),
        UniqueConstraint("subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    closure_id: Mapped[int | None] = mapped_column(ForeignKey("account_closures.id", ondelete="SET NULL"), index=True)
    retain_until: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
