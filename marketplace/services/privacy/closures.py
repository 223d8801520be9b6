"""Closing an account: the request, its grace period, its cancellation, and the operator's hold.

A person closes their account (``request_closure``): every session ends, a freelancer
leaves the matching at once, and the erasure is programmed ``ACCOUNT_CLOSURE_GRACE_DAYS``
later. Logging in again within that period lets them cancel (``cancel_closure``). The
operator may suspend an erasure with a reason (an open dispute, an unpaid invoice) and
resume it; the erasure job itself suspends one whose account still has something to
settle. The last owner of an SME closes the company with it, and every member's account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import plural_fr
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.payments import Payment, PaymentStatus, Payout
from marketplace.models.privacy import AccountClosure, ClosureScope, ClosureStatus
from marketplace.models.users import CompanyRole, User
from marketplace.platform import jobs, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.privacy import rules

OPEN_CONTRACT_STATUSES = (
    ContractStatus.DRAFT.value, ContractStatus.PENDING_SIGNATURE.value,
    ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value,
)
UNSETTLED_INVOICE_STATUSES = (InvoiceStatus.ISSUED.value, InvoiceStatus.PROCESSING.value, InvoiceStatus.FAILED.value)
UNSETTLED_PAYOUT_STATUSES = ("pending", "sent", "failed")
UNSETTLED_PAYMENT_STATUSES = (PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value)
REASON_MAX = 1000


def grace_days() -> int:
    return int(current_app.config.get("ACCOUNT_CLOSURE_GRACE_DAYS") or rules.DEFAULT_GRACE_DAYS)


def open_closure(session: Session, user_id: int) -> AccountClosure | None:
    """The account's pending or suspended closure, if any."""
    return session.scalar(
        select(AccountClosure).where(
            AccountClosure.user_id == user_id,
            AccountClosure.status.in_([ClosureStatus.PENDING.value, ClosureStatus.HELD.value]),
        )
    )


def company_closure(session: Session, company_id: int) -> AccountClosure | None:
    """The open closure of a whole company (its last owner's), if any."""
    return session.scalar(
        select(AccountClosure).where(
            AccountClosure.company_id == company_id,
            AccountClosure.scope == ClosureScope.COMPANY.value,
            AccountClosure.status.in_([ClosureStatus.PENDING.value, ClosureStatus.HELD.value]),
        )
    )


def other_members(session: Session, user: User) -> list[User]:
    """The company's other accounts still open."""
    if not user.company_id:
        return []
    return list(session.scalars(
        select(User).where(User.company_id == user.company_id, User.id != user.id, User.erased_at.is_(None))
        .order_by(User.id)
    ))


def closes_company(session: Session, user: User) -> bool:
    """True when ``user`` is the company's last owner: closing the account closes the company."""
    if not user.is_company_owner:
        return False
    return not any(
        m.company_role == CompanyRole.OWNER.value and m.active for m in other_members(session, user)
    )


def open_contracts(session: Session, *, freelancer_id: int | None = None,
                   company_id: int | None = None) -> list[Contract]:
    stmt = select(Contract).where(Contract.status.in_(OPEN_CONTRACT_STATUSES)).order_by(Contract.id)
    if freelancer_id is not None:
        stmt = stmt.where(Contract.freelancer_id == freelancer_id)
    if company_id is not None:
        stmt = stmt.where(Contract.company_id == company_id)
    return list(session.scalars(stmt))


def _contracts_text(contracts: list[Contract]) -> str:
    titles = ", ".join(f"« {c.title or f'contrat n° {c.id}'} »" for c in contracts[:3])
    more = f" et {len(contracts) - 3} {plural_fr(len(contracts) - 3, 'autre', 'autres')}" if len(contracts) > 3 else ""
    return titles + more


