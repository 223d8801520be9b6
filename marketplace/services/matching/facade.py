"""Matching, as the rest of the application sees it: a facade over ``marketplace.matching``.

Pages, the API, jobs and the CLI call only these functions:

* :func:`eligibility` — the French reason a freelancer cannot take a mission ([] = eligible);
* :func:`score_pair` — one pair's score (0–100) and explained breakdown, or None;
* :func:`rank_freelancers` — the best eligible freelancers for a mission;
* :func:`rank_missions` — the published missions that fit a freelancer;
* :func:`snapshot_application` — freeze an application's score and breakdown;
* :func:`retrain` — refit the model on the marketplace's own outcomes.

Each process keeps one :class:`~marketplace.matching.ProfileIndex` of the matchable
profiles (approved, not suspended). It is built on first use and brought up to date
before every query from the profiles whose ``updated_at`` moved — a signed or ended
contract touches its freelancer's profile — so web workers and RQ workers agree
without any refit or rebuild.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from marketplace.db import db, utcnow
from marketplace.domain import SUB_SKILL_LABELS, WEEKDAYS, WeekSlots
from marketplace.matching import (
    ExplanationItem,
    FreelancerRecord,
    Match,
    MissionRecord,
    ModelStore,
    ProfileIndex,
    RefitResult,
    exclusion_reason,
    pairs_from_outcomes,
)
from marketplace.matching.model import OUTCOME_GRADES
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.missions import Application, Mission, MissionStatus
from marketplace.services.contracts.bookings import booked_slots, free_slots
from marketplace.services.matching.store import DatabaseBackend

# The breakdown lines are the matcher's own items (kind, label, positive, points).
Reason = ExplanationItem

# Re-read profiles changed a little before the last sync too: a transaction that
# committed late may carry an earlier ``updated_at``.
SYNC_MARGIN = timedelta(minutes=5)
MISSION_CACHE_SIZE = 2048


@dataclass(frozen=True)
class MatchResult:
    """An eligible pair's score (0–100) with the reasons behind it."""

    mission_id: int
    profile_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def positives(self) -> list[Reason]:
        return [r for r in self.reasons if r.positive]

    @property
    def negatives(self) -> list[Reason]:
        return [r for r in self.reasons if not r.positive]

    def breakdown(self) -> list[dict[str, Any]]:
        """The reasons as JSON-ready dicts (stored on applications)."""
        return [r.to_dict() for r in self.reasons]


# --- records from rows -------------------------------------------------------------


def freelancer_record(profile: FreelancerProfile, booked: WeekSlots) -> FreelancerRecord:
    """What the matcher knows of a profile; weekdays with a booked half are not free."""
    ticked = [SUB_SKILL_LABELS[c] for c in profile.sub_skills or [] if c in SUB_SKILL_LABELS]
    text = " ".join(
        [profile.headline or "", profile.bio or ""]
        + [e.description for e in profile.experiences if e.description]
        + ([f"Compétences : {', '.join(ticked)}."] if ticked else [])
    )
    return FreelancerRecord(
        id=str(profile.id),
        years_experience=profile.years_experience,
        daily_rate_cents=profile.daily_rate_cents or 0,
        max_half_days_per_week=free_slots(profile, booked).half_days(),
        available_weekdays=profile.slots.full_days(),
        booked_weekdays=[d for d in WEEKDAYS if booked.has(d, "am") or booked.has(d, "pm")],
        skills=profile.skills,
        work_mode=profile.work_mode,
        lat=profile.latitude,
        lon=profile.longitude,
        mobility_km=profile.mobility_km,
        tools=profile.tools or [],
        current_client_sectors=profile.client_sectors or [],
        vetted=profile.is_matchable,
        bio=text,
        city=profile.city,
    )


