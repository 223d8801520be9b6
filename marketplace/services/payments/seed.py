"""The demo's payments, made through the payments operations with a past clock.

Without Stripe keys the demo's SMEs pay by bank transfer: every invoice issued before
last month is paid a few days before its due date (as the reconciliation of the bank
statement records it), and the operators have sent the freelancers' transfers — except
pme@demo.test's September invoice, left unpaid: it is overdue, its three reminders were
sent, and it shows on that SME's dashboard and in the aged balance.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.formatting import PARIS
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.payments import Payout
from marketplace.models.users import User
from marketplace.services.payments import collecting, payouts, reminders

LEFT_UNPAID_COMPANY = "Atelier Lumen"  # pme@demo.test's company


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), PARIS)


def seed(session: Session, admin: User | None) -> None:
    invoices = session.scalars(select(Invoice).where(
        Invoice.issuer_kind == IssuerKind.FREELANCER.value, Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status.in_(collecting.PAYABLE)).order_by(Invoice.issue_date, Invoice.id)).all()
    left_unpaid = next((i for i in invoices if i.company.legal_name == LEFT_UNPAID_COMPANY), None)
    for invoice in invoices:
        if invoice is left_unpaid:
            continue
        paid_on = invoice.due_date - timedelta(days=5)
        collecting.record_transfer(session, [invoice], invoice.total_ttc_cents, f"VIR SEPA {invoice.number}",
                                   received=at(paid_on, 11))
        payout = session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
        if admin is not None and payout is not None and payout.status == "pending":
            payouts.mark_sent(session, payout, admin, f"VIR-{paid_on:%Y%m%d}-{invoice.freelancer_id:04d}",
                              now=at(paid_on + timedelta(days=2), 9))
    if left_unpaid is not None:
        for offset in (0, 7, 15):
            day = left_unpaid.due_date + timedelta(days=offset)
            reminders.send_due(session, day, at(day, 8))
    session.flush()
