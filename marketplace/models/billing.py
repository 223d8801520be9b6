"""Invoices and credit notes, their lines, per-issuer number series and billing runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check
from marketplace.domain import N_, StrEnum
from marketplace.models._mixins import Timestamps

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.contracts import Contract
    from marketplace.models.documents import Document
    from marketplace.models.freelancers import FreelancerProfile


class IssuerKind(StrEnum):
    FREELANCER = "freelancer"  # issued by the platform in the freelancer's name (billing mandate)
    PLATFORM = "platform"      # the platform's own invoice for its fee


class InvoiceKind(StrEnum):
    INVOICE = "invoice"          # UNTDID 1001 code 380
    CREDIT_NOTE = "credit_note"  # code 381


class InvoiceStatus(StrEnum):
    """Where an invoice's payment stands (« en retard » is derived from the due date, never stored)."""

    ISSUED = "issued"          # to pay
    PROCESSING = "processing"  # a SEPA debit under way
    PAID = "paid"
    FAILED = "failed"          # the last payment attempt failed: still to pay
    REFUNDED = "refunded"      # paid, then wholly refunded
    CANCELLED = "cancelled"    # cancelled by a credit note


INVOICE_STATUS_LABELS = {
    InvoiceStatus.ISSUED: N_("À payer"),
    InvoiceStatus.PROCESSING: N_("Paiement en cours"),
    InvoiceStatus.PAID: N_("Payée"),
    InvoiceStatus.FAILED: N_("Paiement échoué"),
    InvoiceStatus.REFUNDED: N_("Remboursée"),
    InvoiceStatus.CANCELLED: N_("Annulée par avoir"),
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
        # One live invoice per contract, month and issuer: a cancelled one (by a credit note)
        # does not count, so a corrected invoice can follow; credit notes are extra documents.
        Index(
            "uq_invoices_live_contract_month_issuer",
            "contract_id",
            "month",
            "issuer_kind",
            unique=True,
            sqlite_where=text("kind = 'invoice' AND status <> 'cancelled'"),
            postgresql_where=text("kind = 'invoice' AND status <> 'cancelled'"),
        ),
        # A credit note cancels one invoice, once.
        Index("uq_invoices_one_credit_note", "credited_invoice_id", unique=True,
              sqlite_where=text("kind = 'credit_note'"), postgresql_where=text("kind = 'credit_note'")),
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
    # The platform's fee invoice: the freelancer invoice its fee is computed on.
    related_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
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
    vat_debits_option: Mapped[bool] = mapped_column(default=False)  # « Option pour le paiement … d'après les débits »
    # Seller and buyer as printed, frozen at issue time.
    seller: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buyer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED.value, index=True)
    pdf_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    # The CII XML (EN16931), built and checked against the XSD when the invoice is issued;
    # the Factur-X PDF embeds exactly these bytes.
    cii_xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    # The freelancer contests an invoice issued in their name (mandate); the admin resolves it.
    contested_at: Mapped[datetime | None]
    contest_reason: Mapped[str | None] = mapped_column(Text)
    contest_resolved_at: Mapped[datetime | None]
    contest_resolution: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    pdf_document: Mapped["Document | None"] = relationship(foreign_keys=[pdf_document_id])
    credited_invoice: Mapped["Invoice | None"] = relationship(remote_side=[id], foreign_keys=[credited_invoice_id])
    related_invoice: Mapped["Invoice | None"] = relationship(remote_side=[id], foreign_keys=[related_invoice_id])
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
    """The billing of one month: recorded first, fanned out as one job per contract, resumable."""

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


class BillingItemStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    SKIPPED = "skipped"
    FAILED = "failed"


class BillingRunItem(Timestamps, Base):
    """One contract of a month's run: what it gave (issued, skipped with the reason, failed)."""

    __tablename__ = "billing_run_items"
    __table_args__ = (
        enum_check("status", BillingItemStatus),
        UniqueConstraint("run_id", "contract_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("billing_runs.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=BillingItemStatus.PENDING.value, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)

    contract: Mapped["Contract"] = relationship()
