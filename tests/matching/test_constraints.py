"""Hard constraints: each rule with a counter-example and its boundaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from marketplace.domain import WorkMode
from marketplace.matching.constraints import (
    EARTH_RADIUS_KM,
    exclusion_reason,
    haversine_km,
    is_eligible,
)
from marketplace.matching.index import ProfileIndex


def eligible_ids(m, *freelancers) -> set[str]:
    """Ids the vectorised index accepts; asserted equal to the per-pair rule."""
    index = ProfileIndex.build(freelancers)
    by_index = set(index.eligible(m))
    by_rule = {f.id for f in freelancers if is_eligible(m, f)}
    assert by_index == by_rule
    return by_index


def test_reference_pair_is_eligible(make_freelancer, make_mission):
    assert exclusion_reason(make_mission(), make_freelancer()) is None


def test_not_vetted_is_excluded(make_freelancer, make_mission):
    f = make_freelancer(vetted=False)
    assert exclusion_reason(make_mission(), f) == "Profil pas encore vérifié par la plateforme"
    assert eligible_ids(make_mission(), f) == set()


@pytest.mark.parametrize(("max_half", "ok"), [(3, False), (4, True), (10, True)])
def test_days_per_week(max_half, ok, make_freelancer, make_mission):
    f = make_freelancer(max_half_days_per_week=max_half)
    assert is_eligible(make_mission(half_days_per_week=4), f) is ok
    assert eligible_ids(make_mission(half_days_per_week=4), f) == ({"f1"} if ok else set())


def test_named_weekdays_must_all_be_free(make_freelancer, make_mission):
    m = make_mission(weekdays=("tue", "thu"))
    assert is_eligible(m, make_freelancer(available_weekdays=("tue", "thu")))
    only_tuesday = make_freelancer(available_weekdays=("mon", "tue", "wed"))
    assert exclusion_reason(m, only_tuesday) == "Pas libre le jeudi"
    assert eligible_ids(m, only_tuesday) == set()


def test_booked_weekday_is_not_offered(make_freelancer, make_mission):
    booked = make_freelancer(available_weekdays=("tue", "thu"), booked_weekdays=("thu",))
    assert booked.free_weekdays == ("tue",)
    assert not is_eligible(make_mission(weekdays=("tue", "thu")), booked)
    assert eligible_ids(make_mission(weekdays=("tue", "thu")), booked) == set()


@pytest.mark.parametrize(
    ("half_days", "free", "ok"),
    [
        (4, ("mon", "tue"), True),  # 2 days on 2 free days
        (4, ("mon",), False),
        (3, ("mon",), False),  # 1.5 days needs 2 whole weekdays
        (3, ("mon", "fri"), True),
        (2, ("wed",), True),
    ],
)
def test_flexible_mission_needs_enough_free_weekdays(half_days, free, ok, make_freelancer, make_mission):
    m = make_mission(weekdays=(), half_days_per_week=half_days)
    f = make_freelancer(available_weekdays=free, max_half_days_per_week=10)
    assert is_eligible(m, f) is ok
    assert eligible_ids(m, f) == ({"f1"} if ok else set())


def test_non_compete_same_sector_excluded_only_with_the_clause(make_freelancer, make_mission):
    f = make_freelancer(current_client_sectors=("immobilier", "sante"))
    assert "non-concurrence" in exclusion_reason(make_mission(non_compete=True, sector="immobilier"), f)
    assert is_eligible(make_mission(non_compete=False, sector="immobilier"), f)
    assert is_eligible(make_mission(non_compete=True, sector="logiciel"), f)
    assert eligible_ids(make_mission(non_compete=True, sector="immobilier"), f) == set()


@pytest.mark.parametrize("mode", [WorkMode.ONSITE, WorkMode.HYBRID])
def test_remote_only_freelancer_excluded_from_onsite_and_hybrid(mode, make_freelancer, make_mission, paris):
    f = make_freelancer(work_mode=WorkMode.REMOTE, lat=paris[0], lon=paris[1])
    assert "à distance" in exclusion_reason(make_mission(work_mode=mode), f)
    assert is_eligible(make_mission(work_mode=WorkMode.REMOTE), f)


def _north_of(point: tuple[float, float], km: float) -> tuple[float, float]:
    return point[0] + math.degrees(km / EARTH_RADIUS_KM), point[1]


@pytest.mark.parametrize(("km", "ok"), [(29.9, True), (30.1, False)])
def test_distance_just_inside_and_outside_the_radius(km, ok, make_freelancer, make_mission, paris):
    lat, lon = _north_of(paris, km)
    assert haversine_km(lat, lon, *paris) == pytest.approx(km, abs=1e-6)
    f = make_freelancer(lat=lat, lon=lon, mobility_km=30)
    assert is_eligible(make_mission(work_mode=WorkMode.ONSITE), f) is ok
    assert eligible_ids(make_mission(work_mode=WorkMode.ONSITE), f) == ({"f1"} if ok else set())
    # A remote mission does not care where the freelancer lives.
    assert is_eligible(make_mission(work_mode=WorkMode.REMOTE), f)


def test_distance_reason_is_readable(make_freelancer, make_mission, paris):
    lat, lon = _north_of(paris, 85)
    assert exclusion_reason(make_mission(), make_freelancer(lat=lat, lon=lon, mobility_km=50)) == (
        "Site à 85 km, au-delà de son rayon de 50 km"
    )


@pytest.mark.parametrize(
    ("rate_cents", "ok"),
    [(57_600, True), (57_601, False), (48_000, True), (30_000, True)],  # budget 480 €: +20 % = 576 €
)
def test_rate_at_most_twenty_percent_above_budget(rate_cents, ok, make_freelancer, make_mission):
    f = make_freelancer(daily_rate_cents=rate_cents)
    m = make_mission(max_daily_rate_cents=48_000)
    assert is_eligible(m, f) is ok
    assert eligible_ids(m, f) == ({"f1"} if ok else set())


def test_rate_reason_formats_euros(make_freelancer, make_mission):
    assert exclusion_reason(make_mission(), make_freelancer(daily_rate_cents=60_000)) == (
        "TJM 600\u00a0€ : plus de 20\u00a0% au-dessus du budget de 480\u00a0€"
    )


def test_vectorised_masks_agree_with_the_per_pair_rule_on_random_pairs(make_world):
    freelancers, missions = make_world(400, 20)
    index = ProfileIndex.build(freelancers)
    checked = 0
    for m in missions:
        expected = [f.id for f in freelancers if is_eligible(m, f)]
        assert index.eligible(m) == expected
        checked += len(expected)
    assert checked > 50  # the random world is not trivially empty


def test_eligible_rows_restricted_to_a_subset(make_world):
    freelancers, missions = make_world(100, 5)
    index = ProfileIndex.build(freelancers)
    subset = np.arange(0, 100, 3)
    for m in missions:
        full = set(index.eligible_rows(m).tolist())
        assert set(index.eligible_rows(m, subset).tolist()) == full & set(subset.tolist())
