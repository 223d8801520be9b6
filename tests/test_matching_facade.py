"""The matching facade: hard constraints exclude, scores explain in French."""

from __future__ import annotations

from marketplace.domain import WeekSlots
from marketplace.models.contracts import Contract, ContractBooking
from marketplace.services import matching
from tests.factories import FreelancerProfileFactory, MissionFactory


def test_eligible_pair_is_scored_with_french_reasons(app_ctx, db_session):
    mission = MissionFactory(min_finance_procurement=4, tools=["PayFit", "Notion"])
    profile = FreelancerProfileFactory(skill_finance_procurement=4, years_experience=11, daily_rate_cents=46000)
    result = matching.score_pair(db_session, mission, profile)
    labels = [r.label for r in result.reasons]
    assert "Compétences finance & achats 4/5 pour 4 demandés" in labels
    assert "Disponible mardi et jeudi" in labels
    assert "11 ans d'expérience (7 demandés)" in labels
    assert "TJM 460\u00a0€ pour 480\u00a0€ de budget" in labels
    assert any(label.startswith("Déjà mené : ") and "déménagements" in label for label in labels)
    assert 0 < result.score <= 100


def test_a_weekday_booked_by_a_contract_is_never_offered(app_ctx, db_session):
    mission = MissionFactory(weekdays=["tue", "thu"])
    profile = FreelancerProfileFactory(available_slots=WeekSlots.from_days(["tue", "wed", "thu"]).bits)
    assert matching.rank_freelancers(db_session, mission)[0].profile_id == profile.id
    contract = Contract(
        mission=MissionFactory(), company=mission.company, freelancer=profile, half_days_per_week=2,
        work_mode="hybrid", daily_rate_cents=45000, start_date=mission.start_date, status="active",
    )
    contract.bookings = [ContractBooking(freelancer_id=profile.id, weekday="thu", half=h) for h in ("am", "pm")]
    db_session.add(contract)
    db_session.flush()
    assert matching.rank_freelancers(db_session, mission) == []
    assert matching.eligibility(mission, profile, matching.booked_slots(db_session, [profile.id])[profile.id]) == [
        "Pas libre le jeudi"
    ]
