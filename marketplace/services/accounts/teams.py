"""SME team accounts: the owner invites colleagues by e-mail; they join through a token link.

Members see and run the company's missions and contracts; only the owner manages the
team (invite, revoke an invitation, remove a member). Tokens are random, stored only
as their SHA-256, valid seven days and usable once.
"""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, PermissionDenied, raise_if_any
from marketplace.models.companies import Company, TeamInvitation
from marketplace.models.users import CompanyRole, User
from marketplace.platform import mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.accounts import passwords
from marketplace.services.accounts.operations import (
    find_user_by_email,
    normalize_email,
    personal_words,
)
from marketplace.services.accounts.rules import (
    INVITATION_LIFETIME,
    MAX_PENDING_INVITATIONS,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(company: Company, actor: User) -> None:
    if not (actor.is_company_owner and actor.company_id == company.id):
        raise PermissionDenied(_l("Seul le titulaire du compte entreprise gère l'équipe."))


def members(session: Session, company: Company) -> list[User]:
    """Active members of the company, the owner first."""
    rows = session.scalars(
        select(User).where(User.company_id == company.id, User.active.is_(True)).order_by(User.created_at, User.id)
    ).all()
    return sorted(rows, key=lambda u: u.company_role != CompanyRole.OWNER.value)


def pending_invitations(session: Session, company: Company) -> list[TeamInvitation]:
    """Invitations neither accepted, revoked nor expired."""
    return list(session.scalars(
        select(TeamInvitation)
        .where(
            TeamInvitation.company_id == company.id,
            TeamInvitation.accepted_at.is_(None),
            TeamInvitation.revoked_at.is_(None),
            TeamInvitation.expires_at > utcnow(),
        )
        .order_by(TeamInvitation.created_at.desc())
    ))


def invite(
    session: Session, company: Company, actor: User, email: str
) -> TeamInvitation:
    """Invite a colleague; a new invitation to the same address replaces the previous one."""
    _require_owner(company, actor)
    email = normalize_email(email)
    existing = find_user_by_email(session, email)
    if existing is not None:
        if existing.company_id == company.id and existing.active:
            raise DomainError(_l("Cette personne fait déjà partie de votre équipe."), "email")
        if existing.company_id != company.id or existing.role != Role.SME.value:
            raise DomainError(
                _l("Cette adresse est déjà celle d'un autre compte OM Partagé : un compte n'appartient qu'à une "
                "seule entreprise. Invitez une autre adresse."), "email")
    pending = pending_invitations(session, company)
    now = utcnow()
    for previous in pending:
        if previous.email == email:
            previous.revoked_at = now
    if len([p for p in pending if p.email != email]) >= MAX_PENDING_INVITATIONS:
        raise DomainError(_l("Trop d'invitations en attente : annulez-en avant d'en envoyer d'autres."), "email")
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation(
        company_id=company.id, email=email, token_hash=_hash(token), invited_by_id=actor.id,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    record(session, actor, "team.invited", invitation, details={"email": email, "company_id": company.id})
    mail.send(
        session, to=email, locale=actor.locale or "fr",  # no account yet: the inviter's language
        subject=_l("%(name)s vous invite à rejoindre %(company)s sur OM Partagé", name=actor.display_name,
                   company=company.legal_name),
        template="sme_team_invitation", actor=actor, company=company, accept_url=external_url("sme.join_team", token=token),
        expires_at=invitation.expires_at,
    )
    return invitation


def invitation_for_token(session: Session, token: str) -> TeamInvitation:
    """The pending invitation behind ``token``, or a DomainError saying why not."""
    invitation = session.scalar(select(TeamInvitation).where(TeamInvitation.token_hash == _hash(token or "")))
    if invitation is None:
        raise DomainError(_l("Cette invitation n'est pas valide ou a été annulée. Demandez-en une nouvelle."))
    _require_pending(invitation)
    return invitation


def _require_pending(invitation: TeamInvitation) -> None:
    if invitation.revoked_at is not None:
        raise DomainError(_l("Cette invitation n'est pas valide ou a été annulée. Demandez-en une nouvelle."))
    if invitation.accepted_at is not None:
        raise DomainError(_l("Cette invitation a déjà été utilisée : connectez-vous avec votre adresse e-mail."))
    if invitation.expires_at <= utcnow():
        raise DomainError(_l("Cette invitation a expiré. Demandez à votre collègue de vous en envoyer une nouvelle."))


def accept(session: Session, token: str, *, first_name: str, last_name: str, password: str) -> User:
    """Join the company from an invitation's link: a member account with the invited address."""
    return join(session, invitation_for_token(session, token), first_name=first_name, last_name=last_name,
                password=password)


def join(session: Session, invitation: TeamInvitation, *, first_name: str, last_name: str, password: str) -> User:
    """Make the invited person a member (the link's token, or the demo, proved the invitation)."""
    _require_pending(invitation)
    errors: list[DomainError] = []
    if not (first_name or "").strip():
        errors.append(DomainError(_l("Indiquez votre prénom."), "first_name"))
    if not (last_name or "").strip():
        errors.append(DomainError(_l("Indiquez votre nom."), "last_name"))
    try:
        passwords.check(password or "", personal=personal_words(invitation.email, first_name or "", last_name or ""))
    except DomainError as exc:
        errors.append(exc)
    raise_if_any(errors)
    user = find_user_by_email(session, invitation.email)
    if user is not None and (user.company_id != invitation.company_id or user.role != Role.SME.value):
        raise DomainError(_l("Cette adresse est déjà celle d'un autre compte : connectez-vous avec celui-ci."))
    if user is None:
        user = User(email=invitation.email, role=Role.SME.value)
        session.add(user)
    # A removed member invited again comes back with a new password.
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.company_id = invitation.company_id
    user.company_role = CompanyRole.MEMBER.value
    user.active = True
    user.set_password(password)
    session.flush()
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    record(session, user, "team.joined", invitation, details={"company_id": invitation.company_id, "user_id": user.id})
    return user


def revoke(session: Session, invitation: TeamInvitation, actor: User) -> TeamInvitation:
    """Cancel a pending invitation; its link stops working."""
    _require_owner(invitation.company, actor)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise DomainError(_l("Cette invitation n'est plus en attente."))
    invitation.revoked_at = utcnow()
    record(session, actor, "team.invitation_revoked", invitation, details={"email": invitation.email})
    return invitation


def remove_member(session: Session, company: Company, actor: User, member: User) -> User:
    """Close a member's access: the account is deactivated and its sessions end."""
    _require_owner(company, actor)
    if member.company_id != company.id or not member.active:
        raise DomainError(_l("Cette personne ne fait pas partie de votre équipe."))
    if member.company_role == CompanyRole.OWNER.value:
        raise DomainError(_l("Le titulaire du compte ne peut pas être retiré de l'équipe."))
    member.active = False
    member.end_sessions()
    record(session, actor, "team.member_removed", member, details={"company_id": company.id, "email": member.email})
    return member
