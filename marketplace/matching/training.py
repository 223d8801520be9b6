"""Fitting the model: from labelled pairs, from an exchange file, and cross-validation by mission.

`fit_model` refits from labelled `(mission, freelancer, grade)` triples, on top of the
training set the current model was fitted on; features are computed by the index, the
same code that ranks.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfTransformer

from marketplace.matching.evaluation import Qrels, load_qrels, ndcg_at_k, score_rankings
from marketplace.matching.features import FEATURE_NAMES
from marketplace.matching.index import ProfileIndex
from marketplace.matching.model import (
    ARTIFACT_FORMAT,
    OUTCOME_GRADES,
    LabelledPair,
    MatchModel,
    ModelValidationError,
    TrainingSet,
    make_pipeline,
)
from marketplace.matching.records import (
    Dataset,
    FreelancerRecord,
    MissionRecord,
    load_exchange,
)
from marketplace.matching.text import HASH_FEATURES, TEXT_FEATURES_VERSION, hash_texts

__all__ = [
    "CrossValidation",
    "cross_validate",
    "fit_idf",
    "fit_model",
    "fit_training_set",
    "labelled_pairs",
    "mean_ndcg",
    "outcome_weight",
    "pair_features",
    "pairs_from_outcomes",
    "train_from_files",
]


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


# ---------------------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------------------


def fit_idf(texts: Iterable[str]) -> np.ndarray:
    """IDF weights of the hashed terms of a corpus (bios and descriptions)."""
    transformer = TfidfTransformer(smooth_idf=True).fit(hash_texts(texts))
    return transformer.idf_.astype(np.float64)


def pair_features(
    pairs: Sequence[LabelledPair], idf: np.ndarray, weight: float = 1.0, *, seed: bool = True
) -> TrainingSet:
    """Features of labelled pairs, computed by the same index code as the ranking."""
    if not pairs:
        return TrainingSet.empty()
    freelancers = {f.id: f for _, f, _ in pairs}
    index = ProfileIndex.build(freelancers.values())
    by_mission: dict[str, list[int]] = defaultdict(list)
    missions: dict[str, MissionRecord] = {}
    for i, (m, _, _) in enumerate(pairs):
        by_mission[m.id].append(i)
        missions[m.id] = m
    X = np.zeros((len(pairs), len(FEATURE_NAMES)))
    for mid, positions in by_mission.items():
        rows = np.array([index.row_of(pairs[i][1].id) for i in positions])
        X[positions] = index.features(index.prepare(missions[mid]), rows, idf)
    y = np.array([int(g) for _, _, g in pairs])
    groups = np.array([m.id for m, _, _ in pairs])
    return TrainingSet(X, y, groups, np.full(len(pairs), float(weight)), np.full(len(pairs), seed))


def fit_training_set(
    training: TrainingSet, idf: np.ndarray, meta: dict[str, Any] | None = None, C: float = 1.0
) -> MatchModel:
    """Fit the pipeline on a training set; the model keeps the set for later refits."""
    if len(training) == 0:
        raise ModelValidationError("no labelled pairs to learn from")
    pipeline = make_pipeline(C)
    pipeline.fit(training.X, training.y, ordinal__sample_weight=training.weights)
    info = {
        "format": ARTIFACT_FORMAT,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_data_sha256": training.digest(),
        "n_pairs": len(training),
        "n_missions": int(len(np.unique(training.groups))),
        "feature_names": list(FEATURE_NAMES),
        "text_features_version": TEXT_FEATURES_VERSION,
        "hash_features": HASH_FEATURES,
        "sklearn_version": sklearn.__version__,
        "C": C,
    }
    info.update(meta or {})
    return MatchModel(pipeline, idf, training, info)


# How much the marketplace outcomes weigh against the seed judgements: up to half of
# the total, reached once OUTCOME_RAMP outcome pairs exist (a few outcomes must not
# overturn 7 000 judged pairs; a year of outcomes should count as much as them).
MAX_OUTCOME_SHARE = 0.5
OUTCOME_RAMP = 500


def outcome_weight(n_outcomes: int, seed_weight: float, max_share: float = MAX_OUTCOME_SHARE) -> float:
    """Weight of each outcome pair so that outcomes hold their share of the total weight."""
    if n_outcomes == 0 or seed_weight == 0:
        return 1.0
    share = max_share * min(1.0, n_outcomes / OUTCOME_RAMP)
    return share / (1 - share) * seed_weight / n_outcomes


def fit_model(
    pairs: Iterable[LabelledPair],
    *,
    base: MatchModel | None = None,
    max_share: float = MAX_OUTCOME_SHARE,
    C: float = 1.0,
) -> MatchModel:
    """Fit a model on labelled (mission, freelancer, grade 0–3) pairs.

    With a `base` model the pairs are marketplace outcomes: they join the base's seed
    pairs (any outcomes the base was fitted on are replaced, so passing all outcomes
    every time is idempotent) with a weight given by `outcome_weight`, and the base's
    text weights are reused. Without a base the pairs are the seed and IDF is fitted.
    """
    pairs = list(pairs)
    if base is not None:
        idf = base.idf
        seed = base.training.seed_only()
        weight = outcome_weight(len(pairs), float(seed.weights.sum()), max_share)
        training = seed.concat(pair_features(pairs, idf, weight, seed=False))
    else:
        texts = {f.id: f.bio for _, f, _ in pairs} | {m.id: m.text for m, _, _ in pairs}
        idf = fit_idf(texts.values())
        training = pair_features(pairs, idf, 1.0)
    model = fit_training_set(training, idf, C=C)
    model.meta["n_outcome_pairs"] = int((~training.seed).sum())
    return model


def pairs_from_outcomes(
    outcomes: Iterable[tuple[MissionRecord, FreelancerRecord, str]],
) -> list[LabelledPair]:
    """(mission, freelancer, application status) → labelled pairs; unknown statuses skipped."""
    return [(m, f, OUTCOME_GRADES[s]) for m, f, s in outcomes if s in OUTCOME_GRADES]


def mean_ndcg(model: MatchModel, training: TrainingSet, k: int = 10) -> float:
    """Mean NDCG@k of the model over the missions of a training set (NaN if none is rankable)."""
    if len(training) == 0:
        return float("nan")
    scores = model.raw_scores(training.X)
    values = []
    for group in np.unique(training.groups):
        sel = training.groups == group
        grades = training.y[sel]
        if sel.sum() < 2 or grades.max() == 0:
            continue
        order = np.argsort(-scores[sel], kind="stable")
        values.append(ndcg_at_k(grades[order].tolist(), grades.tolist(), k))
    return float(np.nanmean(values)) if values else float("nan")


