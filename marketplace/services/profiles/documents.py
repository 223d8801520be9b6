"""Step 8: the documents the vetting needs, with the dates and code each kind requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import today as paris_today
from marketplace.errors import DomainError
from marketplace.models.documents import DOCUMENT_KIND_LABELS, Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.platform import storage as document_store
from marketplace.platform.audit import record
from marketplace.services.profiles.rules import (
    EXPIRY_WARNING_DAYS,
    PROFILE_DOCUMENT_KINDS,
)


def current_documents(session: Session, profile: FreelancerProfile) -> dict[str, Document]:
    """The profile's live document of each kind (superseded uploads are kept aside)."""
    return document_store.live_for_profile(session, profile.id, PROFILE_DOCUMENT_KINDS)


def upload_document(
    session: Session,
    profile: FreelancerProfile,
    *,
    kind: str,
    stream: BinaryIO,
    filename: str,
    issued_on: date | None = None,
    expires_on: date | None = None,
    security_code: str | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
    on: date | None = None,
) -> Document:
    """Check the dates and code a document kind needs, then store it (sniffed, bounded, private).

    ``on`` is the day of the upload (default today): the demo records its history with it.
    """
    if kind not in {k.value for k in PROFILE_DOCUMENT_KINDS}:
        raise DomainError("Type de justificatif inconnu.", "kind")
    now = on or paris_today()
    if issued_on is not None and issued_on > now:
        raise DomainError("La date d'émission ne peut pas être dans le futur.", "issued_on")
    code = None
    if kind == DocumentKind.URSSAF_CERTIFICATE.value:
        if issued_on is None:
            raise DomainError("Indiquez la date d'émission de l'attestation.", "issued_on")
        expires_on = legal.urssaf_expiry(issued_on)
        if expires_on < now:
            raise DomainError(
                "Cette attestation a plus de 6 mois : téléchargez-en une récente sur votre espace URSSAF.", "issued_on"
            )
        code = "".join((security_code or "").split()).upper()
        if not code:
            raise DomainError("Indiquez le code de sécurité imprimé sur l'attestation.", "security_code")
        if not re.fullmatch(r"[A-Z0-9]{10,20}", code):
            raise DomainError("Le code de sécurité se compose de lettres et de chiffres (15 caractères en général).", "security_code")
    elif kind == DocumentKind.INSURANCE.value:
        if expires_on is None:
            raise DomainError("Indiquez la date de fin de validité de l'attestation d'assurance.", "expires_on")
    if expires_on is not None and expires_on <= now:
        raise DomainError("Ce document a déjà expiré : envoyez un document en cours de validité.", "expires_on")
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        raise DomainError("La date d'expiration précède la date d'émission.", "expires_on")
    document = document_store.store_upload(
        session, owner=profile.user, kind=kind, stream=stream, filename=filename, profile_id=profile.id,
        issued_on=issued_on, expires_on=expires_on, security_code=code,
    )
    record(
        session, actor or profile.user, "document.uploaded", document,
        details={"kind": kind, "profile_id": profile.id}, ip_address=ip_address,
    )
    return document


@dataclass(frozen=True)
class ExpiringDocument:
    document: Document
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        return DOCUMENT_KIND_LABELS[DocumentKind(self.document.kind)]


def expiring_documents(
    session: Session, profile: FreelancerProfile, within_days: int = EXPIRY_WARNING_DAYS, on: date | None = None
) -> list[ExpiringDocument]:
    """Live documents expired or expiring within ``within_days``, soonest first."""
    now = on or paris_today()
    soon = [
        ExpiringDocument(doc, (doc.expires_on - now).days)
        for doc in current_documents(session, profile).values()
        if doc.expires_on is not None and (doc.expires_on - now).days <= within_days
    ]
    return sorted(soon, key=lambda e: e.days_left)
