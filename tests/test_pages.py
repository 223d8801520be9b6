"""Public pages, French error pages, the language switch."""

from tests.conftest import login
from tests.factories import PASSWORD


def test_home_page_is_french(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "Un office manager senior et vérifié, à temps partagé" in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_public_pages(client):
    for url in ("/comment-ca-marche", "/entreprises", "/office-managers", "/legal/mentions-legales",
                "/legal/conditions-generales", "/legal/confidentialite", "/compte/inscription"):
        assert client.get(url).status_code == 200, url


def test_french_404_page_and_json_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.text
    response = client.get("/api/nulle-part")
    assert response.status_code == 404 and response.json["error"] == "Page introuvable"


def test_switching_to_english_translates_the_interface(client, sme_user):
    response = client.post("/compte/langue?next=/compte/connexion", data={"locale": "en"}, follow_redirects=True)
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text and "Forgot your password?" in response.text
    client.post("/compte/langue", data={"locale": "fr"})
    assert "Se connecter" in client.get("/compte/connexion").text


def test_logged_in_language_choice_is_saved_on_the_account(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    client.post("/compte/langue", data={"locale": "en"})
    assert sme_user.locale == "en"


def test_commune_suggestions(client):
    items = client.get("/api/communes?q=villeurb").json
    assert items[0]["name"] == "Villeurbanne" and items[0]["region"] == "Auvergne-Rhône-Alpes"
    assert client.get("/api/communes?q=a").json == []


def test_health(client):
    assert client.get("/api/health").json == {"status": "ok"}


def test_templates_need_no_inline_style_or_script():
    """The Content-Security-Policy forbids inline styles and scripts: keep them in static files."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'style="' in (text := path.read_text(encoding="utf-8")) or "<script>" in text or "<style" in text
    ]
    assert offenders == []


def test_the_home_figures_follow_the_rows_within_a_minute(app, client, monkeypatch):
    import html

    from marketplace.platform.memo import Expiring
    from tests.factories import FreelancerProfileFactory

    now = [1000.0]
    app.extensions["marketplace.home_figures"] = Expiring(60, clock=lambda: now[0])
    FreelancerProfileFactory.create_batch(2)
    assert "2 office managers vérifiés" in html.unescape(client.get("/").text).replace("\u202f", " ")
    FreelancerProfileFactory()
    now[0] += 30  # counted once a minute per process, not once a visitor
    assert "2 office managers vérifiés" in html.unescape(client.get("/").text).replace("\u202f", " ")
    now[0] += 31
    assert "3 office managers vérifiés" in html.unescape(client.get("/").text).replace("\u202f", " ")
