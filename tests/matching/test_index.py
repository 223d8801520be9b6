"""The profile index: updates change results without refitting; top-K equals a full sort."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from marketplace.matching import model as model_module
from marketplace.matching import training
from marketplace.matching.constraints import is_eligible
from marketplace.matching.index import ProfileIndex
from marketplace.matching.ranking import rank


@pytest.fixture
def no_refit(monkeypatch):
    """Any attempt to fit during the test fails it."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the index must not refit anything")

    for name in ("fit_model", "fit_training_set", "fit_idf"):
        monkeypatch.setattr(training, name, forbidden)
    monkeypatch.setattr(model_module.OrdinalLogisticRegression, "fit", forbidden)


def ids(matches):
    return [m.id for m in matches]


def test_top_k_matches_a_full_sort_and_only_lists_eligible(make_world, shipped_model):
    freelancers, missions = make_world(300, 12)
    index = ProfileIndex.build(freelancers, shipped_model)
    by_id = {f.id: f for f in freelancers}
    for m in missions:
        scores = index.scores(m)
        expected = sorted(scores, key=lambda fid: (-scores[fid], fid))[:10]
        got = index.top_k(m, 10, explain=False)
        assert ids(got) == expected
        assert all(is_eligible(m, by_id[x.id]) for x in got)
        assert [x.score for x in got] == sorted((x.score for x in got), reverse=True)


def test_upsert_new_profile_appears(make_freelancer, make_mission, shipped_model, no_refit):
    index = ProfileIndex.build([make_freelancer(id="a", skills={"finance_procurement": 2})], shipped_model)
    assert ids(index.top_k(make_mission(), 5)) == ["a"]
    index.upsert(make_freelancer(id="b"))
    assert ids(index.top_k(make_mission(), 5)) == ["b", "a"]
    assert len(index) == 2 and "b" in index


def test_upsert_changed_profile_changes_its_rank(make_freelancer, make_mission, shipped_model, no_refit):
    a, b = make_freelancer(id="a"), make_freelancer(id="b", skills={"finance_procurement": 2})
    index = ProfileIndex.build([a, b], shipped_model)
    assert ids(index.top_k(make_mission(), 5)) == ["a", "b"]
    # b gets better skills (same bio: dense columns rewritten in place)
    index.upsert(
        replace(b, skills={"finance_procurement": 5, "facilities_workplace": 4}, years_experience=15)
    )
    assert ids(index.top_k(make_mission(), 5))[0] == "b"


def test_upsert_changed_bio_changes_needs(make_freelancer, make_mission, shipped_model, no_refit):
    f = make_freelancer(bio="Accueil physique et standard.")
    index = ProfileIndex.build([f], shipped_model)
    before = index.top_k(make_mission(), 1)[0]
    assert "Déjà mené" not in " ".join(before.explanation.lines())
    index.upsert(replace(f, bio="J'ai mené le déménagement de 80 personnes et repris les notes de frais."))
    after = index.top_k(make_mission(), 1)[0]
    assert "+ Déjà mené : déménagement et notes de frais" in after.explanation.lines()
    assert after.score > before.score
    assert len(index) == 1


def test_remove(make_freelancer, make_mission, shipped_model, no_refit):
    index = ProfileIndex.build([make_freelancer(id="a"), make_freelancer(id="b")], shipped_model)
    assert index.remove("a") is True
    assert index.remove("a") is False
    assert ids(index.top_k(make_mission(), 5)) == ["b"]
    assert "a" not in index


def test_booking_weekdays_removes_a_profile_from_matching_missions(
    make_freelancer, make_mission, shipped_model, no_refit
):
    index = ProfileIndex.build(
        [make_freelancer(id="a", available_weekdays=("tue", "wed", "thu"))], shipped_model
    )
    named = make_mission(weekdays=("tue", "thu"))
    flexible = make_mission(id="m2", weekdays=(), half_days_per_week=4)
    assert ids(index.top_k(named, 5)) == ["a"]
    index.set_booked_weekdays("a", ["thu"])  # a contract with another client was signed
    assert index.top_k(named, 5) == []
    assert ids(index.top_k(flexible, 5)) == ["a"]  # tue + wed still free: 2 days
    index.set_booked_weekdays("a", ["thu", "wed"])
    assert index.top_k(flexible, 5) == []
    index.set_booked_weekdays("a", [])  # contract ended
    assert ids(index.top_k(named, 5)) == ["a"]


def test_vetting_change(make_freelancer, make_mission, shipped_model, no_refit):
    index = ProfileIndex.build([make_freelancer(id="a")], shipped_model)
    index.set_vetted("a", False)
    assert index.top_k(make_mission(), 5) == []
    with pytest.raises(KeyError):
        index.set_vetted("nobody", True)


def test_compaction_keeps_results(make_world, shipped_model):
    freelancers, missions = make_world(200, 5)
    index = ProfileIndex.build(freelancers, shipped_model)
    before = {m.id: ids(index.top_k(m, 10, explain=False)) for m in missions}
    for f in freelancers[:50]:
        index.upsert(replace(f, bio=f.bio + " "))  # new bio: dead row + appended row
    index.compact()
    assert index.nbytes() > 0
    assert {m.id: ids(index.top_k(m, 10, explain=False)) for m in missions} == before


def test_new_tool_and_sector_vocabulary_grow(make_freelancer, make_mission, shipped_model):
    index = ProfileIndex.build([make_freelancer(id="a")], shipped_model)
    tools = tuple(f"Outil{i}" for i in range(70))  # more than one 64-bit word
    index.upsert(make_freelancer(id="b", tools=tools, current_client_sectors=("immobilier",)))
    m = make_mission(tools=("Outil69",), non_compete=True, sector="immobilier")
    assert ids(index.top_k(m, 5)) == ["a"]  # b excluded by the non-compete clause
    match = index.top_k(replace(m, non_compete=False), 5)
    assert match[0].id == "b" and "Outil69" in match[0].facts["tools"]


def test_rank_accepts_records_or_a_live_index(make_world, shipped_model):
    freelancers, missions = make_world(150, 4)
    index = ProfileIndex.build(freelancers, shipped_model)
    from_records = rank(missions, freelancers, 5, model=shipped_model, explain=False)
    from_index = rank(missions, index, 5, explain=False)
    assert {k: ids(v) for k, v in from_records.items()} == {k: ids(v) for k, v in from_index.items()}


def test_rank_missions_uses_the_same_constraints_and_score(make_world, shipped_model):
    freelancers, missions = make_world(150, 12)
    index = ProfileIndex.build(freelancers, shipped_model)
    f = next(f for f in freelancers if sum(is_eligible(m, f) for m in missions) >= 2)
    found = index.rank_missions(f.id, missions, k=20)
    assert {m.id for m in found} == {m.id for m in missions if is_eligible(m, f)}
    for match in found:
        mission = next(m for m in missions if m.id == match.id)
        assert match.raw == pytest.approx(index.scores(mission, [f.id])[f.id])
    assert [m.raw for m in found] == sorted((m.raw for m in found), reverse=True)
    assert np.all([m.explanation is not None for m in found])
