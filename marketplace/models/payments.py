"""Money in (payments of invoices, their refunds) and out (payouts to freelancers), and its evidence.

A payment may settle several invoices (its allocations); a refund reverses part or all
of a payment. Provider events (Stripe webhooks) and bank statement lines are stored
once each, under unique constraints, so a replay or a second import changes nothing.
"""

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
from marketplace.domain import N_, StrEnum
from marketplace.models._mixins import Timestamps
from marketplace.models.billing import Invoice

if TYPE_CHECKING:
    from marketplace.models.freelancers import FreelancerProfile


class Provider(StrEnum):
    STRIPE = "stripe"      # card or SEPA Direct Debit
    TRANSFER = "transfer"  # bank transfer to the platform's IBAN, reconciled from the statement


class PaymentStatus(StrEnum):
    PENDING = "pending"        # recorded, not yet sent to the provider
    PROCESSING = "processing"  # a SEPA debit under way: the outcome comes days later
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"      # wholly refunded (partial refunds: see Refund rows)


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: N_("En attente"),
    PaymentStatus.PROCESSING: N_("En cours"),
    PaymentStatus.SUCCEEDED: N_("Reçu"),
    PaymentStatus.FAILED: N_("Échoué"),
    PaymentStatus.REFUNDED: N_("Remboursé"),
}


class MethodType(StrEnum):
    CARD = "card"
    SEPA_DEBIT = "sepa_debit"


class PaymentMethod(Timestamps, Base):
    """An SME's saved way to pay (card or SEPA mandate), set up once through a SetupIntent."""

    __tablename__ = "payment_methods"
    __table_args__ = (
        enum_check("type", MethodType),
        enum_check("status", ("pending", "active", "removed")),
        Index("uq_payment_methods_active_company", "company_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(120))
    setup_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    provider_ref: Mapped[str | None] = mapped_column(String(120))  # the payment method's id
    type: Mapped[str | None] = mapped_column(String(12))
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id


class Payment(Timestamps, Base):
    """Money received for one or more invoices (a Stripe charge, or a transfer seen on the statement)."""

    __tablename__ = "payments"
    __table_args__ = (
        enum_check("status", PaymentStatus),
        enum_check("provider", Provider),
        UniqueConstraint("provider", "provider_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[str] = mapped_column(String(12))
    provider_ref: Mapped[str | None] = mapped_column(String(120))  # PaymentIntent id, or bank line reference
    # The key sent to the provider: a retry reuses it, so the provider charges once.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.PENDING.value, index=True)
    # Where the money goes on: the freelancer's connected account (a destination charge).
    destination_account: Mapped[str | None] = mapped_column(String(120))
    application_fee_cents: Mapped[int | None]
    received_at: Mapped[datetime | None]
    reconciled_at: Mapped[datetime | None]
    failure_code: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    bank_line_id: Mapped[int | None] = mapped_column(ForeignKey("bank_lines.id", ondelete="SET NULL"))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)

    allocations: Mapped[list["PaymentAllocation"]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="PaymentAllocation.id")
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def status_label(self) -> str:
        return PAYMENT_STATUS_LABELS[PaymentStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id


class PaymentAllocation(Base):
    """The part of a payment that settles one invoice."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("payment_id", "invoice_id"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int]

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()


class Refund(Timestamps, Base):
    """Money given back on a payment (part or all), possibly reversing the freelancer's transfer."""

    __tablename__ = "refunds"
    __table_args__ = (
        enum_check("status", ("pending", "succeeded", "failed", "canceled")),
        UniqueConstraint("provider_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    provider_ref: Mapped[str | None] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int]
    reverse_transfer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class Payout(Timestamps, Base):
    """What the platform pays a freelancer for one invoice: its TTC minus the fee invoice's TTC."""

    __tablename__ = "payouts"
    __table_args__ = (
        enum_check("status", ("pending", "sent", "succeeded", "failed", "reversed")),
        enum_check("provider", Provider),
        UniqueConstraint("invoice_id"),
        CheckConstraint("amount_cents >= 0 AND fee_cents >= 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    amount_cents: Mapped[int]
    fee_cents: Mapped[int]
    provider: Mapped[str] = mapped_column(String(12), default=Provider.TRANSFER.value)
    provider_ref: Mapped[str | None] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    paid_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    failure_reason: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship()
    freelancer: Mapped["FreelancerProfile"] = relationship()

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


class ProviderEventRecord(Base):
    """A webhook event, stored once by its id (a replay finds it and does nothing)."""

    __tablename__ = "provider_events"
    __table_args__ = (
        enum_check("status", ("received", "processed", "ignored", "failed")),
        UniqueConstraint("event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(120))
    account: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="received")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class BankStatement(Base):
    """An imported bank statement (CSV or CAMT.053): a file imported twice is the same statement."""

    __tablename__ = "bank_statements"
    __table_args__ = (
        enum_check("format", ("csv", "camt053")),
        UniqueConstraint("sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lines: Mapped[list["BankLine"]] = relationship(back_populates="statement", order_by="BankLine.id")


class BankLine(Base):
    """One credit of a statement, matched to invoices by its reference and amount, or left for a decision."""

    __tablename__ = "bank_lines"
    __table_args__ = (
        enum_check("status", ("matched", "unmatched", "manual", "ignored")),
        # The same bank entry seen in two overlapping statements is one line.
        UniqueConstraint("fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    booking_date: Mapped[date]
    amount_cents: Mapped[int]
    label: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(10), default="unmatched", index=True)
    note: Mapped[str | None] = mapped_column(Text)  # why it did not match, or the operator's decision
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    statement: Mapped[BankStatement] = relationship(back_populates="lines")


class PaymentReminder(Base):
    """A late-payment reminder sent for an invoice at one stage (due date, +7, +15 days), once."""

    __tablename__ = "payment_reminders"
    __table_args__ = (
        enum_check("stage", ("due", "d7", "d15")),
        UniqueConstraint("invoice_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(4))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    penalty_cents: Mapped[int] = mapped_column(default=0)


class YearlyStatement(Base):
    """A freelancer's yearly statement of the amounts received through the platform (art. 242 bis CGI)."""

    __tablename__ = "yearly_statements"
    __table_args__ = (UniqueConstraint("freelancer_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    gross_cents: Mapped[int] = mapped_column(default=0)
    fees_cents: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


__all__ = [
    "BankLine", "BankStatement", "MethodType", "Payment", "PaymentAllocation", "PaymentMethod", "PaymentReminder",
    "PaymentStatus", "Payout", "Provider", "ProviderEventRecord", "Refund", "YearlyStatement",
]
