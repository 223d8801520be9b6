"""Invoices and credit notes, their lines, per-issuer number series and billing runs."""

from __future__ import annotations

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

from marketplace.db import Base, enum_check
from marketplace.domain import StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.contracts import Contract
    from marketplace.models.freelancers import FreelancerProfile


class IssuerKind(StrEnum):
    FREELANCER = "freelancer"  # issued by the platform in the freelancer's name (billing mandate)
    PLATFORM = "platform"      # the platform's own invoice for its fee


class InvoiceKind(StrEnum):
    INVOICE = "invoice"          # UNTDID 1001 code 380
    CREDIT_NOTE = "credit_note"  # code 381


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


INVOICE_STATUS_LABELS = {
    InvoiceStatus.ISSUED: "Émise",
    InvoiceStatus.PAID: "Payée",
    InvoiceStatus.OVERDUE: "En retard",
    InvoiceStatus.CANCELLED: "Annulée par avoir",
}


class InvoiceSeries(Base):
    """A gapless number series of one issuer (each freelancer, and the platform)."""

    __tablename__ = "invoice_series"
    __table_args__ = (
        enum_check("issuer_kind", IssuerKind),
        UniqueConstraint("issuer_kind", "freelancer_id", "prefix"),
        UniqueConstraint("prefix"),
        CheckConstraint("next_sequence >= 1", name="next_sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_kind: Mapped[str] = mapped_column(String(12))
    freelancer_id: Mapped[int | None] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"))
    prefix: Mapped[str] = mapped_column(String(20))
    next_sequence: Mapped[int] = mapped_column(default=1)


class Invoice(Timestamps, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        enum_check("kind", InvoiceKind),
        enum_check("issuer_kind", IssuerKind),
        enum_check("status", InvoiceStatus),
        UniqueConstraint("series_id", "number"),
        UniqueConstraint("series_id", "sequence"),
        # One invoice per contract, month and issuer; credit notes are extra documents.
        Index(
            "uq_invoices_contract_month_issuer",
            "contract_id",
            "month",
            "issuer_kind",
            unique=True,
            sqlite_where=text("kind = 'invoice'"),
            postgresql_where=text("kind = 'invoice'"),
        ),
        CheckConstraint("total_ttc_cents = total_ht_cents + total_vat_cents", name="totals_add_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("invoice_series.id", ondelete="RESTRICT"))
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(35))
    kind: Mapped[str] = mapped_column(String(12), default=InvoiceKind.INVOICE.value)
    issuer_kind: Mapped[str] = mapped_column(String(12))
    freelancer_id: Mapped[int | None] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="RESTRICT"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"))
    timesheet_id: Mapped[int | None] = mapped_column(ForeignKey("timesheets.id", ondelete="RESTRICT"))
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    month: Mapped[date | None]
    issue_date: Mapped[date]
    due_date: Mapped[date]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    total_ht_cents: Mapped[int]
    total_vat_cents: Mapped[int]
    total_ttc_cents: Mapped[int]
    vat_mention: Mapped[str | None] = mapped_column(String(255))
    # Seller and buyer as printed, frozen at issue time.
    seller: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buyer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED.value, index=True)
    pdf_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None]

    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    company: Mapped["Company | None"] = relationship()
    freelancer: Mapped["FreelancerProfile | None"] = relationship()
    contract: Mapped["Contract | None"] = relationship()
    series: Mapped[InvoiceSeries] = relationship()

    @property
    def status_label(self) -> str:
        return INVOICE_STATUS_LABELS[InvoiceStatus(self.status)]

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        enum_check("vat_category", ("S", "E")),
        UniqueConstraint("invoice_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    # Quantity in hundredths of the unit (150 = 1,5 jour), so half days stay exact.
    quantity_centi: Mapped[int]
    unit: Mapped[str] = mapped_column(String(8), default="DAY")
    unit_price_cents: Mapped[int]
    vat_category: Mapped[str] = mapped_column(String(2), default="S")
    # VAT rate in basis points (2000 = 20 %), exposed as a Decimal.
    vat_rate_bp: Mapped[int] = mapped_column(default=2000)
    total_ht_cents: Mapped[int]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def quantity(self) -> Decimal:
        return Decimal(self.quantity_centi) / 100

    @property
    def vat_rate(self) -> Decimal:
        return Decimal(self.vat_rate_bp) / 10000


class BillingRun(Timestamps, Base):
    """The monthly billing of one month: recorded first, run by a job, resumable."""

    __tablename__ = "billing_runs"
    __table_args__ = (
        enum_check("status", ("pending", "running", "done", "failed")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
