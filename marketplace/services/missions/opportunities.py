"""« Missions pour vous »: the published missions a freelancer browses, filtered and ranked.

Ranking and reasons come from the matching facade (``matching.rank_missions`` and
``matching.eligibility``); this module only selects the published missions the
filters keep and pairs each with the freelancer's own application, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from marketplace.domain import SKILL_CODES, WEEKDAYS, WorkMode
from marketplace.errors import DomainError
from marketplace.geo import find_commune, great_circle_km
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Application, Mission, MissionStatus
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching

DEFAULT_RADIUS_KM = 30


@dataclass
class MissionFilters:
    weekday: str | None = None
    city: str = ""
    remote_only: bool = False
    min_rate_cents: int | None = None
    dimension: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.weekday or self.city or self.remote_only or self.min_rate_cents or self.dimension)


@dataclass(frozen=True)
class Opportunity:
    mission: Mission
    result: matching.MatchResult | None = None
    blockers: tuple[str, ...] = ()
    application: Application | None = None
    distance_km: float | None = None


@dataclass
class Search:
    ranked: list[Opportunity] = field(default_factory=list)
    others: list[Opportunity] = field(default_factory=list)
    total: int = 0


def published_missions(session: Session) -> list[Mission]:
    return _published(session)


def _published(session: Session, *conditions, limit: int | None = None) -> list[Mission]:
    """Published missions, latest first, with what the page and the reasons read."""
    return list(
        session.scalars(
            select(Mission)
            .where(Mission.status == MissionStatus.PUBLISHED.value, *conditions)
            .options(selectinload(Mission.company), selectinload(Mission.perimeter))
            .order_by(Mission.published_at.desc(), Mission.id.desc())
            .limit(limit)
        )
    )


def _distance(profile: FreelancerProfile, mission: Mission) -> float | None:
    if None in (profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude):
        return None
    return great_circle_km(profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude)


def _blockers(profile: FreelancerProfile, mission: Mission, booked) -> tuple[str, ...]:
    """Why the mission does not fit; for a profile not (yet) matchable the page says why once, above."""
    if not profile.is_matchable:
        return ()
    return tuple(matching.eligibility(mission, profile, booked, you=True))


def apply_filters(missions: list[Mission], filters: MissionFilters, radius_km: int = DEFAULT_RADIUS_KM) -> list[Mission]:
    """The missions the filters keep (a flexible mission fits any weekday)."""
    if filters.weekday and filters.weekday not in WEEKDAYS:
        raise DomainError(_l("Jour inconnu."), "weekday")
    if filters.dimension and filters.dimension not in SKILL_CODES:
        raise DomainError(_l("Compétence inconnue."), "dimension")
    place = None
    if filters.city.strip():
        place = find_commune(filters.city.strip())
        if place is None:
            raise DomainError(_l("Ville inconnue : choisissez une commune dans la liste proposée."), "city")
    kept = []
    for mission in missions:
        if filters.weekday and mission.weekdays and filters.weekday not in mission.weekdays:
            continue
        if filters.remote_only and mission.work_mode != WorkMode.REMOTE.value:
            continue
        if place is not None:
            if mission.work_mode == WorkMode.REMOTE.value or mission.site_latitude is None or mission.site_longitude is None:
                continue
            if great_circle_km(place.latitude, place.longitude, mission.site_latitude, mission.site_longitude) > radius_km:
                continue
        if filters.min_rate_cents and mission.max_daily_rate_cents < filters.min_rate_cents:
            continue
        if filters.dimension and mission.min_level(filters.dimension) == 0:
            continue
        kept.append(mission)
    return kept


def search(session: Session, profile: FreelancerProfile, filters: MissionFilters | None = None, limit: int = 50) -> Search:
    """Published missions for this freelancer: ranked ones first (with reasons), then the others with why."""
    filters = filters or MissionFilters()
    if not filters.active:
        return _search_all(session, profile, limit)
    missions = apply_filters(published_missions(session), filters, max(profile.mobility_km, DEFAULT_RADIUS_KM))
    applications = {
        a.mission_id: a
        for a in session.scalars(select(Application).where(Application.freelancer_id == profile.id))
    }
    by_id = {m.id: m for m in missions}
    results = matching.rank_missions(session, profile, k=limit, missions=missions) if missions else []
    ranked = [
        Opportunity(by_id[r.mission_id], r, (), applications.get(r.mission_id), _distance(profile, by_id[r.mission_id]))
        for r in results
    ]
    placed = {r.mission_id for r in results}
    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    others = []
    for mission in missions:
        if len(others) >= limit:
            break
        if mission.id in placed:
            continue
        reasons = _blockers(profile, mission, booked)
        others.append(Opportunity(mission, None, reasons, applications.get(mission.id), _distance(profile, mission)))
    return Search(ranked=ranked, others=others, total=len(missions))


def _search_all(session: Session, profile: FreelancerProfile, limit: int) -> Search:
    """`search` without filters, reading only the missions shown (its cost does not grow with their number).

    The ranking comes from the matcher's index of the published missions; the others
    are the latest published ones not ranked, as `search` lists them.
    """
    applications = {
        a.mission_id: a
        for a in session.scalars(select(Application).where(Application.freelancer_id == profile.id))
    }
    results = matching.rank_missions(session, profile, k=limit)
    placed = {r.mission_id for r in results}
    by_id = {m.id: m for m in _published(session, Mission.id.in_(placed))} if placed else {}
    ranked = [
        Opportunity(by_id[r.mission_id], r, (), applications.get(r.mission_id), _distance(profile, by_id[r.mission_id]))
        for r in results
        if r.mission_id in by_id
    ]
    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    others = [
        Opportunity(m, None, _blockers(profile, m, booked), applications.get(m.id), _distance(profile, m))
        for m in _published(session, Mission.id.not_in(placed), limit=limit)
    ]
    total = session.scalar(select(func.count(Mission.id)).where(Mission.status == MissionStatus.PUBLISHED.value))
    return Search(ranked=ranked, others=others, total=total or 0)


def for_mission(session: Session, profile: FreelancerProfile, mission: Mission) -> Opportunity:
    """One mission seen by this freelancer: score and reasons, or why it does not fit."""
    from marketplace.services.missions.applications import application_for

    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    blockers = _blockers(profile, mission, booked)
    result = matching.score_pair(session, mission, profile, for_freelancer=True)
    return Opportunity(mission, result, blockers, application_for(session, profile, mission), _distance(profile, mission))
