"""Ranking metrics and the development set's relevance judgements (qrels)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Qrels", "load_qrels", "ndcg_at_k", "recall_at_k", "score_rankings"]


@dataclass(frozen=True)
class Qrels:
    """Graded relevance (1–3) per mission and the ineligible freelancers of each mission."""

    relevance: dict[str, dict[str, int]]
    ineligible: dict[str, frozenset[str]]

    def grade(self, mission_id: str, freelancer_id: str) -> int:
        return self.relevance.get(mission_id, {}).get(freelancer_id, 0)


def load_qrels(path: str | Path) -> Qrels:
    """Read `qrels.json`: {"relevance": {m: {f: grade}}, "ineligible": {m: [f, ...]}}."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return Qrels(
        relevance={m: {f: int(g) for f, g in rel.items()} for m, rel in data["relevance"].items()},
        ineligible={m: frozenset(ids) for m, ids in data.get("ineligible", {}).items()},
    )


def _dcg(gains: np.ndarray) -> float:
    return float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())


def ndcg_at_k(ranked_grades: Sequence[int], all_grades: Sequence[int], k: int = 10) -> float:
    """NDCG@k with gain 2^grade − 1; `all_grades` are every candidate's grades (for the ideal)."""
    ideal = np.sort(2.0 ** np.asarray(all_grades, dtype=float) - 1)[::-1][:k]
    best = _dcg(ideal)
    if best == 0:
        return float("nan")
    return _dcg(2.0 ** np.asarray(ranked_grades[:k], dtype=float) - 1) / best


def recall_at_k(ranked_grades: Sequence[int], all_grades: Sequence[int], k: int = 20) -> float:
    """Share of the relevant (grade ≥ 1) candidates found in the first k."""
    relevant = int(np.count_nonzero(np.asarray(all_grades) > 0))
    if relevant == 0:
        return float("nan")
    return int(np.count_nonzero(np.asarray(ranked_grades[:k]) > 0)) / relevant


def score_rankings(rankings: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean NDCG@10, recall@20 and the count of ineligible freelancers ranked."""
    ndcgs, recalls, ineligible = [], [], 0
    for mission, ranked in rankings.items():
        rel = qrels.relevance.get(mission, {})
        grades = [rel.get(f, 0) for f in ranked]
        ineligible += sum(f in qrels.ineligible.get(mission, ()) for f in ranked)
        ndcgs.append(ndcg_at_k(grades, list(rel.values()), 10))
        recalls.append(recall_at_k(grades, list(rel.values()), 20))
    return {
        "ndcg@10": float(np.nanmean(ndcgs)) if ndcgs else float("nan"),
        "recall@20": float(np.nanmean(recalls)) if recalls else float("nan"),
        "ineligible_ranked": float(ineligible),
        "missions": float(len(rankings)),
    }
