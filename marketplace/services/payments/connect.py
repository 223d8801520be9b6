"""Stripe Connect for freelancers: a connected account, onboarded on Stripe's hosted pages.

The freelancer starts onboarding from their dashboard: the platform creates their
account once (key ``freelancer-<id>-account-v1``) and a single-use account link; Stripe
sends them back, and ``account.updated`` events (or the return page) refresh what
Stripe says: payouts enabled, what it still needs. Until then they are paid by transfer.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.errors import DomainError
from marketplace.models.freelancers import FreelancerProfile
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.platform.stripe_adapter import (
    AccountLink,
    PaymentProviderError,
    freelancer_account_key,
    freelancer_account_link_key,
)
from marketplace.services.payments import gateway as provider

# What Stripe may still need, in French (the rest is shown as Stripe names it).
REQUIREMENT_LABELS = {
    "external_account": "le compte bancaire qui recevra les versements",
    "individual.verification.document": "une pièce d'identité",
    "individual.id_number": "le numéro d'identification",
    "individual.dob.day": "la date de naissance",
    "individual.address.line1": "l'adresse",
    "business_profile.url": "le site web ou le profil professionnel",
    "tos_acceptance.date": "l'acceptation des conditions de Stripe",
}


def requirement_label(code: str) -> str:
    return next((label for key, label in REQUIREMENT_LABELS.items() if code.startswith(key)), code)


def onboarding_link(session: Session, profile: FreelancerProfile) -> AccountLink:
    """The hosted onboarding page's link (the account is created on the first call)."""
    try:
        gateway = provider.gateway()
        if not profile.stripe_account_id:
            account = gateway.create_connected_account(
                email=profile.user.email, idempotency_key=freelancer_account_key(profile.id),
                metadata={"freelancer_id": profile.id})
            profile.stripe_account_id = account.id
            session.flush()
            record(session, profile.user, "payout.account_created", profile, details={"account": account.id})
        return gateway.create_account_link(
            profile.stripe_account_id, refresh_url=external_url("freelancer.payouts_onboard"),
            return_url=external_url("freelancer.payouts_return"),
            idempotency_key=freelancer_account_link_key(profile.id, secrets.token_hex(8)))
    except PaymentProviderError as exc:
        raise DomainError(_l("Stripe n'a pas pu préparer l'inscription : %(message)s", message=exc.message)) from exc


def refresh(session: Session, profile: FreelancerProfile) -> None:
    """Read the connected account from Stripe and keep what it says."""
    if not profile.stripe_account_id:
        return
    try:
        status = provider.gateway().retrieve_account(profile.stripe_account_id)
    except PaymentProviderError as exc:
        raise DomainError(_l("Stripe n'a pas pu être consulté : %(message)s Réessayez dans un instant.", message=exc.message)) from exc
    was = profile.stripe_payouts_enabled
    profile.stripe_payouts_enabled = bool(status.payouts_enabled and status.charges_enabled)
    profile.stripe_requirements = list(status.requirements_due)
    session.flush()
    if was != profile.stripe_payouts_enabled:
        record(session, None, "payout.account_updated", profile, details={
            "payouts_enabled": profile.stripe_payouts_enabled, "requirements": profile.stripe_requirements})
