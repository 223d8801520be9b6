"""On the demo, for every role: no match is shown « sur 100 »; bands follow the model; applications use their own rate."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from marketplace.models.missions import Application, Mission
from marketplace.models.users import User
from marketplace.services.matching import bands
from marketplace.services.matching import facade as matching
from marketplace.services.missions.rules import OPEN_STATUSES
from tests.conftest import login

ROLES = {
    "anonymous": (None, None, "/"),
    "sme": ("pme@demo.test", "demo-pme", "/entreprise/"),
    "freelancer": ("om@demo.test", "demo-om", "/freelance/"),
    "freelancer2": ("om2@demo.test", "demo-om", "/freelance/"),
    "admin": ("admin@demo.test", "demo-admin", "/admin/"),
}
MAX_PAGES = 45
# A score shown out of 100, in any form a page could print it.
OUT_OF_100 = re.compile(r"/\s*100\b(?!\s*%)|sur\s+100\b", re.I)
SKIPPED = re.compile(r"/fichiers/|\.pdf|/telecharger|/export|deconnexion|/api/|/static/")


def page_text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u202f", " ").replace("\xa0", " ").split())


def crawl(client, start: str) -> dict[str, str]:
    """The pages reachable by links from ``start`` (same site, GET, at most MAX_PAGES), as text."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            seen[url] = ""
            continue
        raw = response.get_data(as_text=True)
        seen[url] = page_text(response)
        for href in re.findall(r'href="(/[^"#]*)"', raw):
            href = html.unescape(href)
            if not SKIPPED.search(href) and href not in seen and href not in queue:
                queue.append(href)
    return seen


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_of_the_demo_shows_a_score_out_of_100(demo_client, demo_session, role):
    email, password, start = ROLES[role]
    if email:
        login(demo_client, email, password)
    pages = crawl(demo_client, start)
    assert len([p for p in pages.values() if p]) >= (3 if role == "anonymous" else 5)
    shown = {url: OUT_OF_100.search(text).group(0) for url, text in pages.items() if OUT_OF_100.search(text)}
    # The vetting console's document check score is not a match (it is the operator's own checklist).
    shown = {url: found for url, found in shown.items() if not url.startswith("/admin/verification")}
    assert shown == {}


def test_the_demo_bands_follow_the_expected_grade(demo_app, demo_client, demo_session):
    mission = demo_session.scalar(select(Mission).where(
        Mission.title == "Office manager à temps partagé — le périmètre type"))
    with demo_app.app_context():
        recommended = matching.recommended(demo_session, mission, 5, exclude_ids=[
            a.freelancer_id for a in mission.applications])
    login(demo_client, "pme@demo.test", "demo-pme")
    page = demo_client.get(f"/entreprise/missions/{mission.id}").get_data(as_text=True)
    section = page.split('id="recommandes"')[1]
    assert re.findall(r'data-band="(\w+)"', section) == [bands.band_for(r.grade).code for r, _ in recommended]
    assert recommended and all(r.band == bands.band_for(r.grade) for r, _ in recommended)


def test_a_demo_application_is_explained_with_its_own_rate(demo_app, demo_client, demo_session):
    owner = demo_session.scalar(select(User).where(User.email == "pme@demo.test"))
    applications = demo_session.scalars(select(Application).join(Application.mission).where(
        Mission.company_id == owner.company_id, Application.status.in_(OPEN_STATUSES),
        Application.proposed_rate_cents.is_not(None))).all()
    cheaper = [a for a in applications if a.proposed_rate_cents != a.freelancer.daily_rate_cents]
    assert cheaper, "the demo has an application under the freelancer's usual rate"
    application = cheaper[0]
    login(demo_client, "pme@demo.test", "demo-pme")
    page = page_text(demo_client.get(f"/entreprise/candidatures/{application.id}"))
    proposed = f"{application.proposed_rate_cents // 100} €"
    usual = f"{application.freelancer.daily_rate_cents // 100} €"
    assert f"TJM {proposed} pour" in page and f"TJM {usual} pour" not in page


def test_the_demo_mission_keeps_its_versions_and_told_its_applicants(demo_client, demo_session):
    mission = demo_session.scalar(select(Mission).where(
        Mission.title == "Office manager à temps partagé — le périmètre type"))
    login(demo_client, "pme@demo.test", "demo-pme")
    page = page_text(demo_client.get(f"/entreprise/missions/{mission.id}"))
    assert "Historique des versions" in page and "Version 2" in page and "candidats prévenus" in page
    assert "Budget (TJM maximum)" in page
