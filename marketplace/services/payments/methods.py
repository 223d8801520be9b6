"""The SME's saved way to pay: a card or a SEPA Direct Debit mandate, set up once with a SetupIntent.

:func:`start` creates the company's Stripe customer (once) and a SetupIntent whose
client secret the page hands to Stripe.js, which collects the card or IBAN (and the
mandate) on Stripe's side; :func:`confirm` reads the SetupIntent back from Stripe and
keeps the method (one active per company). Nothing of the card or IBAN reaches the
platform but its type, brand and last four digits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.errors import DomainError
from marketplace.models.companies import Company
from marketplace.models.payments import PaymentMethod
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.platform.stripe_adapter import (
    PaymentProviderError,
    SetupIntentResult,
    company_customer_key,
    company_setup_key,
)
from marketplace.services.payments import gateway as provider


def start(session: Session, company: Company, actor: User) -> SetupIntentResult:
    """A SetupIntent for the page (the company's customer is created on the first call)."""
    try:
        gateway = provider.gateway()
        if not company.stripe_customer_id:
            customer = gateway.create_customer(company.billing_email or actor.email, company.legal_name,
                                               idempotency_key=company_customer_key(company.id),
                                               metadata={"company_id": company.id, "siren": company.siren})
            company.stripe_customer_id = customer.id
        number = 1 + (session.scalar(select(func.count(PaymentMethod.id)).where(PaymentMethod.company_id == company.id)) or 0)
        intent = gateway.create_setup_intent(company.stripe_customer_id, idempotency_key=company_setup_key(company.id, number),
                                             metadata={"company_id": company.id})
    except PaymentProviderError as exc:
        raise DomainError(_l("Stripe n'a pas pu préparer l'enregistrement : %(message)s", message=exc.message)) from exc
    session.add(PaymentMethod(company_id=company.id, customer_id=company.stripe_customer_id,
                              setup_intent_id=intent.id, status="pending", created_by_id=actor.id))
    session.flush()
    return intent


def confirm(session: Session, company: Company, actor: User, setup_intent_id: str) -> PaymentMethod:
    """Keep the method a SetupIntent saved (read back from Stripe), replacing the previous one."""
    method = session.scalar(select(PaymentMethod).where(PaymentMethod.setup_intent_id == setup_intent_id,
                                                        PaymentMethod.company_id == company.id))
    if method is None:
        raise DomainError(_l("Enregistrement inconnu : recommencez."))
    if method.status == "active":
        return method
    try:
        gateway = provider.gateway()
        intent = gateway.retrieve_setup_intent(setup_intent_id)
        if intent.status != "succeeded" or not intent.payment_method_id:
            raise DomainError(_l("L'enregistrement n'a pas abouti : la banque ne l'a pas confirmé. Recommencez."))
        info = gateway.retrieve_payment_method(intent.payment_method_id)
    except PaymentProviderError as exc:
        raise DomainError(_l("Stripe n'a pas pu confirmer l'enregistrement : %(message)s", message=exc.message)) from exc
    for previous in session.scalars(select(PaymentMethod).where(PaymentMethod.company_id == company.id,
                                                                PaymentMethod.status == "active")):
        previous.status = "removed"
    session.flush()
    method.provider_ref, method.type, method.brand, method.last4 = info.id, info.type, info.brand, info.last4
    method.status = "active"
    session.flush()
    record(session, actor, "payment_method.saved", method, details={"type": info.type, "last4": info.last4})
    return method


def remove(session: Session, company: Company, actor: User) -> None:
    method = session.scalar(select(PaymentMethod).where(PaymentMethod.company_id == company.id,
                                                        PaymentMethod.status == "active"))
    if method is None:
        raise DomainError(_l("Aucun moyen de paiement enregistré."))
    method.status = "removed"
    session.flush()
    record(session, actor, "payment_method.removed", method)
