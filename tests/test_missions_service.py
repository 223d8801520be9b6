"""Mission posting: draft from a perimeter, the rules on its content, its life cycle."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import today
from marketplace.errors import DomainError
from marketplace.formatting import euros
from marketplace.models.audit import AuditLog
from marketplace.models.missions import (
    DEFAULT_KPIS,
    Application,
    Mission,
    MissionStatus,
)
from marketplace.platform import events
from marketplace.services.matching import facade as matching
from marketplace.services.missions import posting as missions
from marketplace.services.missions import sizing
from marketplace.services.missions.sizing import InvalidInput, TaskLine
from tests.factories import ApplicationFactory, MissionFactory, PerimeterLineFactory


@contextmanager
def captured(signal):
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield seen


def draft(db_session, user, lines=None, **kwargs):
    lines = sizing.field_example() if lines is None else lines
    return missions.create_draft(db_session, user.company, user, lines, **kwargs)


def valid_data(mission, **changes):
    data = missions.data_from_mission(mission)
    data.title = "Office manager à temps partagé"
    data.start_date = today() + timedelta(days=14)
    data.flexible_weekdays = False
    data.weekdays = ["tue", "thu"]
    data.half_days_per_week = 3
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def errors_of(caught) -> dict[str, str]:
    return {e.field: e.message for e in caught.value.errors}


def test_a_draft_from_the_field_example_is_pre_filled_from_the_sizing(app_ctx, db_session, sme_user):
    sme_user.company.headcount = 20
    with captured(events.mission_changed) as seen:
        mission = draft(db_session, sme_user, signals=["onboarding_lost", "legal_unknown"])
    assert mission.status == MissionStatus.DRAFT.value
    assert [line.minutes_per_month for line in mission.perimeter] == [240, 360, 180, 120, 120, 240, 120, 60]
    assert mission.half_days_per_week == 3  # 1,5 day/week, as in the field
    assert mission.required_skills == {
        "people_culture": 3, "operations_process": 3, "finance_procurement": 3,
        "facilities_workplace": 3, "communication_coordination": 3,
    }
    assert mission.spending_threshold_cents == 50_000
    assert mission.kpis == [dict(k) for k in DEFAULT_KPIS]
    assert (mission.site_city, mission.site_latitude) == ("Paris", sme_user.company.latitude)
    assert "Les nouveaux arrivants sont perdus pendant trois semaines" in mission.description
    assert "- Fournisseurs et achats — 6 h par mois" in mission.description
    assert seen == [(db_session, {"mission": mission})]
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "mission.created"))
    assert entry.subject_id == mission.id and entry.details["recommended_half_days"] == 3


def test_a_perimeter_without_a_task_saves_nothing(app_ctx, db_session, sme_user):
    with pytest.raises(InvalidInput) as caught:
        draft(db_session, sme_user, lines=[])
    assert caught.value.field == "perimeter"
    assert "Ajoutez au moins une tâche au périmètre" in caught.value.message
    assert db_session.scalar(select(Mission.id)) is None


def test_each_bad_perimeter_line_is_reported_where_it_is(app_ctx, db_session, sme_user):
    lines = [
        TaskLine("Onboarding", 240),
        TaskLine("", 60, criticality=3),
        TaskLine("Budget", 0, criticality=9),
    ]
    with pytest.raises(InvalidInput) as caught:
        draft(db_session, sme_user, lines=lines)
    assert errors_of(caught) == {
        "lines-1-label": "Choisissez ou décrivez la tâche.",
        "lines-2-hours": "Indiquez un nombre d'heures par mois supérieur à 0.",
        "lines-2-criticality": "La criticité va de 1 à 5.",
    }


def test_a_valid_draft_can_be_saved_then_published(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)
    missions.update(db_session, mission, sme_user, valid_data(mission, tools=["notion", "payfit", "Qonto"]), today())
    assert mission.weekdays == ["tue", "thu"] and mission.tools == ["Notion", "PayFit", "Qonto"]
    assert mission.onsite_days_per_week == 1
    with captured(events.mission_changed) as seen:
        missions.publish(db_session, mission, sme_user, today())
    assert mission.status == MissionStatus.PUBLISHED.value and mission.published_at is not None
    assert len(seen) == 1
    actions = db_session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["mission.created", "mission.updated", "mission.published"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekdays": ["tue"]}, "weekdays",
         "Pour 1,5 jour par semaine, choisissez 2 jours dont une demi-journée (vous en avez coché 1), "
         "ou cochez « jours flexibles »."),
        ({"half_days_per_week": 4, "weekdays": ["mon", "tue", "wed"]}, "weekdays",
         "Pour 2 jours par semaine, choisissez 2 jours (vous en avez coché 3), ou cochez « jours flexibles »."),
        ({"weekdays": []}, "weekdays", "Choisissez les jours de présence, ou cochez « jours flexibles »."),
        ({"max_daily_rate_cents": 9_999}, "budget",
         f"Le budget (TJM maximum) doit être compris entre {euros(10_000)} et {euros(200_000)} par jour."),
        ({"max_daily_rate_cents": 200_001}, "budget",
         f"Le budget (TJM maximum) doit être compris entre {euros(10_000)} et {euros(200_000)} par jour."),
        ({"start_date": today() - timedelta(days=1)}, "start_date", "La date de démarrage ne peut pas être dans le passé."),
        ({"start_date": None}, "start_date", "Indiquez la date de démarrage souhaitée."),
        ({"work_mode": "hybrid", "onsite_days_per_week": 3}, "onsite_days_per_week",
         "En hybride, indiquez entre 1 et 2 jours sur site par semaine."),
        ({"site_city": "Atlantide"}, "site_city", "Ville inconnue : choisissez une commune dans la liste proposée."),
        ({"spending_threshold_cents": -1}, "spending_threshold",
         "Le seuil de délégation des dépenses doit être compris entre 0 € et 100 000 €."),
        ({"title": "OM"}, "title", "Donnez un titre à la mission (5 caractères au moins)."),
    ],
)
def test_invalid_content_is_refused_beside_its_field_and_nothing_changes(app_ctx, db_session, sme_user, changes, field, message):
    mission = draft(db_session, sme_user)
    before = missions.data_from_mission(mission)
    with pytest.raises(InvalidInput) as caught:
        missions.update(db_session, mission, sme_user, valid_data(mission, **changes), today())
    assert errors_of(caught) == {field: message}
    assert missions.data_from_mission(mission) == before


def test_the_boundaries_of_the_rules_are_accepted(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)
    for budget in (10_000, 200_000):
        missions.update(db_session, mission, sme_user, valid_data(mission, max_daily_rate_cents=budget, start_date=today()), today())
        assert mission.max_daily_rate_cents == budget
    missions.update(db_session, mission, sme_user, valid_data(mission, flexible_weekdays=True, weekdays=["mon"]), today())
    assert mission.weekdays == []  # flexible: named days are ignored
    missions.update(db_session, mission, sme_user, valid_data(mission, work_mode="remote", site_city=""), today())
    assert mission.onsite_days_per_week == 0 and mission.site_latitude is None


def test_several_problems_are_reported_together(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)
    with pytest.raises(InvalidInput) as caught:
        missions.update(db_session, mission, sme_user, valid_data(
            mission, weekdays=["mon"], max_daily_rate_cents=5_000, start_date=today() - timedelta(days=3),
        ), today())
    assert set(errors_of(caught)) == {"weekdays", "budget", "start_date"}


def test_kpis_need_a_target_and_at_least_one_remains(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)
    kpis = [dict(k) for k in DEFAULT_KPIS] + [{"code": "", "label": "Délai de réponse", "target": ""}]
    with pytest.raises(InvalidInput) as caught:
        missions.update(db_session, mission, sme_user, valid_data(mission, kpis=kpis), today())
    assert errors_of(caught) == {"kpis-3-target": "Indiquez la cible (par exemple « ≥ 7/10 chaque trimestre »)."}
    with pytest.raises(InvalidInput) as caught:
        missions.update(db_session, mission, sme_user, valid_data(mission, kpis=[{"label": "", "target": ""}]), today())
    assert "kpis" in errors_of(caught)


def test_publishing_rechecks_the_content(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)  # no start date yet, flexible weekdays
    with pytest.raises(InvalidInput) as caught:
        missions.publish(db_session, mission, sme_user, today())
    assert "start_date" in errors_of(caught)
    assert mission.status == MissionStatus.DRAFT.value


def test_a_closed_mission_is_no_longer_edited(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user)
    missions.update(db_session, mission, sme_user, valid_data(mission), today())
    missions.publish(db_session, mission, sme_user, today())
    missions.close(db_session, mission, sme_user, "budget")
    with pytest.raises(DomainError, match="ne se modifie plus"):
        missions.update(db_session, mission, sme_user, valid_data(mission, title="Autre titre"), today())
    with pytest.raises(DomainError, match="ne se modifie plus"):
        missions.replace_perimeter(db_session, mission, sme_user, sizing.field_example())


def test_replacing_the_perimeter_adds_levels_for_new_dimensions(app_ctx, db_session, sme_user):
    mission = draft(db_session, sme_user, lines=[sizing.catalogue_line("onboarding")])
    assert mission.required_skills == {"people_culture": 3}
    volume = missions.replace_perimeter(
        db_session, mission, sme_user, [sizing.catalogue_line("onboarding"), sizing.catalogue_line("moves", criticality=5)]
    )
    assert mission.required_skills == {"people_culture": 3, "facilities_workplace": 4}
    assert [p.task for p in mission.perimeter] == ["Intégration des nouveaux (onboarding)", "Déménagements et transferts de locaux"]
    assert volume.minutes_per_month == 480


def test_closing_needs_a_reason_and_tells_the_open_applicants(app_ctx, db_session, sme_user, outbox):
    mission = MissionFactory(company=sme_user.company)
    PerimeterLineFactory(mission=mission)
    waiting = ApplicationFactory(mission=mission)
    accepted_elsewhere = ApplicationFactory(mission=mission, status="withdrawn")
    with pytest.raises(DomainError) as caught:
        missions.close(db_session, mission, sme_user, "", "")
    assert caught.value.field == "reason"
    with pytest.raises(DomainError) as caught:
        missions.close(db_session, mission, sme_user, "other", " ")
    assert caught.value.field == "details"
    with captured(events.application_status_changed) as seen:
        missions.close(db_session, mission, sme_user, "hired_elsewhere", "Recrutement interne")
    assert mission.status == MissionStatus.CLOSED.value
    assert mission.close_reason == "Poste pourvu en dehors de la plateforme : Recrutement interne"
    # Not "declined": the SME judged the mission, not the freelancer (the matcher learns from declines).
    assert waiting.status == "closed" and accepted_elsewhere.status == "withdrawn"
    assert [(kw["old"], kw["new"]) for _, kw in seen] == [("applied", "closed")]
    message = outbox.last_to(waiting.freelancer.user.email)
    assert "a clôturé la mission" in message.body_text and "Cela ne dit rien de votre profil" in message.body_text
    assert matching.outcomes(db_session) == []  # nothing for the matcher to learn as a rejection
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "mission.closed"))
    assert entry.reason == mission.close_reason
    with pytest.raises(DomainError):
        missions.close(db_session, mission, sme_user, "cancelled")


def test_a_mission_is_filled_only_after_an_accepted_application(app_ctx, db_session, sme_user, outbox):
    mission = MissionFactory(company=sme_user.company)
    chosen = ApplicationFactory(mission=mission)
    other = ApplicationFactory(mission=mission)
    with pytest.raises(DomainError, match="Acceptez d'abord"):
        missions.mark_filled(db_session, mission, sme_user)
    chosen.status = "accepted"
    missions.mark_filled(db_session, mission, sme_user)
    assert mission.status == MissionStatus.FILLED.value and mission.closed_at is not None
    assert other.status == "closed" and chosen.status == "accepted"
    assert "a été pourvue" in outbox.last_to(other.freelancer.user.email).body_text
    assert db_session.scalar(select(Application.status).where(Application.id == chosen.id)) == "accepted"
