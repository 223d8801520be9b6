"""The model: scikit-learn pipeline, fast path, refit on outcomes, atomic swap, old model kept."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from marketplace.matching import model as model_module
from marketplace.matching import store as store_module
from marketplace.matching import training
from marketplace.matching.model import (
    OUTCOME_GRADES,
    MatchModel,
    OrdinalLogisticRegression,
)
from marketplace.matching.store import ModelStore
from marketplace.matching.training import fit_model, pairs_from_outcomes


def tool_lovers_outcomes(make_world, n_missions=8):
    """Outcomes where SMEs hired whoever masters the mission's tools, and declined the others."""
    freelancers, missions = make_world(120, n_missions, seed=11)
    outcomes = []
    for m in missions:
        for f in freelancers[:40]:
            hits = len(set(m.tools) & set(f.tools))
            outcomes.append((m, f, "hired" if hits == 2 else "shortlisted" if hits == 1 else "declined"))
    return pairs_from_outcomes(outcomes)


def test_fast_path_equals_the_pipeline(shipped_model):
    X = shipped_model.training.X[:500]
    assert np.allclose(shipped_model.raw_scores(X), shipped_model.raw_scores_pipeline(X))


def test_shipped_manifest_describes_the_artifact():
    manifest = model_module.read_manifest(model_module.ARTIFACT_DIR)
    assert (model_module.ARTIFACT_DIR / manifest["file"]).exists()
    assert {"version", "trained_at", "training_data_sha256", "cv", "feature_names"} <= set(manifest)
    assert manifest["cv"]["split"] == "by mission"


def test_ordinal_model_needs_two_grades():
    with pytest.raises(ValueError):
        OrdinalLogisticRegression().fit(np.zeros((4, 2)), [1, 1, 1, 1])


def test_outcome_statuses_map_to_grades():
    assert (
        OUTCOME_GRADES["declined"]
        == 0
        < OUTCOME_GRADES["shortlisted"]
        < OUTCOME_GRADES["invited"]
        < OUTCOME_GRADES["hired"]
    )
    assert pairs_from_outcomes([("m", "f", "withdrawn"), ("m", "f", "invited")]) == [("m", "f", 2)]


def test_refit_on_outcomes_changes_the_model(make_world, shipped_model):
    pairs = tool_lovers_outcomes(make_world)
    new = fit_model(pairs, base=shipped_model)
    outcomes = training.pair_features(pairs, shipped_model.idf, seed=False)
    before = training.mean_ndcg(shipped_model, outcomes)
    after = training.mean_ndcg(new, outcomes)
    assert after > before + 0.1  # it learnt that these SMEs hire on tools
    assert not np.allclose(new.raw_scores(outcomes.X), shipped_model.raw_scores(outcomes.X))
    assert len(new.training) == len(shipped_model.training) + len(pairs)
    assert new.meta["training_data_sha256"] != shipped_model.meta["training_data_sha256"]
    assert new.meta["n_outcome_pairs"] == len(pairs)
    # the shipped model itself is untouched
    assert len(shipped_model.training) == shipped_model.meta["n_pairs"]


def test_refit_replaces_earlier_outcomes_instead_of_piling_them_up(make_world, shipped_model):
    pairs = tool_lovers_outcomes(make_world)
    once = fit_model(pairs, base=shipped_model)
    twice = fit_model(pairs, base=once)  # the job passes all outcomes each time
    assert len(twice.training) == len(once.training)
    assert np.allclose(twice.weights()["tools_cov"], once.weights()["tools_cov"])


def test_few_outcomes_weigh_little(shipped_model):
    seed = float(shipped_model.training.weights.sum())
    assert training.outcome_weight(50, seed) * 50 < 0.06 * seed
    assert training.outcome_weight(5000, seed) * 5000 == pytest.approx(seed)  # half of the total


