"""In a real browser: the French home page, sign-up and each role's dashboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_page_then_each_demo_login_reaches_its_dashboard(demo_page):
    page = demo_page
    page.goto("/")
    assert page.locator("h1").inner_text() == "Un office manager senior et vérifié, à temps partagé"
    for email, password, heading in (
        ("pme@demo.test", "demo-pme", "Atelier Lumen"),
        ("om@demo.test", "demo-om", "Bonjour Camille"),
        ("admin@demo.test", "demo-admin", "Vue d'ensemble"),
    ):
        page.get_by_role("link", name="Se connecter").click()
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        assert page.locator("h1").inner_text() == heading
        page.get_by_role("button", name="Se déconnecter").click()
        assert "Vous êtes déconnecté." in page.content()


def test_sme_signs_up_and_fixes_a_wrong_siret_without_retyping(page, live_server):
    page.goto("/compte/inscription/entreprise")
    page.get_by_label("Raison sociale").fill("Studio Exemple")
    page.get_by_label("SIRET du siège").fill("73282932000079")
    page.get_by_label("Effectif (salariés)").fill("28")
    page.get_by_label("Secteur d'activité").select_option("medias")
    page.get_by_label("Ville du siège").fill("Nantes")
    page.get_by_label("Prénom").fill("Claire")
    page.locator("#last_name").fill("Durand")
    page.get_by_label("Adresse e-mail professionnelle").fill("claire@studio.test")
    page.locator("#password").fill("un secret bien long")
    page.get_by_label("Confirmation du mot de passe").fill("un secret bien long")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Créer mon espace").click()
    assert "Ce SIRET n'est pas valide" in page.locator("#siret-error").inner_text()
    assert page.get_by_label("Raison sociale").input_value() == "Studio Exemple"
    page.get_by_label("SIRET du siège").fill("73282932000074")
    page.locator("#password").fill("un secret bien long")
    page.get_by_label("Confirmation du mot de passe").fill("un secret bien long")
    page.get_by_role("button", name="Créer mon espace").click()
    assert page.locator("h1").inner_text() == "Studio Exemple"
    assert "Votre espace entreprise est prêt." in page.content()