def blockers(session: Session, closure: AccountClosure) -> list[str]:
    """What must be settled before the account's data can be erased (French, one line each); [] when nothing."""
    user = closure.user
    found: list[str] = []
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    if profile is not None:
        contracts = open_contracts(session, freelancer_id=profile.id)
        if contracts:
            found.append(f"{plural_fr(len(contracts), 'Contrat', 'Contrats')} en cours : {_contracts_text(contracts)}.")
        invoices = session.scalars(
            select(Invoice.number).where(
                Invoice.freelancer_id == profile.id, Invoice.issuer_kind == IssuerKind.FREELANCER.value,
                Invoice.kind == InvoiceKind.INVOICE.value, Invoice.status.in_(UNSETTLED_INVOICE_STATUSES),
            ).order_by(Invoice.id)
        ).all()
        if invoices:
            found.append(f"{plural_fr(len(invoices), 'Facture non payée', 'Factures non payées')} : {', '.join(invoices)}.")
        contested = session.scalars(
            select(Invoice.number).where(
                Invoice.freelancer_id == profile.id, Invoice.contested_at.is_not(None),
                Invoice.contest_resolved_at.is_(None),
            )
        ).all()
        if contested:
            found.append(f"Contestation de facture en cours : {', '.join(contested)}.")
        payouts = session.scalar(
            select(Payout.id).where(Payout.freelancer_id == profile.id,
                                    Payout.status.in_(UNSETTLED_PAYOUT_STATUSES)).limit(1)
        )
        if payouts is not None:
            found.append("Reversement au freelance non terminé.")
    if closure.scope == ClosureScope.COMPANY.value and closure.company_id:
        contracts = open_contracts(session, company_id=closure.company_id)
        if contracts:
            found.append(f"{plural_fr(len(contracts), 'Contrat', 'Contrats')} en cours : {_contracts_text(contracts)}.")
        invoices = session.scalars(
            select(Invoice.number).where(
                Invoice.company_id == closure.company_id, Invoice.kind == InvoiceKind.INVOICE.value,
                Invoice.status.in_(UNSETTLED_INVOICE_STATUSES),
            ).order_by(Invoice.id)
        ).all()
        if invoices:
            found.append(f"{plural_fr(len(invoices), 'Facture non payée', 'Factures non payées')} : {', '.join(invoices)}.")
        payment = session.scalar(
            select(Payment.id).where(Payment.company_id == closure.company_id,
                                     Payment.status.in_(UNSETTLED_PAYMENT_STATUSES)).limit(1)
        )
        if payment is not None:
            found.append("Paiement en cours de traitement.")
    return found


