"""Matching, as the rest of the application sees it: a facade over ``marketplace.matching``.

Pages, the API, jobs and the CLI call only these functions:

* :func:`eligibility` — the French reason a freelancer cannot take a mission ([] = eligible);
* :func:`score_pair` — one pair's score (0–100) and explained breakdown, or None;
* :func:`score_application` — the same, on the application's own rate and weekdays;
* :func:`rank_freelancers` — the best eligible freelancers for a mission;
* :func:`rank_missions` — the published missions that fit a freelancer;
* :func:`snapshot_application` — freeze an application's score and breakdown;
* :func:`retrain` — refit the model on the marketplace's own outcomes.

Each process keeps one :class:`~marketplace.matching.ProfileIndex` of the matchable
profiles (approved, not suspended) and one :class:`~marketplace.matching.MissionIndex`
of the published missions, each text analysed once. Both come from the newest index
snapshot (built by the ``matching.snapshot`` job, see :mod:`.snapshots`) — or, without
one, are built from the rows on first use — and are brought up to date before every
query from the rows whose ``updated_at`` moved since (a signed or ended contract
touches its freelancer's profile; a company's edit counts for its missions), so web
workers and RQ workers agree without any refit or rebuild.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator

from flask import current_app
from sqlalchemy import select, union
from sqlalchemy.orm import Session, selectinload

from marketplace.db import db, utcnow
from marketplace.domain import N_, SUB_SKILL_LABELS, WEEKDAYS, WeekSlots
from marketplace.matching import (
    AnalysedText,
    ExplanationItem,
    FreelancerRecord,
    Match,
    MissionIndex,
    MissionRecord,
    ModelStore,
    ProfileIndex,
    RefitResult,
    analyse_missions,
    pairs_from_outcomes,
)
from marketplace.matching import snapshot as snapshot_container
from marketplace.matching.constraints import exclusion
from marketplace.matching.model import OUTCOME_GRADES
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.missions import Application, Mission, MissionStatus
from marketplace.services.contracts.bookings import booked_slots, free_slots
from marketplace.services.matching import bands, snapshots
from marketplace.services.matching.store import DatabaseBackend

# The breakdown lines are the matcher's own items (kind, label, positive, points).
Reason = ExplanationItem

# Re-read profiles changed a little before the last sync too: a transaction that
# committed late may carry an earlier ``updated_at``.
SYNC_MARGIN = timedelta(minutes=5)
MISSION_CACHE_SIZE = 2048
RANKING_CACHE_SIZE = 4096


@dataclass(frozen=True)
class MatchResult:
    """An eligible pair's score (0–100) with the reasons behind it.

    Pages show the :attr:`band` (from the expected grade) and the :meth:`chart`, never
    the score itself: it orders, it does not inform.
    """

    mission_id: int
    profile_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    # Expected relevance grade Σ grade·P(grade), 0 (declined) … 3 (hired).
    grade: float | None = None

    @property
    def band(self) -> bands.Band | None:
        return bands.band_for(self.grade if self.grade is not None else bands.grade_from_score(self.score))

    def chart(self) -> list[bands.BreakdownRow]:
        """The breakdown as rows of a small chart (criterion, fact, direction, strength)."""
        return bands.breakdown(self.reasons)

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


# --- the per-process indexes ------------------------------------------------------------


@dataclass
class _State:
    store: ModelStore
    lock: threading.RLock = field(default_factory=threading.RLock)
    index: ProfileIndex | None = None
    synced_at: datetime | None = None
    # Versions (updated_at) of the profiles changed within SYNC_MARGIN already applied.
    seen: dict[int, datetime] = field(default_factory=dict)
    missions: MissionIndex | None = None
    missions_synced_at: datetime | None = None
    missions_seen: dict[int, str] = field(default_factory=dict)
    # (record, analysed text) of missions outside the mission index (drafts, closed ones).
    records: OrderedDict = field(default_factory=OrderedDict)
    snapshot_version: int | None = None
    snapshot_checked: float = float("-inf")
    # What a ranking read, for remembering rankings until it changes: ``epoch`` moves when
    # an index is replaced (built, or taken from a snapshot), ``profiles_generation`` when
    # any profile of the index changes, ``profile_versions[id]`` when that one does,
    # ``missions_generation`` when any published mission does.
    epoch: int = 0
    profiles_generation: int = 0
    profile_versions: dict[int, int] = field(default_factory=dict)
    missions_generation: int = 0
    rankings: OrderedDict = field(default_factory=OrderedDict)

    def replaced(self) -> None:
        """Both indexes were replaced: every remembered ranking is forgotten."""
        self.epoch += 1
        self.profile_versions.clear()
        self.rankings.clear()

    def remembered(self, key: tuple, compute):
        """The ranking of ``key`` as last computed on the same indexes and model, else computed now.

        Exact, not approximate: the key holds the versions of everything the ranking read.
        """
        key = (self.epoch, self.store.current.version, *key)
        if key in self.rankings:
            self.rankings.move_to_end(key)
            return self.rankings[key]
        value = self.rankings[key] = compute()
        if len(self.rankings) > RANKING_CACHE_SIZE:
            self.rankings.popitem(last=False)
        return value


def _state() -> _State:
    state = current_app.extensions.get("marketplace.matching")
    if state is None:
        store = ModelStore(DatabaseBackend(db.engine), check_interval=current_app.config.get("MATCHER_CHECK_SECONDS", 30))
        state = current_app.extensions["marketplace.matching"] = _State(store=store)
    return state


def warm_up(*, index: bool = True) -> None:
    """Load the model in service now, and the newest index snapshot if there is one.

    A worker does it before forking its work horses: they inherit both. Without a
    snapshot the index is left to be built on first use.
    """
    state = _state()
    state.store.current
    if index:
        with db.isolated_session() as session, state.lock:
            _refresh_from_snapshot(session, state)


def in_service() -> dict[str, int | None]:
    """What this process ranks with: its model version and the index snapshot it loaded (None: none yet)."""
    state = _state()
    return {"model_version": state.store.current.version, "snapshot_version": state.snapshot_version}


def reset_index() -> None:
    """Forget this process's indexes (they are loaded or rebuilt on the next query)."""
    state = _state()
    with state.lock:
        state.index, state.synced_at, state.seen = None, None, {}
        state.missions, state.missions_synced_at, state.missions_seen = None, None, {}
        state.records.clear()
        state.snapshot_version, state.snapshot_checked = None, float("-inf")
        state.replaced()


