"""Check results, and the checks of business identifiers and documents.

Each check returns an :class:`Outcome` (status, French summary, JSON details, expiry);
:mod:`.running` stores outcomes on ``VettingCheck`` rows, one row per profile, kind
and subject, so a rerun updates the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from marketplace.domain import LEGAL_FORM_LABELS, N_, LegalForm, VatRegime
from marketplace.errors import DomainError
from marketplace.formatting import PARIS, date_fr
from marketplace.legal import urssaf_expiry
from marketplace.models.documents import Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.vetting import CheckKind, CheckStatus
from marketplace.platform import identifiers
from marketplace.platform import storage as documents
from marketplace.services.vetting import rules
from marketplace.services.vetting.files import inspect_document

CHECK_LABELS: dict[str, str] = {
    CheckKind.SIRET: N_("SIRET"),
    CheckKind.VAT_NUMBER: N_("Numéro de TVA"),
    CheckKind.IBAN: N_("IBAN"),
    CheckKind.LEGAL_FORM: N_("Forme juridique et régime de TVA"),
    CheckKind.URSSAF_CERTIFICATE: N_("Attestation de vigilance URSSAF"),
    CheckKind.REGISTRATION_PROOF: N_("Justificatif d'immatriculation"),
    CheckKind.INSURANCE: N_("Assurance RC Pro"),
    CheckKind.IDENTITY: N_("Pièce d'identité"),
    CheckKind.REFERENCES: N_("Références"),
    CheckKind.DUPLICATES: N_("Doublons et fraude"),
    CheckKind.EXPERIENCE: N_("Cohérence de l'expérience"),
}
STATUS_LABELS: dict[str, str] = {
    CheckStatus.PENDING: N_("En attente"),
    CheckStatus.RUNNING: N_("En cours"),
    CheckStatus.PASSED: N_("Conforme"),
    CheckStatus.WARNING: N_("À examiner"),
    CheckStatus.FAILED: N_("Non conforme"),
    CheckStatus.ERROR: N_("Erreur"),
}
# Short names of the vetted documents, as the console says them.
DOCUMENT_LABELS: dict[str, str] = {
    DocumentKind.URSSAF_CERTIFICATE: N_("attestation URSSAF"),
    DocumentKind.REGISTRATION_PROOF: N_("justificatif d'immatriculation"),
    DocumentKind.INSURANCE: N_("assurance RC Pro"),
    DocumentKind.IDENTITY: N_("pièce d'identité"),
}
DOCUMENT_CHECKS: dict[DocumentKind, CheckKind] = {
    DocumentKind.URSSAF_CERTIFICATE: CheckKind.URSSAF_CERTIFICATE,
    DocumentKind.REGISTRATION_PROOF: CheckKind.REGISTRATION_PROOF,
    DocumentKind.INSURANCE: CheckKind.INSURANCE,
    DocumentKind.IDENTITY: CheckKind.IDENTITY,
}


@dataclass
class Outcome:
    """The result of one check, before it is stored."""

    kind: CheckKind
    status: CheckStatus
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    expires_at: datetime | None = None


def end_of_day_utc(day: date) -> datetime:
    """The instant a day ends in Europe/Paris, in UTC (a document valid "until" that day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)


# --- identifiers ---------------------------------------------------------------------


def check_siret(profile: FreelancerProfile) -> Outcome:
    """SIRET present and valid (Luhn; La Poste exception handled by python-stdnum)."""
    kind = CheckKind.SIRET
    if not profile.siret:
        return Outcome(kind, CheckStatus.FAILED, "SIRET non renseigné.")
    try:
        siret = identifiers.validate_siret(profile.siret)
    except DomainError as exc:
        return Outcome(kind, CheckStatus.FAILED, exc.message, {"siret": profile.siret})
    details = {"siret": siret, "siren": siret[:9], "formatted": identifiers.format_siret(siret)}
    if siret.startswith("356000000"):
        details["la_poste"] = True
    return Outcome(kind, CheckStatus.PASSED, f"SIRET {details['formatted']} valide (clé de contrôle correcte).", details)