def test_store_refit_swaps_atomically_and_persists(store, make_world):
    old = store.current
    assert old.version == 1  # the packaged model
    result = store.refit(tool_lovers_outcomes(make_world))
    assert result.accepted, result.reason
    assert result.version == 2
    assert store.current is not old and store.current.version == 2
    manifest = json.loads((store.directory / "manifest.json").read_text())
    assert manifest["file"] == "model-v2.joblib" and manifest["version"] == 2
    assert not list(store.directory.glob("*.tmp"))  # temp files renamed, none left behind
    reloaded = ModelStore(store.directory).current  # another process would load the same
    assert reloaded.version == 2
    X = old.training.X[:50]
    assert np.allclose(reloaded.raw_scores(X), store.current.raw_scores(X))


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [
        (lambda w: tool_lovers_outcomes(w)[:5], "too few"),
        (lambda w: [(m, f, 0) for m, f, _ in tool_lovers_outcomes(w)], "same grade"),
    ],
)
def test_store_keeps_the_old_model_on_bad_labels(store, make_world, pairs, reason):
    old = store.current
    result = store.refit(pairs(make_world))
    assert not result.accepted and reason in result.reason
    assert store.current is old
    assert not store.directory.exists() or not list(store.directory.iterdir())


def test_a_crashing_refit_fails_loudly_and_keeps_the_old_model(store, make_world, monkeypatch):
    old = store.current

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(store_module, "fit_model", broken)
    with pytest.raises(RuntimeError, match="solver exploded"):  # the nightly job fails, visibly
        store.refit(tool_lovers_outcomes(make_world))
    assert store.current is old
    assert not store.directory.exists() or not list(store.directory.glob("model-v*"))


def test_store_keeps_the_old_model_under_the_floor(store, make_world):
    old = store.current
    result = store.refit(tool_lovers_outcomes(make_world), floor=1.01)
    assert not result.accepted and "floor" in result.reason
    assert store.current is old


def test_store_refuses_a_model_worse_than_the_current(store, make_world, monkeypatch):
    old = store.current
    pairs = tool_lovers_outcomes(make_world)
    real_fit = store_module.fit_model

    def upside_down(*args, **kwargs):
        new = real_fit(*args, **kwargs)
        new.pipeline.named_steps["ordinal"].coef_ *= -1  # ranks everything backwards
        return MatchModel(
            new.pipeline, new.idf, new.training, {k: v for k, v in new.meta.items() if k != "z_mean"}
        )

    monkeypatch.setattr(store_module, "fit_model", upside_down)
    result = store.refit(pairs, floor=0.0)
    assert not result.accepted and "worse than the current" in result.reason
    assert store.current is old


def test_readers_always_see_a_whole_model(store, make_world):
    X = store.current.training.X[:20]
    errors: list[Exception] = []
    stop = threading.Event()

    def read():
        while not stop.wait(0.002):  # leave the GIL to the refit now and then
            try:
                model = store.current
                assert model.raw_scores(X).shape == (20,)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    result = store.refit(tool_lovers_outcomes(make_world, n_missions=4))
    stop.set()
    for t in readers:
        t.join()
    assert result.accepted and not errors


def test_other_processes_pick_up_a_new_version(store, make_world):
    web = ModelStore(store.directory, check_interval=0.0)  # e.g. a gunicorn worker
    assert web.current.version == 1
    assert store.refit(tool_lovers_outcomes(make_world, n_missions=4)).accepted  # e.g. the RQ job
    assert web.current.version == 2


def test_other_processes_pick_up_a_new_version_after_their_check_interval(store, make_world, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("marketplace.matching.store.time.monotonic", lambda: clock[0])
    web = ModelStore(store.directory, check_interval=30.0)
    assert web.current.version == 1
    assert store.refit(tool_lovers_outcomes(make_world, n_missions=4)).accepted
    clock[0] += 10
    assert web.current.version == 1  # not looked yet: one small query per interval at most
    clock[0] += 25
    assert web.current.version == 2


def test_read_only_store_cannot_swap(shipped_model):
    with pytest.raises(RuntimeError):
        ModelStore(None).swap(shipped_model)