def _refresh_from_snapshot(session: Session, state: _State) -> bool:
    """On first use, then every ``CHECK_SECONDS``: take a newer snapshot's indexes if any."""
    now = time.monotonic()
    if state.index is not None and now - state.snapshot_checked < snapshots.CHECK_SECONDS:
        return False
    state.snapshot_checked = now
    info = snapshots.latest(session)
    if info is None or (state.snapshot_version is not None and info.version <= state.snapshot_version):
        return False
    loaded = snapshots.open_snapshot(session, info, state.store)
    if loaded is None:
        return False
    state.index, state.synced_at, state.seen = loaded.profiles, info.synced_at, {}
    state.missions, state.missions_synced_at, state.missions_seen = loaded.missions, info.synced_at, {}
    state.snapshot_version = info.version
    state.replaced()
    return True


def _profiles(session: Session, *conditions) -> list[FreelancerProfile]:
    stmt = select(FreelancerProfile).options(selectinload(FreelancerProfile.experiences)).where(*conditions)
    return list(session.scalars(stmt))


_MATCHABLE = (
    FreelancerProfile.status == ProfileStatus.APPROVED.value,
    FreelancerProfile.matching_suspended_reason.is_(None),
)


def matchable_records(session: Session, chunk: int = 2000, *, release: bool = False) -> Iterator[FreelancerRecord]:
    """Records of every matchable profile, read ``chunk`` profiles at a time (by id).

    ``release``: empty the session after each chunk (only with a session of its own,
    reading every profile: the memory of the rows is given back as it goes).
    """
    last = 0
    while True:
        profiles = list(session.scalars(
            select(FreelancerProfile).options(selectinload(FreelancerProfile.experiences))
            .where(*_MATCHABLE, FreelancerProfile.id > last).order_by(FreelancerProfile.id).limit(chunk)
        ))
        if not profiles:
            return
        booked = booked_slots(session, [p.id for p in profiles])
        yield from (freelancer_record(p, booked[p.id]) for p in profiles)
        last = profiles[-1].id
        if release:
            session.expunge_all()