def check_vat_number(profile: FreelancerProfile) -> Outcome:
    """A VAT number when liable, and its key matching the SIREN."""
    kind = CheckKind.VAT_NUMBER
    regime = profile.vat_regime
    if regime not in VatRegime.values():
        return Outcome(kind, CheckStatus.FAILED, "Régime de TVA non renseigné (franchise en base ou assujetti).")
    siren = None
    if profile.siret:
        try:
            siren = identifiers.validate_siret(profile.siret)[:9]
        except DomainError:
            siren = None
    details: dict[str, Any] = {"regime": regime}
    if siren:
        details["expected"] = identifiers.vat_number_for_siren(siren)
    if not profile.vat_number:
        if regime == VatRegime.FRANCHISE.value:
            return Outcome(
                kind, CheckStatus.PASSED,
                "Franchise en base de TVA (art. 293 B du CGI) : pas de numéro de TVA requis.", details,
            )
        return Outcome(kind, CheckStatus.FAILED, "Assujetti à la TVA mais aucun numéro de TVA intracommunautaire.", details)
    try:
        number = identifiers.validate_fr_vat(profile.vat_number, siren)
    except DomainError as exc:
        details["vat_number"] = profile.vat_number
        return Outcome(kind, CheckStatus.FAILED, exc.message, details)
    details["vat_number"] = number
    if siren is None:
        return Outcome(kind, CheckStatus.WARNING, f"Numéro {number} valide, mais le SIRET ne permet pas de vérifier sa clé.", details)
    suffix = " (franchise déclarée : numéro conservé pour les achats intracommunautaires)" if regime == VatRegime.FRANCHISE.value else ""
    return Outcome(kind, CheckStatus.PASSED, f"Numéro {number} valide et correspondant au SIREN {siren}{suffix}.", details)


def check_iban(profile: FreelancerProfile) -> Outcome:
    """IBAN checksum and country format; the country must be reachable by SEPA transfer."""
    kind = CheckKind.IBAN
    if not profile.iban:
        return Outcome(kind, CheckStatus.FAILED, "IBAN non renseigné : les virements au freelance sont impossibles.")
    try:
        iban = identifiers.validate_iban(profile.iban)
    except DomainError as exc:
        return Outcome(kind, CheckStatus.FAILED, exc.message, {"iban": _mask_iban(profile.iban)})
    country = iban[:2]
    details = {"iban": _mask_iban(iban), "country": country}
    if country not in rules.SEPA_COUNTRIES:
        return Outcome(kind, CheckStatus.FAILED, f"IBAN {country} hors de la zone SEPA : les virements ne sont pas possibles.", details)
    if country != "FR":
        return Outcome(kind, CheckStatus.WARNING, f"IBAN étranger ({country}, zone SEPA) : vérifiez que le compte est au nom du freelance.", details)
    return Outcome(kind, CheckStatus.PASSED, "IBAN français valide (clé de contrôle correcte).", details)


def _mask_iban(value: str) -> str:
    compact = identifiers.clean_digits(value).upper()
    return compact[:4] + "…" + compact[-4:] if len(compact) > 8 else compact


EI_MENTION = re.compile(r"(\bEI\b|entrepreneur individuel|entrepreneuse individuelle)", re.IGNORECASE)


def check_legal_form(profile: FreelancerProfile) -> Outcome:
    """The legal form is known and consistent with the VAT regime and invoice mentions."""
    kind = CheckKind.LEGAL_FORM
    form, regime = profile.legal_form, profile.vat_regime
    if form not in LegalForm.values():
        return Outcome(kind, CheckStatus.FAILED, "Forme juridique non renseignée.")
    label = LEGAL_FORM_LABELS[LegalForm(form)]
    details = {"legal_form": form, "vat_regime": regime}
    if regime not in VatRegime.values():
        return Outcome(kind, CheckStatus.FAILED, f"{label} : régime de TVA non renseigné.", details)
    if form == LegalForm.PORTAGE.value and regime == VatRegime.FRANCHISE.value:
        return Outcome(
            kind, CheckStatus.FAILED,
            "Portage salarial : la société de portage facture avec TVA, la franchise en base ne s'applique pas.", details,
        )
    if form in (LegalForm.MICRO.value, LegalForm.EI.value) and not EI_MENTION.search(profile.business_name or ""):
        return Outcome(
            kind, CheckStatus.WARNING,
            f"{label} : la dénomination « {profile.business_name or '—'} » doit porter la mention « EI » "
            "ou « Entrepreneur individuel » sur les factures.", details,
        )
    if form in (LegalForm.EURL.value, LegalForm.SASU.value) and regime == VatRegime.FRANCHISE.value:
        return Outcome(
            kind, CheckStatus.WARNING,
            f"{label} en franchise en base de TVA : possible mais inhabituel, à confirmer avec le freelance.", details,
        )
    regime_label = "franchise en base" if regime == VatRegime.FRANCHISE.value else "assujetti à la TVA"
    return Outcome(kind, CheckStatus.PASSED, f"{label}, {regime_label} : cohérent.", details)


