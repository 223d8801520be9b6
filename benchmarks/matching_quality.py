"""Ranking quality on the development set: cross-validated, in-sample, reworded, baselines.

    python benchmarks/matching_quality.py [--data INPUT.json --qrels QRELS.json --folds 5]

NDCG@10 uses gain 2^grade − 1 (an eligible freelancer the qrels do not list is 0);
recall@20 is the share of relevant (grade ≥ 1) freelancers in the first 20. Many
missions have more than 20 relevant freelancers, so recall@20 has a ceiling well under
1; it is printed too. Cross-validation splits by mission: each fold's model never saw
the missions it ranks (nor their text, for the IDF weights).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reworded import reworded  # noqa: E402

from marketplace.matching.constraints import exclusion_reason  # noqa: E402
from marketplace.matching.evaluation import Qrels, load_qrels, score_rankings  # noqa: E402
from marketplace.matching.features import FEATURE_NAMES  # noqa: E402
from marketplace.matching.index import ProfileIndex  # noqa: E402
from marketplace.matching.model import packaged_model  # noqa: E402
from marketplace.matching.records import Dataset, load_exchange  # noqa: E402
from marketplace.matching.training import cross_validate  # noqa: E402

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "matching-dev"


def _rank_all(index: ProfileIndex, data: Dataset, qrels: Qrels, k: int = 20) -> dict[str, list[str]]:
    return {
        m.id: [x.id for x in index.top_k(m, k, explain=False)]
        for m in data.missions
        if m.id in qrels.relevance
    }


def _baseline(data: Dataset, qrels: Qrels, key) -> dict[str, float]:
    """Rank the eligible freelancers by a fixed key (no learning)."""
    index = ProfileIndex.build(data.freelancers, packaged_model())
    rankings = {}
    for m in data.missions:
        q = index.prepare(m)
        rows = index.eligible_rows(q)
        order = np.argsort(-key(index, q, rows), kind="stable")[:20]
        rankings[m.id] = index.ids_of(rows[order])
    return score_rankings(rankings, qrels)


def _random_key(index, q, rows):
    return np.random.default_rng(0).random(len(rows))


def _rule_key(index, q, rows):
    # A hand-written rule: needs covered first, then required skills met, then years.
    X = index.features(q, rows, packaged_model().idf)
    col = {n: i for i, n in enumerate(FEATURE_NAMES)}
    return X[:, col["need_cov"]] * 100 + X[:, col["skill_met_frac"]] * 10 + X[:, col["exp_gap"]] * 0.1


def _ceiling(qrels: Qrels) -> float:
    values = [
        min(20, sum(g > 0 for g in rel.values())) / max(1, sum(g > 0 for g in rel.values()))
        for rel in qrels.relevance.values()
        if any(g > 0 for g in rel.values())
    ]
    return float(np.mean(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEV / "input.json"))
    parser.add_argument("--qrels", default=str(DEV / "qrels.json"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data, qrels = load_exchange(args.data), load_qrels(args.qrels)
    model = packaged_model()
    print(
        f"development set: {len(data.freelancers)} freelancers, {len(data.missions)} missions; "
        f"shipped model v{model.version} ({model.meta.get('trained_at', '?')})\n"
    )

    rows: list[tuple[str, dict[str, float]]] = []
    t = time.perf_counter()
    cv = cross_validate(data, qrels, folds=args.folds)
    cv_time = time.perf_counter() - t
    for i, fold in enumerate(cv.per_fold, 1):
        rows.append((f"  CV fold {i} ({int(fold['missions'])} missions)", fold))
    rows.insert(
        0,
        (
            f"CROSS-VALIDATED, {cv.folds} folds by mission",
            {
                "ndcg@10": cv.ndcg_at_10,
                "recall@20": cv.recall_at_20,
                "ineligible_ranked": cv.ineligible_ranked,
            },
        ),
    )

    shipped = ProfileIndex.build(data.freelancers, model)
    in_sample = score_rankings(_rank_all(shipped, data, qrels), qrels)
    rows.append(("shipped model, IN-SAMPLE (fitted on these pairs)", in_sample))

    other = reworded(data)
    rows.append(
        (
            "reworded set, shipped model (phrasing unseen)",
            score_rankings(_rank_all(ProfileIndex.build(other.freelancers, model), other, qrels), qrels),
        )
    )
    cv_other = cross_validate(other, qrels, folds=args.folds)
    rows.append(
        (
            "reworded set, cross-validated",
            {
                "ndcg@10": cv_other.ndcg_at_10,
                "recall@20": cv_other.recall_at_20,
                "ineligible_ranked": cv_other.ineligible_ranked,
            },
        )
    )
    rows.append(("baseline: random eligible order", _baseline(data, qrels, _random_key)))
    rows.append(("baseline: rule (needs, skills, years)", _baseline(data, qrels, _rule_key)))

    width = max(len(name) for name, _ in rows) + 2
    print(f"{'':{width}}{'NDCG@10':>9}{'recall@20':>11}{'ineligible':>12}")
    print("-" * (width + 32))
    for name, m in rows:
        print(f"{name:{width}}{m['ndcg@10']:>9.4f}{m['recall@20']:>11.4f}{int(m['ineligible_ranked']):>12d}")
    print(f"\nrecall@20 ceiling (relevant beyond 20 cannot fit): {_ceiling(qrels):.4f}")
    print(f"cross-validation time: {cv_time:.1f} s")

    # Eligibility: the index's vectorised masks, the per-pair rule and the qrels agree.
    mismatches = 0
    for m in data.missions:
        eligible = set(shipped.eligible(m))
        excluded = qrels.ineligible.get(m.id, frozenset())
        for f in data.freelancers:
            by_rule = exclusion_reason(m, f) is None
            mismatches += (f.id in eligible) != by_rule or by_rule == (f.id in excluded)
    pairs = len(data.missions) * len(data.freelancers)
    print(
        f"eligibility check: {mismatches} disagreements over {pairs} pairs "
        "(index masks vs per-pair rule vs qrels 'ineligible'); "
        f"ineligible freelancers in the shipped model's top-20 lists: {int(in_sample['ineligible_ranked'])}"
    )


if __name__ == "__main__":
    main()
