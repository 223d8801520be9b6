"""The freelancer pages: steps kept half-finished, French errors beside fields, uploads, privacy."""

from __future__ import annotations

import html as htmllib
import io
import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.db import today
from marketplace.models.documents import Document
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    ContractFactory,
    ExperienceEntryFactory,
    FreelancerProfileFactory,
    MissionFactory,
    ReferenceFactory,
)
from tests.freelancer_support import EXE_BYTES, PDF_BYTES, PNG_BYTES


@pytest.fixture()
def draft(db_session):
    return FreelancerProfileFactory(
        status="draft", siret=None, iban=None, vat_regime=None, legal_form=None, references=[],
        mandate_accepted_at=None, mandate_version=None, user__email="lea@example.test",
    )


@pytest.fixture()
def logged_in(client, draft):
    login(client, draft.user.email, PASSWORD)
    return client


def field_error(html: str, field: str) -> str:
    """The error text rendered beside a field."""
    match = re.search(rf'<div id="{field}-error">(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_a_half_finished_step_is_kept(logged_in, draft):
    response = logged_in.post(
        "/freelance/profil/presentation",
        data={"first_name": "Léa", "last_name": "Martin", "headline": "Office manager senior", "bio": "",
              "action": "stay"},
        follow_redirects=True,
    )
    assert "Étape enregistrée." in response.text
    page = logged_in.get("/freelance/profil/presentation").text
    assert 'value="Office manager senior"' in page
    assert "Présentez votre parcours en au moins 200 caractères" in page  # still listed as missing
    assert draft.headline == "Office manager senior"


def test_save_and_continue_goes_to_the_next_step(logged_in):
    response = logged_in.post(
        "/freelance/profil/presentation", data={"first_name": "Léa", "last_name": "Martin", "action": "next"}
    )
    assert response.headers["Location"] == "/freelance/profil/experience"


def test_a_wrong_siret_is_shown_beside_its_field_the_typed_values_stay_and_valid_ones_are_saved(logged_in, draft):
    response = logged_in.post(
        "/freelance/profil/entreprise",
        data={"legal_form": "micro", "siret": "73282932000079", "vat_regime": "franchise",
              "iban": "FR76 3000 6000 0112 3456 7890 189", "billing_city": "Lyon", "business_name": "Léa Martin EI"},
    )
    assert response.status_code == 200
    html = response.text
    assert field_error(html, "siret") == "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas."
    assert 'value="73282932000079"' in html  # what was typed is still there
    assert "Les autres informations de cette étape sont enregistrées" in html
    assert draft.iban == "FR7630006000011234567890189" and draft.siret is None
    assert draft.business_name == "Léa Martin EI"


def test_a_vat_number_of_another_siren_is_refused_beside_the_field(logged_in, draft):
    response = logged_in.post(
        "/freelance/profil/entreprise",
        data={"siret": "73282932000074", "vat_regime": "liable", "vat_number": "FR83404833048"},
    )
    assert "ne correspond pas à votre SIREN 732829320 (attendu : FR44732829320)" in field_error(response.text, "vat_number")


def test_a_wrong_iban_is_refused_beside_the_field(logged_in, draft):
    response = logged_in.post("/freelance/profil/entreprise", data={"iban": "FR7630006000011234567890188"})
    assert field_error(response.text, "iban") == "Cet IBAN n'est pas valide : vérifiez sa saisie (clé de contrôle)."


def test_skills_step_normalises_tools(logged_in, draft):
    logged_in.post(
        "/freelance/profil/competences",
        data={"level_people_culture": "4", "sub_people_culture": ["onboarding", "events"], "tools": ["Notion"],
              "other_tools": "notion, trello, Trello", **{f"level_{c}": "2" for c in
              ("operations_process", "finance_procurement", "facilities_workplace", "communication_coordination")}},
    )
    assert draft.tools == ["Notion", "Trello"]
    assert draft.skill_people_culture == 4 and draft.sub_skills == ["onboarding", "events"]
    page = logged_in.get("/freelance/profil/competences").text
    assert 'value="Trello"' in page  # the free tool comes back in the "other tools" field


def test_experience_positions_can_be_added_corrected_and_removed(logged_in, draft):
    response = logged_in.post(
        "/freelance/profil/experience/postes",
        data={"exp-title": "Office manager", "exp-organisation": "ACME", "exp-start_date": "2016-03",
              "exp-end_date": "2015-01"},
    )
    assert field_error(response.text, "exp-end_date") == "La date de fin précède la date de début."
    assert 'value="ACME"' in response.text
    logged_in.post(
        "/freelance/profil/experience/postes",
        data={"exp-title": "Office manager", "exp-organisation": "ACME", "exp-start_date": "2016-03"},
    )
    assert len(draft.experiences) == 1
    entry = draft.experiences[0]
    logged_in.post(
        f"/freelance/profil/experience/postes/{entry.id}",
        data={"exp-title": "Office manager senior", "exp-organisation": "ACME", "exp-start_date": "2016-03",
              "exp-is_freelance": "y"},
    )
    assert entry.title == "Office manager senior" and entry.is_freelance
    logged_in.post(f"/freelance/profil/experience/postes/{entry.id}/supprimer")
    assert draft.experiences == []


def test_availability_grid_saves_half_days_and_shows_the_maximum(logged_in, draft):
    logged_in.post("/freelance/profil/disponibilites", data={"slots": ["mon-am", "mon-pm", "wed-am"], "action": "stay"})
    assert draft.slots.pairs() == [("mon", "am"), ("mon", "pm"), ("wed", "am")]
    page = logged_in.get("/freelance/profil/disponibilites").text
    assert "Jusqu&#39;à 1,5 jour par semaine" in page


def test_booked_weekdays_are_shown_with_the_client_and_cannot_be_removed(logged_in, draft):
    draft.available_slots = 0b1111111111
    contract = ContractFactory(freelancer=draft, weekdays=["tue"], mission__company__legal_name="Atelier Lumen")
    page = logged_in.get("/freelance/profil/disponibilites").text
    assert page.count("Atelier Lumen") == 2  # tuesday morning and afternoon
    assert 'id="slot-tue-am"' not in page  # no checkbox to untick
    assert "dont 1 jour déjà réservé : 4 jours libres" in page
    response = logged_in.post("/freelance/profil/disponibilites", data={"slots": ["mon-am", "mon-pm"]})
    assert "Le mardi matin est réservé par votre contrat avec Atelier Lumen" in field_error(response.text, "slots")
    assert draft.available_slots == 0b1111111111
    # The grid as the browser sends it (booked slots kept) saves the change.
    logged_in.post("/freelance/profil/disponibilites", data={"slots": ["mon-am", "mon-pm", "tue-am", "tue-pm"]})
    assert [d for d, _ in draft.slots.pairs()] == ["mon", "mon", "tue", "tue"]
    assert contract.bookings


def test_mandate_acceptance_is_recorded_with_the_ip(client, draft):
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"  # the freelancer's own address, as the server sees it
    logged_in = login(client, draft.user.email, PASSWORD) and client
    response = logged_in.post("/freelance/profil/mandat", data={}, follow_redirects=True)
    assert "Cochez la case pour accepter le mandat." in response.text and draft.mandate_accepted_at is None
    logged_in.post("/freelance/profil/mandat", data={"accept": "y"}, headers={"X-Real-IP": "203.0.113.9"})
    assert draft.mandate_ip == "192.0.2.44" and draft.mandate_version == "2026-09"
    page = logged_in.get("/freelance/profil/mandat").text
    assert "Vous avez accepté ce mandat le" in page
    assert "entière responsabilité" in page and "15 jours" in page


# --- documents -------------------------------------------------------------------------


def _upload(client, kind, content, filename, **fields):
    # Encoded in memory: the test client would spool a large body to a temporary file.
    data = {f"{kind}-file": FileStorage(io.BytesIO(content), filename)}
    data.update({f"{kind}-{k}": v for k, v in fields.items()})
    boundary, body = encode_multipart(data)
    return client.post(
        f"/freelance/profil/justificatifs/{kind}", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_documents_are_uploaded_with_their_dates(logged_in, draft, db_session):
    issued = (today() - timedelta(days=10)).isoformat()
    response = _upload(logged_in, "urssaf_certificate", PDF_BYTES, "attestation.pdf", issued_on=issued, security_code="ABCD1234EFGH567")
    assert response.status_code == 302
    response = _upload(logged_in, "identity", PNG_BYTES, "cni.png")
    assert response.status_code == 302
    docs = db_session.query(Document).filter_by(profile_id=draft.id).all()
    assert {(d.kind, d.content_type) for d in docs} == {("urssaf_certificate", "application/pdf"), ("identity", "image/png")}
    page = logged_in.get("/freelance/profil/justificatifs").text
    assert "attestation.pdf" in page and "cni.png" in page


def test_a_renamed_executable_is_refused_beside_the_file_field(logged_in, draft, db_session):
    response = _upload(logged_in, "insurance", EXE_BYTES, "assurance.pdf", expires_on=(today() + timedelta(days=90)).isoformat())
    assert response.status_code == 422
    assert field_error(response.text, "insurance-file").startswith("Format non accepté")
    assert db_session.query(Document).filter_by(profile_id=draft.id).count() == 0


def test_a_file_over_the_limit_is_refused(app, logged_in, draft, db_session):
    limit = app.config["UPLOAD_MAX_BYTES"]
    just_over = b"%PDF-1.4\n" + b"0" * limit + b"\n%%EOF\n"
    response = _upload(logged_in, "identity", just_over, "scan.pdf")
    assert field_error(response.text, "identity-file") == "Le fichier dépasse la taille autorisée (10 Mo au plus)."
    far_over = b"%PDF-1.4\n" + b"0" * (limit + 1024 * 1024) + b"\n%%EOF\n"
    response = _upload(logged_in, "identity", far_over, "scan.pdf")
    assert response.status_code == 302 and response.headers["Location"] == "/freelance/profil/justificatifs"
    assert "dépasse la taille autorisée" in logged_in.get("/freelance/profil/justificatifs").text
    assert db_session.query(Document).filter_by(profile_id=draft.id).count() == 0


def test_an_urssaf_certificate_needs_its_code(logged_in):
    response = _upload(logged_in, "urssaf_certificate", PDF_BYTES, "a.pdf", issued_on=today().isoformat())
    assert field_error(response.text, "urssaf_certificate-security_code") == "Indiquez le code de sécurité imprimé sur l'attestation."


# --- references -------------------------------------------------------------------------


def test_references_can_be_added_edited_and_removed(logged_in, draft):
    response = logged_in.post(
        "/freelance/profil/references",
        data={"name": "Marie Curie", "company": "Radium", "role": "CEO", "email": "lea@example.test",
              "relationship_label": "Cliente actuelle"},
    )
    assert "une autre personne que vous" in field_error(response.text, "email")
    assert 'value="Marie Curie"' in response.text
    logged_in.post(
        "/freelance/profil/references",
        data={"name": "Marie Curie", "company": "Radium", "role": "CEO", "email": "marie@radium.test",
              "relationship_label": "Cliente actuelle", "is_current_client": "y"},
    )
    reference = draft.references[0]
    assert reference.is_current_client and reference.email == "marie@radium.test"
    logged_in.post(
        f"/freelance/profil/references/{reference.id}",
        data={"name": "Marie Curie", "company": "Radium SAS", "role": "CEO", "email": "marie@radium.test",
              "relationship_label": "Cliente actuelle"},
    )
    assert reference.company == "Radium SAS"
    logged_in.post(f"/freelance/profil/references/{reference.id}/supprimer")
    assert draft.references == []


# --- privacy: another freelancer's documents and drafts are 404 --------------------------------


def test_a_freelancer_never_sees_another_freelancers_documents_or_drafts(app, client, db_session, draft):
    with app.test_request_context():
        from marketplace.services.profiles import documents

        document = documents.upload_document(
            db_session, draft, kind="identity", stream=io.BytesIO(PDF_BYTES), filename="cni.pdf",
        )
    entry = ExperienceEntryFactory(profile=draft)
    reference = ReferenceFactory(profile=draft)
    application = ApplicationFactory(freelancer=draft)
    draft_mission = MissionFactory(status="draft")
    closed_mission = MissionFactory(status="closed")

    other = FreelancerProfileFactory(user__email="other@example.test")
    login(client, other.user.email, PASSWORD)
    for method, url in (
        ("GET", f"/fichiers/{document.id}"),
        ("GET", f"/freelance/profil/experience/postes/{entry.id}"),
        ("POST", f"/freelance/profil/experience/postes/{entry.id}"),
        ("POST", f"/freelance/profil/experience/postes/{entry.id}/supprimer"),
        ("GET", f"/freelance/profil/references/{reference.id}"),
        ("POST", f"/freelance/profil/references/{reference.id}"),
        ("POST", f"/freelance/profil/references/{reference.id}/supprimer"),
        ("POST", f"/freelance/candidatures/{application.id}/retirer"),
        ("GET", f"/freelance/missions/{draft_mission.id}"),
        ("GET", f"/freelance/missions/{closed_mission.id}"),
    ):
        assert client.open(url, method=method).status_code == 404, url
    # Nothing of theirs leaks into my own pages either.
    for url in ("/freelance/profil/justificatifs", "/freelance/profil/references", "/freelance/", "/freelance/candidatures"):
        page = client.get(url).text
        assert "cni.pdf" not in page and reference.email not in page and entry.organisation not in page
    assert "pas encore candidaté" in client.get("/freelance/candidatures").text
    assert reference in draft.references and entry in draft.experiences and application.status == "applied"

    client.post("/compte/deconnexion")
    login(client, draft.user.email, PASSWORD)
    assert client.get(f"/fichiers/{document.id}").status_code == 200
    assert client.get(f"/freelance/profil/references/{reference.id}").status_code == 200


def test_other_roles_are_sent_to_their_own_area(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    for url in ("/freelance/profil", "/freelance/missions", "/freelance/profil/entreprise"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/entreprise/"