def request_closure(
    session: Session,
    user: User,
    *,
    password: str,
    reason: str = "",
    close_company: bool = False,
    now: datetime | None = None,
) -> AccountClosure:
    """Close ``user``'s account: sessions end, erasure programmed after the grace period."""
    now = now or utcnow()
    if user.role == Role.ADMIN.value:
        raise DomainError(_l("Un compte administrateur se ferme par un autre administrateur (désactivation)."))
    errors = []  # what the person typed, every field at once
    if not user.check_password(password or ""):
        errors.append(DomainError(_l("Mot de passe incorrect."), "password"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        errors.append(DomainError(_l("1 000 caractères au plus."), "reason"))
    if open_closure(session, user.id) is not None:
        raise DomainError(_l("La fermeture de votre compte est déjà programmée."))
    scope = ClosureScope.ACCOUNT
    company_id = None
    if user.role == Role.SME.value and user.company_id:
        if company_closure(session, user.company_id) is not None:
            raise DomainError(
                _l("La fermeture de votre entreprise est déjà programmée : votre compte sera effacé avec elle."))
        if closes_company(session, user):
            if not close_company:
                errors.append(DomainError(
                    _l("Vous êtes le dernier titulaire du compte entreprise : sa fermeture ferme aussi l'entreprise "
                    "et les comptes de son équipe. Cochez la case pour le confirmer."), "close_company"))
            scope, company_id = ClosureScope.COMPANY, user.company_id
            contracts = open_contracts(session, company_id=company_id)
            if contracts:
                errors.append(DomainError(
                    _l("Votre entreprise a des contrats en cours (%(contracts_text)s) : terminez-les ou abandonnez-les avant de fermer le compte.", contracts_text=_contracts_text(contracts))))
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    if profile is not None:
        contracts = open_contracts(session, freelancer_id=profile.id)
        if contracts:
            errors.append(DomainError(
                _l("Vous avez des contrats en cours (%(contracts_text)s) : terminez-les ou abandonnez-les avant de fermer votre compte.", contracts_text=_contracts_text(contracts))))
    raise_if_any(errors)
    if profile is not None:
        if not profile.matching_suspended_reason:
            profile.matching_suspended_reason = rules.CLOSING_REASON
    closure = AccountClosure(
        user_id=user.id, company_id=company_id, scope=scope.value, status=ClosureStatus.PENDING.value,
        reason=reason or None, requested_at=now, erase_after=now + timedelta(days=grace_days()),
    )
    session.add(closure)
    user.end_sessions()
    session.flush()
    record(session, user, "privacy.closure_requested", closure,
           details={"scope": scope.value, "company_id": company_id, "erase_after": closure.erase_after.isoformat()})
    _tell(session, user, closure, "privacy_closure_requested", _l("Fermeture de votre compte programmée"))
    if scope == ClosureScope.COMPANY:
        for member in other_members(session, user):
            if member.active:
                _tell(session, member, closure, "privacy_company_closing",
                      _l("Fermeture du compte de %(company)s", company=user.company.legal_name))
    return closure


def _tell(session: Session, user: User, closure: AccountClosure, template: str, subject: str) -> None:
    mail.send(
        session, to=user.email, subject=subject, template=template, user_id=user.id, user=user, closure=closure,
        company=closure.company, login_url=external_url("auth.login"), grace_days=grace_days(),
    )


def cancel_closure(session: Session, user: User) -> AccountClosure:
    """The person changed their mind within the grace period: nothing is erased."""
    closure = open_closure(session, user.id)
    if closure is None:
        raise DomainError(_l("Aucune fermeture de compte n'est programmée."))
    closure = session.get(AccountClosure, closure.id, with_for_update=True)
    if not closure.is_open:
        raise DomainError(_l("Aucune fermeture de compte n'est programmée."))
    closure.status = ClosureStatus.CANCELLED.value
    closure.cancelled_at = utcnow()
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    if profile is not None and profile.matching_suspended_reason == rules.CLOSING_REASON:
        profile.matching_suspended_reason = None
    session.flush()
    record(session, user, "privacy.closure_cancelled", closure)
    return closure


def _for_operator(session: Session, closure_id: int) -> AccountClosure:
    closure = session.get(AccountClosure, closure_id, with_for_update=True)
    if closure is None:
        raise DomainError(_l("Fermeture de compte introuvable."))
    return closure


def hold(session: Session, admin: User, closure_id: int, reason: str, *, ip_address: str | None = None,
         now: datetime | None = None) -> AccountClosure:
    """Suspend a programmed erasure, saying why (an open dispute, an unpaid invoice)."""
    closure = _for_operator(session, closure_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Indiquez la raison de la suspension (litige en cours, facture impayée…)."), "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("1 000 caractères au plus."), "reason")
    if closure.status != ClosureStatus.PENDING.value:
        raise DomainError(_l("Seul un effacement programmé peut être suspendu."))
    closure.status = ClosureStatus.HELD.value
    closure.held_at = now or utcnow()
    closure.held_by_id = admin.id
    closure.hold_reason = reason
    session.flush()
    record(session, admin, "privacy.erasure_held", closure, reason=reason, ip_address=ip_address)
    return closure


def resume(session: Session, admin: User, closure_id: int, *, ip_address: str | None = None,
           now: datetime | None = None) -> AccountClosure:
    """Lift a suspension: the erasure runs at once if its grace period is over (else when it ends)."""
    now = now or utcnow()
    closure = _for_operator(session, closure_id)
    if closure.status != ClosureStatus.HELD.value:
        raise DomainError(_l("Seul un effacement suspendu peut reprendre."))
    closure.status = ClosureStatus.PENDING.value
    previous = closure.hold_reason
    closure.held_at = closure.held_by_id = closure.hold_reason = None
    session.flush()
    record(session, admin, "privacy.erasure_resumed", closure, reason=previous, ip_address=ip_address)
    if closure.erase_after <= now:
        jobs.enqueue(session, "privacy.erase", closure.id, dedupe_key=f"privacy.erase:{closure.id}")
    return closure


def hold_for_blockers(session: Session, closure: AccountClosure, found: list[str], now: datetime) -> None:
    """The erasure job found something to settle first: it suspends the erasure, visibly, for the operator."""
    closure.status = ClosureStatus.HELD.value
    closure.held_at = now
    closure.held_by_id = None
    closure.hold_reason = " ".join(found)[:REASON_MAX]
    session.flush()
    record(session, None, "privacy.erasure_held", closure, reason=closure.hold_reason)
