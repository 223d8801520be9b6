"""Signatures: each side signs the agreed version's PDF; the second signature starts the contract.

A signature records the typed full name, the « Lu et approuvé » statement, the time,
the address, the browser and the SHA-256 of the PDF read; a PDF that changed since the
signer opened it cannot be signed. The last signature books the weekdays atomically:
if another contract took one of them meanwhile, this one goes back to drafting with the
reason, and nothing else changes. A contract worth 5 000 € HT or more does not start
without a recent vigilance certificate. Once signed, a job seals the final PDF.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import date_fr
from marketplace.i18n import Later
from marketplace.models.contracts import (
    Contract,
    ContractSignature,
    ContractStatus,
    ContractVersion,
    Party,
    VersionKind,
    VersionStatus,
)
from marketplace.models.users import User
from marketplace.platform import events, jobs
from marketplace.platform.audit import record
from marketplace.services.contracts import bookings, parties, vigilance
from marketplace.services.contracts.rules import SIGNATURE_STATEMENT
from marketplace.services.contracts.terms import Terms, describe_slots, slots_to_week


@dataclass
class SignatureData:
    full_name: str
    read_and_approved: bool
    document_hash: str
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Signed:
    """What a signature did: recorded only, started (or amended) the contract, or hit taken weekdays."""

    signature: ContractSignature | None
    completed: bool = False
    conflict: str | None = None


def _plain_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join((text or "").lower().replace("-", " ").split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expected_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def awaiting_signature(contract: Contract) -> ContractVersion | None:
    """The agreed version whose PDF is ready to sign, if any."""
    latest = contract.latest_version
    if latest is not None and latest.status == VersionStatus.AGREED.value and latest.document_hash:
        return latest
    return None


def signature_of(contract: Contract, number: int, party: str) -> ContractSignature | None:
    return next((s for s in contract.signatures if s.version_number == number and s.party == party), None)


def sign(
    session: Session,
    contract: Contract,
    actor: User,
    data: SignatureData,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Signed:
    """Sign the version awaiting signatures; the second signature starts the contract or the amendment."""
    party = parties.require_party(actor, contract)
    if not parties.may_sign(actor, contract):
        raise DomainError(_l("Seul un responsable de l'entreprise peut signer ses contrats : demandez-lui de se connecter."))
    contract = parties.lock(session, contract.id)
    today, now = today or today_paris(), now or utcnow()
    version = awaiting_signature(contract)
    if version is None:
        raise DomainError(_l("Aucune version n'attend de signature : le document a peut-être été modifié entre-temps."))
    if (data.document_hash or "").strip().lower() != version.document_hash:
        raise DomainError(_l("Le document a changé depuis que vous l'avez ouvert : relisez la version affichée, puis signez."))
    if signature_of(contract, version.number, party) is not None:
        raise DomainError(_l("Vous avez déjà signé cette version : elle attend la signature de l'autre partie."))
    errors = []
    expected = expected_name(actor)
    if not (data.full_name or "").strip():
        errors.append(DomainError(_l("Tapez votre nom complet : « %(expected)s ».", expected=expected), "full_name"))
    elif _plain_name(data.full_name) != _plain_name(expected):
        errors.append(DomainError(_l("Tapez votre nom tel qu'il figure sur votre compte : « %(expected)s ».", expected=expected), "full_name"))
    if not data.read_and_approved:
        errors.append(DomainError(_l("Cochez « %(SIGNATURE_STATEMENT)s » pour signer.", SIGNATURE_STATEMENT=SIGNATURE_STATEMENT), "read_and_approved"))
    raise_if_any(errors)

    last = signature_of(contract, version.number, parties.other(party)) is not None
    proposed = Terms.from_content(version.content)
    certificate = None
    if last:
        if version.kind == VersionKind.INITIAL.value:
            certificate = vigilance.check_activation(session, contract, proposed, today)
        starts_on = version.effective_from or proposed.start_date
        conflict = bookings.reserve(session, contract, slots_to_week(proposed.slots), starts_on)
        if conflict:
            _back_to_drafting(session, contract, version, party, actor, conflict, now)
            return Signed(None, conflict=conflict)

    signature = ContractSignature(
        contract_id=contract.id, version_number=version.number, party=party, signer_id=actor.id,
        signer_name=" ".join(data.full_name.split()), signed_at=now, ip_address=data.ip_address,
        user_agent=(data.user_agent or "")[:255] or None, document_hash=version.document_hash,
        read_and_approved=True,
    )
    session.add(signature)
    session.flush()
    session.expire(contract, ["signatures"])
    record(session, actor, "contract.signed", contract, ip_address=data.ip_address, at=now, details={
        "version": version.number, "party": party, "document_hash": version.document_hash, "last": last,
    })
    if not last:
        parties.notify(session, contract, _l("À vous de signer : %(title)s", title=contract.title), [
            _l("%(party_name)s a signé la version %(number)s du contrat. Il ne manque plus que votre signature.", party_name=parties.party_name(contract, party), number=version.number),
        ], to=(parties.other(party),), action=_l("Relire et signer"))
        return Signed(signature)

    version.status = VersionStatus.SIGNED.value
    if version.kind == VersionKind.INITIAL.value:
        _activate(session, contract, version, proposed, party, certificate, now)
    else:
        _amendment_signed(session, contract, version, proposed, today, now)
    jobs.enqueue(session, "contracts.seal", version.id, dedupe_key=f"contract-seal-{version.id}")
    return Signed(signature, completed=True)


def _activate(session: Session, contract: Contract, version: ContractVersion, terms: Terms, party: str,
              certificate, now: datetime) -> None:
    terms.apply_to(contract)
    contract.signed_version = version.number
    contract.document_hash = version.document_hash
    contract.activated_at = now
    contract.blocked_reason = None
    if certificate is not None:
        contract.vigilance_document_id = certificate.id
    parties.set_status(session, contract, ContractStatus.ACTIVE, party)
    record(session, None, "contract.activated", contract, at=now, details={
        "version": version.number, "slots": list(contract.slots), "start_date": contract.start_date.isoformat(),
    })
    parties.notify(session, contract, _l("Contrat signé : %(title)s", title=contract.title), [
        _l("%(legal_name)s et %(display_name)s ont signé le contrat. Il démarre le %(date)s.", legal_name=contract.company.legal_name, display_name=contract.freelancer.display_name, date=date_fr(contract.start_date)),
        _l("Jours réservés : %(describe_slots)s. Ils sont désormais indisponibles pour tout autre client.", describe_slots=Later(describe_slots, contract.slots)),
        _l("Le PDF signé et scellé par la plateforme sera joint à la page du contrat dans quelques instants."),
    ])


def _amendment_signed(session: Session, contract: Contract, version: ContractVersion, terms: Terms,
                      today: date, now: datetime) -> None:
    """Half days the amendment adds are held from now; those it gives up are released on its date."""
    given_up = bookings.held(contract) - slots_to_week(terms.slots)
    bookings.schedule_release(contract, given_up, version.effective_from)
    record(session, None, "contract.amendment_signed", contract, at=now, details={
        "version": version.number, "effective_from": version.effective_from.isoformat(),
    })
    parties.notify(session, contract, _l("Avenant signé : %(title)s", title=contract.title), [
        _l("L'avenant (version %(number)s) est signé par les deux parties. Il s'applique à partir du %(date)s.", number=version.number, date=date_fr(version.effective_from)),
        _l("Jours à partir de cette date : %(describe_slots)s.", describe_slots=Later(describe_slots, terms.slots)),
    ])
    if version.effective_from <= today:
        apply_amendment(session, contract, version, today, now)


def apply_amendment(session: Session, contract: Contract, version: ContractVersion, today: date,
                    now: datetime | None = None) -> None:
    """The amendment's date has come: its terms are in force, the half days it gave up are free."""
    if version.applied_at is not None:
        return
    Terms.from_content(version.content).apply_to(contract)
    contract.signed_version = version.number
    contract.document_hash = version.document_hash
    if version.sealed_document_id is not None:
        contract.document_id = version.sealed_document_id
    version.applied_at = now or utcnow()
    session.flush()
    bookings.release_due(session, today)
    events.bookings_changed.send(session, freelancer_id=contract.freelancer_id)
    record(session, None, "contract.amendment_applied", contract, at=version.applied_at, details={"version": version.number})


def _back_to_drafting(session: Session, contract: Contract, version: ContractVersion, party: str, actor: User,
                      reason: str, now: datetime) -> None:
    """The weekdays were taken meanwhile: the version is dropped and (before the start) drafting resumes."""
    version.status = VersionStatus.WITHDRAWN.value
    version.closed_reason = reason
    contract.blocked_reason = reason
    if version.kind == VersionKind.INITIAL.value:
        copy = ContractVersion(
            contract_id=contract.id, number=version.number + 1, kind=VersionKind.INITIAL.value,
            status=VersionStatus.PROPOSED.value, content=dict(version.content), proposed_by="platform",
            created_at=now, effective_from=version.effective_from,
            note="Reprise de la version précédente : choisissez d'autres jours, puis acceptez.",
        )
        session.add(copy)
        contract.version = copy.number
        parties.set_status(session, contract, ContractStatus.DRAFT, party)
    session.flush()
    session.expire(contract, ["versions"])
    record(session, actor, "contract.weekdays_taken", contract, reason=reason, at=now, details={"version": version.number})
    parties.notify(session, contract, _l("Jours indisponibles : %(title)s", title=contract.title), [reason])


def party_label(party: str) -> str:
    return "l'entreprise" if party == Party.SME.value else "le freelance"
