"""What the dashboards show of invoices, and what « to pay » means."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind

# An invoice the SME still owes: issued (overdue or not) and not settled nor cancelled.
UNPAID_STATUSES = (InvoiceStatus.ISSUED.value, InvoiceStatus.OVERDUE.value)


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
