"""Demo data: a colleague who closed their account, so the operator's list of pending erasures is not empty."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.privacy import AccountClosure
from marketplace.services.accounts import teams
from marketplace.services.accounts.seed import (
    company_owner_email,
    signup_password,
    user_by_email,
)
from marketplace.services.privacy import closures

# A colleague of the third demo company (not the demo logins' tenants), leaving it.
DEPARTING = ("depart@demo.test", "Jeanne", "Fabre")
COMPANY_INDEX = 2


def seed(session: Session) -> AccountClosure | None:
    """A member who joined through the team operations, then closed the account: erasure programmed (idempotent)."""
    email, first, last = DEPARTING
    user = user_by_email(session, email)
    if user is None:
        owner = user_by_email(session, company_owner_email(COMPANY_INDEX))
        if owner is None or owner.company is None:
            return None
        invitation = teams.invite(session, owner.company, owner, email)
        user = teams.join(session, invitation, first_name=first, last_name=last, password=signup_password())
    closure = session.scalar(select(AccountClosure).where(AccountClosure.user_id == user.id)
                             .order_by(AccountClosure.id.desc()).limit(1))
    if closure is None:
        closure = closures.request_closure(session, user, password=signup_password(),
                                           reason="Je quitte l'entreprise.")
    return closure
