"""« Missions pour vous »: the published missions a freelancer browses, filtered and ranked.

Ranking and reasons come from the matching facade (``matching.rank_missions`` and
``matching.eligibility``); this module only selects the published missions the
filters keep and pairs each with the freelancer's own application, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from marketplace.domain import SKILL_CODES, WEEKDAYS, WorkMode
from marketplace.errors import DomainError
from marketplace.geo import find_commune, great_circle_km
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Application, Mission, MissionStatus
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching

DEFAULT_RADIUS_KM = 30
PAGE_SIZE = 20


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
    """One page of the ranked missions (``page``, from 1); the others (not ranked, with why) on page 1 only."""

    ranked: list[Opportunity] = field(default_factory=list)
    others: list[Opportunity] = field(default_factory=list)
    total: int = 0
    page: int = 1
    has_next: bool = False


def published_missions(session: Session) -> list[Mission]:
    return _published(session)


def _published(session: Session, *conditions, limit: int | None = None, perimeter: bool = True) -> list[Mission]:
    """Published missions, latest first, with their company (and perimeter, which the matcher reads).

    Without ``perimeter``: for a list whose records come from the mission index, one
    statement whatever the number of rows.
    """
    options = [joinedload(Mission.company)] if not perimeter else [selectinload(Mission.company),
                                                                   selectinload(Mission.perimeter)]
    return list(
        session.scalars(
            select(Mission)
            .where(Mission.status == MissionStatus.PUBLISHED.value, *conditions)
            .options(*options)
            .order_by(Mission.published_at.desc(), Mission.id.desc())
            .limit(limit)
        )
    )


def _distance(profile: FreelancerProfile, mission: Mission) -> float | None:
    if None in (profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude):
        return None
    return great_circle_km(profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude)


def _blockers(profile: FreelancerProfile, missions: list[Mission], booked) -> dict[int, tuple[str, ...]]:
    """Why each mission does not fit, by id; for a profile not (yet) matchable the page says why once, above."""
    if not profile.is_matchable:
        return {m.id: () for m in missions}
    return {i: tuple(reasons) for i, reasons in matching.eligibilities(missions, profile, booked, you=True).items()}


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


def search(
    session: Session, profile: FreelancerProfile, filters: MissionFilters | None = None, limit: int = PAGE_SIZE,
    page: int = 1,
) -> Search:
    """Published missions for this freelancer, ``limit`` a page: ranked ones first (with reasons).

    Page 1 also lists the latest published missions not ranked there, with why they do not
    fit; the next pages continue the ranking only. Ranking the first ``page × limit`` (plus
    one, to know whether a next page exists) costs the same whatever the number of
    published missions.
    """
    filters = filters or MissionFilters()
    page = max(1, page)
    applications = {
        a.mission_id: a
        for a in session.scalars(select(Application).where(Application.freelancer_id == profile.id))
    }
    k = page * limit + 1
    if filters.active:
        missions = apply_filters(published_missions(session), filters, max(profile.mobility_km, DEFAULT_RADIUS_KM))
        total = len(missions)
        results = matching.rank_missions(session, profile, k=k, missions=missions) if missions else []
        by_id = {m.id: m for m in missions}
    else:
        missions = None
        total = session.scalar(select(func.count(Mission.id)).where(Mission.status == MissionStatus.PUBLISHED.value))
        results = matching.rank_missions(session, profile, k=k)
    shown = results[(page - 1) * limit:page * limit]
    if missions is None:
        wanted = {r.mission_id for r in shown}
        by_id = {m.id: m for m in _published(session, Mission.id.in_(wanted), perimeter=False)}
    ranked = [
        Opportunity(by_id[r.mission_id], r, (), applications.get(r.mission_id), _distance(profile, by_id[r.mission_id]))
        for r in shown
        if r.mission_id in by_id
    ]
    others: list[Opportunity] = []
    if page == 1:
        placed = {r.mission_id for r in shown}
        booked = bookings.booked_slots(session, [profile.id])[profile.id]
        if missions is None:
            candidates = _published(session, Mission.id.not_in(placed), limit=limit, perimeter=False)
        else:
            candidates = [m for m in missions if m.id not in placed][:limit]
        blockers = _blockers(profile, candidates, booked)
        others = [
            Opportunity(m, None, blockers[m.id], applications.get(m.id), _distance(profile, m)) for m in candidates
        ]
    return Search(ranked=ranked, others=others, total=total or 0, page=page, has_next=len(results) > page * limit)


def suggestions(
    session: Session, profile: FreelancerProfile, n: int = 3, applied: Iterable[int] | None = None
) -> list[Opportunity]:
    """The ``n`` best-ranked published missions the freelancer has not applied to (nor been invited to).

    ``applied``: the missions of the freelancer's applications, when the caller has them.
    """
    if applied is None:
        applied = session.scalars(select(Application.mission_id).where(Application.freelancer_id == profile.id))
    applied = set(applied)
    results = [r for r in matching.rank_missions(session, profile, k=n + len(applied)) if r.mission_id not in applied][:n]
    if not results:
        return []
    by_id = {m.id: m for m in _published(session, Mission.id.in_([r.mission_id for r in results]), perimeter=False)}
    return [Opportunity(by_id[r.mission_id], r, (), None, _distance(profile, by_id[r.mission_id]))
            for r in results if r.mission_id in by_id]


def for_mission(session: Session, profile: FreelancerProfile, mission: Mission) -> Opportunity:
    """One mission seen by this freelancer: score and reasons, or why it does not fit."""
    from marketplace.services.missions.applications import application_for

    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    blockers = _blockers(profile, [mission], booked)[mission.id]
    result = matching.score_pair(session, mission, profile, for_freelancer=True)
    return Opportunity(mission, result, blockers, application_for(session, profile, mission), _distance(profile, mission))
