"""Operator safeguards: approving over open warnings takes a reason and a confirmation; reused files are flagged."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from marketplace.db import commit
from marketplace.models.audit import AuditLog
from marketplace.models.vetting import CheckStatus, VettingCheck
from marketplace.services.vetting import decisions
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    sample_pdf,
    upload_document,
)
from tests.vetting_support import answer_all, vetted


@pytest.fixture()
def admin(db_session):
    return AdminFactory(email="ops@om-partage.test", first_name="Alex", last_name="Opérateur")


def verify_urssaf(session, admin, profile):
    document_id = decisions.check_rows(session, profile.id)["urssaf_certificate"].details["document_id"]
    decisions.verify_document(session, admin, document_id, authentic=True, note="Code vérifié sur urssaf.fr", ip_address=None)
    commit(session)
    session.expire_all()


def page_text(response) -> str:
    """The visible text of a page (tags removed, entities decoded)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def checks_of(session, profile_id):
    session.expire_all()
    return {r.kind: r for r in session.scalars(
        select(VettingCheck).where(VettingCheck.profile_id == profile_id, VettingCheck.subject == ""))}


def test_approving_over_open_warnings_takes_a_reason_and_a_confirmation(client, db_session, admin, app):
    with app.app_context():
        profile = vetted(db_session)  # URSSAF code not verified, referees not answered: warnings open
    url = f"/admin/verification/{profile.id}"
    login(client, admin.email, PASSWORD)
    page = page_text(client.get(url))
    assert "alertes ouvertes" in page and "Attestation de vigilance URSSAF : à examiner" in page
    assert "Je confirme approuver ce profil malgré les alertes ouvertes" in page

    # One click: refused, both errors at once beside their fields, in French.
    response = client.post(f"{url}/approuver", data={"approve-note": ""})
    assert response.status_code == 200
    text = page_text(response)
    assert "écrivez pourquoi vous approuvez malgré tout" in text
    assert "Cochez la confirmation : vous approuvez ce profil en connaissance des alertes ouvertes." in text
    assert 'id="approve-note-error"' in response.text and 'id="approve-confirm-error"' in response.text
    # A reason without the confirmation is still refused, and the reason typed is kept.
    response = client.post(f"{url}/approuver", data={"approve-note": "Vu en entretien, pièces originales"})
    assert "Cochez la confirmation" in page_text(response) and "Vu en entretien, pièces originales" in response.text
    db_session.expire_all()
    assert profile.status == "submitted"
    assert db_session.scalars(select(AuditLog).where(AuditLog.action == "vetting.approved")).all() == []

    response = client.post(f"{url}/approuver", data={"approve-note": "Vu en entretien, pièces originales",
                                                     "approve-confirm": "y"}, follow_redirects=True)
    assert "Profil approuvé" in page_text(response)
    db_session.expire_all()
    assert profile.status == "approved"
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "vetting.approved")).one()
    assert entry.reason == "Vu en entretien, pièces originales"
    assert entry.details["confirmed_despite_warnings"] is True
    assert "Attestation de vigilance URSSAF : à examiner" in entry.details["warnings"]
    # The audit log shows the reason beside a readable action.
    audit = page_text(client.get("/admin/audit"))
    assert "Vu en entretien, pièces originales" in audit and "Profil approuvé" in audit


def test_references_answered_from_the_freelancers_ip_keep_the_approval_guarded(app_ctx, db_session, admin):
    profile = vetted(db_session)
    verify_urssaf(db_session, admin, profile)
    # The freelancer answered for their referees, from their own address.
    from marketplace.platform.audit import record

    record(db_session, profile.user, "account.login", profile.user, ip_address="198.51.100.7")
    commit(db_session)
    answer_all(db_session, profile, ip="198.51.100.7")
    from marketplace.services.vetting import running

    running.run(db_session, profile.id, "references")
    commit(db_session)
    warnings = decisions.open_warnings(db_session, profile.id)
    assert any(w.startswith("Références") and "à examiner" in w for w in warnings), warnings
    with pytest.raises(Exception) as error:
        decisions.approve(db_session, admin, profile.id, badges=[], note=None, ip_address=None)
    assert {e.field for e in error.value.errors} == {"note", "confirm"}


def test_one_file_for_several_documents_is_flagged(client, db_session, admin, app):
    with app.app_context():
        profile = vetted(db_session)
        one_liner = sample_pdf("Document")
        for kind in ("urssaf_certificate", "registration_proof", "insurance"):
            upload_document(profile, kind, one_liner, filename="scan.pdf",
                            **({"issued_on": profile.created_at.date(), "security_code": "X1"} if kind == "urssaf_certificate" else {}))
        commit(db_session)
        rows = checks_of(db_session, profile.id)
    assert rows["registration_proof"].status == CheckStatus.WARNING
    assert "Même fichier que : attestation URSSAF, assurance RC Pro." in rows["registration_proof"].summary
    assert rows["insurance"].details["same_file_as"] == ["urssaf_certificate", "registration_proof"]
    assert rows["identity"].details.get("same_file_as") is None
    with app.app_context():
        assert any(w.startswith("Justificatif d'immatriculation : à examiner") for w in decisions.open_warnings(db_session, profile.id))
    login(client, admin.email, PASSWORD)
    page = page_text(client.get(f"/admin/verification/{profile.id}"))
    assert page.count("Fichier réutilisé") == 3
    assert "Même fichier que : attestation URSSAF, justificatif d'immatriculation." in page


def test_one_file_on_two_profiles_is_flagged_on_both(client, db_session, admin, app):
    with app.app_context():
        first = vetted(db_session)
        second = vetted(db_session)
        same = sample_pdf("Attestation d'assurance RC Pro", "Copie")
        upload_document(first, "insurance", same, filename="rc.pdf", expires_on=first.created_at.date().replace(year=2099))
        commit(db_session)
        upload_document(second, "insurance", same, filename="rc-pro.pdf", expires_on=first.created_at.date().replace(year=2099))
        commit(db_session)
        first_signals = checks_of(db_session, first.id)["duplicates"].details["signals"]
        second_check = checks_of(db_session, second.id)["duplicates"]
    assert second_check.status == CheckStatus.WARNING
    assert [(s["kind"], s["profile_id"]) for s in second_check.details["signals"]] == [("document", first.id)]
    assert [(s["kind"], s["profile_id"]) for s in first_signals] == [("document", second.id)]
    login(client, admin.email, PASSWORD)
    page = client.get(f"/admin/verification/{second.id}")
    text = page_text(page)
    assert "Même fichier déposé (Attestation d'assurance responsabilité civile professionnelle)" in text
    assert f'href="/admin/verification/{first.id}"' in page.text and "Déposé aussi par" in text
    assert "Doublons et fraude : à examiner" in text


def test_approval_without_warnings_is_one_click(client, db_session, admin, app):
    with app.app_context():
        profile = vetted(db_session)
        verify_urssaf(db_session, admin, profile)
        answer_all(db_session, profile)
        assert decisions.open_warnings(db_session, profile.id) == []
    url = f"/admin/verification/{profile.id}"
    login(client, admin.email, PASSWORD)
    page = page_text(client.get(url))
    assert "alertes ouvertes" not in page and "Je confirme approuver" not in page
    response = client.post(f"{url}/approuver", data={"approve-badges": ["references_checked", "documents_checked"]},
                           follow_redirects=True)
    assert "Profil approuvé" in page_text(response)
    db_session.expire_all()
    assert profile.status == "approved"
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "vetting.approved")).one()
    assert entry.reason is None and entry.details["warnings"] == [] and entry.details["confirmed_despite_warnings"] is False
