"""URSSAF vigilance on contracts: a recent attestation before a large contract starts, then every 6 months.

The client must hold an « attestation de vigilance » less than 6 months old when a
contract reaches 5 000 € HT (``legal.VIGILANCE_THRESHOLD_CENTS``), and a fresh one every
6 months until the end. The freelancer's certificate is the one the vetting checks
(uploaded with its issue date and security code); this module decides whether it
covers a contract, refuses the activation otherwise, asks for a fresh one ahead of its
expiry and lets the SME download it from the contract page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.formatting import date_fr, euros
from marketplace.models.contracts import Contract, ContractStatus, Party
from marketplace.models.documents import Document, DocumentKind
from marketplace.models.users import User
from marketplace.platform import storage
from marketplace.platform.audit import record
from marketplace.services.contracts import parties
from marketplace.services.contracts.rules import (
    VIGILANCE_NOTICE,
    VIGILANCE_REMINDER_EVERY,
)
from marketplace.services.contracts.terms import Terms


def certificate(session: Session, profile_id: int) -> Document | None:
    """The freelancer's current (not superseded) vigilance certificate."""
    return storage.live_for_profile(session, profile_id, [DocumentKind.URSSAF_CERTIFICATE]).get(
        DocumentKind.URSSAF_CERTIFICATE.value
    )


def valid_until(document: Document | None) -> date | None:
    """The last day the certificate is less than 6 months old (None: no date, or refused by the vetting)."""
    if document is None or document.issued_on is None:
        return None
    if document.verified_by_id is not None and document.verified_at is None:
        return None  # the security code was checked and not recognised
    return legal.urssaf_expiry(document.issued_on)


def valid_on(document: Document | None, day: date) -> bool:
    until = valid_until(document)
    return until is not None and document.issued_on <= day <= until


@dataclass(frozen=True)
class Vigilance:
    """Where a contract stands with the vigilance rule (shown on its page)."""

    required: bool
    value_cents: int
    certificate: Document | None
    valid: bool
    valid_until: date | None

    @property
    def summary(self) -> str:
        if not self.required:
            return (f"Montant prévu {euros(self.value_cents)} HT : sous le seuil de "
                    f"{euros(legal.VIGILANCE_THRESHOLD_CENTS)}, aucune attestation de vigilance n'est exigée.")
        if self.valid:
            return (f"Montant prévu {euros(self.value_cents)} HT : attestation de vigilance URSSAF valable "
                    f"jusqu'au {date_fr(self.valid_until)}.")
        if self.certificate is None:
            return (f"Montant prévu {euros(self.value_cents)} HT (seuil {euros(legal.VIGILANCE_THRESHOLD_CENTS)}) : "
                    "une attestation de vigilance URSSAF de moins de 6 mois est exigée avant le démarrage, "
                    "et le freelance n'en a pas déposé.")
        return (f"Montant prévu {euros(self.value_cents)} HT (seuil {euros(legal.VIGILANCE_THRESHOLD_CENTS)}) : "
                "l'attestation de vigilance URSSAF déposée a plus de 6 mois ou n'a pas été reconnue ; "
                "une attestation récente est exigée avant le démarrage.")


def certificates(session: Session, profile_ids) -> dict[int, Document]:
    """Each freelancer's current vigilance certificate, in one query (for lists of contracts)."""
    ids = sorted({i for i in profile_ids if i is not None})
    if not ids:
        return {}
    rows = session.scalars(
        select(Document)
        .where(Document.profile_id.in_(ids), Document.superseded_at.is_(None),
               Document.kind == DocumentKind.URSSAF_CERTIFICATE.value)
        .order_by(Document.created_at, Document.id)
    )
    return {doc.profile_id: doc for doc in rows}  # the latest wins, as in ``certificate``


def status(session: Session, contract: Contract, terms: Terms, today: date) -> Vigilance:
    return status_with(certificate(session, contract.freelancer_id), terms, today)


def status_with(document: Document | None, terms: Terms, today: date) -> Vigilance:
    """Where a contract of ``terms`` stands with the freelancer's certificate ``document``."""
    value = terms.value_cents
    return Vigilance(legal.vigilance_required(value), value, document, valid_on(document, today), valid_until(document))


