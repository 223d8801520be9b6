"""Collecting from the SME: one click (or automatically when an invoice is issued), or a bank transfer.

A charge is recorded first (a ``Payment`` in ``pending`` with its allocations and the
idempotency key ``inv-<id>-charge-v<n>``) and sent to Stripe by a job: a retry reuses
the key, so Stripe charges once. When the invoices are one freelancer's and their
connected account can receive payouts, it is a destination charge: Stripe moves the
amount minus the platform's fee (the fee invoice's TTC) to the freelancer.

The payment's state drives its invoices (:func:`apply`): ``processing`` (a SEPA debit
under way), ``succeeded`` (paid; the freelancer's payout is recorded), ``failed`` (back
to unpaid, the SME is told). « En retard » is derived from the due date, never stored.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.formatting import date_fr, money
from marketplace.i18n import Later
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.companies import Company
from marketplace.models.payments import (
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentStatus,
    Provider,
    Refund,
)
from marketplace.models.users import CompanyRole, User
from marketplace.platform import jobs, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.platform.stripe_adapter import (
    ChargeStatus,
    PaymentProviderError,
    failure_message,
    invoice_charge_key,
)
from marketplace.services.payments import gateway as provider
from marketplace.services.payments import payouts

PAYABLE = (InvoiceStatus.ISSUED.value, InvoiceStatus.FAILED.value)


def active_method(session: Session, company_id: int) -> PaymentMethod | None:
    return session.scalar(select(PaymentMethod).where(PaymentMethod.company_id == company_id,
                                                      PaymentMethod.status == "active"))


def paid_cents(session: Session, invoice: Invoice) -> int:
    """What succeeded payments allocated to the invoice, refunds deducted."""
    received = session.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount_cents), 0))
                              .join(Payment, Payment.id == PaymentAllocation.payment_id)
                              .where(PaymentAllocation.invoice_id == invoice.id,
                                     Payment.status.in_([PaymentStatus.SUCCEEDED.value, PaymentStatus.REFUNDED.value])))
    refunded = session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.invoice_id == invoice.id, Refund.status == "succeeded"))
    return (received or 0) - (refunded or 0)


def fee_cents(session: Session, invoice: Invoice) -> int:
    """The platform's fee on a freelancer invoice: the TTC of its live fee invoices."""
    return session.scalar(select(func.coalesce(func.sum(Invoice.total_ttc_cents), 0)).where(
        Invoice.related_invoice_id == invoice.id, Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status != InvoiceStatus.CANCELLED.value)) or 0


def _payable(company: Company, invoices: list[Invoice]) -> None:
    if not invoices:
        raise DomainError(_l("Choisissez au moins une facture à payer."))
    for invoice in invoices:
        if invoice.company_id != company.id or invoice.issuer_kind != IssuerKind.FREELANCER.value:
            raise DomainError(_l("Cette facture ne vous est pas adressée."))
        if invoice.kind != InvoiceKind.INVOICE.value or invoice.status not in PAYABLE:
            raise DomainError(_l("La facture %(number)s n'est pas à payer (%(status)s).", number=invoice.number,
                                 status=Later(i18n.label_lower, invoice.status_label)))


def request_charge(session: Session, company: Company, invoices: list[Invoice], actor: User | None,
                   now: datetime | None = None) -> Payment:
    """Record a charge of ``invoices`` on the company's saved method; a job sends it to Stripe."""
    _payable(company, invoices)
    method = active_method(session, company.id)
    if method is None:
        raise DomainError(_l("Enregistrez d'abord une carte ou un mandat de prélèvement SEPA, ou payez par virement."))
    pending = session.scalar(select(Payment).join(PaymentAllocation).where(
        PaymentAllocation.invoice_id.in_([i.id for i in invoices]),
        Payment.status.in_([PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value])))
    if pending is not None:
        raise DomainError(_l("Un paiement de cette facture est déjà en cours."))
    first = min(invoices, key=lambda i: i.id)
    attempt = 1 + (session.scalar(select(func.count(PaymentAllocation.id)).where(
        PaymentAllocation.invoice_id == first.id)) or 0)
    destination, fee = _destination(session, invoices)
    payment = Payment(
        company_id=company.id, provider=Provider.STRIPE.value, idempotency_key=invoice_charge_key(first.id, attempt),
        method_id=method.id, amount_cents=sum(i.total_ttc_cents for i in invoices), status=PaymentStatus.PENDING.value,
        destination_account=destination, application_fee_cents=fee if destination else None,
        created_at=now or utcnow(),
        allocations=[PaymentAllocation(invoice_id=i.id, amount_cents=i.total_ttc_cents) for i in invoices],
    )
    session.add(payment)
    session.flush()
    record(session, actor, "payment.requested", payment, details={
        "invoices": [i.number for i in invoices], "amount_cents": payment.amount_cents, "method": method.type})
    jobs.enqueue(session, "payments.charge", payment.id, dedupe_key=f"payment-charge-{payment.id}")
    return payment


