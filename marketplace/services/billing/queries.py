"""What the dashboards show of invoices, and what « to pay » means."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from marketplace.models.billing import (
    BillingRun,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    IssuerKind,
)
from marketplace.services.timesheets.month import month_end

# An invoice the SME still owes: issued (overdue or not) and not settled nor cancelled.
UNPAID_STATUSES = (InvoiceStatus.ISSUED.value, InvoiceStatus.FAILED.value)


def recent_for_company(session: Session, company_id: int, limit: int = 8) -> list[Invoice]:
    """Invoices addressed to the company, latest first."""
    return list(session.scalars(
        select(Invoice).where(Invoice.company_id == company_id)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)
    ))


def amount_to_pay_cents(session: Session, company_id: int) -> int:
    """« Reste à payer »: the TTC of the company's invoices not yet paid (credit notes aside)."""
    return session.scalar(
        select(func.coalesce(func.sum(Invoice.total_ttc_cents), 0)).where(
            Invoice.company_id == company_id,
            Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status.in_(UNPAID_STATUSES),
        )
    )


def issued_for_freelancer(session: Session, profile_id: int, limit: int = 12) -> list[Invoice]:
    """Invoices issued in the freelancer's name, latest first."""
    return list(session.scalars(
        select(Invoice)
        .where(Invoice.freelancer_id == profile_id, Invoice.issuer_kind == IssuerKind.FREELANCER.value)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)
    ))


def for_company(session: Session, company_id: int) -> list[Invoice]:
    """Every invoice and credit note addressed to the company, latest first."""
    return list(session.scalars(select(Invoice).where(Invoice.company_id == company_id)
                                .order_by(Invoice.issue_date.desc(), Invoice.id.desc())))


def for_freelancer(session: Session, profile_id: int) -> list[Invoice]:
    """Invoices issued in the freelancer's name, and the platform's fee invoices to them, latest first."""
    return list(session.scalars(select(Invoice).where(Invoice.freelancer_id == profile_id)
                                .order_by(Invoice.issue_date.desc(), Invoice.id.desc())))


def fee_invoices_for_freelancer(session: Session, profile_id: int, limit: int = 12) -> list[Invoice]:
    return list(session.scalars(
        select(Invoice).where(Invoice.freelancer_id == profile_id, Invoice.issuer_kind == IssuerKind.PLATFORM.value)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)))


def for_admin(session: Session, month=None, status: str | None = None, contested: bool = False,
              limit: int = 200) -> list[Invoice]:
    query = select(Invoice)
    if month is not None:
        query = query.where(Invoice.issue_date >= month, Invoice.issue_date <= month_end(month))
    if status in InvoiceStatus.values():
        query = query.where(Invoice.status == status)
    if contested:
        query = query.where(Invoice.contested_at.is_not(None), Invoice.contest_resolved_at.is_(None))
    return list(session.scalars(query.order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)))


def to_pay_for_company(session: Session, company_id: int) -> list[Invoice]:
    """The company's invoices still to pay, the oldest due first."""
    return list(session.scalars(select(Invoice).where(
        Invoice.company_id == company_id, Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status.in_(UNPAID_STATUSES)).order_by(Invoice.due_date, Invoice.id)))


def monthly_spend(session: Session, company_id: int, months: int = 12) -> list[tuple[date, int]]:
    """HT invoiced to the company per month of service over the last ``months`` months (credit notes deducted)."""
    signed = case((Invoice.kind == InvoiceKind.CREDIT_NOTE.value, -Invoice.total_ht_cents), else_=Invoice.total_ht_cents)
    rows = session.execute(select(Invoice.month, func.sum(signed)).where(
        Invoice.company_id == company_id, Invoice.month.is_not(None)).group_by(Invoice.month)
        .order_by(Invoice.month.desc()).limit(months)).all()
    return [(month, total) for month, total in reversed(rows)]


def is_overdue(invoice: Invoice, today: date) -> bool:
    """Still to pay after its due date (derived: the status never says « late »)."""
    return invoice.kind == InvoiceKind.INVOICE.value and invoice.status in UNPAID_STATUSES and invoice.due_date < today


def status_label(invoice: Invoice, today: date) -> str:
    """The invoice's status as people read it: « En retard (12 jours) » when overdue."""
    if is_overdue(invoice, today):
        return f"En retard ({(today - invoice.due_date).days} j)"
    return invoice.status_label


def credit_note_of(session: Session, invoice: Invoice) -> Invoice | None:
    return session.scalar(select(Invoice).where(Invoice.credited_invoice_id == invoice.id))


def billing_runs(session: Session, limit: int = 24) -> list[BillingRun]:
    """The monthly billing runs, latest month first (the console's « Facturation »)."""
    return list(session.scalars(select(BillingRun).order_by(BillingRun.month.desc()).limit(limit)))


def is_to_pay(invoice: Invoice) -> bool:
    """« À payer »: an invoice (not a credit note) issued and not settled nor cancelled."""
    return invoice.kind == InvoiceKind.INVOICE.value and invoice.status in UNPAID_STATUSES


def contest_state(invoice: Invoice) -> str | None:
    """Where the freelancer's contest stands: None, « open » or « resolved »."""
    if invoice.contested_at is None:
        return None
    return "resolved" if invoice.contest_resolved_at is not None else "open"