def check_activation(session: Session, contract: Contract, terms: Terms, today: date) -> Document | None:
    """Refuse to start a contract of 5 000 € HT or more without a certificate under 6 months old."""
    state = status(session, contract, terms, today)
    if state.required and not state.valid:
        raise DomainError(
            _l("Ce contrat ne peut pas démarrer : %(summary)s %(display_name)s doit déposer une attestation récente depuis son profil (Documents) ; la signature sera alors possible.", summary=state.summary, display_name=contract.freelancer.display_name)
        )
    return state.certificate if state.required else None


def request_certificate(session: Session, contract: Contract, actor: User | None, now: datetime | None = None) -> None:
    """Ask the freelancer for a fresh certificate, and tell the company it was asked."""
    if actor is not None and parties.party_of(actor, contract) != Party.SME.value:
        raise DomainError(_l("Seule l'entreprise cliente demande l'attestation de vigilance de son prestataire."))
    if contract.status in (ContractStatus.ENDED.value, ContractStatus.CANCELLED.value):
        raise DomainError(_l("Ce contrat est terminé : aucune attestation n'est plus exigée."))
    now = now or utcnow()
    contract.vigilance_requested_at = now
    name = contract.freelancer.display_name
    parties.notify(session, contract, _l("Attestation de vigilance URSSAF à renouveler"), [
        _l("Votre contrat avec %(legal_name)s dépasse %(amount)s HT : la loi impose à votre client de détenir une attestation de vigilance URSSAF de moins de 6 mois, renouvelée tous les 6 mois.", legal_name=contract.company.legal_name, amount=euros(legal.VIGILANCE_THRESHOLD_CENTS)),
        _l("Téléchargez-la sur urssaf.fr (rubrique « Mes attestations ») et déposez-la dans votre profil, "
        "avec son code de sécurité."),
    ], to=(Party.FREELANCER.value,), action=_l("Ouvrir le contrat"))
    parties.notify(session, contract, _l("Attestation de vigilance demandée à %(name)s", name=name), [
        _l("Nous avons demandé à %(name)s une attestation de vigilance URSSAF récente pour votre contrat « %(title)s ». Vous la téléchargerez depuis la page du contrat dès son dépôt.", name=name, title=contract.title),
    ], to=(Party.SME.value,))
    record(session, actor, "contract.vigilance_requested", contract, details={"freelancer_id": contract.freelancer_id})


def run_reminders(session: Session, today: date, now: datetime | None = None) -> dict[str, int]:
    """Daily: ask for a fresh certificate 30 days before the current one turns 6 months; note new ones.

    A contract is asked once, then every 14 days while nothing new arrives; a certificate
    deposited since the last check is recorded on the contract and the company told.
    """
    now = now or utcnow()
    counts = {"asked": 0, "renewed": 0}
    rows = session.scalars(
        select(Contract).where(Contract.status.in_([ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value]))
        .order_by(Contract.id)
    ).all()
    for contract in rows:
        terms = Terms.from_contract(contract)
        if not legal.vigilance_required(terms.value_cents):
            continue
        document = certificate(session, contract.freelancer_id)
        until = valid_until(document)
        fresh = until is not None and until - today > VIGILANCE_NOTICE
        if fresh:
            if contract.vigilance_document_id != document.id:
                contract.vigilance_document_id = document.id
                contract.vigilance_requested_at = None
                parties.notify(session, contract, _l("Nouvelle attestation de vigilance disponible"), [
                    _l("%(display_name)s a déposé une attestation de vigilance URSSAF valable jusqu'au %(date)s. Elle est téléchargeable depuis la page du contrat.", display_name=contract.freelancer.display_name, date=date_fr(until)),
                ], to=(Party.SME.value,))
                counts["renewed"] += 1
            continue
        if contract.vigilance_requested_at is not None and now - contract.vigilance_requested_at < VIGILANCE_REMINDER_EVERY:
            continue
        request_certificate(session, contract, None, now)
        counts["asked"] += 1
    session.flush()
    return counts
