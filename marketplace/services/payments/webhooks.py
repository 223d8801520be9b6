"""Stripe webhooks: verified on the raw body, stored once by event id, processed by a job that re-reads Stripe.

:func:`receive` checks the signature (a bad one raises, nothing is stored), stores the
event under a unique constraint on its id (a replay finds it and does nothing more) and
enqueues ``payments.process_event``. :func:`process` never trusts the event's copy of
the object: it reads the PaymentIntent, refund or account from Stripe and applies what
Stripe says now, so events arriving out of order or twice leave the right state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.payments import Payment, ProviderEventRecord, Refund
from marketplace.platform import jobs
from marketplace.platform.stripe_adapter import InvalidEvent, PaymentsNotConfigured
from marketplace.services.payments import collecting, connect, refunds
from marketplace.services.payments import gateway as provider

HANDLED_PREFIXES = ("payment_intent.", "charge.refund", "refund.", "account.updated", "charge.dispute")


class RefusedEvent(DomainError):
    """A webhook whose body or signature is not a Stripe event of this platform's endpoints."""


def receive(session: Session, payload: bytes, signature: str | None) -> tuple[ProviderEventRecord, bool]:
    """Verify and store an event; (record, is_new). Raises RefusedEvent on a bad one (nothing stored)."""
    try:
        event = provider.gateway().parse_event(payload, signature)
    except (InvalidEvent, PaymentsNotConfigured) as exc:
        raise RefusedEvent(str(exc)) from exc
    existing = session.scalar(select(ProviderEventRecord).where(ProviderEventRecord.event_id == event.id))
    if existing is not None:
        return existing, False
    stored = ProviderEventRecord(event_id=event.id, type=event.type, object_id=event.object_id, account=event.account,
                                 payload={"type": event.type, "object": event.data}, received_at=utcnow())
    try:
        with session.begin_nested():
            session.add(stored)
            session.flush()
    except IntegrityError:  # the same event delivered twice at once
        return session.scalar(select(ProviderEventRecord).where(ProviderEventRecord.event_id == event.id)), False
    if event.type.startswith(HANDLED_PREFIXES):
        jobs.enqueue(session, "payments.process_event", stored.id, dedupe_key=f"stripe-event-{stored.id}")
    else:
        stored.status = "ignored"
    return stored, True


def process(session: Session, record_id: int, now: datetime | None = None) -> str:
    """Apply one stored event (the job's body): idempotent, and based on Stripe's current state."""
    stored = session.execute(select(ProviderEventRecord).where(ProviderEventRecord.id == record_id).with_for_update()
                             ).scalar_one_or_none()
    if stored is None or stored.status in ("processed", "ignored"):
        return stored.status if stored else "missing"
    gateway = provider.gateway()
    kind = stored.type
    if kind.startswith("payment_intent.") and stored.object_id:
        payment = session.scalar(select(Payment).where(Payment.provider_ref == stored.object_id).with_for_update())
        if payment is None:
            stored.status = "ignored"
            stored.error = "Aucun paiement de la plateforme pour ce PaymentIntent."
        else:
            result = gateway.retrieve_payment_intent(stored.object_id)
            collecting.apply_result(session, payment, result.status, result.failure_code, result.failure_message, now)
            stored.status = "processed"
    elif (kind.startswith("refund.") or kind.startswith("charge.refund")) and stored.object_id:
        refund_id = stored.object_id if stored.object_id.startswith("re_") else (stored.payload.get("object") or {}).get("id")
        refund = session.scalar(select(Refund).where(Refund.provider_ref == refund_id))
        if refund is None:
            stored.status = "ignored"
        else:
            refunds.refresh(session, refund)
            stored.status = "processed"
    elif kind == "account.updated" and stored.object_id:
        profile = session.scalar(select(FreelancerProfile).where(FreelancerProfile.stripe_account_id == stored.object_id))
        if profile is None:
            stored.status = "ignored"
        else:
            connect.refresh(session, profile)
            stored.status = "processed"
    else:
        stored.status = "ignored"
    stored.processed_at = now or utcnow()
    session.flush()
    return stored.status
