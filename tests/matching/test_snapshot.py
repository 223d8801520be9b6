"""The mission index ranks like the per-mission loop; snapshots load the same indexes back."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest

from marketplace.matching import snapshot
from marketplace.matching.index import ProfileIndex, analyse_missions
from marketplace.matching.missions import ESTIMATE_MARGIN, MissionIndex, estimate_scores
from marketplace.matching.text import analyse_texts


def same(matches):
    """What a caller sees of a ranking: ids, scores, raw scores and the explanations."""
    return [(m.id, m.score, m.raw, m.explanation) for m in matches]


@pytest.fixture(scope="module")
def big_world(shipped_model):
    from tests.matching.conftest import world

    freelancers, missions = world(300, 200, seed=11)
    return freelancers, missions, ProfileIndex.build(freelancers, shipped_model), MissionIndex.build(missions)


def test_the_mission_index_ranks_exactly_like_the_loop_over_missions(big_world):
    freelancers, missions, profiles, index = big_world
    analysed = {m.id: a for m, a in zip(missions, analyse_missions(missions), strict=True)}
    checked = 0
    for f in freelancers[:160]:
        if not f.vetted:
            assert index.rank_for(profiles, f.id, 10) == []
            continue
        for k in (10,) if checked > 15 else (1, 10, 1000):
            loop = profiles.rank_missions(f.id, missions, k, analysed=analysed)
            assert same(index.rank_for(profiles, f.id, k)) == same(loop)
        checked += 1
    assert checked > 130


def test_estimates_are_close_to_the_exact_scores_and_eligibility_is_the_same(big_world):
    freelancers, missions, profiles, index = big_world
    analysed = {m.id: a for m, a in zip(missions, analyse_missions(missions), strict=True)}
    worst, pairs = 0.0, 0
    for f in freelancers[:150]:
        if not f.vetted:
            continue
        exact = {m.id: m.raw for m in profiles.rank_missions(f.id, missions, 10**6, explain=False, analysed=analysed)}
        estimated = estimate_scores(index, profiles, f.id)
        assert set(estimated) == set(exact), f.id
        worst = max([worst, *(abs(estimated[i] - exact[i]) for i in exact)])
        pairs += len(exact)
    assert pairs > 500
    assert worst < 1e-5 < ESTIMATE_MARGIN


def test_a_subset_of_missions_ranks_like_the_loop_over_that_subset(big_world):
    freelancers, missions, profiles, index = big_world
    subset = missions[::3]
    ids = [m.id for m in subset]
    for f in [f for f in freelancers if f.vetted][:40]:
        assert same(index.rank_for(profiles, f.id, 5, ids=ids)) == same(profiles.rank_missions(f.id, subset, 5))


def test_missions_appear_change_and_disappear_without_a_rebuild(make_world, shipped_model, monkeypatch):
    freelancers, missions = make_world(80, 30, seed=5)
    profiles = ProfileIndex.build(freelancers, shipped_model)
    index = MissionIndex.build(missions[:20], {m.id: "v1" for m in missions[:20]})
    fid = next(f.id for f in freelancers if f.vetted and index.rank_for(profiles, f.id, 50))

    index.upsert_many(missions[20:], {m.id: "v1" for m in missions[20:]})  # published
    assert same(index.rank_for(profiles, fid, 50)) == same(profiles.rank_missions(fid, missions, 50))

    top = index.rank_for(profiles, fid, 1)[0].id
    assert index.remove(top) and top not in index and index.stamp(top) is None  # closed or filled
    rest = [m for m in missions if m.id != top]
    assert top not in [m.id for m in index.rank_for(profiles, fid, 50)]
    assert same(index.rank_for(profiles, fid, 50)) == same(profiles.rank_missions(fid, rest, 50))

    # An edit of the budget keeps the analysed text; a new description is analysed again.
    calls = []
    real = analyse_texts
    monkeypatch.setattr("marketplace.matching.missions.analyse_texts", lambda texts: calls.append(texts) or real(texts))
    cheaper = replace(rest[0], max_daily_rate_cents=20_000)
    index.upsert(cheaper, "v2")
    assert calls == [] and index.stamp(cheaper.id) == "v2"
    reworded = replace(rest[1], description="Nous préparons notre séminaire annuel et la newsletter interne.")
    index.upsert(reworded, "v2")
    assert len(calls) == 1
    edited = [cheaper, reworded, *rest[2:]]
    assert same(index.rank_for(profiles, fid, 50)) == same(profiles.rank_missions(fid, edited, 50))
    index.compact()
    assert same(index.rank_for(profiles, fid, 50)) == same(profiles.rank_missions(fid, edited, 50))


def test_the_analysed_text_kept_by_the_index_is_the_one_a_query_computes(big_world):
    _, missions, profiles, index = big_world
    for mission, analysed in zip(missions[:20], analyse_missions(missions[:20]), strict=True):
        kept = index.analysed(mission.id)
        assert kept.needs == analysed.needs
        assert (kept.text != analysed.text).nnz == 0
        assert same(profiles.top_k(mission, 10, analysed=kept)) == same(profiles.top_k(mission, 10))


def test_a_snapshot_loads_indexes_that_rank_the_same(big_world, shipped_model, tmp_path):
    freelancers, missions, profiles, index = big_world
    data = snapshot.dump(profiles, index, {"note": "test"})
    path = snapshot.write(tmp_path / "index.mkidx", data)
    assert snapshot.read_header(path)["meta"] == {"note": "test"}
    for loaded in (snapshot.load(path, shipped_model), snapshot.load(data, shipped_model)):
        assert loaded.meta == {"note": "test"}
        assert len(loaded.profiles) == len(profiles) and len(loaded.missions) == len(index)
        for m in missions[:40]:
            assert same(loaded.profiles.top_k(m, 10)) == same(profiles.top_k(m, 10))
        for f in [f for f in freelancers if f.vetted][:60]:
            assert same(loaded.missions.rank_for(loaded.profiles, f.id, 10)) == same(index.rank_for(profiles, f.id, 10))
        assert loaded.missions.stamp(missions[0].id) == index.stamp(missions[0].id)


def test_a_mapped_snapshot_takes_updates_without_touching_its_file(make_world, shipped_model, tmp_path):
    freelancers, missions = make_world(60, 10, seed=2)
    path = snapshot.write(
        tmp_path / "index.mkidx", snapshot.dump(ProfileIndex.build(freelancers, shipped_model), MissionIndex.build(missions))
    )
    before = path.read_bytes()
    loaded = snapshot.load(path, shipped_model)
    fresh = ProfileIndex.build(freelancers, shipped_model)
    moved = replace(freelancers[0], years_experience=19, bio="J'ai organisé le séminaire annuel.", vetted=True)
    for index in (loaded.profiles, fresh):
        index.upsert(moved)
        index.set_booked_weekdays(freelancers[1].id, ["tue"])
        index.remove(freelancers[2].id)
        index.upsert(replace(freelancers[3], id="new"))
    for m in missions:
        assert same(loaded.profiles.top_k(m, 20)) == same(fresh.top_k(m, 20))
    loaded.missions.remove(missions[0].id)
    assert missions[0].id not in loaded.missions
    assert path.read_bytes() == before  # copy-on-write: the file other processes map is intact


def test_an_empty_snapshot_loads(shipped_model, make_mission):
    loaded = snapshot.load(snapshot.dump(ProfileIndex(shipped_model), MissionIndex()), shipped_model)
    assert len(loaded.profiles) == 0 and len(loaded.missions) == 0
    loaded.missions.upsert(make_mission())
    assert loaded.profiles.top_k(make_mission(), 5) == []


def test_a_snapshot_of_other_code_is_refused(make_world, shipped_model, monkeypatch):
    freelancers, missions = make_world(10, 3)
    data = snapshot.dump(ProfileIndex.build(freelancers, shipped_model), MissionIndex.build(missions))
    with pytest.raises(snapshot.IncompatibleSnapshot):
        snapshot.load(b"not a snapshot at all")
    # Another taxonomy of needs, another text analysis: the rows would be wrong.
    monkeypatch.setattr(snapshot, "fingerprint", lambda: "0" * 64)
    with pytest.raises(snapshot.IncompatibleSnapshot, match="another text analysis"):
        snapshot.load(data)


def test_the_fingerprint_follows_the_taxonomy(monkeypatch):
    from marketplace.matching import text

    before = snapshot.fingerprint()
    snapshot.fingerprint.cache_clear()
    monkeypatch.setattr(text, "NEEDS", text.NEEDS[:-1])
    try:
        assert snapshot.fingerprint() != before
    finally:
        snapshot.fingerprint.cache_clear()


def test_records_survive_the_snapshot_as_they_were(big_world):
    _, missions, _, index = big_world
    loaded = snapshot.load(snapshot.dump(ProfileIndex(), index))
    for m in missions[:30]:
        assert loaded.missions.record(m.id) == m
    # Records stay plain data (what a cache or a queue would hold).
    assert pickle.loads(pickle.dumps(loaded.missions.record(missions[0].id))) == missions[0]
    assert np.array_equal(loaded.missions.analysed(missions[0].id).text.indices, index.analysed(missions[0].id).text.indices)
