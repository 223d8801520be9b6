"""Money in (payments of invoices) and out (payouts to freelancers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check
from marketplace.domain import StrEnum
from marketplace.models._mixins import Timestamps
from marketplace.models.billing import Invoice


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


class Payment(Timestamps, Base):
    __tablename__ = "payments"
    __table_args__ = (
        enum_check("status", PaymentStatus),
        enum_check("provider", ("stripe", "transfer")),
        UniqueConstraint("provider", "provider_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[str] = mapped_column(String(12))  # stripe | transfer
    provider_ref: Mapped[str | None] = mapped_column(String(120))
    # The key sent to the provider: a retry reuses it, so the provider charges once.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.PENDING.value, index=True)
    received_at: Mapped[datetime | None]
    reconciled_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)

    invoice: Mapped[Invoice] = relationship()


class Payout(Timestamps, Base):
    """What the platform pays a freelancer for one invoice, net of its fee."""

    __tablename__ = "payouts"
    __table_args__ = (
        enum_check("status", PaymentStatus),
        enum_check("provider", ("stripe", "transfer")),
        UniqueConstraint("invoice_id"),
        CheckConstraint("amount_cents >= 0 AND fee_cents >= 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    amount_cents: Mapped[int]
    fee_cents: Mapped[int]
    provider: Mapped[str] = mapped_column(String(12), default="transfer")
    provider_ref: Mapped[str | None] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.PENDING.value, index=True)
    paid_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship()

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id
