"""The SME area through the web: perimeter → mission → publication, decisions, scoping, dashboard."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import today, utcnow
from marketplace.formatting import money
from marketplace.i18n import french_typography
from marketplace.models.billing import Invoice, InvoiceSeries
from marketplace.models.companies import TeamInvitation
from marketplace.models.contracts import Contract
from marketplace.models.missions import Application, Mission
from marketplace.models.timesheets import Timesheet
from marketplace.services.missions import sizing
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    PerimeterLineFactory,
    SmeUserFactory,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<div id="{re.escape(field_id)}-error">(.*?)</div>', page, re.S)
    assert match, f"no error beside {field_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def perimeter_rows(lines: list[dict]) -> dict:
    data = {}
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


FIELD_EXAMPLE_ROWS = [
    {"task": code, "hours": str(minutes // 60), "criticality": "3", "owner": "Le dirigeant"}
    for code, minutes in (
        ("onboarding", 240), ("suppliers", 360), ("budget", 180), ("events", 120),
        ("spaces", 120), ("documentation", 240), ("internal_comms", 120), ("safety_registers", 60),
    )
]


@pytest.fixture()
def director(client, sme_user):
    sme_user.company.headcount = 20
    login(client, sme_user.email, PASSWORD)
    return sme_user


def mission_form(**changes) -> dict:
    data = {
        "title": "Office manager à temps partagé, 1,5 jour par semaine",
        "description": "Nous cherchons un office manager senior pour l'intégration, les achats et les locaux.",
        "days_per_week": "3",
        "weekdays": ["tue", "thu"],
        "work_mode": "hybrid",
        "onsite_days_per_week": "1",
        "site_city": "Lyon",
        "start_date": (today() + timedelta(days=21)).isoformat(),
        "budget": "450",
        "min_years_experience": "7",
        "min_people_culture": "3", "min_operations_process": "3", "min_finance_procurement": "3",
        "min_facilities_workplace": "3", "min_communication_coordination": "3",
        "tools": ["Notion", "Slack"],
        "other_tools": "qonto",
        "spending_threshold": "500",
        "kpis-0-code": "satisfaction", "kpis-0-label": "Satisfaction des équipes", "kpis-0-target": "≥ 7/10",
    }
    data.update(changes)
    return data


# --- perimeter ----------------------------------------------------------------------

def test_the_diagnostic_answers_pre_fill_the_perimeter(client, director):
    page = text(client.get("/entreprise/missions/nouvelle?signaux=onboarding_lost,legal_unknown&effectif=20"))
    assert re.search(r'<option selected value="onboarding">', page)
    assert re.search(r'<option selected value="safety_registers">', page)
    assert 'name="lines-0-hours" type="text" value="4"' in page
    assert 'name="signals" type="hidden" value="onboarding_lost,legal_unknown"' in page
    assert "pour 20 personnes, les PME prennent habituellement 1 à 1,5 jour par semaine." in page


def test_a_perimeter_without_any_task_saves_nothing(client, director, db_session):
    response = client.post("/entreprise/missions/nouvelle", data={"action": "save", "lines-0-criticality": "3"})
    assert response.status_code == 422
    assert "Ajoutez au moins une tâche au périmètre" in text(response)
    assert db_session.scalar(select(func.count()).select_from(Mission)) == 0


def test_a_wrong_line_is_explained_in_its_cell_and_what_was_typed_stays(client, director, db_session):
    rows = FIELD_EXAMPLE_ROWS[:2] + [{"task": "other", "label": "", "hours": "deux", "criticality": "3", "owner": "Moi"}]
    response = client.post("/entreprise/missions/nouvelle", data={"action": "save", **perimeter_rows(rows)})
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "lines-2-hours") == "Saisissez un nombre d'heures, par exemple 4 ou 1,5."
    response = client.post("/entreprise/missions/nouvelle", data={"action": "save", **perimeter_rows(
        FIELD_EXAMPLE_ROWS[:2] + [{"task": "other", "label": "", "hours": "2", "criticality": "3", "owner": "Moi"}]
    )})
    page = text(response)
    assert field_error(page, "lines-2-label") == "Choisissez ou décrivez la tâche."
    assert re.search(r'name="lines-2-owner"[^>]*value="Moi"', page)
    # Hours typed but no task chosen: the message sits beside the list.
    page = text(client.post("/entreprise/missions/nouvelle", data={"action": "save", **perimeter_rows(
        [{"task": "", "label": "", "hours": "3", "criticality": "3", "owner": "La DAF"}]
    )}))
    assert field_error(page, "lines-0-task") == "Choisissez ou décrivez la tâche."
    assert db_session.scalar(select(func.count()).select_from(Mission)) == 0


def test_adding_rows_without_javascript_keeps_the_lines(client, director):
    response = client.post("/entreprise/missions/nouvelle", data={"action": "add_rows", **perimeter_rows(FIELD_EXAMPLE_ROWS[:1])})
    page = text(response)
    assert 'name="lines-0-hours" type="text" value="4"' in page
    assert 'name="lines-11-hours"' in page  # 8 rows + 4 more


def test_the_field_example_perimeter_leads_to_a_draft_sized_at_one_and_a_half_days(client, director, db_session):
    response = client.post("/entreprise/missions/nouvelle", data={
        "action": "save", "signals": "director_ops", **perimeter_rows(FIELD_EXAMPLE_ROWS),
    })
    mission = db_session.scalar(select(Mission))
    assert response.headers["Location"] == f"/entreprise/missions/{mission.id}/modifier"
    assert mission.half_days_per_week == 3 and len(mission.perimeter) == 8
    page = text(client.get(response.headers["Location"]))
    assert 'data-recommended="3"' in page
    assert "Votre périmètre compte 8 tâches pour 24 h par mois, soit environ 6 h par semaine." in page
    assert "Les deux approches concordent : nous recommandons 1,5 jour par semaine au minimum." in page
    assert '<option selected value="3">1,5 jour par semaine</option>' in page
    assert "Le dirigeant consacre 40\u202f% ou plus de son temps à l'opérationnel" in page  # carried into the description


# --- mission form ---------------------------------------------------------------------

@pytest.fixture()
def draft(director, db_session):
    from marketplace.services.missions import posting as missions

    mission = missions.create_draft(db_session, director.company, director, sizing.field_example())
    db_session.commit()  # as the perimeter step does
    return mission


def test_invalid_mission_input_is_explained_beside_each_field_and_nothing_is_saved(client, draft, db_session):
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data=mission_form(
        title="Un titre que je viens de taper", weekdays=["tue"], budget="50",
        start_date=(today() - timedelta(days=2)).isoformat(), action="publish",
    ))
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "weekdays") == (
        "Pour 1,5 jour par semaine, choisissez 2 jours dont une demi-journée (vous en avez coché 1), "
        "ou cochez « jours flexibles »."
    )
    assert field_error(page, "budget") == "Le budget (TJM maximum) doit être compris entre 100 € et 2 000 € par jour."
    assert field_error(page, "start_date") == "La date de démarrage ne peut pas être dans le passé."
    assert 'value="Un titre que je viens de taper"' in page
    db_session.refresh(draft)
    assert draft.title == "Office manager à temps partagé" and draft.status == "draft"


def test_a_budget_above_two_thousand_euros_is_refused(client, draft):
    page = text(client.post(f"/entreprise/missions/{draft.id}/modifier", data=mission_form(budget="2 000,01")))
    assert field_error(page, "budget") == "Le budget (TJM maximum) doit être compris entre 100 € et 2 000 € par jour."


def test_saving_then_publishing_from_the_preview(client, draft, db_session):
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data=mission_form(action="save"))
    assert response.headers["Location"] == f"/entreprise/missions/{draft.id}/modifier"
    assert draft.status == "draft" and draft.site_city == "Lyon" and draft.tools == ["Notion", "Qonto", "Slack"]
    assert draft.max_daily_rate_cents == 45_000 and draft.spending_threshold_cents == 50_000
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data=mission_form(action="preview"))
    assert response.headers["Location"] == f"/entreprise/missions/{draft.id}/apercu"
    assert client.get(f"/entreprise/missions/{draft.id}").headers["Location"] == f"/entreprise/missions/{draft.id}/apercu"
    page = text(client.get(f"/entreprise/missions/{draft.id}/apercu"))
    assert "Relisez votre mission" in page and "Publier la mission" in page
    response = client.post(f"/entreprise/missions/{draft.id}/publier", follow_redirects=True)
    assert "Votre mission est publiée" in text(response)
    assert draft.status == "published"
    assert "Modifier la mission publiée" in text(client.get(f"/entreprise/missions/{draft.id}/modifier"))


def test_publishing_an_incomplete_draft_opens_the_form_with_the_problems(client, draft):
    response = client.post(f"/entreprise/missions/{draft.id}/publier")
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "start_date") == "Indiquez la date de démarrage souhaitée."
    assert draft.status == "draft"


def test_the_form_cannot_publish_without_the_preview(client, draft):
    assert "Publier la mission" not in text(client.get(f"/entreprise/missions/{draft.id}/modifier"))
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data=mission_form(action="publish"), follow_redirects=True)
    assert "Votre mission est publiée" not in text(response) and draft.status == "draft"
    assert draft.weekdays == ["tue", "thu"] and draft.onsite_days_per_week == 1


def test_closing_a_mission_with_a_reason(client, director, db_session):
    mission = MissionFactory(company=director.company)
    page = text(client.post(f"/entreprise/missions/{mission.id}/cloturer", data={"reason": "", "details": ""}))
    assert field_error(page, "reason") == "Choisissez la raison de la clôture."
    response = client.post(f"/entreprise/missions/{mission.id}/cloturer", data={"reason": "budget", "details": ""}, follow_redirects=True)
    assert "Mission clôturée" in text(response) and mission.status == "closed"
    assert "Budget non validé" in text(response)


# --- applications -----------------------------------------------------------------------

@pytest.fixture()
def published(director):
    mission = MissionFactory(company=director.company, tools=["Notion"])
    PerimeterLineFactory(mission=mission)
    return mission


def test_the_applications_page_shows_each_score_and_its_breakdown(app_ctx, client, published, db_session):
    from marketplace.services.matching import facade as matching

    application = ApplicationFactory(mission=published)
    result = matching.score_pair(db_session, published, application.freelancer)
    page = text(client.get(f"/entreprise/missions/{published.id}/candidatures"))
    assert f'data-band="{result.band.code}"' in page and "/ 100" not in page and "sur 100" not in page
    for reason in result.reasons:  # French typography: narrow no-break spaces before « : »
        assert french_typography(reason.label) in page
    assert "Présélectionner" in page and "Accepter" in page


def test_deciding_on_applications_from_the_list(client, published, outbox):
    first, second, third = (ApplicationFactory(mission=published) for _ in range(3))
    client.post(f"/entreprise/candidatures/{first.id}/preselectionner")
    assert first.status == "shortlisted"
    response = client.post(f"/entreprise/candidatures/{second.id}/decliner", data={"message": ""})
    assert response.status_code == 422
    assert field_error(text(response), "message") == "Écrivez un mot au freelance : il le recevra par e-mail."
    client.post(f"/entreprise/candidatures/{second.id}/decliner", data={"message": "Merci, un autre profil est retenu."})
    assert second.status == "declined"
    response = client.post(f"/entreprise/candidatures/{first.id}/accepter", follow_redirects=True)
    assert first.status == "accepted" and "Vous avez retenu" in text(response)
    response = client.post(f"/entreprise/candidatures/{third.id}/accepter", follow_redirects=True)
    assert third.status == "applied" and "Vous avez déjà retenu" in text(response)
    response = client.post(f"/entreprise/missions/{published.id}/pourvue", follow_redirects=True)
    assert published.status == "filled" and third.status == "closed"
    assert "Mission pourvue le" in text(response)


def test_recommended_freelancers_are_explained_and_can_be_invited(client, published, db_session, outbox):
    applied = ApplicationFactory(mission=published)
    profile = FreelancerProfileFactory(user__first_name="Bérénice", user__last_name="Laurent")
    page = text(client.get(f"/entreprise/missions/{published.id}"))
    section = page.split('id="recommandes"')[1]
    assert "Bérénice L." in section and applied.freelancer.user.last_name not in section
    assert "Disponible mardi et jeudi" in section and "Inviter" in section
    response = client.post(f"/entreprise/missions/{published.id}/inviter/{profile.id}", data={"message": "Bonjour !"}, follow_redirects=True)
    assert "Invitation envoyée à Bérénice Laurent" in text(response)
    invited = db_session.scalar(select(Application).where(Application.freelancer_id == profile.id))
    assert (invited.source, invited.status) == ("invited", "invited")
    assert "Bérénice L." not in text(client.get(f"/entreprise/missions/{published.id}")).split('id="recommandes"')[1]


# --- scoping ------------------------------------------------------------------------------

def _url(rule, ids: dict) -> str:
    url = rule.rule
    for name, value in ids.items():
        url = url.replace(f"<int:{name}>", str(value))
    return url


def test_another_smes_user_gets_404_on_every_mission_application_and_team_url(app, client, db_session, sme_user, other_sme_user):
    mission = MissionFactory(company=sme_user.company)
    PerimeterLineFactory(mission=mission)
    application = ApplicationFactory(mission=mission)
    invitation = TeamInvitation(company_id=sme_user.company_id, email="c@example.test", token_hash="1" * 64,
                                invited_by_id=sme_user.id, expires_at=utcnow() + timedelta(days=3))
    db_session.add(invitation)
    member = SmeUserFactory(company=sme_user.company, company_role="member")
    db_session.flush()
    ids = {"mission_id": mission.id, "application_id": application.id, "invitation_id": invitation.id,
           "user_id": member.id, "profile_id": application.freelancer_id}
    login(client, other_sme_user.email, PASSWORD)
    # A vetted freelancer's profile is open to every SME (tests/test_profile_view.py): not a tenant's object.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("sme.") and r.arguments & set(ids)
             and r.endpoint != "sme.freelancer_profile"]
    assert len(rules) >= 12
    for rule in rules:
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(_url(rule, ids), method=method)
            assert response.status_code == 404, (method, rule.rule, response.status_code)
    assert mission.status == "published" and application.status == "applied" and invitation.revoked_at is None
    assert member.active
    # Their own dashboard shows nothing of the other company.
    assert mission.title not in text(client.get("/entreprise/"))


def test_every_sme_page_needs_an_sme_account_except_the_invitation_link(app, client, db_session, freelancer):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("sme.")]
    for rule in rules:
        url = _url(rule, dict.fromkeys(("mission_id", "application_id", "invitation_id", "user_id", "profile_id",
                                        "contract_id", "timesheet_id", "invoice_id"), 1))
        url = url.replace("<token>", "abc")
        response = client.open(url, method="GET" if "GET" in rule.methods else "POST")
        if rule.endpoint == "sme.join_team":
            assert response.status_code == 400, rule.rule  # an unknown token, explained
        else:
            assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"], rule.rule
    login(client, freelancer.user.email, PASSWORD)
    assert client.get("/entreprise/missions").headers["Location"] == "/freelance/"


# --- dashboard -------------------------------------------------------------------------------

def test_dashboard_shows_missions_by_status_and_applications_waiting(client, director):
    published = MissionFactory(company=director.company, title="Mission publiée A")
    MissionFactory(company=director.company, status="draft", title="Brouillon B")
    MissionFactory(company=director.company, status="closed", title="Ancienne C")
    application = ApplicationFactory(mission=published)
    page = text(client.get("/entreprise/"))
    assert re.search(r'<span class="value">1</span>\s*<span class="label">missions publiées', page)
    assert re.search(r'<span class="value">1</span>\s*<span class="label">brouillons', page)
    assert re.search(r'<span class="value">1</span>\s*<span class="label">missions clôturées', page)
    assert application.freelancer.display_name in page and "1 à examiner" in page
    assert "Mission publiée A" in page and "Brouillon B" in page and "Ancienne C" not in page
    for section in ("contracts-title", "cra-title", "invoices-title"):
        assert f'id="{section}"' not in page


def test_contracts_cras_and_invoices_appear_once_there_are_some(client, director, db_session):
    mission = MissionFactory(company=director.company)
    profile = FreelancerProfileFactory()
    contract = Contract(mission=mission, company=director.company, freelancer=profile, half_days_per_week=4,
                        weekdays=["tue", "thu"], work_mode="hybrid", daily_rate_cents=45_000,
                        start_date=date(2026, 10, 1), status="active")
    db_session.add(contract)
    db_session.add(Timesheet(contract=contract, month=date(2026, 10, 1), status="submitted", total_half_days=16))
    series = InvoiceSeries(issuer_kind="freelancer", freelancer_id=profile.id, prefix=f"F{profile.id}-2026")
    db_session.add(series)
    db_session.flush()
    db_session.add(Invoice(series_id=series.id, sequence=1, number=f"F{profile.id}-2026-0001", issuer_kind="freelancer",
                           freelancer_id=profile.id, company_id=director.company_id, contract_id=contract.id,
                           month=date(2026, 10, 1), issue_date=date(2026, 11, 1), due_date=date(2026, 12, 1),
                           total_ht_cents=360_000, total_vat_cents=0, total_ttc_cents=360_000))
    # Another company's invoice never shows.
    other = SmeUserFactory()
    db_session.add(Invoice(series_id=series.id, sequence=2, number=f"F{profile.id}-2026-0002", issuer_kind="freelancer",
                           freelancer_id=profile.id, company_id=other.company_id, issue_date=date(2026, 11, 1),
                           due_date=date(2026, 12, 1), total_ht_cents=99_900, total_vat_cents=0, total_ttc_cents=99_900))
    db_session.flush()
    page = text(client.get("/entreprise/"))
    assert ">Contrats<" in page and profile.display_name in page
    assert "Comptes rendus d'activité (CRA)" in page and "octobre 2026" in page
    assert ">Factures<" in page and f"F{profile.id}-2026-0001" in page and f"F{profile.id}-2026-0002" not in page
    assert f"Reste à payer\u202f: <strong>{money(360_000)}</strong>" in page