def mission_record(mission: Mission) -> MissionRecord:
    """What the matcher knows of a mission; the perimeter's tasks count as its text."""
    tasks = "; ".join(line.task for line in mission.perimeter)
    return MissionRecord(
        id=str(mission.id),
        title=mission.title,
        description=f"{mission.description} {tasks}".strip(),
        half_days_per_week=mission.half_days_per_week,
        max_daily_rate_cents=mission.max_daily_rate_cents,
        weekdays=mission.weekdays or [],
        skills_required=mission.required_skills,
        min_years_experience=mission.min_years_experience,
        work_mode=mission.work_mode,
        lat=mission.site_latitude,
        lon=mission.site_longitude,
        tools=mission.tools or [],
        non_compete=mission.non_compete,
        sector=mission.company.sector,
        company_size=mission.company.headcount,
        city=mission.site_city,
    )


# --- the per-process index -------------------------------------------------------------


@dataclass
class _State:
    store: ModelStore
    lock: threading.RLock = field(default_factory=threading.RLock)
    index: ProfileIndex | None = None
    synced_at: datetime | None = None
    missions: OrderedDict = field(default_factory=OrderedDict)


def _state() -> _State:
    state = current_app.extensions.get("marketplace.matching")
    if state is None:
        state = current_app.extensions["marketplace.matching"] = _State(store=ModelStore(DatabaseBackend(db.engine)))
    return state


def warm_up() -> None:
    """Load the model in service now (a worker does it before forking its work horses)."""
    _state().store.current


def reset_index() -> None:
    """Forget this process's index (it is rebuilt on the next query)."""
    state = _state()
    with state.lock:
        state.index, state.synced_at = None, None
        state.missions.clear()


def _profiles(session: Session, *conditions) -> list[FreelancerProfile]:
    stmt = select(FreelancerProfile).options(selectinload(FreelancerProfile.experiences)).where(*conditions)
    return list(session.scalars(stmt))


def current_index(session: Session) -> ProfileIndex:
    """This process's index, first brought up to date with the database."""
    state = _state()
    with state.lock:
        now = utcnow()
        if state.index is None:
            profiles = _profiles(
                session,
                FreelancerProfile.status == ProfileStatus.APPROVED.value,
                FreelancerProfile.matching_suspended_reason.is_(None),
            )
            booked = booked_slots(session, [p.id for p in profiles])
            state.index = ProfileIndex.build(
                [freelancer_record(p, booked[p.id]) for p in profiles], model=state.store
            )
        else:
            changed = _profiles(session, FreelancerProfile.updated_at > state.synced_at - SYNC_MARGIN)
            booked = booked_slots(session, [p.id for p in changed])
            for profile in changed:
                if profile.is_matchable:
                    state.index.upsert(freelancer_record(profile, booked[profile.id]))
                else:
                    state.index.remove(str(profile.id))
        state.synced_at = now
        return state.index


def _mission_record(mission: Mission) -> MissionRecord:
    """Records of missions, cached while the mission is unchanged (text analysis costs)."""
    state = _state()
    key = (mission.id, mission.updated_at, len(mission.perimeter))
    with state.lock:
        record = state.missions.get(key)
        if record is None:
            record = state.missions[key] = mission_record(mission)
            if len(state.missions) > MISSION_CACHE_SIZE:
                state.missions.popitem(last=False)
        return record


def _result(mission_id: int, profile_id: int, match: Match) -> MatchResult:
    items = match.explanation.items if match.explanation else ()
    return MatchResult(mission_id, profile_id, match.score, tuple(items))


# --- the API ---------------------------------------------------------------------------


NOT_MATCHABLE = {
    ProfileStatus.SUSPENDED.value: "Profil suspendu par la plateforme",
    ProfileStatus.REJECTED.value: "Profil refusé à la vérification",
}


def eligibility(mission: Mission, profile: FreelancerProfile, booked: WeekSlots) -> list[str]:
    """The French reasons ``profile`` cannot take ``mission``; empty when eligible."""
    if profile.status in NOT_MATCHABLE:
        return [NOT_MATCHABLE[profile.status]]
    if profile.is_approved and profile.matching_suspended_reason:
        return [f"Rapprochement suspendu : {profile.matching_suspended_reason}"]
    reason = exclusion_reason(mission_record(mission), freelancer_record(profile, booked))
    return [reason] if reason else []


