"""The matcher's indexes on database rows: missions synced incrementally, snapshots loaded and topped up."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from marketplace.db import utcnow
from marketplace.domain import WeekSlots
from marketplace.matching import index as index_module
from marketplace.matching import missions as missions_module
from marketplace.matching.model import MatchModel, packaged_model
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.matching import MatcherSnapshot
from marketplace.models.missions import Mission
from marketplace.services.matching import facade as matching
from marketplace.services.matching import snapshots
from marketplace.services.matching.store import DatabaseBackend
from marketplace.services.missions import posting
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    PerimeterLineFactory,
)

BIOS = (
    "J'ai organisé le déménagement de nos bureaux et repris les notes de frais.",
    "Onboarding des nouvelles recrues, séminaire annuel et newsletter interne.",
    "Renégociation des fournisseurs, suivi budgétaire et pré-paie.",
    "Accueil, standard et gestion du courrier ; rédaction des procédures.",
)
DESCRIPTIONS = (
    "Nous déménageons : organiser le transfert des locaux et les notes de frais.",
    "Structurer l'onboarding des nouveaux arrivants et la communication interne.",
    "Reprendre les achats fournisseurs et le budget de fonctionnement.",
    "Mettre en place l'accueil physique et documenter les process.",
)


def world(n_profiles=8, n_missions=8):
    profiles = [
        FreelancerProfileFactory(
            bio=BIOS[i % 4], years_experience=5 + i, daily_rate_cents=40_000 + 1_000 * i,
            skill_finance_procurement=2 + i % 4, skill_people_culture=1 + i % 5,
            available_slots=WeekSlots.from_days(["mon", "tue", "wed", "thu", "fri"][: 2 + i % 4]).bits,
        )
        for i in range(n_profiles)
    ]
    missions = [
        MissionFactory(
            description=DESCRIPTIONS[i % 4], max_daily_rate_cents=42_000 + 2_000 * i,
            weekdays=[] if i % 2 else ["tue"], half_days_per_week=2 + i % 3, min_years_experience=i % 6,
            min_finance_procurement=i % 4,
        )
        for i in range(n_missions)
    ]
    return profiles, missions


def everything(session, profiles, missions):
    """Every ranking a page shows, both ways, with the explanations."""
    return {
        "freelancers": {m.id: matching.rank_freelancers(session, m, 50) for m in missions},
        "missions": {p.id: matching.rank_missions(session, p, 50) for p in profiles},
        "pairs": {
            (m.id, p.id, side): matching.score_pair(session, m, p, for_freelancer=side)
            for m in missions[:3] for p in profiles[:3] for side in (False, True)
        },
    }


def forget(app):
    """A new process: nothing in memory."""
    app.extensions.pop("marketplace.matching", None)


@contextmanager
def counting(target, name):
    calls = []
    real = getattr(target, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    setattr(target, name, spy)
    try:
        yield calls
    finally:
        setattr(target, name, real)


@contextmanager
def statements(engine):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def age_everything(session, hours=1):
    """Rows last changed an hour ago: a sync no longer reads them again."""
    then = utcnow() - timedelta(hours=hours)
    for model in (FreelancerProfile, Mission, Company):
        session.execute(update(model).values(updated_at=then))
    session.expire_all()


# --- missions indexed like profiles ------------------------------------------------------


def test_published_missions_are_ranked_over_the_index_as_over_the_rows(app_ctx, db_session):
    profiles, missions = world()
    over_index = {p.id: matching.rank_missions(db_session, p, 5) for p in profiles}
    assert any(over_index.values())
    forget(app_ctx)
    # The same missions given as rows (a filtered list), and the loop over records of before.
    for p in profiles:
        assert matching.rank_missions(db_session, p, 5, missions=missions) == over_index[p.id]
        index = matching.current_index(db_session)
        if str(p.id) in index:
            records = [matching.mission_record(m) for m in missions]
            loop = index.rank_missions(str(p.id), records, 5)
            assert [(int(m.id), m.score, m.explanation.items) for m in loop] == [
                (r.mission_id, r.score, r.reasons) for r in over_index[p.id]
            ]


def test_a_mission_appears_when_published_and_disappears_when_closed_filled_or_edited(app_ctx, db_session, sme_user):
    profile = FreelancerProfileFactory(available_slots=WeekSlots.from_days(["mon", "tue", "thu"]).bits)
    kept = MissionFactory(company=sme_user.company)
    to_close = MissionFactory(company=sme_user.company)
    to_fill = MissionFactory(company=sme_user.company)

    def ranked():
        return {r.mission_id for r in matching.rank_missions(db_session, profile)}

    assert ranked() == {kept.id, to_close.id, to_fill.id}
    built = matching._state().missions
    with counting(missions_module.MissionIndex, "build") as builds, counting(
        missions_module, "analyse_texts"
    ) as analysed, counting(index_module, "analyse_texts") as analysed_per_query:
        assert ranked() == {kept.id, to_close.id, to_fill.id}
        assert analysed == [] and analysed_per_query == []  # nothing analysed again

        draft = MissionFactory(company=sme_user.company, status="draft", published_at=None, onsite_days_per_week=1)
        PerimeterLineFactory(mission=draft)
        assert ranked() == {kept.id, to_close.id, to_fill.id}  # a draft is not offered
        posting.publish(db_session, draft, sme_user, draft.start_date - timedelta(days=1))
        assert ranked() == {kept.id, to_close.id, to_fill.id, draft.id}
        assert len(analysed) == 1  # the new mission only

        posting.close(db_session, to_close, sme_user, "cancelled")
        assert ranked() == {kept.id, to_fill.id, draft.id}

        ApplicationFactory(mission=to_fill, freelancer=FreelancerProfileFactory(), status="accepted")
        posting.mark_filled(db_session, to_fill, sme_user)
        assert ranked() == {kept.id, draft.id}

        # An edited row (a budget cut below the freelancer's rate), then its company's sector
        # under a non-compete clause: the mission is read again, its text is not analysed again.
        kept.max_daily_rate_cents = 20_000
        db_session.flush()
        assert ranked() == {draft.id}
        kept.max_daily_rate_cents = 48_000
        draft.non_compete = True
        db_session.flush()
        assert ranked() == {kept.id, draft.id}
        profile.client_sectors = ["immobilier"]
        db_session.flush()
        sme_user.company.sector = "immobilier"
        db_session.flush()
        assert ranked() == {kept.id}
        assert len(analysed) == 1
    assert builds == [] and matching._state().missions is built  # never rebuilt


def test_a_mission_page_scores_from_the_index_without_analysing_its_text(app_ctx, db_session):
    profiles, missions = world(4, 3)
    matching.rank_missions(db_session, profiles[0])  # the mission index exists
    with counting(index_module, "analyse_texts") as analysed:
        for m in missions:
            matching.rank_freelancers(db_session, m)
            matching.score_pair(db_session, m, profiles[0], for_freelancer=True)
    assert analysed == []
    # A draft is analysed once, then cached while unchanged.
    draft = MissionFactory(status="draft", published_at=None)
    with counting(index_module, "analyse_texts") as analysed:
        matching.rank_freelancers(db_session, draft)
        matching.rank_freelancers(db_session, draft)
    assert len(analysed) == 1


def test_a_ranking_is_remembered_until_a_profile_or_mission_it_read_changes(app_ctx, db_session):
    profiles, missions = world()
    profile = profiles[3]
    first = matching.rank_missions(db_session, profile)
    for_mission = matching.rank_freelancers(db_session, missions[1])
    assert first and for_mission
    with counting(missions_module.MissionIndex, "rank_for") as ranked, counting(
        index_module.ProfileIndex, "top_k"
    ) as topped:
        assert matching.rank_missions(db_session, profile) == first
        assert matching.rank_freelancers(db_session, missions[1]) == for_mission
        assert ranked == [] and topped == []  # nothing ranked again

        # Another freelancer's edit changes nothing for this freelancer's missions…
        profiles[0].daily_rate_cents += 100
        db_session.flush()
        assert matching.rank_missions(db_session, profile) == first and ranked == []
        # …but the mission's candidates are ranked again (that freelancer is one of them).
        matching.rank_freelancers(db_session, missions[1])
        assert len(topped) == 1

        # The best mission's budget cut below the rate: it leaves the ranking at once.
        best = next(m for m in missions if m.id == first[0].mission_id)
        best.max_daily_rate_cents = 20_000
        db_session.flush()
        after = matching.rank_missions(db_session, profile)
        assert best.id not in {r.mission_id for r in after} and len(ranked) == 1

        # The freelancer's own change (fewer free days) too.
        profile.available_slots = WeekSlots.from_days(["wed"]).bits
        db_session.flush()
        assert matching.rank_missions(db_session, profile) != after and len(ranked) == 2


def test_applications_are_scored_again_only_when_their_terms_or_profile_change(app_ctx, db_session):
    profiles, missions = world()
    mission = missions[1]
    eligible = [r.profile_id for r in matching.rank_freelancers(db_session, mission, 3)]
    own, proposing = (ApplicationFactory(mission=mission, freelancer=db_session.get(FreelancerProfile, i))
                      for i in eligible[:2])
    proposing.proposed_rate_cents = proposing.freelancer.daily_rate_cents - 2_000
    db_session.flush()
    first = matching.score_applications(db_session, mission, [own, proposing])
    assert first[own.id] and first[proposing.id]
    with counting(index_module.ProfileIndex, "top_k") as scored:
        assert matching.score_applications(db_session, mission, [own, proposing]) == first
        assert scored == []
        proposing.proposed_rate_cents -= 3_000  # new terms: scored again, on them
        db_session.flush()
        again = matching.score_applications(db_session, mission, [own, proposing])
        assert scored and again[own.id] == first[own.id]
        assert again[proposing.id] == matching.score_application(db_session, proposing)


@pytest.mark.parametrize("page", ["/freelance/missions", "/api/freelance/missions"])
def test_the_missions_page_reads_as_many_rows_at_5_as_at_40_published_missions(client, db_session, engine, page):
    profile = FreelancerProfileFactory()
    MissionFactory.create_batch(5)
    login(client, profile.user.email, PASSWORD)

    def queries():
        db_session.expire_all()  # as in a request of its own: nothing already in the session
        with statements(engine) as seen:
            response = client.get(page)
        assert response.status_code == 200
        return len(seen)

    queries()  # indexes built
    few = queries()
    MissionFactory.create_batch(35)
    queries()  # the 35 new missions are read once
    many = queries()
    assert many == few
    forget(client.application)  # a new process: the first request reads the same whatever the count
    first_many = queries()
    for mission in db_session.query(Mission).all()[5:]:
        mission.status = "closed"
    db_session.flush()
    forget(client.application)
    assert queries() == first_many


def test_the_missions_page_lists_the_same_as_before(app_ctx, db_session):
    from marketplace.services.missions import opportunities

    profile = FreelancerProfileFactory()
    MissionFactory.create_batch(6)
    MissionFactory(weekdays=["mon", "fri"])  # not free those days: listed with why
    MissionFactory(max_daily_rate_cents=20_000)  # under the freelancer's rate
    fast = opportunities.search(db_session, profile, limit=4)
    # The filtered path reads every published mission: with a filter keeping them all, same page.
    slow = opportunities.search(
        db_session, profile, opportunities.MissionFilters(min_rate_cents=1), limit=4
    )
    assert fast.total == slow.total == 8
    assert [(o.mission.id, o.result) for o in fast.ranked] == [(o.mission.id, o.result) for o in slow.ranked]
    assert [(o.mission.id, o.blockers) for o in fast.others] == [(o.mission.id, o.blockers) for o in slow.others]
    assert len(fast.ranked) == 4 and fast.others and any(o.blockers for o in fast.others)


# --- snapshots ------------------------------------------------------------------------------


def test_a_process_loading_the_snapshot_ranks_exactly_like_one_that_built_its_index(app_ctx, db_session):
    profiles, missions = world()
    built = everything(db_session, profiles, missions)
    info = matching.build_snapshot(db_session)
    assert (info.version, info.n_profiles, info.n_missions) == (1, 8, 8)

    forget(app_ctx)
    with counting(matching, "matchable_records") as rebuilt, counting(missions_module.MissionIndex, "build") as built_missions:
        loaded = everything(db_session, profiles, missions)
    assert rebuilt == [] and built_missions == []
    assert matching._state().snapshot_version == 1
    assert loaded == built
    assert list(snapshots.cache_folder().glob("index-v1-*.mkidx"))  # the next process maps this file


def test_a_stale_snapshot_is_topped_up_with_what_changed_after_it(app_ctx, db_session, sme_user):
    profiles, missions = world()
    age_everything(db_session)
    matching.build_snapshot(db_session)

    # After the snapshot: a new profile, a suspended one, a new bio, a booked day, missions
    # published and closed, a company now in the sector of a freelancer under non-compete.
    newcomer = FreelancerProfileFactory(bio=BIOS[1], skill_finance_procurement=4)
    profiles[1].matching_suspended_reason = "Attestation URSSAF expirée"
    profiles[2].bio = "J'ai piloté le séminaire annuel et le team building."
    published = MissionFactory(description=DESCRIPTIONS[2])
    posting.close(db_session, missions[0], sme_user, "cancelled")
    missions[3].non_compete = True
    profiles[4].client_sectors = ["logiciel"]
    db_session.flush()
    everyone, open_missions = [*profiles, newcomer], [*missions[1:], published]

    forget(app_ctx)
    with counting(matching, "freelancer_record") as reread:
        topped_up = everything(db_session, everyone, open_missions)
    assert matching._state().snapshot_version == 1
    assert len(reread) < len(everyone)  # only the changed profiles were read again
    assert newcomer.id in {r.profile_id for r in topped_up["freelancers"][published.id]}
    assert all(r.profile_id != profiles[1].id for ranked in topped_up["freelancers"].values() for r in ranked)
    assert all(r.mission_id != missions[0].id for ranked in topped_up["missions"].values() for r in ranked)

    forget(app_ctx)
    db_session.query(MatcherSnapshot).delete()  # no snapshot: built from the rows
    assert everything(db_session, everyone, open_missions) == topped_up
    assert matching._state().snapshot_version is None


def test_a_newer_snapshot_is_picked_up_and_an_incompatible_one_ignored(app_ctx, db_session, monkeypatch):
    profiles, missions = world(4, 4)
    matching.build_snapshot(db_session)
    matching.rank_missions(db_session, profiles[0])
    assert matching._state().snapshot_version == 1

    monkeypatch.setattr(snapshots, "CHECK_SECONDS", 0.0)
    matching.build_snapshot(db_session)
    later = MissionFactory(description=DESCRIPTIONS[0], weekdays=[], half_days_per_week=2)
    ranked = {r.mission_id for r in matching.rank_missions(db_session, profiles[0])}
    assert matching._state().snapshot_version == 2 and later.id in ranked

    # One written by another release (another analysis of the texts) is not loaded.
    other = MatcherSnapshot(
        version=3, synced_at=utcnow(), format="marketplace-matcher-index/1", fingerprint="f" * 64,
        n_profiles=0, n_missions=0, size_bytes=0, sha256="0" * 64, payload=b"",
    )
    db_session.add(other)
    db_session.flush()
    assert snapshots.latest(db_session).version == 2
    matching.rank_missions(db_session, profiles[0])
    assert matching._state().snapshot_version == 2
    # Three versions are kept.
    for _ in range(3):
        matching.build_snapshot(db_session)
    assert [s.version for s in db_session.query(MatcherSnapshot).order_by(MatcherSnapshot.version)] == [4, 5, 6]


def test_a_newer_model_scores_a_snapshot_loaded_index(app_ctx, db_session):
    profiles, missions = world(6, 4)
    matching.build_snapshot(db_session)
    forget(app_ctx)
    before = everything(db_session, profiles, missions)
    assert matching._state().snapshot_version == 1

    payload = packaged_model().payload()
    payload["pipeline"].named_steps["ordinal"].coef_ = payload["pipeline"].named_steps["ordinal"].coef_ * 1.5
    payload["meta"] = {k: v for k, v in payload["meta"].items() if k != "z_mean"}
    newer = MatchModel.from_payload(payload)
    store = matching._state().store
    version = store.swap(newer, backend=DatabaseBackend(db_session.get_bind(), db_session))
    after = everything(db_session, profiles, missions)
    assert store.current.version == version and after != before

    forget(app_ctx)
    db_session.query(MatcherSnapshot).delete()
    matching._state().store.swap(newer, backend=DatabaseBackend(db_session.get_bind(), db_session))
    assert everything(db_session, profiles, missions) == after  # as if built with the new model


def test_the_snapshot_is_built_by_a_registered_nightly_job(app_ctx, db_session):
    from marketplace.db import commit
    from marketplace.platform import jobs
    from worker.cron_config import CRON_TABLE

    names = [name for name, _ in CRON_TABLE]
    assert names.index("matching.snapshot") > names.index("matching.retrain")
    world(3, 2)
    intent = jobs.enqueue(db_session, "matching.snapshot")
    commit(db_session)
    db_session.refresh(intent)
    assert intent.status == "done"
    assert snapshots.latest(db_session).n_profiles == 3


def test_without_a_writable_cache_folder_the_snapshot_loads_from_memory(app_ctx, db_session, tmp_path):
    profiles, missions = world(4, 4)
    built = everything(db_session, profiles, missions)
    matching.build_snapshot(db_session)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app_ctx.config["MATCHER_CACHE_DIR"] = str(blocker / "cache")
    try:
        forget(app_ctx)
        assert everything(db_session, profiles, missions) == built
        assert matching._state().snapshot_version == 1
    finally:
        app_ctx.config.pop("MATCHER_CACHE_DIR")


def test_the_demo_ranks_identically_from_a_snapshot(demo_app, demo_session):
    from sqlalchemy import delete, select

    with demo_app.app_context():
        # The demo may have taken a snapshot already (its jobs run in-process): start from none.
        demo_session.execute(delete(MatcherSnapshot))
        forget(demo_app)
        published = list(demo_session.scalars(select(Mission).where(Mission.status == "published")))
        approved = list(demo_session.scalars(select(FreelancerProfile).where(FreelancerProfile.status == "approved")))
        assert published and approved
        fresh = everything(demo_session, approved, published)
        assert matching._state().snapshot_version is None
        assert any(fresh["freelancers"].values()) and any(fresh["missions"].values())
        matching.build_snapshot(demo_session)
        forget(demo_app)
        assert everything(demo_session, approved, published) == fresh
        assert matching._state().snapshot_version is not None


def test_the_snapshot_can_be_built_from_the_command_line(app, db_session):
    from marketplace.commands import matcher_snapshot_command

    world(2, 1)
    result = app.test_cli_runner().invoke(matcher_snapshot_command)
    assert result.exit_code == 0, result.output
    assert "Instantané v1 : 2 profils, 1 missions." in result.output
