"""The matching facade over the scikit-learn matcher, on database rows."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.domain import WeekSlots
from marketplace.matching.model import MatchModel
from marketplace.models.contracts import Contract, ContractBooking
from marketplace.models.matching import MatcherModel
from marketplace.models.missions import ApplicationStatus
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from tests.factories import ApplicationFactory, FreelancerProfileFactory, MissionFactory


def book(db_session, profile, mission, weekdays):
    """A signed contract holding ``weekdays`` of ``profile``'s week."""
    contract = Contract(
        mission=mission, company=mission.company, freelancer=profile, half_days_per_week=2 * len(weekdays),
        work_mode="hybrid", daily_rate_cents=45000, start_date=mission.start_date, status="active",
    )
    contract.bookings = [
        ContractBooking(freelancer_id=profile.id, weekday=day, half=half) for day in weekdays for half in ("am", "pm")
    ]
    db_session.add(contract)
    db_session.flush()
    return contract


def test_eligible_pair_is_scored_with_french_reasons(app_ctx, db_session):
    mission = MissionFactory(min_finance_procurement=4, tools=["PayFit", "Notion"])
    profile = FreelancerProfileFactory(skill_finance_procurement=4, years_experience=11, daily_rate_cents=46000)
    result = matching.score_pair(db_session, mission, profile)
    labels = [r.label for r in result.reasons]
    assert "Compétences finance & achats 4/5 pour 4 demandés" in labels
    assert any(label.startswith("Disponible mardi et jeudi") for label in labels)
    assert "11 ans d'expérience (minimum : 7 ans)" in labels
    assert "TJM 460\u00a0€ pour 480\u00a0€ de budget" in labels
    assert "Déjà mené : déménagement et notes de frais" in labels
    assert 0 < result.score <= 100
    # The freelancer sees the same pair worded for them.
    mine = matching.score_pair(db_session, mission, profile, for_freelancer=True)
    assert any("vous" in r.label.lower() or "votre" in r.label.lower() for r in mine.reasons)


def test_a_weekday_booked_by_a_contract_is_never_offered_on_either_side(app_ctx, db_session):
    mission = MissionFactory(weekdays=["tue", "thu"])
    profile = FreelancerProfileFactory(available_slots=WeekSlots.from_days(["tue", "wed", "thu"]).bits)
    assert [r.profile_id for r in matching.rank_freelancers(db_session, mission)] == [profile.id]
    assert [r.mission_id for r in matching.rank_missions(db_session, profile)] == [mission.id]

    book(db_session, profile, MissionFactory(), ["thu"])

    assert matching.rank_freelancers(db_session, mission) == []
    assert matching.rank_missions(db_session, profile) == []
    booked = bookings.booked_slots(db_session, [profile.id])[profile.id]
    assert booked.full_days() == ["thu"]
    assert matching.eligibility(mission, profile, booked)


def test_approval_and_suspension_change_every_result(app_ctx, db_session):
    mission = MissionFactory()
    profile = FreelancerProfileFactory(status="submitted")
    assert matching.rank_freelancers(db_session, mission) == []
    profile.status = "approved"
    db_session.flush()
    assert [r.profile_id for r in matching.rank_freelancers(db_session, mission)] == [profile.id]
    profile.matching_suspended_reason = "Attestation URSSAF expirée"
    db_session.flush()
    assert matching.rank_freelancers(db_session, mission) == []
    assert matching.score_pair(db_session, mission, profile) is None


def test_excluded_ids_and_snapshot(app_ctx, db_session):
    mission = MissionFactory()
    first, second = FreelancerProfileFactory(), FreelancerProfileFactory()
    ranked = {r.profile_id for r in matching.rank_freelancers(db_session, mission)}
    assert ranked == {first.id, second.id}
    assert [r.profile_id for r in matching.rank_freelancers(db_session, mission, exclude_ids=[first.id])] == [second.id]
    application = ApplicationFactory(mission=mission, freelancer=first)
    result = matching.snapshot_application(db_session, application)
    assert application.score == result.score and application.score_breakdown[0]["label"]


def test_retraining_keeps_the_model_when_outcomes_are_too_few(app_ctx, db_session):
    mission = MissionFactory()
    ApplicationFactory(mission=mission, status=ApplicationStatus.SHORTLISTED.value)
    ApplicationFactory(mission=mission, status=ApplicationStatus.DECLINED.value)
    before = matching._state().store.current
    result = matching.retrain(db_session)
    assert not result.accepted and "too few" in result.reason
    assert matching._state().store.current is before


def test_retraining_on_outcomes_swaps_the_model(app, app_ctx, db_session):
    before = matching._state().store.current.meta["version"]
    for n in range(12):
        mission = MissionFactory(description="Organiser le déménagement des bureaux et les notes de frais.")
        good = FreelancerProfileFactory(bio="J'ai organisé deux déménagements et géré les notes de frais.")
        weak = FreelancerProfileFactory(bio="Accueil et standard.", skill_finance_procurement=1, years_experience=4)
        ApplicationFactory(mission=mission, freelancer=good, status=ApplicationStatus.ACCEPTED.value)
        ApplicationFactory(mission=mission, freelancer=weak, status=ApplicationStatus.DECLINED.value)
    result = matching.retrain(db_session)
    assert result.accepted, result.reason
    assert matching._state().store.current.meta["version"] == before + 1
    # Kept in the database, with what it was fitted on, for every other process to load.
    row = db_session.scalar(select(MatcherModel).where(MatcherModel.version == before + 1))
    assert row.n_pairs > 0 and len(row.training_data_sha256) == 64 and row.metrics["pairs"] == 24.0
    assert MatchModel.from_bytes(row.artifact).meta["n_pairs"] == row.n_pairs


def test_retraining_runs_as_a_job(app_ctx, db_session):
    from marketplace.db import commit
    from marketplace.platform import jobs

    intent = jobs.enqueue(db_session, "matching.retrain")
    commit(db_session)
    db_session.refresh(intent)
    assert intent.status == "done"


def test_json_api_ranks_through_the_same_facade(client, db_session, sme_user, other_sme_user):
    from tests.conftest import login
    from tests.factories import PASSWORD

    mission = MissionFactory(company=sme_user.company)
    profile = FreelancerProfileFactory()
    login(client, sme_user.email, PASSWORD)
    data = client.get(f"/api/missions/{mission.id}/recommandations").json
    assert [r["freelancer"]["id"] for r in data["results"]] == [profile.id]
    assert data["results"][0]["reasons"][0]["label"]
    theirs = MissionFactory(company=other_sme_user.company)
    assert client.get(f"/api/missions/{theirs.id}/recommandations").status_code == 404
    client.post("/compte/deconnexion")
    login(client, profile.user.email, PASSWORD)
    data = client.get("/api/freelance/missions").json
    assert {r["mission"]["id"] for r in data["results"]} == {mission.id, theirs.id}
    assert client.get(f"/api/missions/{mission.id}/recommandations").status_code == 403
