"""Step 8: the documents the vetting needs, with the dates and code each kind requires."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import today as paris_today
from marketplace.errors import DomainError, raise_if_any
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
    Every field at fault is named at once (InvalidInput), the file's own problems included.
    """
    if kind not in {k.value for k in PROFILE_DOCUMENT_KINDS}:
        raise DomainError(_l("Type de justificatif inconnu."), "kind")
    errors, expires_on, code = _judge(kind, issued_on, expires_on, security_code, on or paris_today())
    content = b""
    try:
        content, _ = document_store.inspect_upload(stream)
    except DomainError as exc:
        errors.append(exc)
    raise_if_any(errors)
    document = document_store.store_upload(
        session, owner=profile.user, kind=kind, stream=io.BytesIO(content), filename=filename, profile_id=profile.id,
        issued_on=issued_on, expires_on=expires_on, security_code=code,
    )
    record(
        session, actor or profile.user, "document.uploaded", document,
        details={"kind": kind, "profile_id": profile.id}, ip_address=ip_address,
    )
    return document


def upload_errors(
    kind: str, *, stream: BinaryIO | None, issued_on: date | None = None, expires_on: date | None = None,
    security_code: str | None = None, on: date | None = None,
) -> list[DomainError]:
    """What :func:`upload_document` would refuse, every field at once — reading the file, storing nothing."""
    if kind not in {k.value for k in PROFILE_DOCUMENT_KINDS}:
        return [DomainError(_l("Type de justificatif inconnu."), "kind")]
    errors, _, _ = _judge(kind, issued_on, expires_on, security_code, on or paris_today())
    if stream is not None:
        try:
            document_store.inspect_upload(stream)
        except DomainError as exc:
            errors.append(exc)
    return errors


def _judge(kind: str, issued_on: date | None, expires_on: date | None, security_code: str | None,
           now: date) -> tuple[list[DomainError], date | None, str | None]:
    """The dates and code a kind needs: the refusals, the end of validity (computed for the URSSAF) and the code."""
    errors: list[DomainError] = []
    if issued_on is not None and issued_on > now:
        errors.append(DomainError(_l("La date d'émission ne peut pas être dans le futur."), "issued_on"))
    code = None
    if kind == DocumentKind.URSSAF_CERTIFICATE.value:
        if issued_on is None:
            errors.append(DomainError(_l("Indiquez la date d'émission de l'attestation."), "issued_on"))
            expires_on = None
        else:
            expires_on = legal.urssaf_expiry(issued_on)
            if expires_on < now:
                errors.append(DomainError(
                    _l("Cette attestation a plus de 6 mois : téléchargez-en une récente sur votre espace URSSAF."),
                    "issued_on"))
            elif expires_on == now:
                errors.append(DomainError(_l("Ce document a déjà expiré : envoyez un document en cours de validité."),
                                          "expires_on"))
        code = "".join((security_code or "").split()).upper()
        if not code:
            errors.append(DomainError(_l("Indiquez le code de sécurité imprimé sur l'attestation."), "security_code"))
        elif not re.fullmatch(r"[A-Z0-9]{10,20}", code):
            errors.append(DomainError(
                _l("Le code de sécurité se compose de lettres et de chiffres (15 caractères en général)."),
                "security_code"))
        return errors, expires_on, code
    if kind == DocumentKind.INSURANCE.value and expires_on is None:
        errors.append(DomainError(_l("Indiquez la date de fin de validité de l'attestation d'assurance."), "expires_on"))
    if expires_on is not None and expires_on <= now:
        errors.append(DomainError(_l("Ce document a déjà expiré : envoyez un document en cours de validité."),
                                  "expires_on"))
    elif issued_on is not None and expires_on is not None and expires_on < issued_on:
        errors.append(DomainError(_l("La date d'expiration précède la date d'émission."), "expires_on"))
    return errors, expires_on, code


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