def score_pair(
    session: Session, mission: Mission, profile: FreelancerProfile, *, for_freelancer: bool = False
) -> MatchResult | None:
    """The pair's score and breakdown (worded for the freelancer if asked), or None."""
    index = current_index(session)
    if str(profile.id) not in index:
        return None
    record = _mission_record(mission)
    if for_freelancer:
        matches = index.rank_missions(str(profile.id), [record], k=1)
    else:
        matches = index.top_k(record, k=1, ids=[str(profile.id)])
    return _result(mission.id, profile.id, matches[0]) if matches else None


def rank_freelancers(
    session: Session, mission: Mission, k: int = 20, exclude_ids: Iterable[int] = ()
) -> list[MatchResult]:
    """The ``k`` best eligible freelancers for ``mission``, best first."""
    excluded = {str(i) for i in exclude_ids}
    matches = current_index(session).top_k(_mission_record(mission), k + len(excluded))
    return [_result(mission.id, int(m.id), m) for m in matches if m.id not in excluded][:k]


def rank_missions(
    session: Session, profile: FreelancerProfile, k: int = 50, missions: Iterable[Mission] | None = None
) -> list[MatchResult]:
    """The published missions ``profile`` can take, best first, worded for the freelancer."""
    index = current_index(session)
    if str(profile.id) not in index:
        return []
    if missions is None:
        missions = session.scalars(select(Mission).where(Mission.status == MissionStatus.PUBLISHED.value))
    matches = index.rank_missions(str(profile.id), [_mission_record(m) for m in missions], k=k)
    return [_result(int(m.id), profile.id, m) for m in matches]


def recommended(
    session: Session, mission: Mission, k: int = 20, exclude_ids: Iterable[int] = ()
) -> list[tuple[MatchResult, FreelancerProfile]]:
    """The best eligible freelancers for ``mission`` with their profiles, best first."""
    results = rank_freelancers(session, mission, k, exclude_ids)
    profiles = {p.id: p for p in session.scalars(
        select(FreelancerProfile).where(FreelancerProfile.id.in_([r.profile_id for r in results])))}
    return [(r, profiles[r.profile_id]) for r in results if r.profile_id in profiles]


def missions_for(session: Session, profile: FreelancerProfile, k: int = 50) -> list[tuple[MatchResult, Mission]]:
    """The published missions ``profile`` can take with the missions themselves, best first."""
    results = rank_missions(session, profile, k)
    missions = {m.id: m for m in session.scalars(select(Mission).where(Mission.id.in_([r.mission_id for r in results])))}
    return [(r, missions[r.mission_id]) for r in results if r.mission_id in missions]


def snapshot_application(session: Session, application: Application) -> MatchResult | None:
    """Store the application's current score and breakdown on it (None if ineligible)."""
    result = score_pair(session, application.mission, application.freelancer)
    application.score = result.score if result else None
    application.score_breakdown = result.breakdown() if result else []
    return result


def outcomes(session: Session) -> list[tuple[MissionRecord, FreelancerRecord, str]]:
    """Every application the SMEs decided on (shortlisted, invited, hired, declined)."""
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.status.in_(list(OUTCOME_GRADES)))
            .options(selectinload(Application.mission), selectinload(Application.freelancer))
        )
    )
    # The record's availability does not matter for learning: the pair was already judged.
    return [
        (mission_record(a.mission), freelancer_record(a.freelancer, WeekSlots()), a.status) for a in applications
    ]


def retrain(session: Session) -> RefitResult:
    """Refit the model on all outcomes so far; the old model stays when the new one fails."""
    return _state().store.refit(
        pairs_from_outcomes(outcomes(session)), backend=DatabaseBackend(db.engine, session)
    )


__all__ = [
    "MatchResult", "Reason", "current_index", "eligibility", "missions_for", "recommended", "warm_up",
    "freelancer_record", "mission_record", "rank_freelancers", "rank_missions", "reset_index",
    "retrain", "score_pair", "snapshot_application",
]