def _changed(rows: Iterable[tuple[int, Any]], seen: dict) -> list[int]:
    return [row_id for row_id, stamp in rows if seen.get(row_id) != stamp]


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def current_index(session: Session) -> ProfileIndex:
    """This process's profile index, first brought up to date with the database.

    Taken from the newest snapshot on first use (built from the rows when there is
    none), then topped up with the profiles whose ``updated_at`` moved since.
    """
    return _indexes(session, missions=False)[0]


def current_missions(session: Session) -> MissionIndex:
    """This process's index of the published missions, first brought up to date.

    Taken from the snapshot with the profiles (built from the rows when there is none),
    then topped up with the missions — or their companies — changed since.
    """
    return _indexes(session, missions=True)[1]  # type: ignore[return-value]


def _indexes(session: Session, *, missions: bool) -> tuple[ProfileIndex, MissionIndex | None]:
    state = _state()
    with state.lock:
        now = utcnow()
        _refresh_from_snapshot(session, state)
        _sync_profiles(session, state, now)
        if missions:
            _sync_missions(session, state, now)
        return state.index, state.missions  # type: ignore[return-value]


def _sync_profiles(session: Session, state: _State, now: datetime) -> None:
    since = (now if state.index is None else state.synced_at) - SYNC_MARGIN
    # Versions first: a row changing after this read is read again on the next sync.
    stamps = session.execute(
        select(FreelancerProfile.id, FreelancerProfile.updated_at).where(FreelancerProfile.updated_at > since)
    ).all()
    if state.index is None:
        state.index = ProfileIndex.build(matchable_records(session), model=state.store)
        state.replaced()
    else:
        for ids in _chunks(_changed(stamps, state.seen)):
            profiles = _profiles(session, FreelancerProfile.id.in_(ids))
            booked = booked_slots(session, [p.id for p in profiles])
            state.index.upsert_many([freelancer_record(p, booked[p.id]) for p in profiles if p.is_matchable])
            for profile in profiles:
                if not profile.is_matchable:
                    state.index.remove(str(profile.id))
            for profile_id in ids:
                state.profile_versions[profile_id] = state.profile_versions.get(profile_id, 0) + 1
            state.profiles_generation += 1
    state.seen = dict(stamps)
    state.synced_at = now


def _sync_missions(session: Session, state: _State, now: datetime) -> None:
    since = (now if state.missions is None else state.missions_synced_at) - SYNC_MARGIN
    moved = select(
        Mission.id, Mission.status, Mission.updated_at.label("mission_at"), Company.updated_at.label("company_at")
    ).join(
        Company, Mission.company_id == Company.id
    )
    rows = session.execute(
        union(moved.where(Mission.updated_at > since), moved.where(Company.updated_at > since))
    ).all()
    stamps = {mission_id: (status, f"{m_at.isoformat()}|{c_at.isoformat()}") for mission_id, status, m_at, c_at in rows}
    if state.missions is None:
        published = _published(session)
        state.missions = MissionIndex.build(
            [mission_record(m) for m in published], {str(m.id): _stamp(m) for m in published}
        )
        state.missions_generation += 1
    else:
        changed = [
            mission_id
            for mission_id, (status, stamp) in stamps.items()
            if state.missions_seen.get(mission_id) != stamp
            and (status == MissionStatus.PUBLISHED.value or str(mission_id) in state.missions)
        ]
        for ids in _chunks(changed):
            published = _published(session, Mission.id.in_(ids))
            state.missions.upsert_many([mission_record(m) for m in published], {str(m.id): _stamp(m) for m in published})
            for gone in set(ids) - {m.id for m in published}:
                state.missions.remove(str(gone))
            state.missions_generation += 1
    state.missions_seen = {mission_id: stamp for mission_id, (_status, stamp) in stamps.items()}
    state.missions_synced_at = now


def _stamp(mission: Mission) -> str:
    """Which version of a mission a record was made from (its company's sector counts too)."""
    return f"{mission.updated_at.isoformat()}|{mission.company.updated_at.isoformat()}"


