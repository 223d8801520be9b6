"""A published mission changes: versions, applicants told of material changes, duplicates, the preview step."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import today
from marketplace.errors import DomainError
from marketplace.formatting import euros
from marketplace.models.missions import Mission, MissionVersion
from marketplace.services.missions import posting, sizing
from marketplace.services.missions.sizing import InvalidInput
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    MissionFactory,
    PerimeterLineFactory,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def plain(page: str) -> str:
    """The page's text without tags, every kind of space as one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("\u202f", " ").replace("\xa0", " ").split())


def form_of(mission: Mission, **changes) -> dict:
    """What the edit form posts for ``mission`` as it is, with ``changes``."""
    data = {
        "title": mission.title,
        "description": mission.description,
        "days_per_week": str(mission.half_days_per_week),
        "weekdays": list(mission.weekdays),
        "work_mode": mission.work_mode,
        "onsite_days_per_week": str(mission.onsite_days_per_week),
        "site_city": mission.site_city,
        "start_date": mission.start_date.isoformat() if mission.start_date else "",
        "budget": str(mission.max_daily_rate_cents // 100),
        "min_years_experience": str(mission.min_years_experience),
        "min_people_culture": "0", "min_operations_process": "0", "min_finance_procurement": "3",
        "min_facilities_workplace": "0", "min_communication_coordination": "0",
        "other_tools": "",
        "spending_threshold": str(mission.spending_threshold_cents // 100),
        "action": "save",
    }
    for index, kpi in enumerate(mission.kpis):
        data[f"kpis-{index}-code"] = kpi.get("code", "")
        data[f"kpis-{index}-label"] = kpi["label"]
        data[f"kpis-{index}-target"] = kpi["target"]
    data.update(changes)
    return data


@pytest.fixture()
def director(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    return sme_user


@pytest.fixture()
def published(director):
    mission = MissionFactory(company=director.company, created_by=director, onsite_days_per_week=1)
    PerimeterLineFactory(mission=mission)
    return mission


def versions_of(db_session, mission) -> list[MissionVersion]:
    return list(db_session.scalars(
        select(MissionVersion).where(MissionVersion.mission_id == mission.id).order_by(MissionVersion.number)))


def test_a_material_edit_is_versioned_and_told_to_the_applicants(app, client, published, db_session, outbox):
    applied = ApplicationFactory(mission=published)
    declined = ApplicationFactory(mission=published, status="declined")
    withdrawn = ApplicationFactory(mission=published, status="withdrawn")
    page = text(client.get(f"/entreprise/missions/{published.id}/modifier"))
    assert "Modifier la mission publiée" in page and "le candidat en cours sera prévenu" in page

    response = client.post(f"/entreprise/missions/{published.id}/modifier",
                           data=form_of(published, budget="520", weekdays=["tue", "wed"]), follow_redirects=True)
    page = text(response)
    assert "Les candidats en cours ont été prévenus" in page
    assert published.max_daily_rate_cents == 52_000 and published.weekdays == ["tue", "wed"]

    first, second = versions_of(db_session, published)
    assert first.snapshot["max_daily_rate_cents"] == 48_000 and first.changes == []
    assert second.number == 2 and second.material and second.author_id == published.created_by_id
    assert second.snapshot["max_daily_rate_cents"] == 52_000
    changed = {c["field"]: (c["before"], c["after"]) for c in second.changes}
    assert changed["max_daily_rate_cents"] == (f"{euros(48_000)} par jour", f"{euros(52_000)} par jour")
    assert changed["weekdays"] == ("mardi et jeudi", "mardi et mercredi")
    assert "Historique des versions" in page and "Version 2" in page

    email = outbox.last_to(applied.freelancer.user.email)
    assert email.template == "mission_changed" and published.title in email.subject
    assert f"Budget (TJM maximum) : {euros(48_000)} par jour → {euros(52_000)} par jour" in email.body_text
    assert "Jours de présence : mardi et jeudi → mardi et mercredi" in email.body_text
    told = {m.to_address for m in outbox.messages() if m.template == "mission_changed"}
    assert told == {applied.freelancer.user.email}  # not the declined nor the withdrawn applicant
    assert declined.freelancer.user.email not in told and withdrawn.freelancer.user.email not in told

    # The applicant sees the change list on their application's page.
    freelancer = app.test_client()
    login(freelancer, applied.freelancer.user.email, PASSWORD)
    page = plain(text(freelancer.get(f"/freelance/missions/{published.id}")))
    assert "La mission a changé depuis votre candidature" in page
    assert "Budget (TJM maximum) : 480 € par jour → 520 € par jour" in page


def test_a_typo_fix_is_versioned_without_telling_anyone(client, published, db_session, outbox):
    ApplicationFactory(mission=published)
    description = published.description.replace("organiser", "piloter")
    response = client.post(f"/entreprise/missions/{published.id}/modifier",
                           data=form_of(published, description=description), follow_redirects=True)
    assert "les candidats ne sont pas relancés" in text(response)
    assert published.description == description
    edit = versions_of(db_session, published)[-1]
    assert not edit.material and [c["field"] for c in edit.changes] == ["description"]
    assert [m for m in outbox.messages() if m.template == "mission_changed"] == []


def test_saving_without_any_change_adds_no_version(client, published, db_session):
    response = client.post(f"/entreprise/missions/{published.id}/modifier", data=form_of(published), follow_redirects=True)
    assert "Aucun changement à enregistrer" in text(response)
    assert versions_of(db_session, published) == []


def test_the_perimeter_of_a_published_mission_is_a_material_change(app_ctx, db_session, published, director, outbox):
    applied = ApplicationFactory(mission=published)
    posting.replace_perimeter(db_session, published, director, sizing.field_example())
    edit = versions_of(db_session, published)[-1]
    assert edit.material and edit.changes[0]["field"] == "perimeter"
    assert edit.changes[0]["after"] == "8 tâches, 24 h par mois"
    assert outbox.last_to(applied.freelancer.user.email).template == "mission_changed"


@pytest.mark.parametrize("status", ["filled", "closed"])
def test_a_filled_or_closed_mission_cannot_be_edited(client, director, db_session, status):
    mission = MissionFactory(company=director.company, status=status, onsite_days_per_week=1)
    response = client.get(f"/entreprise/missions/{mission.id}/modifier", follow_redirects=True)
    assert "Une mission pourvue ou clôturée ne se modifie plus" in text(response)
    client.post(f"/entreprise/missions/{mission.id}/modifier", data=form_of(mission, budget="900"))
    db_session.refresh(mission)
    assert mission.max_daily_rate_cents == 48_000
    with pytest.raises(DomainError, match="ne se modifie plus"):
        posting.update(db_session, mission, director, posting.data_from_mission(mission), today())
    assert "Modifier" not in text(client.get(f"/entreprise/missions/{mission.id}")).split("Dupliquer")[0].split("actions-row")[1]


def test_duplicating_makes_a_draft_of_the_same_company(client, director, db_session):
    source = MissionFactory(company=director.company, status="closed", onsite_days_per_week=1, tools=["Notion"])
    PerimeterLineFactory(mission=source, task="Intégration des nouveaux arrivants")
    response = client.post(f"/entreprise/missions/{source.id}/dupliquer")
    assert response.status_code == 302, text(response)[:3000]
    copy = db_session.scalar(select(Mission).where(Mission.id != source.id, Mission.company_id == director.company_id))
    assert response.headers["Location"] == f"/entreprise/missions/{copy.id}/modifier"
    assert copy.status == "draft" and copy.company_id == source.company_id and copy.created_by_id == director.id
    assert copy.title == f"{source.title} (copie)"
    assert (copy.max_daily_rate_cents, copy.weekdays, copy.tools) == (48_000, ["tue", "thu"], ["Notion"])
    assert [line.task for line in copy.perimeter] == ["Intégration des nouveaux arrivants"]
    assert source.status == "closed" and [line.task for line in source.perimeter] == ["Intégration des nouveaux arrivants"]
    assert "Copie créée en brouillon" in text(client.get(response.headers["Location"]))


def test_another_company_cannot_edit_duplicate_or_preview_a_mission(client, director, other_sme_user, db_session):
    theirs = MissionFactory(company=other_sme_user.company, onsite_days_per_week=1)
    their_draft = MissionFactory(company=other_sme_user.company, status="draft", onsite_days_per_week=1)
    before = db_session.scalar(select(func.count()).select_from(Mission))
    assert client.get(f"/entreprise/missions/{theirs.id}/modifier").status_code == 404
    assert client.post(f"/entreprise/missions/{theirs.id}/modifier", data=form_of(theirs, budget="900")).status_code == 404
    assert client.post(f"/entreprise/missions/{theirs.id}/dupliquer").status_code == 404
    assert client.get(f"/entreprise/missions/{their_draft.id}/apercu").status_code == 404
    assert client.get(f"/entreprise/missions/{theirs.id}/perimetre").status_code == 404
    assert db_session.scalar(select(func.count()).select_from(Mission)) == before
    assert theirs.max_daily_rate_cents == 48_000 and versions_of(db_session, theirs) == []


def test_the_preview_is_a_step_that_keeps_what_was_typed(client, director, db_session):
    director.company.headcount = 20
    draft = posting.create_draft(db_session, director.company, director, sizing.field_example())
    db_session.commit()
    form = text(client.get(f"/entreprise/missions/{draft.id}/modifier"))
    assert "Publier la mission" not in form and 'value="preview"' in form
    typed = form_of(draft, title="Office manager pour notre croissance", weekdays=["tue", "thu"], days_per_week="4",
                    site_city="Lyon", budget="455", start_date=(today() + timedelta(days=20)).isoformat(),
                    action="preview")
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data=typed)
    assert response.headers["Location"] == f"/entreprise/missions/{draft.id}/apercu"
    page = text(client.get(response.headers["Location"]))
    assert "Office manager pour notre croissance" in page and "Publier la mission" in page
    assert "correspond" in page.split('id="preview-matches"')[1].split("</div>")[0]
    form = text(client.get(f"/entreprise/missions/{draft.id}/modifier"))
    assert 'value="Office manager pour notre croissance"' in form and 'value="455"' in form and 'value="Lyon"' in form
    response = client.post(f"/entreprise/missions/{draft.id}/publier", follow_redirects=True)
    assert "Votre mission est publiée" in text(response) and draft.status == "published"
    assert [v.number for v in versions_of(db_session, draft)] == [1]


def test_a_started_mission_keeps_its_past_start_date_but_cannot_move_to_another(app_ctx, db_session, published, director):
    published.start_date = today() - timedelta(days=10)
    data = posting.data_from_mission(published)
    data.description += " Merci de préciser vos disponibilités."
    posting.update(db_session, published, director, data, today())
    assert [c["field"] for c in versions_of(db_session, published)[-1].changes] == ["description"]
    data.start_date = today() - timedelta(days=5)
    with pytest.raises(InvalidInput) as caught:
        posting.update(db_session, published, director, data, today())
    assert [e.field for e in caught.value.errors] == ["start_date"]
