"""Records and the exchange format: cents, half days, normalised tools, round trip."""

from __future__ import annotations

import json

import pytest

from marketplace.matching.records import (
    FreelancerRecord,
    MissionRecord,
    dump_exchange,
    load_exchange,
    parse_exchange,
)

FREELANCER = {
    "id": "f9",
    "years_experience": 8,
    "city": "Lyon",
    "lat": 45.76,
    "lon": 4.83,
    "mobility_km": 20,
    "work_mode": "hybrid",
    "daily_rate_eur": 452.5,
    "available_weekdays": ["thu", "tue"],
    "max_days_per_week": 2.5,
    "skills": {"people_culture": 4, "finance_procurement": 2},
    "tools": ["payfit", "notion", "Notion", "msteams"],
    "current_client_sectors": ["sante"],
    "vetted": True,
    "bio": "Onboarding.",
}
MISSION = {
    "id": "m9",
    "company_size": 30,
    "sector": "logiciel",
    "city": "Lyon",
    "lat": 45.76,
    "lon": 4.83,
    "work_mode": "onsite",
    "days_per_week": 1.5,
    "weekdays": [],
    "max_daily_rate_eur": 480,
    "min_years_experience": 5,
    "skills_required": {"people_culture": 3, "operations_process": 0},
    "tools": ["Payfit"],
    "non_compete": True,
    "description": "Onboarding des nouveaux.",
}


def test_freelancer_from_exchange_uses_cents_half_days_and_canonical_tools():
    f = FreelancerRecord.from_exchange(FREELANCER)
    assert f.daily_rate_cents == 45_250
    assert f.max_half_days_per_week == 5
    assert f.available_weekdays == ("tue", "thu")  # week order
    assert f.tools == ("Notion", "PayFit", "Teams")
    assert f.level("people_culture") == 4 and f.level("operations_process") == 0


def test_mission_from_exchange_drops_zero_requirements_and_rounds_days_up():
    m = MissionRecord.from_exchange(MISSION)
    assert m.half_days_per_week == 3
    assert m.full_days_needed == 2
    assert m.skills_required == {"people_culture": 3}
    assert m.max_daily_rate_cents == 48_000


def test_round_trip_through_a_file(tmp_path):
    f, m = FreelancerRecord.from_exchange(FREELANCER), MissionRecord.from_exchange(MISSION)
    path = tmp_path / "x.json"
    dump_exchange([f], [m], path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "marketplace-match-eval/1"
    assert doc["freelancers"][0]["daily_rate_eur"] == 452.5
    assert doc["freelancers"][0]["max_days_per_week"] == 2.5
    again = load_exchange(path)
    assert again.freelancers[0] == f
    assert again.missions[0] == m


def test_booked_weekdays_leave_the_exchange_availability():
    f = FreelancerRecord.from_exchange(FREELANCER).with_booked_weekdays(["tue"])
    assert f.to_exchange()["available_weekdays"] == ["thu"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_days_per_week", 1.25), ("work_mode", "sometimes"), ("available_weekdays", ["sun"])],
)
def test_invalid_values_are_refused(field, value):
    with pytest.raises(ValueError):
        FreelancerRecord.from_exchange({**FREELANCER, field: value})


def test_skill_levels_are_checked():
    with pytest.raises(ValueError):
        FreelancerRecord.from_exchange({**FREELANCER, "skills": {"people_culture": 6}})
    with pytest.raises(ValueError):
        FreelancerRecord.from_exchange({**FREELANCER, "skills": {"cooking": 3}})


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        parse_exchange({"format": "other/2", "freelancers": [], "missions": []})
