"""In a real browser: the referee's questionnaire from the e-mailed link, and the admin deciding."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.db import commit, db, utcnow
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.vetting import ReferenceRequest, VettingCheck
from tests import factories
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ReferenceFactory,
    SubmittedProfileFactory,
    submit,
    upload_valid_documents,
)

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(live_server):
    """Factories writing committed rows through the live server's app."""
    with live_server.app_context():
        factories.CURRENT_SESSION = db.session
        try:
            yield db.session
        finally:
            factories.CURRENT_SESSION = None
            db.session.remove()


def link_in_outbox(app, address: str) -> str:
    """The questionnaire link of the last e-mail written to the outbox folder for ``address``."""
    for path in sorted((Path(app.instance_path) / "outbox").glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            text = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://\S+/reference/\S+", text).group(0)
    raise AssertionError(f"no e-mail to {address} in the outbox")


def test_referee_answers_the_questionnaire_from_the_emailed_link(page, live_server, seeded):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None, references=[],
                                      user__first_name="Camille", user__last_name="Martin")
    ReferenceFactory(profile=profile, name="Claire Dubois", role="Directrice générale", company="Atelier Lumen",
                     email="claire.dubois@atelier-lumen.test")
    ReferenceFactory(profile=profile, name="Marc Petit", role="DAF", company="Boréal", email="marc.petit@boreal.test")
    submit(profile)
    commit()  # the checks run after the commit (in-process here): the referees are e-mailed
    link = link_in_outbox(live_server, "claire.dubois@atelier-lumen.test")
    assert link.startswith(live_server.config["BASE_URL"] + "/reference/")

    page.goto(link)
    assert page.locator("h1").inner_text() == "Votre avis sur Camille Martin"
    assert page.get_by_label("Votre fonction, et votre lien avec cette personne").input_value() == "Directrice générale"
    page.get_by_label("Période de collaboration").fill("de mars 2023 à aujourd'hui, deux jours par semaine")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    # Nothing lost, errors beside the questions left blank.
    assert "Répondez à cette question." in page.content()
    assert page.get_by_label("Période de collaboration").input_value().startswith("de mars 2023")

    page.get_by_label("Oui, sans hésiter").check()
    ratings = {"People & Culture": "5", "Opérations & Process": "4", "Finance & Achats": "5",
               "Services généraux & Espaces": "Non observé", "Communication & Coordination": "4"}
    for dimension, value in ratings.items():
        page.get_by_role("group", name=dimension).get_by_label(value, exact=True).check()
    page.get_by_label("Commentaire libre (facultatif)").fill("A repris nos achats et nos fournisseurs en deux semaines.")
    page.get_by_label("Je certifie que ces réponses reflètent ma propre expérience").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.locator("h1").inner_text() == "Merci pour votre réponse"

    db.session.rollback()  # end this thread's snapshot: the server committed in another thread
    request = db.session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    assert request.status == "answered" and request.answered_ip == "127.0.0.1"
    assert request.answers["ratings"]["people_culture"] == 5 and request.answers["ratings"]["facilities_workplace"] is None
    check = db.session.scalar(select(VettingCheck).where(VettingCheck.subject == str(request.reference_id)))
    assert check.status == "passed" and "recommande sans réserve" in check.summary

    # The link is spent.
    page.goto(link)
    assert page.locator("h1").inner_text() == "Questionnaire déjà rempli"
    assert "déjà été rempli" in page.locator("main").inner_text()

    # The other referee's link, once expired, is refused with a clear page.
    other = db.session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "marc.petit@boreal.test"))
    other.expires_at = utcnow() - timedelta(hours=1)
    commit()
    page.goto(link_in_outbox(live_server, "marc.petit@boreal.test"))
    assert page.locator("h1").inner_text() == "Ce lien a expiré"
    assert page.get_by_role("button", name="Envoyer mes réponses").count() == 0


def test_admin_reviews_and_decides_a_profile_without_leaving_its_page(page, live_server, seeded):
    AdminFactory(email="ops@om-partage.test", first_name="Alex", last_name="Opérateur")
    profile = SubmittedProfileFactory(status="draft", submitted_at=None, user__first_name="Inès", user__last_name="Roux")
    upload_valid_documents(profile)
    submit(profile)
    commit()
    profile_id = profile.id

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("ops@om-partage.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Vérification").first.click()
    page.get_by_role("link", name="Inès Roux").click()
    url = page.url
    assert url.endswith(f"/admin/verification/{profile_id}")

    # Everything to decide is on this page: checks, documents shown inline, references, signals.
    assert page.locator("tr[data-check='siret']").inner_text().count("Conforme") == 1
    previews = page.locator(".doc-viewer img[src*='/apercu/']")
    assert previews.count() == 3 and page.locator(".doc-viewer img").count() == 4  # three PDFs, one photo
    for image in page.locator(".doc-viewer img").all():  # each one loads: decode() rejects a broken image
        assert image.evaluate("i => i.decode().then(() => i.naturalWidth)") > 100
    assert "En attente des 2 référents." in page.locator("#verifications").inner_text()
    assert "Aucun doublon" in page.locator("#signals").inner_text()

    page.get_by_role("button", name="Prendre en charge").click()
    assert page.url.split("#")[0] == url and page.locator("#profile-status").inner_text() == "En cours de vérification"

    page.locator("summary", has_text="Refuser").click()
    page.get_by_role("button", name="Refuser le profil").click()  # no reason
    assert page.locator("#reject-reason-error").inner_text() == "Ce champ est obligatoire."
    assert page.locator("#profile-status").inner_text() == "En cours de vérification"

    # Approve, with a justification since the references have not answered yet.
    page.get_by_label("Raison de l'approbation").fill("Références jointes par téléphone le jour même.")
    page.get_by_label("Je confirme approuver ce profil malgré les alertes ouvertes").check()
    page.get_by_role("button", name="Approuver le profil").click()
    assert page.url.split("#")[0] == url
    assert "Profil approuvé" in page.locator(".flashes").inner_text()
    assert page.locator("#profile-status").inner_text() == "Vérifié"
    db.session.rollback()  # end this thread's snapshot: the server committed in another thread
    assert db.session.get(FreelancerProfile, profile_id).status == "approved"
    assert "Profil approuvé — Références jointes par téléphone" in page.locator("section", has_text="Historique").inner_text()
