"""Hard constraints: who may be proposed for a mission at all.

The rules, as `shared/eval/README.md` states them: vetted only; enough days a week; the
named weekdays all free (a flexible mission needs as many free weekdays as its whole
days); no non-compete conflict; for on-site and hybrid work, not remote-only and within
the freelancer's mobility radius; a daily rate at most 20 % above the budget.

`exclusion` is the per-pair rule (a French `Reason` with its code, for explanations and tests); the
index applies the same rules with NumPy masks (`marketplace.matching.index`), and the
tests check that both agree on the whole development set.
"""

from __future__ import annotations

import numpy as np

from marketplace.domain import WorkMode
from marketplace.matching.reasons import Reason
from marketplace.matching.records import FreelancerRecord, MissionRecord

__all__ = [
    "EARTH_RADIUS_KM",
    "RATE_TOLERANCE_PERCENT",
    "distance_km",
    "exclusion",
    "exclusion_reason",
    "haversine_km",
    "is_eligible",
    "needs_presence",
    "rate_within_tolerance",
]

EARTH_RADIUS_KM = 6371.0
RATE_TOLERANCE_PERCENT = 20  # a rate up to 20 % above the budget is still proposed


def rate_within_tolerance(rate_cents, budget_cents):
    """Rate at most 20 % above budget, in exact integer arithmetic (scalars or arrays)."""
    return rate_cents * 100 <= budget_cents * (100 + RATE_TOLERANCE_PERCENT)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points in degrees (NumPy-broadcasting)."""
    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_km(mission: MissionRecord, freelancer: FreelancerRecord) -> float | None:
    """Distance from the freelancer's base to the mission site, or None if unknown."""
    if None in (mission.lat, mission.lon, freelancer.lat, freelancer.lon):
        return None
    return float(haversine_km(freelancer.lat, freelancer.lon, mission.lat, mission.lon))


def needs_presence(mission: MissionRecord) -> bool:
    """On-site and hybrid missions need the freelancer on site some days."""
    return mission.work_mode in (WorkMode.ONSITE, WorkMode.HYBRID)


def exclusion(mission: MissionRecord, freelancer: FreelancerRecord, *, you: bool = False) -> Reason | None:
    """Why the freelancer may not be proposed for the mission, or None if eligible.

    The reason is French text carrying its code and parameters (`reasons.Reason`); ``you``
    words it for the freelancer ("au-delà de votre rayon").
    """

    def why(code: str, **params) -> Reason:
        return Reason(f"{code}.you" if you else code, params)

    if not freelancer.vetted:
        return why("not_vetted")
    if freelancer.max_half_days_per_week < mission.half_days_per_week:
        return why("capacity", capacity=freelancer.max_half_days_per_week / 2, asked=mission.half_days_per_week / 2)
    free = set(freelancer.free_weekdays)
    if mission.weekdays:
        missing = [d for d in mission.weekdays if d not in free]
        if len(missing) == 1:
            return why("weekday_taken", weekdays=missing)
        if missing:
            return why("weekdays_taken", weekdays=missing)
    elif len(free) < mission.full_days_needed:
        return why("free_days", days=len(free), asked=mission.full_days_needed)
    if mission.non_compete and mission.sector and mission.sector in freelancer.current_client_sectors:
        return why("non_compete", sector=mission.sector)
    if needs_presence(mission):
        if freelancer.work_mode == WorkMode.REMOTE:
            return why("remote_only")
        distance = distance_km(mission, freelancer)
        if distance is None:
            return why("no_location")
        if distance > freelancer.mobility_km:
            # Whole km, unless rounding would hide why 50.3 km is outside a 50 km radius.
            shown = round(distance) if round(distance) > freelancer.mobility_km else round(distance, 1)
            return why("radius", km=shown, radius=freelancer.mobility_km)
    if not rate_within_tolerance(freelancer.daily_rate_cents, mission.max_daily_rate_cents):
        return why("rate_too_high", rate=freelancer.daily_rate_cents, percent=RATE_TOLERANCE_PERCENT,
                   budget=mission.max_daily_rate_cents)
    return None


def exclusion_reason(mission: MissionRecord, freelancer: FreelancerRecord) -> str | None:
    """Why the freelancer may not be proposed for the mission (French), or None if eligible."""
    return exclusion(mission, freelancer)


def is_eligible(mission: MissionRecord, freelancer: FreelancerRecord) -> bool:
    """Whether the pair passes every hard constraint."""
    return exclusion_reason(mission, freelancer) is None
