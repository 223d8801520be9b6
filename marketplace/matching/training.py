"""Training from a labelled exchange file, and cross-validation split by mission."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marketplace.matching.evaluation import Qrels, load_qrels, score_rankings
from marketplace.matching.model import LabelledPair, MatchModel, fit_idf, fit_training_set, pair_features
from marketplace.matching.records import Dataset, MissionRecord, load_exchange

__all__ = ["CrossValidation", "cross_validate", "labelled_pairs", "train_from_files"]


def labelled_pairs(data: Dataset, qrels: Qrels, missions: set[str] | None = None) -> list[LabelledPair]:
    """Every eligible pair of the judged missions with its grade (unlisted eligible = 0)."""
    pairs: list[LabelledPair] = []
    for m in data.missions:
        if m.id not in qrels.relevance or (missions is not None and m.id not in missions):
            continue
        excluded = qrels.ineligible.get(m.id, frozenset())
        pairs += [(m, f, qrels.grade(m.id, f.id)) for f in data.freelancers if f.id not in excluded]
    return pairs


def _fit(data: Dataset, pairs: list[LabelledPair], missions: list[MissionRecord], C: float) -> MatchModel:
    # IDF from the bios and the training missions only: held-out text stays unseen.
    idf = fit_idf([f.bio for f in data.freelancers] + [m.text for m in missions])
    return fit_training_set(pair_features(pairs, idf), idf, C=C)


@dataclass(frozen=True)
class CrossValidation:
    """Metrics of models fitted without the missions they rank."""

    folds: int
    ndcg_at_10: float
    recall_at_20: float
    ineligible_ranked: int
    per_fold: list[dict[str, float]]


def cross_validate(
    data: Dataset, qrels: Qrels, folds: int = 5, C: float = 1.0, seed: int = 0
) -> CrossValidation:
    """K-fold cross-validation split by mission, through the real ranking path (index top-K)."""
    from marketplace.matching.index import ProfileIndex

    judged = [m for m in data.missions if m.id in qrels.relevance]
    order = np.random.default_rng(seed).permutation(len(judged))
    buckets = [[judged[i] for i in order[k::folds]] for k in range(folds)]
    rankings: dict[str, list[str]] = {}
    per_fold = []
    for held_out in buckets:
        held = {m.id for m in held_out}
        train = [m for m in judged if m.id not in held]
        model = _fit(data, labelled_pairs(data, qrels, {m.id for m in train}), train, C)
        index = ProfileIndex.build(data.freelancers, model)
        fold = {m.id: [x.id for x in index.top_k(m, 20, explain=False)] for m in held_out}
        rankings.update(fold)
        per_fold.append(score_rankings(fold, qrels))
    overall = score_rankings(rankings, qrels)
    return CrossValidation(
        folds, overall["ndcg@10"], overall["recall@20"], int(overall["ineligible_ranked"]), per_fold
    )


def _sha256(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def train_from_files(
    data_path: str | Path, qrels_path: str | Path, *, folds: int = 5, C: float = 1.0
) -> MatchModel:
    """Fit on every judged pair of an exchange file; cross-validated metrics go in the metadata."""
    data, qrels = load_exchange(data_path), load_qrels(qrels_path)
    cv = cross_validate(data, qrels, folds=folds, C=C) if folds > 1 else None
    model = _fit(data, labelled_pairs(data, qrels), list(data.missions), C)
    in_sample = _in_sample(model, data, qrels)
    model.meta.update(
        {
            "training_files_sha256": _sha256(Path(data_path), Path(qrels_path)),
            "training_source": f"{Path(data_path).name} + {Path(qrels_path).name}",
            "cv": None
            if cv is None
            else {
                "folds": cv.folds,
                "split": "by mission",
                "ndcg@10": round(cv.ndcg_at_10, 4),
                "recall@20": round(cv.recall_at_20, 4),
                "ineligible_ranked": cv.ineligible_ranked,
            },
            "in_sample": {k: round(v, 4) for k, v in in_sample.items()},
        }
    )
    return model


def _in_sample(model: MatchModel, data: Dataset, qrels: Qrels) -> dict[str, float]:
    from marketplace.matching.index import ProfileIndex

    index = ProfileIndex.build(data.freelancers, model)
    rankings = {
        m.id: [x.id for x in index.top_k(m, 20, explain=False)]
        for m in data.missions
        if m.id in qrels.relevance
    }
    scores = score_rankings(rankings, qrels)
    return {"ndcg@10": scores["ndcg@10"], "recall@20": scores["recall@20"]}