def _published(session: Session, *conditions) -> list[Mission]:
    return list(session.scalars(
        select(Mission)
        .options(selectinload(Mission.company), selectinload(Mission.perimeter))
        .where(Mission.status == MissionStatus.PUBLISHED.value, *conditions)
    ))


def _prepared(mission: Mission) -> tuple[MissionRecord, AnalysedText]:
    """A mission's record and analysed text: the mission index's when it holds this version.

    Other missions (drafts, closed ones, or before the mission index exists) are
    analysed and cached while unchanged.
    """
    state = _state()
    stamp = _stamp(mission)
    with state.lock:
        indexed = state.missions
        if indexed is not None and indexed.stamp(str(mission.id)) == stamp:
            return indexed.record(str(mission.id)), indexed.analysed(str(mission.id))
        key = (mission.id, stamp, len(mission.perimeter))
        prepared = state.records.get(key)
        if prepared is None:
            record = mission_record(mission)
            prepared = state.records[key] = (record, analyse_missions([record])[0])
            if len(state.records) > MISSION_CACHE_SIZE:
                state.records.popitem(last=False)
        return prepared


def _result(mission_id: int, profile_id: int, match: Match) -> MatchResult:
    items = match.explanation.items if match.explanation else ()
    return MatchResult(mission_id, profile_id, match.score, tuple(items), match.grade)


# --- the API ---------------------------------------------------------------------------


NOT_MATCHABLE = {
    ProfileStatus.SUSPENDED.value: N_("Profil suspendu par la plateforme"),
    ProfileStatus.REJECTED.value: N_("Profil refusé à la vérification"),
}


def eligibility(mission: Mission, profile: FreelancerProfile, booked: WeekSlots, *, you: bool = False) -> list[str]:
    """The French reasons ``profile`` cannot take ``mission`` (worded for the freelancer if ``you``); empty when eligible.

    The matcher's reasons carry their code and parameters, for the pages to translate them.
    """
    return eligibilities([mission], profile, booked, you=you)[mission.id]


def eligibilities(
    missions: Iterable[Mission], profile: FreelancerProfile, booked: WeekSlots, *, you: bool = False
) -> dict[int, list[str]]:
    """:func:`eligibility` of several missions, by mission id: the profile's record made once.

    A published mission's record comes from the mission index when it is current (its
    perimeter is not read again).
    """
    missions = list(missions)
    if profile.status in NOT_MATCHABLE:
        return {m.id: [NOT_MATCHABLE[profile.status]] for m in missions}
    if profile.is_approved and profile.matching_suspended_reason:
        return {m.id: [f"Rapprochement suspendu : {profile.matching_suspended_reason}"] for m in missions}
    freelancer = freelancer_record(profile, booked)
    found = {}
    for mission in missions:
        reason = exclusion(_indexed_record(mission), freelancer, you=you)
        found[mission.id] = [reason] if reason else []
    return found


def _indexed_record(mission: Mission) -> MissionRecord:
    indexed = _state().missions
    if indexed is not None and mission.status == MissionStatus.PUBLISHED.value:
        if indexed.stamp(str(mission.id)) == _stamp(mission):
            return indexed.record(str(mission.id))
    return mission_record(mission)


def score_pair(
    session: Session, mission: Mission, profile: FreelancerProfile, *, for_freelancer: bool = False
) -> MatchResult | None:
    """The pair's score and breakdown (worded for the freelancer if asked), or None."""
    index = current_index(session)
    if str(profile.id) not in index:
        return None
    record, analysed = _prepared(mission)
    if for_freelancer:
        matches = index.rank_missions(str(profile.id), [record], k=1, analysed={record.id: analysed})
    else:
        matches = index.top_k(record, k=1, ids=[str(profile.id)], analysed=analysed)
    return _result(mission.id, profile.id, matches[0]) if matches else None


def score_pairs(session: Session, mission: Mission, profile_ids: Iterable[int]) -> dict[int, MatchResult | None]:
    """:func:`score_pair` (SME wording) for several freelancers at once: one sync, one prepared mission."""
    ids = list(dict.fromkeys(profile_ids))
    if not ids:
        return {}
    return _score_pairs(current_index(session), mission, ids)


