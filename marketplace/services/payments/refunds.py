"""Refunds: part or all of a payment given back, reversing the freelancer's transfer when it went through Stripe."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.domain import Role
from marketplace.errors import DomainError
from marketplace.models.billing import Invoice, InvoiceStatus
from marketplace.models.payments import Payment, PaymentStatus, Payout, Provider, Refund
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.platform.audit import record
from marketplace.platform.stripe_adapter import invoice_refund_key
from marketplace.services.payments import gateway as provider
from marketplace.services.payments.rules import MAX_REASON


def request(session: Session, payment: Payment, invoice: Invoice, amount_cents: int, actor: User, reason: str) -> Refund:
    """An operator refunds part or all of what a Stripe payment allocated to an invoice; a job sends it."""
    if actor.role != Role.ADMIN.value:
        raise DomainError(_l("Seule l'équipe de la plateforme rembourse un paiement."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(_l("Indiquez le motif du remboursement (2 000 caractères au plus)."), "reason")
    if payment.provider != Provider.STRIPE.value or payment.status != PaymentStatus.SUCCEEDED.value:
        raise DomainError(_l("Seul un paiement par carte ou prélèvement reçu se rembourse ici."))
    allocated = next((a.amount_cents for a in payment.allocations if a.invoice_id == invoice.id), 0)
    already = session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment.id, Refund.invoice_id == invoice.id, Refund.status != "failed")) or 0
    if not 0 < amount_cents <= allocated - already:
        raise DomainError(f"Le montant doit être compris entre 0,01 € et {(allocated - already) / 100:.2f} €.".replace(".", ","),
                          "amount")
    number = 1 + (session.scalar(select(func.count(Refund.id)).where(Refund.invoice_id == invoice.id)) or 0)
    refund = Refund(payment_id=payment.id, invoice_id=invoice.id, amount_cents=amount_cents,
                    idempotency_key=invoice_refund_key(invoice.id, number), reverse_transfer=bool(payment.destination_account),
                    reason=reason, created_by_id=actor.id)
    session.add(refund)
    session.flush()
    record(session, actor, "refund.requested", refund, reason=reason, details={"amount_cents": amount_cents,
                                                                               "invoice": invoice.number})
    jobs.enqueue(session, "payments.refund", refund.id, dedupe_key=f"refund-{refund.id}")
    return refund


def send(session: Session, refund_id: int) -> str:
    refund = session.execute(select(Refund).where(Refund.id == refund_id).with_for_update()).scalar_one_or_none()
    if refund is None or refund.provider_ref:
        return refund.status if refund else "missing"
    result = provider.gateway().refund(
        refund.payment.provider_ref, refund.amount_cents, reverse_transfer=refund.reverse_transfer,
        refund_application_fee=refund.reverse_transfer, idempotency_key=refund.idempotency_key,
        metadata={"refund_id": refund.id})
    refund.provider_ref = result.id
    _apply(session, refund, result.status)
    return refund.status


def refresh(session: Session, refund: Refund) -> None:
    """Read a refund's state back from Stripe (its events)."""
    _apply(session, refund, provider.gateway().retrieve_refund(refund.provider_ref).status)


def _apply(session: Session, refund: Refund, status: str) -> None:
    status = {"requires_action": "pending"}.get(status, status)
    if status == refund.status:
        return
    refund.status = status
    session.flush()
    record(session, None, f"refund.{status}", refund, details={"amount_cents": refund.amount_cents})
    if status != "succeeded" or refund.invoice_id is None:
        return
    invoice = session.get(Invoice, refund.invoice_id)
    allocated = next((a.amount_cents for a in refund.payment.allocations if a.invoice_id == invoice.id), 0)
    refunded = session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.invoice_id == invoice.id, Refund.payment_id == refund.payment_id, Refund.status == "succeeded")) or 0
    if refunded >= allocated:
        invoice.status = InvoiceStatus.REFUNDED.value
        payout = session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
        if payout is not None and refund.reverse_transfer:
            payout.status = "reversed"
    payment = refund.payment
    if all(session.get(Invoice, a.invoice_id).status == InvoiceStatus.REFUNDED.value for a in payment.allocations):
        payment.status = PaymentStatus.REFUNDED.value
    session.flush()