def identifier_outcomes(session: Session, profile: FreelancerProfile) -> list[Outcome]:
    """The four identifier checks of a profile."""
    return [check_siret(profile), check_vat_number(profile), check_iban(profile), check_legal_form(profile)]


# --- documents -------------------------------------------------------------------------


def current_documents(session: Session, profile_id: int) -> dict[str, Document]:
    """The latest non-superseded document of each vetted kind."""
    return documents.live_for_profile(session, profile_id, rules.VETTED_DOCUMENTS)


def _doc_details(document: Document) -> dict[str, Any]:
    return {
        "document_id": document.id,
        "name": document.original_name,
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
    }


def _unreadable(kind: CheckKind, document: Document, inspection) -> Outcome | None:
    if not inspection.readable:
        details = _doc_details(document) | inspection.details()
        return Outcome(kind, CheckStatus.FAILED, f"{inspection.problem} Demandez un nouveau dépôt.", details)
    return None


def check_urssaf(document: Document | None, today: date) -> Outcome:
    """Attestation de vigilance: readable, less than 6 months old, security code verified."""
    kind = CheckKind.URSSAF_CERTIFICATE
    if document is None:
        return Outcome(kind, CheckStatus.FAILED, "Aucune attestation de vigilance URSSAF déposée.")
    inspection = inspect_document(document)
    refused = _unreadable(kind, document, inspection)
    if refused:
        return refused
    details = _doc_details(document) | inspection.details()
    if document.issued_on is None:
        return Outcome(kind, CheckStatus.FAILED, "Date de délivrance de l'attestation non renseignée.", details)
    if document.issued_on > today:
        return Outcome(kind, CheckStatus.FAILED, f"Date de délivrance dans le futur ({date_fr(document.issued_on)}).", details)
    expiry = urssaf_expiry(document.issued_on)
    details["valid_until"] = expiry.isoformat()
    details["security_code"] = document.security_code
    if document.security_code and inspection.text:
        details["code_found_in_document"] = _compact(document.security_code) in _compact(inspection.text)
    expires_at = end_of_day_utc(expiry)
    if today > expiry:
        return Outcome(
            kind, CheckStatus.FAILED,
            f"Attestation délivrée le {date_fr(document.issued_on)} : plus de 6 mois, expirée depuis le {date_fr(expiry)}.",
            details, expires_at=expires_at,
        )
    if document.verified_at is None and document.verified_by_id is not None:
        details["verification_note"] = document.verification_note
        return Outcome(
            kind, CheckStatus.FAILED,
            f"Code de sécurité non reconnu par l'URSSAF : {document.verification_note or 'sans précision'}.",
            details, expires_at=expires_at,
        )
    if document.verified_at is None:
        code = f" (code {document.security_code})" if document.security_code else " (code de sécurité non saisi)"
        return Outcome(
            kind, CheckStatus.WARNING,
            f"Valable jusqu'au {date_fr(expiry)} ; authenticité à vérifier sur le site de l'URSSAF{code}.",
            details, expires_at=expires_at,
        )
    details["verified_at"] = document.verified_at.isoformat()
    details["verification_note"] = document.verification_note
    summary = f"Valable jusqu'au {date_fr(expiry)} ; code de sécurité vérifié le {date_fr(document.verified_at)}."
    status = CheckStatus.PASSED
    if inspection.warning:
        status, summary = CheckStatus.WARNING, f"{summary} {inspection.warning}"
    return Outcome(kind, status, summary, details, expires_at=expires_at)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "").upper()


def check_insurance(document: Document | None, today: date) -> Outcome:
    """RC Pro certificate: readable and not expired (a warning within 30 days)."""
    kind = CheckKind.INSURANCE
    if document is None:
        return Outcome(kind, CheckStatus.FAILED, "Aucune attestation d'assurance RC Pro déposée.")
    inspection = inspect_document(document)
    refused = _unreadable(kind, document, inspection)
    if refused:
        return refused
    details = _doc_details(document) | inspection.details()
    if document.expires_on is None:
        return Outcome(kind, CheckStatus.WARNING, "Date de fin de validité non renseignée : à lire sur l'attestation.", details)
    expires_at = end_of_day_utc(document.expires_on)
    if today > document.expires_on:
        return Outcome(kind, CheckStatus.FAILED, f"Assurance expirée depuis le {date_fr(document.expires_on)}.", details, expires_at=expires_at)
    days_left = (document.expires_on - today).days
    if days_left <= rules.EXPIRY_WINDOW_DAYS:
        return Outcome(
            kind, CheckStatus.WARNING, f"Assurance valable jusqu'au {date_fr(document.expires_on)} (dans {days_left} jours).",
            details, expires_at=expires_at,
        )
    summary = f"Assurance valable jusqu'au {date_fr(document.expires_on)}."
    if inspection.warning:
        return Outcome(kind, CheckStatus.WARNING, f"{summary} {inspection.warning}", details, expires_at=expires_at)
    return Outcome(kind, CheckStatus.PASSED, summary, details, expires_at=expires_at)