def _score_pairs(index: ProfileIndex, mission: Mission, ids: list[int]) -> dict[int, MatchResult | None]:
    record, analysed = _prepared(mission)
    indexed = [str(i) for i in ids if str(i) in index]
    matches = index.top_k(record, k=len(indexed), ids=indexed, analysed=analysed) if indexed else []
    found = {int(m.id): _result(mission.id, int(m.id), m) for m in matches}
    return {i: found.get(i) for i in ids}


def _application_terms(application: Application) -> dict[str, Any]:
    """What the application proposes that differs from its profile (record fields)."""
    profile = application.freelancer
    changes: dict[str, Any] = {}
    if application.proposed_rate_cents and application.proposed_rate_cents != profile.daily_rate_cents:
        changes["daily_rate_cents"] = application.proposed_rate_cents
    offered = [d for d in WEEKDAYS if d in set(application.offered_weekdays or [])]
    if offered and offered != list(profile.slots.full_days()):
        changes["available_weekdays"] = offered
    return changes


def score_application(session: Session, application: Application) -> MatchResult | None:
    """The pair's score and breakdown on the terms the freelancer proposed (rate, weekdays).

    The profile's own record, with the application's rate and offered weekdays in place
    of the profile's, is scored alone (a one-row index: same features, same model). When
    the application proposes nothing different, or its terms no longer pass the hard
    conditions, this is :func:`score_pair`.
    """
    return score_applications(session, application.mission, [application])[application.id]


def score_applications(
    session: Session, mission: Mission, applications: Iterable[Application]
) -> dict[int, MatchResult | None]:
    """:func:`score_application` for applications to one mission, by application id.

    Those proposing the profile's own terms are scored together (:func:`score_pairs`).
    """
    applications = list(applications)
    index = current_index(session)  # synced (and the session flushed) before the key is read
    state = _state()
    with state.lock:
        key = ("applications", mission.id, _stamp(mission), len(mission.perimeter), tuple(
            (a.id, a.freelancer_id, a.proposed_rate_cents, tuple(a.offered_weekdays or ()),
             state.profile_versions.get(a.freelancer_id, 0))
            for a in applications
        ))
        return dict(state.remembered(key, lambda: _score_applications(session, index, mission, applications)))


def _score_applications(
    session: Session, index: ProfileIndex, mission: Mission, applications: list[Application]
) -> dict[int, MatchResult | None]:
    terms = {a.id: _application_terms(a) for a in applications if str(a.freelancer_id) in index}
    ids = list(dict.fromkeys(a.freelancer_id for a in applications))
    plain = _score_pairs(index, mission, ids) if ids else {}
    booked = booked_slots(session, [a.freelancer_id for a in applications if terms.get(a.id)])
    results: dict[int, MatchResult | None] = {}
    for application in applications:
        changes = terms.get(application.id)
        results[application.id] = plain.get(application.freelancer_id)
        if not changes:
            continue
        record = dataclasses.replace(freelancer_record(application.freelancer, booked[application.freelancer_id]),
                                     **changes)
        mission_rec, analysed = _prepared(mission)
        matches = ProfileIndex.build([record], model=_state().store).top_k(mission_rec, k=1, analysed=analysed)
        if matches:
            results[application.id] = _result(mission.id, application.freelancer_id, matches[0])
    return results


def rank_freelancers(
    session: Session, mission: Mission, k: int = 20, exclude_ids: Iterable[int] = ()
) -> list[MatchResult]:
    """The ``k`` best eligible freelancers for ``mission``, best first."""
    excluded = {str(i) for i in exclude_ids}
    index = current_index(session)
    state = _state()

    def ranked() -> list[MatchResult]:
        record, analysed = _prepared(mission)
        matches = index.top_k(record, k + len(excluded), analysed=analysed)
        return [_result(mission.id, int(m.id), m) for m in matches if m.id not in excluded][:k]

    with state.lock:
        version = (mission.id, _stamp(mission), len(mission.perimeter), state.profiles_generation)
        return list(state.remembered(("freelancers", *version, k, frozenset(excluded)), ranked))


