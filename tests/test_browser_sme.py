"""In a real browser, in French: diagnostic → sign-up → perimeter → published mission, no dead end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.db import db, today
from marketplace.models.missions import Mission

pytestmark = pytest.mark.browser


def test_a_director_goes_from_the_diagnostic_to_a_published_mission(page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Diagnostic").first.click()
    assert page.locator("h1").inner_text() == "Avez-vous besoin d'un office manager ?"
    for label in (
        "Les nouveaux arrivants sont perdus pendant trois semaines",
        "Une vingtaine de questions administratives par jour",
        "Des fournisseurs trop chers ou jamais renégociés",
        "Des obligations légales mal connues",
    ):
        page.get_by_text(label).click()
    page.get_by_label("Effectif de l'entreprise (facultatif)").fill("20")
    page.get_by_role("button", name="Voir mon résultat").click()

    assert page.locator("h1").inner_text() == "Votre diagnostic"
    assert page.locator("#band-title").inner_text() == "Vous tenez grâce à l'énergie"
    assert "Le coût caché de ces signaux" in page.content()
    page.get_by_role("link", name="Créer mon espace et décrire mon périmètre").click()

    # Sign-up: the diagnostic's answers travel in the next step's address.
    assert page.locator("h1").inner_text() == "Créer mon espace entreprise"
    page.get_by_label("Raison sociale").fill("Studio Exemple")
    page.get_by_label("SIRET du siège").fill("73282932000074")
    page.get_by_label("Effectif (salariés)").fill("20")
    page.get_by_label("Secteur d'activité").select_option("medias")
    page.get_by_label("Ville du siège").fill("Nantes")
    page.get_by_label("Prénom").fill("Claire")
    page.locator("#last_name").fill("Durand")
    page.get_by_label("Adresse e-mail professionnelle").fill("claire@studio.test")
    page.locator("#password").fill("un secret bien long")
    page.get_by_label("Confirmation du mot de passe").fill("un secret bien long")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Créer mon espace").click()

    # Perimeter, pre-filled from the ticked signals.
    assert page.locator("h1").inner_text() == "Le périmètre : ce que l'office manager prendra en charge"
    assert page.locator("#lines-0-task").input_value() == "onboarding"
    assert page.locator("#lines-0-hours").input_value() == "4"
    tasks = [page.locator(f"#lines-{n}-task").input_value() for n in range(6)]
    assert tasks == ["onboarding", "documentation", "internal_comms", "suppliers", "cost_optimisation", "safety_registers"]
    page.locator("#lines-0-criticality").select_option("5")
    page.locator("#lines-0-owner").fill("Le dirigeant")
    # A free task, in the row JavaScript adds.
    page.get_by_role("button", name="Ajouter des lignes").click()
    last = page.locator("[data-perimeter-row]").count() - 1
    page.locator(f"#lines-{last}-task").select_option("other:people_culture")
    page.locator(f"#lines-{last}-label").fill("Préparer le séminaire annuel")
    page.locator(f"#lines-{last}-hours").fill("4")
    assert page.locator("[data-perimeter-total]").inner_text() == "23"
    page.get_by_role("button", name="Calculer le volume recommandé").click()

    # The mission, with the recommended volume and its reasoning.
    assert page.locator("h1").inner_text() == "Votre mission"
    assert "Périmètre enregistré" in page.content()
    assert page.locator("[data-recommended]").inner_text() == "1,5 jour"
    assert "Votre périmètre compte 7 tâches pour 23 h par mois" in page.content()
    assert page.get_by_label("Volume", exact=True).input_value() == "3"
    page.get_by_label("Titre de la mission").fill("Office manager pour structurer notre quotidien")
    page.get_by_label("Date de démarrage souhaitée").fill((today() + timedelta(days=21)).isoformat())
    page.get_by_label("Jours flexibles, à convenir avec l'office manager").uncheck()
    page.get_by_label("mardi").check()
    page.get_by_label("Budget : TJM maximum (€ HT par jour)").fill("450")
    page.get_by_role("button", name="Aperçu").click()

    # One weekday for 1,5 day: a clear message beside the field, what was typed is kept.
    assert "choisissez 2 jours dont une demi-journée (vous en avez coché 1)" in page.locator("#weekdays-error").inner_text()
    assert page.get_by_label("Titre de la mission").input_value() == "Office manager pour structurer notre quotidien"
    page.get_by_label("jeudi").check()
    page.get_by_role("button", name="Aperçu").click()
    # The preview, with how many office managers fit; « Publier » is there only.
    assert "/apercu" in page.url and "correspond" in page.locator("#preview-matches").inner_text()
    page.get_by_role("button", name="Publier la mission").click()

    assert "Votre mission est publiée" in page.content()
    assert page.locator("h1").inner_text() == "Office manager pour structurer notre quotidien"
    assert page.locator(".page-head .badge").inner_text() == "Publiée"
    assert "mardi et jeudi" in page.locator(".mission-meta").first.inner_text()
    assert page.get_by_role("heading", name="Freelances recommandés").is_visible()

    # And the dashboard shows it.
    page.get_by_role("link", name="Tableau de bord").click()
    assert page.locator("h1").inner_text() == "Studio Exemple"
    assert re.search(r"1\s*missions publiées", page.locator(".grid.cols-4").inner_text())
    with live_server.app_context():
        mission = db.session.query(Mission).one()
        assert (mission.status, mission.half_days_per_week, mission.weekdays) == ("published", 3, ["tue", "thu"])
        assert len(mission.perimeter) == 7 and mission.perimeter[0].criticality == 5
        assert mission.min_level("people_culture") == 4  # a critical task in that dimension
