"""Roles and tenant scoping: each user reaches their own area and data only."""

from __future__ import annotations

import re

import pytest

from marketplace.models.missions import Application, Mission
from marketplace.web.authz import get_scoped_or_404, scoped
from tests.conftest import login
from tests.factories import PASSWORD, ApplicationFactory, MissionFactory

DASHBOARDS = {"sme": "/entreprise/", "freelancer": "/freelance/", "admin": "/admin/"}


@pytest.fixture()
def users(sme_user, freelancer, admin_user):
    return {"sme": sme_user, "freelancer": freelancer.user, "admin": admin_user}


@pytest.mark.parametrize("role", ["sme", "freelancer", "admin"])
def test_each_role_reaches_its_dashboard_and_is_turned_away_from_others(client, users, role):
    response = login(client, users[role].email, PASSWORD)
    assert response.request.path == DASHBOARDS[role]
    for other, url in DASHBOARDS.items():
        if other == role:
            continue
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == DASHBOARDS[role]


def test_anonymous_html_is_redirected_to_login_and_json_gets_401(client, db_session):
    response = client.get("/admin/comptes")
    assert response.status_code == 302 and "/compte/connexion?next=/admin/comptes" in response.headers["Location"]
    response = client.get("/admin/comptes", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json["error"] == "authentication_required"
    assert client.get("/api/me").status_code == 401


def test_wrong_role_gets_403_in_json(client, users):
    login(client, users["sme"].email, PASSWORD)
    response = client.get("/admin/", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json["message"] == "Accès refusé pour votre type de compte."


def test_every_admin_url_is_closed_to_non_admins(app, client, users):
    login(client, users["freelancer"].email, PASSWORD)
    admin_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert len(admin_rules) >= 5
    for rule in admin_rules:
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        response = client.open(url, method=method)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"] == "/freelance/"


def test_scoping_hides_other_companies_missions(app, db_session, sme_user, other_sme_user):
    mine = MissionFactory(company=sme_user.company)
    theirs = MissionFactory(company=other_sme_user.company)
    with app.test_request_context():
        from flask_login import login_user

        login_user(sme_user)
        assert db_session.scalars(scoped(Mission)).all() == [mine]
        assert get_scoped_or_404(Mission, mine.id) is mine
        from werkzeug.exceptions import NotFound

        with pytest.raises(NotFound):
            get_scoped_or_404(Mission, theirs.id)


def test_freelancers_see_only_their_applications(app, db_session, freelancer):
    own = ApplicationFactory(freelancer=freelancer)
    ApplicationFactory()  # another freelancer's
    with app.test_request_context():
        from flask_login import login_user

        login_user(freelancer.user)
        assert db_session.scalars(scoped(Application)).all() == [own]
        # Freelancers cannot list missions through tenant scoping (missions have no freelancer owner).
        assert db_session.scalars(scoped(Mission)).all() == []


def test_sme_dashboard_shows_only_own_missions(client, sme_user, other_sme_user):
    MissionFactory(company=sme_user.company, title="Notre mission à nous")
    MissionFactory(company=other_sme_user.company, title="Mission du concurrent")
    login(client, sme_user.email, PASSWORD)
    page = client.get("/entreprise/").text
    assert "Notre mission à nous" in page and "Mission du concurrent" not in page


def test_admin_can_deactivate_an_account_with_a_reason(client, users, db_session):
    login(client, users["admin"].email, PASSWORD)
    target = users["sme"]
    response = client.post(f"/admin/comptes/{target.id}/activation", data={"active": "0"}, follow_redirects=True)
    assert "Indiquez la raison" in response.text and target.active
    response = client.post(
        f"/admin/comptes/{target.id}/activation", data={"active": "0", "reason": "Compte frauduleux"}, follow_redirects=True
    )
    assert "désactivé" in response.text and not target.active
    other = client.application.test_client()
    assert "Ce compte est désactivé" in login(other, target.email, PASSWORD).text
