"""In a real browser: type a mission, « Aperçu » shows it with its match count, « Modifier » keeps everything, « Publier »."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.db import db, today
from marketplace.models.missions import Mission
from marketplace.services.missions import posting, sizing
from tests.factories import PASSWORD, FreelancerProfileFactory, SmeUserFactory

pytestmark = pytest.mark.browser


@pytest.fixture()
def draft_id(live_server):
    """A director with a draft made from the field example, and a verified office manager who fits it."""
    with live_server.app_context():
        from tests import factories

        factories.CURRENT_SESSION = db.session
        try:
            director = SmeUserFactory(email="claire@studio.test")
            director.company.headcount = 20
            FreelancerProfileFactory()  # free on Tuesday and Thursday, in Paris like the company
            draft = posting.create_draft(db.session, director.company, director, sizing.field_example())
            db.session.commit()
            return draft.id
        finally:
            factories.CURRENT_SESSION = None
            db.session.remove()


def test_the_preview_keeps_what_was_typed_and_publishes(page, live_server, draft_id):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("claire@studio.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/entreprise/missions/{draft_id}/modifier")
    assert page.get_by_role("button", name="Publier la mission").count() == 0

    start = (today() + timedelta(days=25)).isoformat()
    page.get_by_label("Titre de la mission").fill("Office manager pour notre croissance")
    page.get_by_label("Description").fill(
        "Nous grandissons vite : intégration des arrivants, achats, locaux. Vous serez le point d'appui de l'équipe.")
    page.get_by_label("Volume", exact=True).select_option("4")
    page.get_by_label("Date de démarrage souhaitée").fill(start)
    page.get_by_label("Jours flexibles, à convenir avec l'office manager").uncheck()
    page.get_by_label("mardi").check()
    page.get_by_label("jeudi").check()
    page.get_by_label("Budget : TJM maximum (€ HT par jour)").fill("465")
    page.get_by_label("Autres outils").fill("Qonto, Trello")
    page.get_by_role("button", name="Aperçu").click()

    assert page.url.endswith(f"/entreprise/missions/{draft_id}/apercu")
    assert page.locator("h1").inner_text() == "Office manager pour notre croissance"
    count = page.locator("#preview-matches").inner_text()
    assert "office manager vérifié correspond déjà à ce brouillon" in count
    assert "465" in page.locator(".mission-meta").inner_text() and "mardi et jeudi" in page.locator(".mission-meta").inner_text()

    page.locator(".page-head").get_by_role("link", name="Modifier").click()
    assert page.get_by_label("Titre de la mission").input_value() == "Office manager pour notre croissance"
    assert page.get_by_label("Description").input_value().startswith("Nous grandissons vite")
    assert page.get_by_label("Volume", exact=True).input_value() == "4"
    assert page.get_by_label("Date de démarrage souhaitée").input_value() == start
    assert page.get_by_label("mardi").is_checked() and page.get_by_label("jeudi").is_checked()
    assert not page.get_by_label("lundi").is_checked()
    assert page.get_by_label("Budget : TJM maximum (€ HT par jour)").input_value() == "465"
    assert page.get_by_label("Autres outils").input_value() == "Qonto, Trello"

    page.get_by_role("button", name="Aperçu").click()
    assert page.url.endswith("/apercu")
    page.get_by_role("button", name="Publier la mission").click()
    assert "Votre mission est publiée" in page.content()
    assert page.locator(".page-head .badge").inner_text() == "Publiée"
    with live_server.app_context():
        mission = db.session.get(Mission, draft_id)
        assert (mission.status, mission.max_daily_rate_cents, mission.weekdays) == ("published", 46_500, ["tue", "thu"])
        assert {"Qonto", "Trello"} <= set(mission.tools)
