"""`marketplace rank-file` and `marketplace matcher train` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from marketplace.cli import main
from marketplace.matching.constraints import is_eligible
from marketplace.matching.records import load_exchange

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small-exchange.json"
SMALL_QRELS = DATA / "small-qrels.json"


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("top", [1, 2, 20])
def test_rank_file_lists_only_eligible_and_respects_top(top):
    out = json.loads(run("rank-file", str(SMALL), "--top", str(top)).stdout)
    data = load_exchange(SMALL)
    freelancers = {f.id: f for f in data.freelancers}
    assert set(out) == {"rankings"}
    assert set(out["rankings"]) == {m.id for m in data.missions}
    for m in data.missions:
        ranked = out["rankings"][m.id]
        eligible = {f.id for f in data.freelancers if is_eligible(m, freelancers[f.id])}
        assert len(ranked) == min(top, len(eligible))
        assert set(ranked) <= eligible
        assert len(set(ranked)) == len(ranked)


def test_rank_file_puts_the_obvious_candidates_first():
    out = json.loads(run("rank-file", str(SMALL), "--top", "2").stdout)["rankings"]
    assert set(out["tm1"]) == {"t00", "t01"}  # the two eligible movers
    assert out["tm3"][0] == "t09"  # finance, Pennylane, notes de frais, budget


def test_rank_file_rejects_a_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["rank-file", str(tmp_path / "nope.json")])
    assert result.exit_code != 0


def test_matcher_train_writes_a_new_version(tmp_path):
    out = tmp_path / "models"
    result = run(
        "matcher",
        "train",
        "--data",
        str(SMALL),
        "--qrels",
        str(SMALL_QRELS),
        "--output",
        str(out),
        "--folds",
        "0",
    )
    assert "model v1" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == 1 and (out / manifest["file"]).exists()
    assert manifest["n_missions"] == 3
    again = run(
        "matcher",
        "train",
        "--data",
        str(SMALL),
        "--qrels",
        str(SMALL_QRELS),
        "--output",
        str(out),
        "--folds",
        "0",
    )
    assert "model v2" in again.stdout
