"""The public diagnostic and cost simulator, as a visitor uses them."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

from marketplace.formatting import money
from tests.conftest import login
from tests.factories import PASSWORD

NBSP = "\u00a0"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<div id="{field_id}-error">(.*?)</div>', page, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def test_the_diagnostic_lists_the_ten_signals_without_an_account(client):
    page = text(client.get("/diagnostic"))
    assert page.count('name="signaux"') == 10
    assert "Le dirigeant consacre 40\u202f% ou plus de son temps à l'opérationnel" in page  # never broken before « % »
    assert "Des obligations légales mal connues" in page


def test_the_result_gives_the_band_its_explanation_and_the_hidden_cost(client):
    query = "signaux=" + "&signaux=".join(
        ["director_ops", "onboarding_lost", "admin_questions", "undocumented_processes", "unknown_costs", "legal_unknown"]
    )
    page = text(client.get(f"/diagnostic/resultat?{query}&effectif=20"))
    assert "6 signaux sur 10" in page
    assert "Problème structurel" in page
    assert "n'a pas de responsable identifié" in page
    assert "Le coût caché de ces signaux" in page
    assert money(1_105_623, with_cents=False) in page  # the admin questions line: 11 056 €
    assert "20 questions de 5 minutes, 218 jours par an" in page
    assert "1 à 1,5 jour par semaine" in page


def test_the_call_to_action_carries_the_answers_into_sign_up_then_the_perimeter(client):
    response = client.get("/diagnostic/resultat?signaux=onboarding_lost&signaux=legal_unknown&effectif=28")
    link = re.search(r'href="(/compte/inscription/entreprise\?next=[^"]+)"', response.get_data(as_text=True))
    assert link, "no sign-up link"
    next_url = parse_qs(urlsplit(html.unescape(link.group(1))).query)["next"][0]
    assert unquote(next_url) == "/entreprise/missions/nouvelle?signaux=onboarding_lost,legal_unknown&effectif=28"
    assert "/compte/connexion?next=" in response.get_data(as_text=True)


def test_a_logged_in_director_goes_straight_to_the_perimeter(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    page = text(client.get("/diagnostic/resultat?signaux=onboarding_lost"))
    assert 'href="/entreprise/missions/nouvelle?signaux=onboarding_lost"' in page
    assert "/compte/inscription/entreprise" not in page


def test_zero_signals_is_a_valid_answer(client):
    page = text(client.get("/diagnostic/resultat"))
    assert "Peut-être trop petit ou déjà bien organisé" in page
    assert "Aucun signal coché" in page


def test_a_wrong_headcount_is_explained_beside_the_field(client):
    response = client.get("/diagnostic/resultat?signaux=director_ops&effectif=-3")
    assert response.status_code == 422
    assert field_error(text(response), "effectif") == "L'effectif doit être un nombre positif."
    assert 'value="director_ops" checked' in text(response)


def test_the_simulator_opens_on_the_field_example(client):
    page = text(client.get("/simulateur"))
    assert money(4_890_000, with_cents=False) in page and money(4_230_000, with_cents=False) in page
    assert money(660_000, with_cents=False) in page and f"13,5{NBSP}%" in page
    assert "94 jours" in page
    assert '<svg class="cost-chart"' in page


def test_the_simulator_accepts_french_numbers(client):
    page = text(client.get(
        "/simulateur?gross_salary=35+000&employer_rate=42&extras=2500&daily_rate=480&days_per_week=1,5&weeks_per_year=47"
    ))
    # 35 000 + 14 700 + 2 500 = 52 200 €; 480 € × 70,5 days = 33 840 €
    assert money(5_220_000, with_cents=False) in page and money(3_384_000, with_cents=False) in page
    assert money(1_836_000, with_cents=False) in page


def test_the_simulator_refuses_bad_input_beside_each_field_and_keeps_it(client):
    response = client.get(
        "/simulateur?gross_salary=-32000&employer_rate=45&extras=2500&daily_rate=450&days_per_week=6&weeks_per_year=60"
    )
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "gross_salary") == "Le salaire brut annuel doit être supérieur à 0 € (jamais négatif)."
    assert field_error(page, "days_per_week") == "Le nombre de jours par semaine doit être compris entre 0,5 et 5."
    assert field_error(page, "weeks_per_year") == "Le nombre de semaines travaillées doit être compris entre 1 et 52."
    assert 'value="-32000"' in page
    assert "Corrigez les champs signalés" in page and '<svg class="cost-chart"' not in page


def test_the_simulator_explains_text_that_is_not_a_number(client):
    page = text(client.get(
        "/simulateur?gross_salary=beaucoup&employer_rate=45&extras=2500&daily_rate=450&days_per_week=0,25&weeks_per_year=47"
    ))
    assert field_error(page, "gross_salary") == "Saisissez un montant en euros, par exemple 450 ou 1 234,56."
    assert field_error(page, "days_per_week") == "Le nombre de jours par semaine doit être compris entre 0,5 et 5."


def test_the_tools_are_in_the_public_menu(client):
    page = text(client.get("/"))
    assert 'href="/diagnostic"' in page and 'href="/simulateur"' in page
