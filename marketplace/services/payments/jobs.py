"""Jobs of the payments area (queue « billing »), registered by name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.payments import collecting, refunds, reminders, webhooks


@job("payments.charge", queue="billing", timeout=120)
def charge(session: Session, payment_id: int) -> str:
    """Send a recorded charge to Stripe (same idempotency key on a retry) and apply its result."""
    return collecting.send_charge(session, payment_id)


@job("payments.refund", queue="billing", timeout=120)
def refund(session: Session, refund_id: int) -> str:
    """Send a recorded refund to Stripe."""
    return refunds.send(session, refund_id)


@job("payments.process_event", queue="billing", timeout=120)
def process_event(session: Session, record_id: int) -> str:
    """Apply a stored Stripe event, reading the object back from Stripe."""
    return webhooks.process(session, record_id)


@job("payments.reminders", queue="billing")
def send_reminders(session: Session) -> int:
    """Late-payment reminders: due date, +7, +15 days (cron, daily)."""
    return reminders.send_due(session)
