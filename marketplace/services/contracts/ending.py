"""How a contract ends: notice by one side, an end date agreed by both, or its term; the daily job.

Either side may give notice: the contract ends ``notice_months`` later (one month by
default), the end date is shown at once and the weekdays stay booked until then. Both
sides may also agree on an earlier date, today included. The daily job ends what is due
on its end date (not before), releases the half days, and applies signed amendments
whose date has come.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.domain import add_months
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import date_fr
from marketplace.models.contracts import (
    Contract,
    ContractStatus,
    ContractVersion,
    EndKind,
    VersionKind,
    VersionStatus,
)
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.services.contracts import bookings, parties
from marketplace.services.contracts.rules import MAX_NOTE
from marketplace.services.contracts.signing import apply_amendment

RUNNING = (ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value)


def earliest_notice_end(contract: Contract, today: date) -> date:
    """The end date a notice given today gives (one month later by default)."""
    return add_months(today, contract.notice_months)


def _reason(reason: str, required: bool = True) -> str:
    reason = (reason or "").strip()
    errors = []
    if required and not reason:
        errors.append(DomainError(_l("Indiquez le motif en quelques mots : l'autre partie le lira."), "reason"))
    elif len(reason) > MAX_NOTE:
        errors.append(DomainError(_l("2 000 caractères au plus."), "reason"))
    raise_if_any(errors)
    return reason


def _withdraw_amendments(contract: Contract, why: str) -> None:
    for version in contract.versions:
        if version.kind == VersionKind.AMENDMENT.value and version.status in (
                VersionStatus.PROPOSED.value, VersionStatus.AGREED.value):
            version.status = VersionStatus.WITHDRAWN.value
            version.closed_reason = why


def _schedule_end(session: Session, contract: Contract, end_date: date, kind: EndKind, party: str) -> None:
    contract.end_date = end_date
    contract.end_kind = kind.value
    contract.end_proposed_date = None
    _withdraw_amendments(contract, "Fin du contrat programmée.")
    bookings.schedule_release(contract, bookings.held(contract), end_date)
    parties.set_status(session, contract, ContractStatus.NOTICE, party)


def give_notice(session: Session, contract: Contract, actor: User, reason: str, end_date: date | None = None,
                today: date | None = None, now: datetime | None = None) -> Contract:
    """One side ends the contract with notice: it ends ``notice_months`` later (or on a later date)."""
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    today, now = today or today_paris(), now or utcnow()
    if contract.status != ContractStatus.ACTIVE.value:
        raise DomainError(_l("Le préavis se donne sur un contrat en cours.") if contract.status != ContractStatus.NOTICE.value else _l("Le contrat se termine déjà le %(date)s.", date=date_fr(contract.end_date)))
    errors = []
    try:
        reason = _reason(reason)
    except DomainError as exc:
        errors += exc.errors
    earliest = earliest_notice_end(contract, today)
    end_date = end_date or earliest
    if end_date < earliest:
        errors.append(DomainError(
            _l("Avec %(notice_months)s mois de préavis, le contrat ne peut pas finir avant le %(date)s. Pour finir plus tôt, proposez une fin d'un commun accord.", notice_months=contract.notice_months, date=date_fr(earliest)), "end_date"))
    elif contract.end_date is not None and contract.end_date <= end_date:
        errors.append(DomainError(_l("Le contrat prend déjà fin le %(date)s, avant la fin de ce préavis.", date=date_fr(contract.end_date)),
                                  "end_date"))
    raise_if_any(errors)
    contract.end_requested_by = party
    contract.end_requested_at = now
    contract.end_reason = reason
    _schedule_end(session, contract, end_date, EndKind.NOTICE, party)
    record(session, actor, "contract.notice_given", contract, reason=reason, at=now, details={"end_date": end_date.isoformat()})
    parties.notify(session, contract, _l("Préavis : fin du contrat le %(date)s", date=date_fr(end_date)), [
        _l("%(party_name)s a mis fin au contrat « %(title)s » avec un préavis de %(notice_months)s mois. Il se termine le %(date)s ; d'ici là, tout continue comme prévu.", party_name=parties.party_name(contract, party), title=contract.title, notice_months=contract.notice_months, date=date_fr(end_date)),
        _l("Motif : « %(reason)s »", reason=reason),
        _l("Les jours réservés seront libérés à cette date."),
    ])
    return contract


def propose_end(session: Session, contract: Contract, actor: User, end_date: date | None, reason: str,
                today: date | None = None) -> Contract:
    """Propose to end on ``end_date`` (today included) by mutual agreement; the other side accepts or not."""
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    today = today or today_paris()
    errors = []
    try:
        reason = _reason(reason)
    except DomainError as exc:
        errors += exc.errors
    if contract.status not in RUNNING:
        raise DomainError(_l("Seul un contrat en cours peut prendre fin."))
    if end_date is None:
        errors.append(DomainError(_l("Indiquez la date de fin proposée."), "end_date"))
    elif end_date < today:
        errors.append(DomainError(_l("La date de fin ne peut pas être passée."), "end_date"))
    elif contract.end_date is not None and end_date >= contract.end_date:
        errors.append(DomainError(_l("Le contrat finit déjà le %(date)s : proposez une date antérieure.", date=date_fr(contract.end_date)),
                                  "end_date"))
    raise_if_any(errors)
    contract.end_proposed_date = end_date
    contract.end_requested_by = party
    contract.end_requested_at = utcnow()
    contract.end_reason = reason
    session.flush()
    record(session, actor, "contract.end_proposed", contract, reason=reason, details={"end_date": end_date.isoformat()})
    parties.notify(session, contract, _l("Proposition de fin d'un commun accord : %(title)s", title=contract.title), [
        _l("%(party_name)s propose de mettre fin au contrat d'un commun accord le %(date)s.", party_name=parties.party_name(contract, party), date=date_fr(end_date)),
        _l("Motif : « %(reason)s »", reason=reason),
        _l("Acceptez ou refusez depuis la page du contrat."),
    ], to=(parties.other(party),))
    return contract


def answer_end(session: Session, contract: Contract, actor: User, accepted: bool, today: date | None = None,
               now: datetime | None = None) -> Contract:
    """The other side accepts (the end is set, today: at once) or declines the proposed end."""
    party = parties.require_party(actor, contract)
    contract = parties.lock(session, contract.id)
    today, now = today or today_paris(), now or utcnow()
    if contract.end_proposed_date is None or contract.status not in RUNNING:
        raise DomainError(_l("Aucune fin n'est proposée sur ce contrat."))
    if contract.end_requested_by == party:
        raise DomainError(_l("C'est vous qui avez proposé cette fin : l'autre partie doit répondre."))
    end_date = contract.end_proposed_date
    if not accepted:
        contract.end_proposed_date = None
        session.flush()
        record(session, actor, "contract.end_declined", contract, details={"end_date": end_date.isoformat()})
        parties.notify(session, contract, _l("Fin anticipée refusée : %(title)s", title=contract.title), [
            _l("%(party_name)s n'a pas accepté de finir le contrat le %(date)s. Le contrat continue ; le préavis reste possible.", party_name=parties.party_name(contract, party), date=date_fr(end_date)),
        ], to=(parties.other(party),))
        return contract
    if end_date < today:
        raise DomainError(_l("La date proposée est passée : demandez une nouvelle proposition."))
    _schedule_end(session, contract, end_date, EndKind.MUTUAL, party)
    record(session, actor, "contract.end_agreed", contract, at=now, details={"end_date": end_date.isoformat()})
    parties.notify(session, contract, _l("Fin du contrat d'un commun accord le %(date)s", date=date_fr(end_date)), [
        _l("Les deux parties ont convenu de mettre fin au contrat « %(title)s » le %(date)s.", title=contract.title, date=date_fr(end_date)),
        _l("Les jours réservés sont libérés à cette date."),
    ])
    if end_date <= today:
        end_contract(session, contract, today, now)
    return contract


def end_contract(session: Session, contract: Contract, today: date, now: datetime | None = None) -> None:
    """The end date has come: the contract ends and its half days are free again."""
    if contract.status not in RUNNING:
        return
    contract.ended_at = now or utcnow()
    contract.end_kind = contract.end_kind or EndKind.TERM.value
    _withdraw_amendments(contract, "Contrat terminé.")
    parties.set_status(session, contract, ContractStatus.ENDED)
    bookings.release_now(session, contract)
    record(session, None, "contract.ended", contract, at=contract.ended_at, details={"end_date": contract.end_date.isoformat(),
                                                               "kind": contract.end_kind})
    parties.notify(session, contract, _l("Contrat terminé : %(title)s", title=contract.title), [
        _l("Le contrat entre %(legal_name)s et %(display_name)s s'est terminé le %(date)s. Les jours qu'il réservait sont de nouveau libres.", legal_name=contract.company.legal_name, display_name=contract.freelancer.display_name, date=date_fr(contract.end_date)),
        _l("Le compte rendu d'activité du dernier mois reste à envoyer et à valider comme d'habitude."),
    ])


def run_daily(session: Session, today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """End the contracts due, release the half days due, apply the amendments due (idempotent)."""
    today, now = today or today_paris(), now or utcnow()
    counts = {"ended": 0, "released": 0, "amended": 0}
    due = session.scalars(
        select(Contract).where(Contract.status.in_(RUNNING), Contract.end_date.is_not(None),
                               Contract.end_date <= today).order_by(Contract.id)
    ).all()
    for contract in due:
        contract = parties.lock(session, contract.id)
        if contract.status in RUNNING:
            end_contract(session, contract, today, now)
            counts["ended"] += 1
    amendments = session.scalars(
        select(ContractVersion).where(
            ContractVersion.kind == VersionKind.AMENDMENT.value, ContractVersion.status == VersionStatus.SIGNED.value,
            ContractVersion.applied_at.is_(None), ContractVersion.effective_from <= today,
        ).order_by(ContractVersion.effective_from, ContractVersion.id)
    ).all()
    for version in amendments:
        contract = parties.lock(session, version.contract_id)
        if contract.status in RUNNING:
            apply_amendment(session, contract, version, today, now)
            counts["amended"] += 1
    counts["released"] = bookings.release_due(session, today)
    return counts