def rank_missions(
    session: Session, profile: FreelancerProfile, k: int = 50, missions: Iterable[Mission] | None = None
) -> list[MatchResult]:
    """The published missions (or ``missions``) ``profile`` can take, best first, worded for the freelancer.

    Ranked over the mission index, without analysing any text: the cost does not grow
    with the number of published missions.
    """
    index, indexed = _indexes(session, missions=True)
    if str(profile.id) not in index:
        return []
    fid = str(profile.id)
    if missions is None:
        state = _state()
        with state.lock:
            key = ("missions", profile.id, state.profile_versions.get(profile.id, 0), state.missions_generation, k)
            return list(state.remembered(key, lambda: [_result(int(m.id), profile.id, m)
                                                       for m in indexed.rank_for(index, fid, k)]))
    else:
        ids, others = [], []
        for mission in missions:
            if indexed.stamp(str(mission.id)) == _stamp(mission):
                ids.append(str(mission.id))
            else:
                others.append(_prepared(mission))
        matches = indexed.rank_for(index, fid, k, ids=ids) if ids else []
        if others:
            analysed = {record.id: text for record, text in others}
            matches += index.rank_missions(fid, [record for record, _ in others], k, analysed=analysed)
            matches = sorted(matches, key=lambda m: (-m.raw, m.id))[:k]
    return [_result(int(m.id), profile.id, m) for m in matches]


def recommended(
    session: Session, mission: Mission, k: int = 20, exclude_ids: Iterable[int] = ()
) -> list[tuple[MatchResult, FreelancerProfile]]:
    """The best eligible freelancers for ``mission`` with their profiles, best first."""
    results = rank_freelancers(session, mission, k, exclude_ids)
    profiles = {p.id: p for p in session.scalars(
        select(FreelancerProfile).options(selectinload(FreelancerProfile.user))
        .where(FreelancerProfile.id.in_([r.profile_id for r in results])))}
    return [(r, profiles[r.profile_id]) for r in results if r.profile_id in profiles]


def missions_for(session: Session, profile: FreelancerProfile, k: int = 50) -> list[tuple[MatchResult, Mission]]:
    """The published missions ``profile`` can take with the missions themselves, best first."""
    results = rank_missions(session, profile, k)
    missions = {m.id: m for m in session.scalars(
        select(Mission).options(selectinload(Mission.company)).where(Mission.id.in_([r.mission_id for r in results]))
    )}
    return [(r, missions[r.mission_id]) for r in results if r.mission_id in missions]


def snapshot_application(session: Session, application: Application) -> MatchResult | None:
    """Store the application's current score and breakdown on it (None if ineligible)."""
    result = score_application(session, application)
    application.score = result.score if result else None
    application.score_breakdown = result.breakdown() if result else []
    return result


def build_snapshot(session: Session) -> snapshots.SnapshotInfo:
    """Build both indexes from the rows and save them as the next snapshot (the job's body).

    Profiles are read a chunk at a time and let go once analysed. The snapshot commits
    with the caller's transaction; every process picks it up within ``CHECK_SECONDS``.
    """
    synced_at = utcnow()  # before reading: what changes meanwhile is read again on loading
    state = _state()
    session.flush()
    # A session of its own, in the caller's transaction: the rows read are let go as it goes.
    with Session(bind=session.connection()) as reader:
        profiles = ProfileIndex.build(matchable_records(reader, release=True), model=state.store)
        published = _published(reader)
        missions = MissionIndex.build(
            [mission_record(m) for m in published], {str(m.id): _stamp(m) for m in published}
        )
    model_version = state.store.current.version
    data = snapshot_container.dump(
        profiles, missions, {"synced_at": synced_at.isoformat(), "model_version": model_version}
    )
    row = snapshots.save(
        session, data, synced_at=synced_at, n_profiles=len(profiles), n_missions=len(missions),
        model_version=model_version,
    )
    return snapshots.SnapshotInfo(
        row.id, row.version, row.synced_at, row.sha256, row.size_bytes, row.n_profiles, row.n_missions
    )


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
    "MatchResult", "Reason", "build_snapshot", "current_index", "current_missions", "matchable_records", "eligibility", "missions_for", "recommended", "warm_up",
    "freelancer_record", "mission_record", "rank_freelancers", "rank_missions", "reset_index",
    "retrain", "score_application", "score_applications", "score_pair", "snapshot_application", "in_service",
]
