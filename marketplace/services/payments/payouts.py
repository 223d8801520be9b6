"""Paying the freelancer: each collected invoice pays them its TTC minus the platform's fee (its fee invoice's TTC).

Through Stripe Connect the destination charge moves that amount to their connected
account by itself: the payout is recorded as succeeded. A freelancer paid by bank
transfer gets a pending payout that an operator marks as sent once the transfer is
made. One payout per invoice (a unique constraint), so a replayed event records none twice.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus
from marketplace.models.payments import Payment, Payout, Provider
from marketplace.models.users import User
from marketplace.platform.audit import record


def record_for(session: Session, invoice: Invoice, payment: Payment, amount_cents: int, now: datetime | None = None) -> Payout:
    """The freelancer's payout for a paid invoice (once), and the fee invoice settled by set-off."""
    existing = session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
    if existing is not None:
        return existing
    now = now or utcnow()
    through_stripe = bool(payment.destination_account)
    fee = invoice.total_ttc_cents - amount_cents
    payout = Payout(
        freelancer_id=invoice.freelancer_id, invoice_id=invoice.id, payment_id=payment.id, amount_cents=amount_cents,
        fee_cents=fee, provider=(Provider.STRIPE if through_stripe else Provider.TRANSFER).value,
        provider_ref=payment.provider_ref if through_stripe else None, idempotency_key=f"inv-{invoice.id}-payout-v1",
        status="succeeded" if through_stripe else "pending", paid_at=now if through_stripe else None, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(payout)
            session.flush()
    except IntegrityError:
        return session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
    for fee_invoice in session.scalars(select(Invoice).where(
            Invoice.related_invoice_id == invoice.id, Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status == InvoiceStatus.ISSUED.value)):
        fee_invoice.status, fee_invoice.paid_at = InvoiceStatus.PAID.value, now  # deducted from the payout
    record(session, None, "payout.recorded", payout, at=now, details={
        "invoice": invoice.number, "amount_cents": amount_cents, "fee_cents": fee, "provider": payout.provider})
    return payout


def payment_failed(session: Session, invoice: Invoice, payment: Payment) -> None:
    """A debit returned after success: the payout made through Stripe is reversed with it; a pending one is dropped."""
    payout = session.scalar(select(Payout).where(Payout.invoice_id == invoice.id, Payout.payment_id == payment.id))
    if payout is None:
        return
    if payout.status == "pending":
        session.delete(payout)
    elif payout.status == "succeeded" and payout.provider == Provider.STRIPE.value:
        payout.status = "reversed"
    session.flush()


def mark_sent(session: Session, payout: Payout, actor: User, reference: str, now: datetime | None = None) -> Payout:
    """An operator made the bank transfer of a pending payout."""
    if actor.role != Role.ADMIN.value:
        raise DomainError(_l("Seule l'équipe de la plateforme enregistre un virement."))
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_l("Indiquez la référence du virement."), "reference")
    if len(reference) > 120:
        raise DomainError(_l("120 caractères au plus."), "reference")
    if payout.provider != Provider.TRANSFER.value or payout.status != "pending":
        raise DomainError(_l("Ce versement n'attend pas de virement."))
    payout.status, payout.provider_ref, payout.paid_at, payout.sent_by_id = "sent", reference, now or utcnow(), actor.id
    session.flush()
    record(session, actor, "payout.sent", payout, details={"reference": reference, "amount_cents": payout.amount_cents})
    return payout