def check_registration(document: Document | None, today: date) -> Outcome:
    """Proof of registration (Kbis, RNE extract, INSEE notice): present and readable."""
    kind = CheckKind.REGISTRATION_PROOF
    if document is None:
        return Outcome(kind, CheckStatus.FAILED, "Aucun justificatif d'immatriculation (Kbis, extrait RNE ou avis INSEE).")
    inspection = inspect_document(document)
    refused = _unreadable(kind, document, inspection)
    if refused:
        return refused
    details = _doc_details(document) | inspection.details()
    if inspection.warning:
        return Outcome(kind, CheckStatus.WARNING, f"Justificatif déposé. {inspection.warning}", details)
    issued = f", délivré le {date_fr(document.issued_on)}" if document.issued_on else ""
    return Outcome(kind, CheckStatus.PASSED, f"Justificatif d'immatriculation lisible{issued}.", details)


def check_identity(document: Document | None, today: date) -> Outcome:
    """Identity document: readable and not expired; its absence is only a warning."""
    kind = CheckKind.IDENTITY
    if document is None:
        return Outcome(kind, CheckStatus.WARNING, "Pièce d'identité non fournie.")
    inspection = inspect_document(document)
    refused = _unreadable(kind, document, inspection)
    if refused:
        return refused
    details = _doc_details(document) | inspection.details()
    if document.expires_on and today > document.expires_on:
        return Outcome(kind, CheckStatus.FAILED, f"Pièce d'identité expirée depuis le {date_fr(document.expires_on)}.", details)
    if inspection.warning:
        return Outcome(kind, CheckStatus.WARNING, f"Pièce déposée. {inspection.warning}", details)
    return Outcome(kind, CheckStatus.PASSED, "Pièce d'identité lisible.", details)


DOCUMENT_RUNNERS = {
    DocumentKind.URSSAF_CERTIFICATE: check_urssaf,
    DocumentKind.REGISTRATION_PROOF: check_registration,
    DocumentKind.INSURANCE: check_insurance,
    DocumentKind.IDENTITY: check_identity,
}


def reused_within(docs: dict[str, Document]) -> dict[str, list[str]]:
    """Kinds whose current document is the very file (same SHA-256) of other kinds, with those kinds.

    One scan uploaded as URSSAF certificate, Kbis, insurance and ID proves none of them.
    """
    by_hash: dict[str, list[str]] = {}
    for kind, document in docs.items():
        by_hash.setdefault(document.sha256, []).append(kind)
    return {
        kind: [other for other in kinds if other != kind]
        for kinds in by_hash.values() if len(kinds) > 1 for kind in kinds
    }


def _flag_reuse(outcome: Outcome, others: list[str]) -> Outcome:
    """A document whose file also stands for other kinds is at best « à examiner »."""
    names = ", ".join(DOCUMENT_LABELS[kind] for kind in others)
    outcome.details = {**outcome.details, "same_file_as": others}
    outcome.summary = f"{outcome.summary} Même fichier que : {names}."
    if outcome.status == CheckStatus.PASSED:
        outcome.status = CheckStatus.WARNING
    return outcome


def document_outcomes(session: Session, profile: FreelancerProfile, today: date) -> list[Outcome]:
    """One outcome per vetted document kind (the current document of that kind)."""
    docs = current_documents(session, profile.id)
    for doc in docs.values():
        apply_document_rules(doc)
    reused = reused_within(docs)
    outcomes = []
    for kind in rules.VETTED_DOCUMENTS:
        outcome = DOCUMENT_RUNNERS[kind](docs.get(kind.value), today)
        if kind.value in reused:
            outcome = _flag_reuse(outcome, reused[kind.value])
        outcomes.append(outcome)
    return outcomes


def apply_document_rules(document: Document) -> None:
    """Derive what the rules fix: an URSSAF certificate expires 6 months after its issue."""
    if document.kind == DocumentKind.URSSAF_CERTIFICATE.value and document.issued_on:
        limit = urssaf_expiry(document.issued_on)
        if document.expires_on is None or document.expires_on > limit:
            document.expires_on = limit
