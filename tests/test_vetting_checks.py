"""Identifier and document checks: valid and invalid vectors (LEGAL.md and real formats)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.db import today
from marketplace.domain import add_months
from marketplace.legal import urssaf_expiry
from marketplace.models.documents import DocumentKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.vetting import CheckStatus
from marketplace.platform import storage as documents
from marketplace.services.vetting import checks
from marketplace.services.vetting.files import inspect_jpeg, inspect_pdf, inspect_png
from tests.factories import (
    AdminFactory,
    SubmittedProfileFactory,
    sample_pdf,
    sample_png,
    upload_document,
)

PASSED, WARNING, FAILED = CheckStatus.PASSED, CheckStatus.WARNING, CheckStatus.FAILED


def profile(**values) -> FreelancerProfile:
    """An unsaved profile: identifier checks read plain attributes only."""
    defaults = {"legal_form": "micro", "vat_regime": "franchise", "business_name": "Léa Roux EI"}
    return FreelancerProfile(**(defaults | values))


# --- identifiers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siret", "status", "words"),
    [
        ("73282932000074", PASSED, "732 829 320 00074 valide"),
        ("732 829 320 00074", PASSED, "valide"),
        ("35600000000001", PASSED, "valide"),  # La Poste: digit sum divisible by 5, not Luhn
        ("73282932000079", FAILED, "clé de contrôle"),
        ("35600000000002", FAILED, "clé de contrôle"),
        ("7328293200007", FAILED, "14 chiffres"),
        ("", FAILED, "non renseigné"),
    ],
)
def test_siret_vectors(siret, status, words):
    outcome = checks.check_siret(profile(siret=siret or None))
    assert outcome.status == status and words in outcome.summary
    if status == PASSED and siret.startswith("356"):
        assert outcome.details["la_poste"] is True


@pytest.mark.parametrize(
    ("regime", "vat", "siret", "status", "words"),
    [
        ("liable", "FR44732829320", "73282932000074", PASSED, "correspondant au SIREN 732829320"),
        ("liable", "FR 44 732 829 320", "73282932000074", PASSED, "FR44732829320 valide"),
        ("liable", "FR45732829320", "73282932000074", FAILED, "n'est pas valide"),
        ("liable", "FR44732829320", "40483304800014", FAILED, "attendu : FR83404833048"),
        ("liable", None, "73282932000074", FAILED, "aucun numéro"),
        ("franchise", None, "73282932000074", PASSED, "art. 293 B du CGI"),
        ("franchise", "FR44732829320", "73282932000074", PASSED, "franchise déclarée"),
        (None, None, "73282932000074", FAILED, "Régime de TVA non renseigné"),
        ("liable", "FR44732829320", "73282932000079", WARNING, "ne permet pas de vérifier"),
    ],
)
def test_vat_number_vectors(regime, vat, siret, status, words):
    outcome = checks.check_vat_number(profile(vat_regime=regime, vat_number=vat, siret=siret))
    assert outcome.status == status, outcome.summary
    assert words in outcome.summary


@pytest.mark.parametrize(
    ("iban", "status", "words"),
    [
        ("FR7630006000011234567890189", PASSED, "IBAN français valide"),
        ("FR76 3000 6000 0112 3456 7890 189", PASSED, "valide"),
        ("FR7630006000011234567890188", FAILED, "clé de contrôle"),
        ("DE89370400440532013000", WARNING, "zone SEPA"),
        ("BR1800360305000010009795493C1", FAILED, "hors de la zone SEPA"),
        ("FR76300060000112345678901", FAILED, "n'est pas valide"),
        (None, FAILED, "non renseigné"),
    ],
)
def test_iban_vectors(iban, status, words):
    outcome = checks.check_iban(profile(iban=iban))
    assert outcome.status == status and words in outcome.summary
    if iban:  # never the full number in details shown to operators
        assert "…" in outcome.details["iban"]


@pytest.mark.parametrize(
    ("values", "status", "words"),
    [
        ({"legal_form": "micro", "vat_regime": "franchise"}, PASSED, "cohérent"),
        ({"legal_form": "micro", "vat_regime": "liable"}, PASSED, "assujetti"),
        ({"legal_form": "ei", "vat_regime": "liable", "business_name": "Léa Roux, Entrepreneur individuel"}, PASSED, "cohérent"),
        ({"legal_form": "sasu", "vat_regime": "liable", "business_name": "ROUX Office SASU"}, PASSED, "cohérent"),
        ({"legal_form": "micro", "business_name": "Léa Roux Conseil"}, WARNING, "mention « EI »"),
        ({"legal_form": "eurl", "vat_regime": "franchise", "business_name": "ROUX EURL"}, WARNING, "inhabituel"),
        ({"legal_form": "portage", "vat_regime": "franchise"}, FAILED, "Portage salarial"),
        ({"legal_form": None}, FAILED, "Forme juridique non renseignée"),
        ({"legal_form": "micro", "vat_regime": None}, FAILED, "régime de TVA non renseigné"),
    ],
)
def test_legal_form_consistent_with_vat_regime(values, status, words):
    outcome = checks.check_legal_form(profile(**values))
    assert outcome.status == status and words in outcome.summary


# --- documents ----------------------------------------------------------------------------


def test_urssaf_expiry_is_six_months_from_issue_minus_a_day():
    assert urssaf_expiry(date(2026, 5, 10)) == date(2026, 11, 9)
    assert urssaf_expiry(date(2026, 8, 31)) == date(2027, 2, 27)  # 28 Feb is six months on
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


@pytest.fixture()
def submitted(app_ctx, db_session):
    return SubmittedProfileFactory()


def test_urssaf_valid_then_verified_then_rejected_code(submitted, db_session):
    day = today()
    doc = upload_document(submitted, DocumentKind.URSSAF_CERTIFICATE,
                          sample_pdf("Attestation de vigilance", "Code de sécurité : XK42 PL90 ZZ17"),
                          issued_on=day - timedelta(days=30), security_code="XK42PL90ZZ17")
    assert doc.expires_on == urssaf_expiry(day - timedelta(days=30))  # derived on upload
    outcome = checks.check_urssaf(doc, day)
    assert outcome.status == WARNING and "authenticité à vérifier" in outcome.summary
    assert outcome.details["code_found_in_document"] is True and outcome.details["pages"] == 1
    assert outcome.expires_at is not None

    admin = AdminFactory()
    doc.verified_by_id, doc.verified_at, doc.verification_note = admin.id, day_start(), "Vérifiée sur urssaf.fr"
    assert checks.check_urssaf(doc, day).status == PASSED

    doc.verified_at, doc.verification_note = None, "Code inconnu de l'URSSAF"
    outcome = checks.check_urssaf(doc, day)
    assert outcome.status == FAILED and "non reconnu" in outcome.summary


def day_start():
    from marketplace.db import utcnow

    return utcnow()


@pytest.mark.parametrize(
    ("age_days", "status", "words"),
    [(0, WARNING, "Valable jusqu'au"), (150, WARNING, "Valable"), (200, FAILED, "plus de 6 mois"), (-3, FAILED, "futur")],
)
def test_urssaf_age_vectors(submitted, age_days, status, words):
    doc = upload_document(submitted, DocumentKind.URSSAF_CERTIFICATE, issued_on=today() - timedelta(days=age_days))
    outcome = checks.check_urssaf(doc, today())
    assert outcome.status == status and words in outcome.summary


def test_urssaf_missing_or_without_issue_date(submitted):
    assert checks.check_urssaf(None, today()).status == FAILED
    doc = upload_document(submitted, DocumentKind.URSSAF_CERTIFICATE)
    outcome = checks.check_urssaf(doc, today())
    assert outcome.status == FAILED and "Date de délivrance" in outcome.summary


@pytest.mark.parametrize(
    ("days_left", "status", "words"),
    [(200, PASSED, "valable jusqu'au"), (20, WARNING, "dans 20 jours"), (0, WARNING, "dans 0 jours"), (-1, FAILED, "expirée")],
)
def test_insurance_vectors(submitted, days_left, status, words):
    doc = upload_document(submitted, DocumentKind.INSURANCE, expires_on=today() + timedelta(days=days_left))
    outcome = checks.check_insurance(doc, today())
    assert outcome.status == status and words in outcome.summary.lower()


def test_insurance_without_end_date_or_missing(submitted):
    assert checks.check_insurance(None, today()).status == FAILED
    doc = upload_document(submitted, DocumentKind.INSURANCE)
    assert checks.check_insurance(doc, today()).status == WARNING


def test_registration_proof_present_and_readable(submitted):
    assert checks.check_registration(None, today()).status == FAILED
    doc = upload_document(submitted, DocumentKind.REGISTRATION_PROOF, sample_png(1200, 1600), filename="kbis.png")
    outcome = checks.check_registration(doc, today())
    assert outcome.status == PASSED and outcome.details["width"] == 1200


def test_identity_absent_is_a_warning_and_tiny_scan_is_flagged(submitted):
    assert checks.check_identity(None, today()).status == WARNING
    doc = upload_document(submitted, DocumentKind.IDENTITY, sample_png(160, 120), filename="cni.png")
    outcome = checks.check_identity(doc, today())
    assert outcome.status == WARNING and "faible résolution" in outcome.summary


def test_a_file_altered_on_storage_or_gone_fails(submitted):
    doc = upload_document(submitted, DocumentKind.REGISTRATION_PROOF)
    path = documents.path_of(doc)
    path.write_bytes(path.read_bytes() + b"\n% edited\n")
    outcome = checks.check_registration(doc, today())
    assert outcome.status == FAILED and "modifié depuis son dépôt" in outcome.summary
    path.unlink()
    assert "introuvable" in checks.check_registration(doc, today()).summary


def test_unreadable_pdf_fails_with_a_reason(submitted):
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF\n"
    doc = upload_document(submitted, DocumentKind.INSURANCE, broken, expires_on=today() + timedelta(days=90))
    outcome = checks.check_insurance(doc, today())
    assert outcome.status == FAILED and "illisible" in outcome.summary.lower()


def test_file_inspection_vectors():
    pdf = sample_pdf("Attestation d'assurance", "Valable jusqu'au 31/12/2027")
    result = inspect_pdf(pdf)
    assert result.readable and "Attestation d'assurance" in result.text
    assert not inspect_pdf(pdf[:200] + b"%%EOF").readable

    png = sample_png(600, 800)
    assert inspect_png(png).facts == {"width": 600, "height": 800}
    corrupted = png[:40] + bytes([png[40] ^ 0xFF]) + png[41:]
    assert "corrompue" in inspect_png(corrupted).problem

    jpeg = (b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xc0\x00\x0b\x08\x04\xb0\x03\x20\x01\x01\x11\x00" + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
            + b"\x00" * 32 + b"\xff\xd9")
    assert inspect_jpeg(jpeg).facts == {"width": 800, "height": 1200}
    assert not inspect_jpeg(b"\xff\xd8\xff\xe0\x00\x10JF" + b"\xff\xd9").readable
