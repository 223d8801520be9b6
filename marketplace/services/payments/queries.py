"""What payment lists, invoice pages and dashboards show of money in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.billing import Invoice
from marketplace.models.payments import (
    BankLine,
    Payment,
    PaymentAllocation,
    Payout,
    ProviderEventRecord,
)
from marketplace.services.payments import collecting, reminders
from marketplace.services.payments.rules import AGED_BUCKETS


def payouts_for_freelancer(session: Session, profile_id: int, limit: int = 12) -> list[Payout]:
    """What the platform paid (or will pay) the freelancer, latest first."""
    return list(session.scalars(
        select(Payout).where(Payout.freelancer_id == profile_id).order_by(Payout.created_at.desc()).limit(limit)
    ))


def payments_for_invoice(session: Session, invoice: Invoice) -> list[tuple[Payment, int]]:
    """Every payment attempt on an invoice with the amount it allocated, latest first."""
    return list(session.execute(select(Payment, PaymentAllocation.amount_cents)
                                .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
                                .where(PaymentAllocation.invoice_id == invoice.id)
                                .order_by(Payment.created_at.desc(), Payment.id.desc())).all())


def overdue_for_company(session: Session, company_id: int, day: date) -> list[Invoice]:
    """The company's invoices still to pay after their due date (due today is not late yet)."""
    return [i for i in reminders.overdue(session, day) if i.company_id == company_id and i.due_date < day]


def pending_payouts(session: Session) -> list[Payout]:
    """Bank transfers the operators still have to make."""
    return list(session.scalars(select(Payout).where(Payout.status == "pending").order_by(Payout.created_at)))


@dataclass(frozen=True)
class AgedBucket:
    label: str
    count: int
    total_cents: int


def aged_balance(session: Session, day: date) -> list[AgedBucket]:
    """What SMEs owe past the due date, by age (0–30, 31–60, over 60 days)."""
    buckets = []
    late = [(reminders.days_late(i, day), i.total_ttc_cents - collecting.paid_cents(session, i))
            for i in reminders.overdue(session, day)]
    for label, low, high in AGED_BUCKETS:
        rows = [due for days, due in late if days >= low and (high is None or days <= high)]
        buckets.append(AgedBucket(label, len(rows), sum(rows)))
    return buckets


def unmatched_lines(session: Session) -> list[BankLine]:
    return list(session.scalars(select(BankLine).where(BankLine.status == "unmatched").order_by(BankLine.booking_date)))


def recent_events(session: Session, limit: int = 50) -> list[ProviderEventRecord]:
    return list(session.scalars(select(ProviderEventRecord).order_by(ProviderEventRecord.received_at.desc())
                                .limit(limit)))
