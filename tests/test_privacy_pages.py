"""Privacy as visitors see it: only the cookies the site needs, the policy's schedule, the operator's register."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from marketplace.services.privacy import rules
from tests.conftest import login
from tests.factories import PASSWORD

ANONYMOUS_PAGES = ("/", "/comment-ca-marche", "/entreprises", "/office-managers", "/diagnostic", "/simulateur",
                   "/legal/confidentialite", "/compte/connexion", "/compte/inscription/freelance")


def cookie_names(response) -> set[str]:
    names = set()
    for header in response.headers.getlist("Set-Cookie"):
        names |= set(SimpleCookie(header).keys())
    return names


def test_anonymous_pages_set_no_cookie_but_the_session(client, db_session):
    seen = set()
    for path in ANONYMOUS_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        seen |= cookie_names(response)
    assert seen <= {"session"}
    # Choosing a language is kept in the session cookie, not in a cookie of its own.
    seen |= cookie_names(client.post("/compte/langue", data={"locale": "en"}))
    assert seen <= {"session"}


@pytest.mark.parametrize("remember", [False, True])
def test_logged_in_pages_set_the_session_and_remember_me_only_when_asked(client, db_session, freelancer, remember):
    data = {"email": freelancer.user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    seen = cookie_names(client.post("/compte/connexion", data=data))
    for path in ("/freelance/", "/compte/parametres", "/legal/confidentialite"):
        response = client.get(path)
        assert response.status_code == 200, path
        seen |= cookie_names(response)
    expected = {"session", "remember_token"} if remember else {"session"}
    assert seen == expected and seen <= rules.COOKIE_NAMES


def test_the_privacy_policy_lists_every_cookie_and_the_retention_schedule(client, db_session):
    html = client.get("/legal/confidentialite").get_data(as_text=True)
    for cookie in rules.COOKIES:
        assert f"<code>{cookie.name}</code>" in html
    for row in rules.SCHEDULE:
        assert row.duration.replace("'", "&#39;") in html
    assert "10 ans à compter de la clôture de l&#39;exercice d&#39;émission" in html
    assert "6 mois après un refus de vérification" in html and "2 ans après la réponse" in html
    assert "aucun traceur" in html
    # No third-party script or tracker anywhere on the page.
    assert "googletagmanager" not in html and "<script src=\"http" not in html


def test_the_settings_page_offers_the_export_and_the_closure(client, db_session, sme_user, sme_member):
    login(client, sme_user.email, PASSWORD)
    html = client.get("/compte/parametres").get_data(as_text=True)
    assert "Mes données" in html and "Fermer mon compte" in html
    assert "dernier titulaire" in html and "close-close_company" in html  # closing the company, and its team
    client.post("/compte/deconnexion")
    login(client, sme_member.email, PASSWORD)
    html = client.get("/compte/parametres").get_data(as_text=True)
    assert "Fermer mon compte" in html and "close-close_company" not in html


def test_the_operator_sees_the_register_and_the_demos_pending_erasure(demo_client):
    login(demo_client, "admin@demo.test", "demo-admin")
    html = demo_client.get("/admin/confidentialite").get_data(as_text=True)
    assert "Registre des traitements" in html and "Effacements programmés" in html
    for row in rules.SCHEDULE:
        assert row.purpose.replace("'", "&#39;") in html
    assert "depart@demo.test" in html and "Suspendre" in html
    assert 'href="/admin/confidentialite"' in demo_client.get("/admin/").get_data(as_text=True)


def test_other_roles_never_reach_the_register(demo_client):
    assert demo_client.get("/admin/confidentialite").status_code == 302
    login(demo_client, "om@demo.test", "demo-om")
    assert demo_client.get("/admin/confidentialite").status_code == 302
