"""Who is who on a contract, the row lock every change takes, and the e-mails to each side."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.domain import Role
from marketplace.errors import DomainError, NotFound
from marketplace.models.contracts import Contract, ContractStatus, Party
from marketplace.models.users import CompanyRole, User
from marketplace.platform import events, mail
from marketplace.platform.links import external_url

PAGE_ENDPOINTS = {Party.SME.value: "sme.contract", Party.FREELANCER.value: "freelancer.contract"}


def party_of(user: User | None, contract: Contract) -> str | None:
    """``"sme"`` for a member of the contract's company, ``"freelancer"`` for its freelancer, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.SME.value and user.company_id == contract.company_id:
        return Party.SME.value
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    if profile is not None and profile.id == contract.freelancer_id:
        return Party.FREELANCER.value
    return None


def require_party(user: User | None, contract: Contract) -> str:
    party = party_of(user, contract)
    if party is None:
        raise NotFound()
    return party


def other(party: str) -> str:
    return Party.FREELANCER.value if party == Party.SME.value else Party.SME.value


def may_sign(user: User, contract: Contract) -> bool:
    """The freelancer signs for themself; for the company, an owner (who may bind it)."""
    party = party_of(user, contract)
    if party == Party.FREELANCER.value:
        return True
    return party == Party.SME.value and user.company_role == CompanyRole.OWNER.value


def lock(session: Session, contract_id: int) -> Contract:
    """The contract, locked until the end of the transaction: changes to one contract are serialised."""
    contract = session.execute(
        select(Contract).where(Contract.id == contract_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if contract is None:
        raise NotFound()
    session.expire(contract, ["versions", "signatures", "bookings"])
    return contract


def set_status(session: Session, contract: Contract, new: ContractStatus, party: str | None = None) -> None:
    old = contract.status
    if old == new.value:
        return
    contract.status = new.value
    session.flush()
    events.contract_status_changed.send(session, contract=contract, old=old, new=new.value, party=party)


def party_name(contract: Contract, party: str) -> str:
    return contract.company.legal_name if party == Party.SME.value else contract.freelancer.display_name


def recipients(contract: Contract, party: str) -> list[User]:
    """Who hears about a contract on each side: the freelancer; the company's active owners."""
    if party == Party.FREELANCER.value:
        user = contract.freelancer.user
        return [user] if user.active else []
    return [u for u in contract.company.members if u.active and u.company_role == CompanyRole.OWNER.value]


def page_url(contract: Contract, party: str) -> str:
    return external_url(PAGE_ENDPOINTS[party], contract_id=contract.id)


def notify(
    session: Session,
    contract: Contract,
    subject: str,
    lines: list[str],
    *,
    to: tuple[str, ...] = (Party.SME.value, Party.FREELANCER.value),
    action: str = _l("Ouvrir le contrat"),
    exclude: User | None = None,
) -> None:
    """E-mail each side (``to``) about the contract, with a link to its page (the PDF is there)."""
    for party in to:
        for person in recipients(contract, party):
            if exclude is not None and person.id == exclude.id:
                continue
            mail.send(
                session, to=person.email, subject=subject, template="contract_update", user_id=person.id,
                person=person, contract=contract, lines=lines, action=action, url=page_url(contract, party),
            )


def refuse_unless(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise DomainError(message, field)