def _destination(session: Session, invoices: list[Invoice]) -> tuple[str | None, int]:
    """The connected account the money goes on to, when all invoices are one freelancer's who can be paid."""
    freelancers = {i.freelancer for i in invoices}
    if len(freelancers) != 1:
        return None, 0
    profile = freelancers.pop()
    if not (profile.stripe_account_id and profile.stripe_payouts_enabled):
        return None, 0
    return profile.stripe_account_id, sum(fee_cents(session, i) for i in invoices)


def send_charge(session: Session, payment_id: int) -> str:
    """The job's body: send a pending charge to Stripe (same key on a retry), then apply its result."""
    payment = session.execute(select(Payment).where(Payment.id == payment_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()
    if payment is None or payment.status != PaymentStatus.PENDING.value:
        return payment.status if payment else "missing"
    method = session.get(PaymentMethod, payment.method_id) if payment.method_id else None
    if method is None or method.status != "active":
        apply(session, payment, PaymentStatus.FAILED, failure_code="no_method",
              failure_reason="Le moyen de paiement enregistré a été retiré.")
        return payment.status
    numbers = ", ".join(a.invoice.number for a in payment.allocations)
    try:
        result = provider.gateway().charge(
            payment.amount_cents, customer_id=method.customer_id, payment_method_id=method.provider_ref,
            idempotency_key=payment.idempotency_key, metadata={"payment_id": payment.id, "invoices": numbers},
            destination_account=payment.destination_account, application_fee_cents=payment.application_fee_cents,
            method_types=(method.type,),
        )
    except PaymentProviderError as exc:
        if exc.transient:
            raise  # the job is retried with the same key
        # Stripe refused the call itself (not a decline): the SME reads a plain sentence, the
        # operators find Stripe's words in the payment's record and the audit log.
        payment.raw = {**(payment.raw or {}), "provider_error": exc.message, "request_id": exc.request_id}
        apply(session, payment, PaymentStatus.FAILED, failure_code=exc.code or "provider_error",
              failure_reason="Le paiement n'a pas pu être lancé chez notre prestataire de paiement : l'équipe en est "
                             "prévenue. Réessayez plus tard ou payez par virement.")
        return payment.status
    payment.provider_ref = result.id
    apply_result(session, payment, result.status, result.failure_code, result.failure_message)
    return payment.status


def apply_result(session: Session, payment: Payment, status: ChargeStatus | str, failure_code: str | None = None,
                 failure_reason: str | None = None, now: datetime | None = None) -> None:
    """Map the provider's status of a charge onto the payment (and its invoices)."""
    status = ChargeStatus(status)
    if status == ChargeStatus.SUCCEEDED:
        apply(session, payment, PaymentStatus.SUCCEEDED, now=now)
    elif status == ChargeStatus.PROCESSING:
        apply(session, payment, PaymentStatus.PROCESSING, now=now)
    elif status in (ChargeStatus.FAILED, ChargeStatus.CANCELED):
        apply(session, payment, PaymentStatus.FAILED, failure_code=failure_code,
              failure_reason=failure_reason or failure_message(failure_code), now=now)
    elif status == ChargeStatus.REQUIRES_ACTION:
        apply(session, payment, PaymentStatus.FAILED, failure_code="authentication_required",
              failure_reason=failure_message("authentication_required"), now=now)


# Which moves a payment may make: a replayed or late event never moves it backwards,
# except a SEPA debit that fails after « processing » (or even after success, as a
# debit can be returned), which puts its invoices back to unpaid.
_MOVES = {
    PaymentStatus.PENDING.value: {"processing", "succeeded", "failed"},
    PaymentStatus.PROCESSING.value: {"succeeded", "failed"},
    PaymentStatus.SUCCEEDED.value: {"failed", "refunded"},
    PaymentStatus.FAILED.value: set(),
    PaymentStatus.REFUNDED.value: set(),
}


def apply(session: Session, payment: Payment, new: PaymentStatus, *, failure_code: str | None = None,
          failure_reason: str | None = None, now: datetime | None = None) -> bool:
    """Move a payment to ``new`` and its invoices with it; False (nothing done) when it is not a move forward."""
    if new.value == payment.status or new.value not in _MOVES[payment.status]:
        return False
    old, now = payment.status, now or utcnow()
    payment.status = new.value
    if new == PaymentStatus.SUCCEEDED:
        payment.received_at = now
    if new == PaymentStatus.FAILED:
        payment.failure_code, payment.failure_reason = failure_code, failure_reason
    session.flush()
    record(session, None, f"payment.{new.value}", payment, at=now, reason=failure_reason, details={
        "old": old, "provider_ref": payment.provider_ref, "amount_cents": payment.amount_cents})
    for allocation in payment.allocations:
        invoice = allocation.invoice
        if invoice.status == InvoiceStatus.CANCELLED.value:
            continue
        if new == PaymentStatus.PROCESSING:
            invoice.status = InvoiceStatus.PROCESSING.value
        elif new == PaymentStatus.SUCCEEDED:
            invoice.status, invoice.paid_at = InvoiceStatus.PAID.value, now
            payouts.record_for(session, invoice, payment, allocation.amount_cents - fee_cents(session, invoice), now)
        elif new == PaymentStatus.FAILED:
            invoice.status, invoice.paid_at = InvoiceStatus.FAILED.value, None
            payouts.payment_failed(session, invoice, payment)
        elif new == PaymentStatus.REFUNDED:
            invoice.status = InvoiceStatus.REFUNDED.value
    session.flush()
    if new == PaymentStatus.FAILED:
        _tell_failure(session, payment)
    return True


def _company_recipients(company: Company) -> list[tuple[str, int | None, str]]:
    people = [(u.email, u.id, u.first_name) for u in company.members
              if u.active and u.company_role == CompanyRole.OWNER.value]
    if company.billing_email and company.billing_email not in {p[0] for p in people}:
        people.append((company.billing_email, None, company.billing_contact_name or ""))
    return people


def _tell_failure(session: Session, payment: Payment) -> None:
    company = session.get(Company, payment.company_id) if payment.company_id else None
    if company is None:
        return
    numbers = ", ".join(a.invoice.number for a in payment.allocations)
    for email, user_id, first_name in _company_recipients(company):
        mail.send(session, to=email, subject=_l("Paiement échoué : facture %(numbers)s", numbers=numbers), template="payment_notice",
                  user_id=user_id, first_name=first_name, lines=[
                      _l("Le paiement de %(amount)s pour la facture %(numbers)s a échoué : %(value)s.", amount=money(payment.amount_cents), numbers=numbers, value=payment.failure_reason or _l("refusé par la banque")),
                      _l("La facture reste à payer : réessayez avec un autre moyen de paiement, ou réglez-la par virement "
                      "en indiquant son numéro en référence."),
                  ], url=external_url("sme.invoices"), action=_l("Voir mes factures"))


def plan(session: Session, invoice: Invoice) -> str:
    """How and when the invoice will be paid, in one sentence in the reader's language (shown on the invoice)."""
    if invoice.kind != InvoiceKind.INVOICE.value:
        return ""
    if invoice.issuer_kind == IssuerKind.PLATFORM.value:
        return gettext("Réglée par compensation sur le versement de la facture correspondante.")
    if invoice.status == InvoiceStatus.PAID.value:
        return gettext("Payée le %(date)s.", date=date_fr(invoice.paid_at))
    if invoice.status == InvoiceStatus.PROCESSING.value:
        return gettext("Prélèvement SEPA en cours : le règlement est confirmé sous quelques jours.")
    if invoice.status not in PAYABLE:
        return ""
    method = active_method(session, invoice.company_id) if invoice.company_id else None
    late = invoice.due_date < today_paris()
    due = date_fr(invoice.due_date)
    when = (gettext("elle était due le %(date)s : réglez-la dès que possible", date=due) if late
            else gettext("avant l'échéance du %(date)s", date=due))
    if method is not None:
        if method.type == "card":
            return gettext("Payable avec la carte •••• %(last4)s avec « Payer » ; %(when)s.", last4=method.last4, when=when)
        return gettext("Payable avec le compte (prélèvement SEPA) •••• %(last4)s avec « Payer » ; %(when)s.",
                       last4=method.last4, when=when)
    return gettext("Par virement, en indiquant la référence %(number)s ; %(when)s. Le paiement par carte ou "
                   "prélèvement SEPA est possible une fois un moyen de paiement enregistré.",
                   number=invoice.number, when=when)


def record_transfer(session: Session, invoices: list[Invoice], amount_cents: int, reference: str, *,
                    bank_line_id: int | None = None, actor: User | None = None, received: datetime | None = None) -> Payment:
    """A bank transfer seen on the statement settles ``invoices`` (their TTC add up to ``amount_cents``)."""
    if not invoices:
        raise DomainError(_l("Choisissez au moins une facture."))
    companies = {i.company_id for i in invoices}
    if len(companies) != 1 or None in companies:
        raise DomainError(_l("Un virement règle les factures d'une seule entreprise."))
    # Locked: two statement lines (or a line and a charge) paying one invoice at once settle it once.
    invoices = list(session.scalars(select(Invoice).where(Invoice.id.in_([i.id for i in invoices]))
                                    .order_by(Invoice.id).with_for_update().execution_options(populate_existing=True)))
    for invoice in invoices:
        if invoice.issuer_kind != IssuerKind.FREELANCER.value:
            raise DomainError(_l("La facture %(number)s est une facture de frais de la plateforme : elle se règle par compensation, pas par virement.", number=invoice.number))
        if invoice.kind != InvoiceKind.INVOICE.value or invoice.status not in PAYABLE:
            if invoice.status == InvoiceStatus.PROCESSING.value:
                raise DomainError(_l("La facture %(number)s n'est pas à payer (un prélèvement est en cours).",
                                     number=invoice.number))
            raise DomainError(_l("La facture %(number)s n'est pas à payer.", number=invoice.number))
    due = sum(i.total_ttc_cents - paid_cents(session, i) for i in invoices)
    if amount_cents != due:
        raise DomainError(_l("Le virement (%(amount)s) ne correspond pas au montant dû (%(amount2)s).", amount=money(amount_cents), amount2=money(due)))
    received = received or utcnow()
    key = f"transfer-{bank_line_id}" if bank_line_id else f"transfer-{'-'.join(str(i.id) for i in invoices)}-{received:%Y%m%d}"
    payment = Payment(
        company_id=companies.pop(), provider=Provider.TRANSFER.value, provider_ref=key[:120],
        idempotency_key=key[:80], amount_cents=amount_cents, status=PaymentStatus.PENDING.value,
        raw={"reference": reference},
        bank_line_id=bank_line_id, reconciled_at=received, created_at=received,
        allocations=[PaymentAllocation(invoice_id=i.id, amount_cents=i.total_ttc_cents - paid_cents(session, i))
                     for i in invoices],
    )
    session.add(payment)
    session.flush()
    record(session, actor, "payment.transfer_recorded", payment, at=received, details={
        "invoices": [i.number for i in invoices], "amount_cents": amount_cents, "reference": reference})
    apply(session, payment, PaymentStatus.SUCCEEDED, now=received)
    return payment
