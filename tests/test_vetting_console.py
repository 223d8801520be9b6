"""The admin vetting console over HTTP: access, queue, profile file, decisions, calendar, overview."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import commit, today, utcnow
from marketplace.models.audit import AuditLog
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    SmeUserFactory,
)
from tests.vetting_support import answer_all, vetted


@pytest.fixture()
def admin(db_session):
    return AdminFactory(email="ops@om-partage.test", first_name="Alex", last_name="Opérateur")


def admin_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, url, method


def test_every_admin_url_refuses_non_admins(app, client, db_session, freelancer):
    urls = list(admin_urls(app))
    vetting_endpoints = {endpoint for endpoint, _url, _m in urls if ".vetting_" in endpoint}
    assert len(vetting_endpoints) >= 12  # the whole console is covered, not a sample
    sme = SmeUserFactory(email="pme@exemple.test")
    for user, home in ((freelancer.user, "/freelance/"), (sme, "/entreprise/")):
        browser = app.test_client()
        login(browser, user.email, PASSWORD)
        for endpoint, url, method in urls:
            response = browser.open(url, method=method)
            assert response.status_code == 302 and response.headers["Location"] == home, (endpoint, method)
            response = browser.open(url, method=method, headers={"Accept": "application/json"})
            assert response.status_code == 403 and response.json["error"] == "forbidden", (endpoint, method)
    anonymous = app.test_client()
    for endpoint, url, method in urls:
        response = anonymous.open(url, method=method)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"], endpoint
        assert anonymous.open(url, method=method, headers={"Accept": "application/json"}).status_code == 401
    # Nothing was decided by anyone.
    assert db_session.scalars(select(AuditLog).where(AuditLog.action.like("vetting.%"))).all() == []


def test_admin_reaches_every_console_page(app, client, db_session, admin):
    with app.app_context():
        profile = vetted(db_session)
    login(client, admin.email, PASSWORD)
    for url in ("/admin/", "/admin/verification/", f"/admin/verification/{profile.id}", "/admin/verification/echeances",
                "/admin/verification/echeances?mois=2027-02", "/admin/verification/echeances?mois=n'importe"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/verification/999999").status_code == 404
    menu = client.get("/admin/").text
    assert 'href="/admin/verification/"' in menu and 'href="/admin/verification/echeances"' in menu


def test_queue_oldest_first_with_filters(client, db_session, admin, app):
    with app.app_context():
        recent = vetted(db_session, user__first_name="Récente", user__last_name="Martin")
        old = vetted(db_session, user__first_name="Ancienne", user__last_name="Durand")
        duplicate = vetted(db_session, user__first_name="Doublon", user__last_name="Petit", iban=recent.iban)
        old.submitted_at = utcnow() - timedelta(days=6)
        recent.submitted_at = utcnow() - timedelta(days=2)
        duplicate.submitted_at = utcnow() - timedelta(days=1)
        approved = vetted(db_session, user__first_name="Validée", user__last_name="Roux")
        approved.status = "approved"
        commit(db_session)
    login(client, admin.email, PASSWORD)
    page = client.get("/admin/verification/").text
    names = re.findall(r'/admin/verification/\d+">([^<]+)</a>', page)
    assert names == ["Ancienne Durand", "Récente Martin", "Doublon Petit"]
    assert "il y a 6 j" in page

    page = client.get("/admin/verification/?signal=doublons").text
    assert re.findall(r'/admin/verification/\d+">([^<]+)</a>', page) == ["Récente Martin", "Doublon Petit"]
    page = client.get("/admin/verification/?statut=approved").text
    assert re.findall(r'/admin/verification/\d+">([^<]+)</a>', page) == ["Validée Roux"]
    page = client.get("/admin/verification/?q=durand").text
    assert re.findall(r'/admin/verification/\d+">([^<]+)</a>', page) == ["Ancienne Durand"]


def test_profile_file_shows_checks_documents_answers_and_signals(client, db_session, admin, app):
    with app.app_context():
        other = vetted(db_session, user__first_name="Autre", user__last_name="Profil")
        profile = vetted(db_session, iban=other.iban)
        answer_all(db_session, profile)
    login(client, admin.email, PASSWORD)
    page = client.get(f"/admin/verification/{profile.id}").text
    for text in ("Vérifications automatiques", "SIRET", "Conforme", "authenticité à vérifier", "Même IBAN que Autre Profil",
                 "Rigoureuse et fiable.", "Oui, sans hésiter", "Cohérent : 10 ans déclarés", "Approuver le profil",
                 "Refuser le profil", "Envoyer la demande", "Enregistrer la vérification"):
        assert text in page, text
    previews = re.findall(r'<img src="/fichiers/(\d+)/apercu/0"', page)
    images = re.findall(r'<img src="/fichiers/(\d+)"', page)
    assert len(previews) == 3 and len(images) == 1  # three PDFs shown as images of their page, the identity scan
    preview = client.get(f"/fichiers/{previews[0]}/apercu/0")
    assert preview.status_code == 200 and preview.mimetype == "image/png" and preview.data.startswith(b"\x89PNG")
    assert preview.headers["Content-Security-Policy"].startswith("sandbox")
    pdf = client.get(f"/fichiers/{previews[0]}")  # the PDF itself is only ever downloaded
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")


def test_deciding_from_the_profile_page(client, db_session, admin, outbox, app):
    with app.app_context():
        profile = vetted(db_session)
        answer_all(db_session, profile)
    url = f"/admin/verification/{profile.id}"
    login(client, admin.email, PASSWORD)

    response = client.post(f"{url}/prendre-en-charge", follow_redirects=True)
    assert response.request.path == url and "Profil pris en charge" in response.text
    assert "Pris en charge par Alex Opérateur" in response.text

    # A refusal without a reason stays on the page, with the error beside the field.
    response = client.post(f"{url}/refuser", data={"reject-reason": ""})
    assert response.status_code == 200 and response.request.path == f"{url}/refuser"
    assert re.search(r'id="reject-reason-error">\s*<p class="field-error">Ce champ est obligatoire.', response.text)
    assert profile.status == "in_review"

    # The URSSAF code is not verified yet: an open warning, so one click is not enough.
    response = client.post(f"{url}/approuver", data={"approve-badges": ["references_checked"], "approve-note": ""})
    assert response.status_code == 200 and profile.status == "in_review"
    assert "écrivez pourquoi vous approuvez malgré tout" in html.unescape(response.text)
    assert "Cochez la confirmation" in html.unescape(response.text)
    # Approve with a justification and the confirmation.
    response = client.post(f"{url}/approuver", data={"approve-badges": ["references_checked"], "approve-confirm": "y",
                                                     "approve-note": "Code URSSAF vérifié par téléphone"},
                           follow_redirects=True)
    assert response.request.path == url and "Profil approuvé" in response.text
    db_session.expire_all()
    assert profile.status == "approved" and profile.badges == ["verified", "references_checked"]
    assert '<span class="badge success">Vérifié</span>' in response.text
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "vetting.approved")).one()
    assert entry.actor_id == admin.id and entry.ip_address == "127.0.0.1"
    assert entry.reason == "Code URSSAF vérifié par téléphone" and entry.details["confirmed_despite_warnings"]

    response = client.post(f"{url}/suspendre", data={"suspend-reason": "Attestation falsifiée signalée par une PME"},
                           follow_redirects=True)
    assert response.request.path == url and "Profil suspendu" in response.text
    assert profile.status == "suspended" and "Attestation falsifiée" in outbox.last_to(profile.user.email).body_text


def test_request_information_and_document_verification_over_http(client, db_session, admin, outbox, app):
    with app.app_context():
        profile = vetted(db_session)
    url = f"/admin/verification/{profile.id}"
    login(client, admin.email, PASSWORD)
    page = client.get(url).text
    document_id = re.search(r'action="/admin/verification/documents/(\d+)/controle"', page).group(1)
    response = client.post(f"/admin/verification/documents/{document_id}/controle",
                           data={"verify-result": "authentic", "verify-verification_note": ""})
    assert "Ce champ est obligatoire." in response.text
    response = client.post(f"/admin/verification/documents/{document_id}/controle",
                           data={"verify-result": "authentic", "verify-verification_note": "Code saisi sur urssaf.fr : authentique"},
                           follow_redirects=True)
    assert "Vérification de l'attestation enregistrée." in html.unescape(response.text)
    assert "code de sécurité vérifié le" in response.text

    response = client.post(f"{url}/demander-des-complements",
                           data={"info-missing": ["insurance", "references"], "info-details": "Merci de préciser vos dates."},
                           follow_redirects=True)
    assert "Demande de compléments envoyée" in response.text
    assert profile.status == "draft" and "Éléments à compléter" in profile.status_reason
    assert "Merci de préciser vos dates." in outbox.last_to(profile.user.email).body_text


def test_calendar_lists_this_months_expiries_and_overdue_documents(client, db_session, admin, app):
    day = today()
    with app.app_context():
        soon = vetted(db_session, user__first_name="Bientôt", user__last_name="Échue")
        soon.status = "approved"
        commit(db_session)
        from marketplace.models.documents import Document

        insurance = db_session.scalar(select(Document).where(Document.profile_id == soon.id, Document.kind == "insurance"))
        insurance.expires_on = day
        late = vetted(db_session, user__first_name="Déjà", user__last_name="Expirée")
        late_doc = db_session.scalar(select(Document).where(Document.profile_id == late.id, Document.kind == "insurance"))
        late_doc.expires_on = day.replace(day=1) - timedelta(days=3)
        commit(db_session)
    login(client, admin.email, PASSWORD)
    page = client.get("/admin/verification/echeances").text
    this_month = page.split('id="ce-mois"')[1].split('id="echus"')[0]
    overdue = page.split('id="echus"')[1]
    assert "Bientôt Échue" in this_month and "dernier jour" in this_month
    assert "Déjà Expirée" in overdue and "expiré depuis" in overdue
    next_month = (day.replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    assert "Bientôt Échue" not in client.get(f"/admin/verification/echeances?mois={next_month}").text


def test_dashboard_overview_counts_median_and_approval_rate(client, db_session, admin, app):
    from marketplace.services.vetting import decisions

    with app.app_context():
        first, second, third = (vetted(db_session) for _ in range(3))
        for profile, hours in ((first, 10), (second, 30), (third, 50)):
            profile.submitted_at = utcnow() - timedelta(hours=hours)
        decisions.approve(db_session, admin, first.id, badges=[], note="Vu en entretien", confirmed=True, ip_address=None)
        decisions.approve(db_session, admin, second.id, badges=[], note="Vu en entretien", confirmed=True, ip_address=None)
        decisions.reject(db_session, admin, third.id, reason="Références non joignables", ip_address=None)
        vetted(db_session)  # still waiting
        commit(db_session)
    login(client, admin.email, PASSWORD)
    page = client.get("/admin/").text
    section = page.split('id="verification"')[1]
    assert "Vérification des profils" in section
    assert re.search(r'<span class="value">1</span><span class="label">à vérifier', section)
    assert "30 h" in section and "délai médian de décision" in section  # median of 10, 30 and 50 hours
    assert "67\u00a0%" in section and "sur 3 décisions" in section
    assert 'data-status="approved">Vérifié · 2</a>' in section
    assert 'data-status="rejected">Refusé · 1</a>' in section
