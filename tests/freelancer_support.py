"""Helpers for the freelancer-journey tests: sample files and a complete draft profile."""

from __future__ import annotations

import io
from datetime import timedelta

from marketplace.db import today
from marketplace.models.documents import DocumentKind
from marketplace.services.profiles import documents, mandate, rules
from tests.factories import ExperienceEntryFactory, FreelancerProfileFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."

LONG_BIO = (
    "Office manager depuis douze ans en PME et en scale-up, dont quatre en freelance à temps partagé. "
    "J'ai piloté le déménagement de nos bureaux (120 postes), créé le parcours d'intégration des nouveaux "
    "arrivants et mis en place la gestion des notes de frais sur Spendesk."
)


def document_values(kind: DocumentKind) -> dict:
    """Valid dates and code for each kind of profile document."""
    now = today()
    return {
        DocumentKind.URSSAF_CERTIFICATE: {"issued_on": now - timedelta(days=20), "security_code": "ABCDEF123456789"},
        DocumentKind.REGISTRATION_PROOF: {"issued_on": now - timedelta(days=40)},
        DocumentKind.INSURANCE: {"expires_on": now + timedelta(days=200)},
        DocumentKind.IDENTITY: {"expires_on": now + timedelta(days=2000)},
    }[kind]


def upload_all_documents(session, profile) -> None:
    for kind in rules.PROFILE_DOCUMENT_KINDS:
        documents.upload_document(
            session, profile, kind=kind.value, stream=io.BytesIO(PDF_BYTES), filename=f"{kind.value}.pdf",
            **document_values(kind),
        )


def complete_draft(session, **overrides):
    """A draft profile with everything the completeness rules ask for."""
    values = dict(
        status="draft", mandate_accepted_at=None, mandate_version=None, bio=LONG_BIO,
        business_name="Claire Durand EI", sub_skills=["moves", "onboarding"],
        billing_address_line="12 rue de la Paix", billing_postal_code="75002", billing_city="Paris",
    )
    values.update(overrides)
    profile = FreelancerProfileFactory(**values)
    ExperienceEntryFactory(profile=profile)
    mandate.accept_mandate(session, profile, ip_address="203.0.113.9")
    upload_all_documents(session, profile)
    session.flush()
    return profile


def request_context(app):
    """A request context: e-mail templates use the request-bound context processors."""
    return app.test_request_context("/")
