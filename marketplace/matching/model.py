"""The scoring model: scikit-learn inside, a versioned artifact outside, swapped atomically.

Pair features (`features.py`) go through a `ColumnTransformer` (scaled numbers, one-hot
work-mode combination) into an ordinal logistic regression: one linear score shared by
the thresholds "relevant ≥ 1, ≥ 2, ≥ 3". Linear on purpose: every point of a score can
be traced to one feature, which is what the explanations show, and scoring 100 000
profiles is one matrix product. The model also carries the IDF weights of the text
vectoriser (fitted on bios and descriptions).

`fit_model` refits from labelled `(mission, freelancer, grade)` triples, on top of the
training set the current model was fitted on; `ModelStore` writes a new version next to
the old one, validates it, and swaps it in only when it passes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

from marketplace.matching.evaluation import ndcg_at_k
from marketplace.matching.features import CATEGORICAL, FEATURE_GROUPS, FEATURE_NAMES, NUMERIC
from marketplace.matching.records import FreelancerRecord, MissionRecord
from marketplace.matching.text import HASH_FEATURES, TEXT_FEATURES_VERSION, hash_texts

__all__ = [
    "ARTIFACT_DIR",
    "OUTCOME_GRADES",
    "LabelledPair",
    "MatchModel",
    "ModelStore",
    "ModelValidationError",
    "OrdinalLogisticRegression",
    "RefitResult",
    "TrainingSet",
    "default_store",
    "fit_model",
    "pairs_from_outcomes",
    "resolve_model",
]

log = logging.getLogger(__name__)

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
ARTIFACT_FORMAT = "marketplace-matcher-model/1"
MANIFEST = "manifest.json"

# Marketplace outcomes as relevance grades: what the SME did with a proposed freelancer.
OUTCOME_GRADES = {
    "declined": 0,
    "rejected": 0,
    "shortlisted": 1,
    "invited": 2,
    "accepted": 3,
    "hired": 3,
}

LabelledPair = tuple[MissionRecord, FreelancerRecord, int]


class ModelValidationError(ValueError):
    """A refit was refused: too few labels, a single class, or a worse model."""


class OrdinalLogisticRegression(BaseEstimator):
    """Ordinal (all-threshold) logistic regression: one shared linear score, one cut per grade.

    Fitted as a plain `LogisticRegression` on the data repeated once per threshold
    ("grade ≥ 1", "≥ 2", "≥ 3") with one indicator column per threshold.
    """

    def __init__(self, C: float = 1.0, max_iter: int = 5000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None) -> OrdinalLogisticRegression:
        X = check_array(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        levels = np.unique(y)
        if len(levels) < 2:
            raise ModelValidationError("need at least two different grades to learn a ranking")
        cuts = levels[1:]
        n, d = X.shape
        stacked = np.vstack([np.hstack([X, np.tile(np.eye(len(cuts))[i], (n, 1))]) for i in range(len(cuts))])
        target = np.concatenate([(y >= cut).astype(int) for cut in cuts])
        weights = None if sample_weight is None else np.tile(np.asarray(sample_weight, float), len(cuts))
        lr = LogisticRegression(C=self.C, max_iter=self.max_iter, fit_intercept=False)
        lr.fit(stacked, target, sample_weight=weights)
        self.coef_ = lr.coef_[0, :d].copy()
        self.thresholds_ = lr.coef_[0, d:].copy()
        self.levels_ = levels
        self.n_features_in_ = d
        return self

    def decision_function(self, X) -> np.ndarray:
        """The shared linear score η (higher is more relevant)."""
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float64) @ self.coef_

    def expected_share(self, eta: np.ndarray) -> np.ndarray:
        """Expected grade as a share of the top grade, from η (0..1)."""
        return expit(np.add.outer(np.asarray(eta, float), self.thresholds_)).mean(axis=-1)


def make_pipeline(C: float = 1.0) -> Pipeline:
    """Unfitted scikit-learn pipeline: scaling + one-hot, then the ordinal model."""
    numeric = [FEATURE_NAMES.index(n) for n in NUMERIC]
    categorical = [FEATURE_NAMES.index(n) for n in CATEGORICAL]
    columns = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            # mission mode × freelancer mode: 3 × 3 fixed categories
            ("mode", OneHotEncoder(categories=[np.arange(9.0)], handle_unknown="ignore"), categorical),
        ],
        sparse_threshold=0.0,
    )
    return Pipeline([("columns", columns), ("ordinal", OrdinalLogisticRegression(C=C))])


def _column_groups() -> list[str]:
    """Explanation group of every column the ColumnTransformer outputs."""
    return [FEATURE_GROUPS[n] for n in NUMERIC] + [FEATURE_GROUPS[CATEGORICAL[0]]] * 9


@dataclass
class TrainingSet:
    """Pair features with grades, the mission of each pair, weights, and seed/outcome origin.

    Seed pairs are the judged development set the first model was fitted on; outcome
    pairs come from the marketplace. A refit keeps the seed and replaces the outcomes.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    weights: np.ndarray
    seed: np.ndarray  # bool: True for seed pairs

    @classmethod
    def empty(cls) -> TrainingSet:
        return cls(
            np.zeros((0, len(FEATURE_NAMES))),
            np.zeros(0, int),
            np.zeros(0, str),
            np.zeros(0),
            np.zeros(0, bool),
        )

    def __len__(self) -> int:
        return len(self.y)

    def concat(self, other: TrainingSet) -> TrainingSet:
        return TrainingSet(
            np.vstack([self.X, other.X]),
            np.concatenate([self.y, other.y]),
            np.concatenate([self.groups.astype(str), other.groups.astype(str)]),
            np.concatenate([self.weights, other.weights]),
            np.concatenate([self.seed, other.seed]),
        )

    def select(self, mask: np.ndarray) -> TrainingSet:
        return TrainingSet(self.X[mask], self.y[mask], self.groups[mask], self.weights[mask], self.seed[mask])

    def seed_only(self) -> TrainingSet:
        return self.select(self.seed)

    def digest(self) -> str:
        h = hashlib.sha256()
        for arr in (
            self.X.astype(np.float32),
            self.y.astype(np.int64),
            self.weights.astype(np.float32),
            self.seed,
        ):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update("\n".join(map(str, self.groups)).encode())
        return h.hexdigest()


@dataclass
class MatchModel:
    """A fitted scoring model: features → linear score η → 0–100 points, with contributions."""

    pipeline: Pipeline
    idf: np.ndarray
    training: TrainingSet
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        columns: ColumnTransformer = self.pipeline.named_steps["columns"]
        self._ordinal: OrdinalLogisticRegression = self.pipeline.named_steps["ordinal"]
        self._columns = columns
        self._groups = _column_groups()
        self.group_names = sorted(set(self._groups))
        self._group_matrix = np.zeros((len(self._groups), len(self.group_names)))
        for j, g in enumerate(self._groups):
            self._group_matrix[j, self.group_names.index(g)] = 1.0
        # Contributions are measured from the average training pair.
        z_mean = self.meta.get("z_mean")
        if z_mean is None:
            z_mean = (
                columns.transform(self.training.X).mean(axis=0)
                if len(self.training)
                else np.zeros(len(self._groups))
            )
            self.meta["z_mean"] = z_mean
        self._z_mean = np.asarray(z_mean, dtype=np.float64)
        self.eta_base = float(self._z_mean @ self._ordinal.coef_)
        self.base_points = float(self.to_points_float(np.array([self.eta_base]))[0])
        self._fold_linear()

    def _fold_linear(self) -> None:
        """Fold scaler, one-hot and coefficients into one NumPy form for the hot path.

        η = Σ w_j (x_j − μ_j) / σ_j + w_mode[combo]: scoring 100 000 pairs is then one
        matrix-vector product instead of a ColumnTransformer pass (tests check both agree).
        """
        scaler: StandardScaler = self._columns.named_transformers_["numeric"]
        coef = self._ordinal.coef_
        n_num = len(NUMERIC)
        w = coef[:n_num] / scaler.scale_
        self._num_idx = np.array([FEATURE_NAMES.index(n) for n in NUMERIC])
        self._cat_idx = FEATURE_NAMES.index(CATEGORICAL[0])
        self._w_num = w
        self._bias = float(-(w * scaler.mean_).sum())
        self._w_cat = coef[n_num:]

    @property
    def version(self) -> int:
        return int(self.meta.get("version", 0))

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Linear score η of each pair (the ranking key)."""
        if len(X) == 0:
            return np.zeros(0)
        combo = X[:, self._cat_idx].astype(np.int64)
        # einsum, not `@`: no BLAS threads to fight over on a small shared machine.
        return np.einsum("ij,j->i", X[:, self._num_idx], self._w_num) + self._bias + self._w_cat[combo]

    def raw_scores_pipeline(self, X: np.ndarray) -> np.ndarray:
        """Same as `raw_scores`, through the scikit-learn pipeline (reference path)."""
        return self.pipeline.decision_function(X)

    def to_points_float(self, eta: np.ndarray) -> np.ndarray:
        return 100.0 * self._ordinal.expected_share(eta)

    def to_points(self, eta: np.ndarray) -> np.ndarray:
        """Score 0–100: the expected relevance grade as a share of the top grade."""
        return np.clip(np.rint(self.to_points_float(eta)), 0, 100).astype(int)

    def contributions(self, X: np.ndarray) -> list[dict[str, float]]:
        """Points each explanation group adds to or takes from the score, per pair.

        The points of a pair sum to its score minus the score of the average pair
        (exactly: the linear contributions are rescaled by the secant of the link).
        """
        Z = self._columns.transform(X)
        linear = (Z - self._z_mean) * self._ordinal.coef_
        per_group = linear @ self._group_matrix
        eta = linear.sum(axis=1) + self.eta_base
        delta = self.to_points_float(eta) - self.base_points
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(np.abs(eta - self.eta_base) > 1e-9, delta / (eta - self.eta_base), 0.0)
        points = per_group * scale[:, None]
        return [dict(zip(self.group_names, row.tolist(), strict=True)) for row in points]

    def weights(self) -> dict[str, float]:
        """Coefficient of each scaled numeric feature (for reports and tests)."""
        coef = self._ordinal.coef_
        return {name: float(coef[i]) for i, name in enumerate(NUMERIC)}

    # ------------------------------------------------------------------ persistence

    def payload(self) -> dict[str, Any]:
        return {
            "format": ARTIFACT_FORMAT,
            "pipeline": self.pipeline,
            "idf": self.idf.astype(np.float32),
            "training": {
                "X": self.training.X.astype(np.float32),
                "y": self.training.y.astype(np.int8),
                "groups": self.training.groups.astype(str),
                "weights": self.training.weights.astype(np.float32),
                "seed": self.training.seed.astype(bool),
            },
            "meta": self.meta,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> MatchModel:
        if payload.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"unknown model artifact format: {payload.get('format')!r}")
        meta = dict(payload["meta"])
        if meta.get("feature_names") != list(FEATURE_NAMES):
            raise ValueError("model artifact was fitted on other features: retrain it")
        if meta.get("text_features_version") != TEXT_FEATURES_VERSION:
            raise ValueError("model artifact was fitted on another text analysis: retrain it")
        t = payload["training"]
        training = TrainingSet(
            t["X"].astype(np.float64),
            t["y"].astype(np.int64),
            t["groups"],
            t["weights"].astype(np.float64),
            np.asarray(t["seed"], bool),
        )
        return cls(payload["pipeline"], np.asarray(payload["idf"], np.float64), training, meta)

    def save(self, path: Path) -> None:
        """Write the artifact atomically (temporary file in the same folder, then rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                joblib.dump(self.payload(), fh, compress=3)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; artifacts are meant to be read
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> MatchModel:
        # Trusted input only: joblib unpickles. The app loads its own artifacts.
        return cls.from_payload(joblib.load(path))


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
    from marketplace.matching.index import ProfileIndex

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
        rows = np.array([index._row[pairs[i][1].id] for i in positions])
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


# ---------------------------------------------------------------------------------------
# Store: versioned artifacts, atomic swap, old model kept on failure
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefitResult:
    """What a refit did: swapped in a new version or kept the old one, and why."""

    accepted: bool
    version: int
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)


class ModelStore:
    """The current model, loaded lazily from a folder of versioned artifacts.

    `directory` holds `model-vN.joblib` files and `manifest.json` naming the current
    one; when it has none yet, the model shipped in the package is used. Writers save
    the new artifact under a temporary name and `os.replace` it (the manifest too),
    then swap the in-memory reference under a lock: readers always see a whole model.
    Other processes (web workers, when an RQ worker refitted) notice the new manifest
    within `check_interval` seconds and load it.
    """

    keep_versions = 3

    def __init__(
        self,
        directory: str | Path | None = None,
        *,
        fallback: str | Path | None = ARTIFACT_DIR,
        check_interval: float = 30.0,
    ) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.fallback = Path(fallback) if fallback is not None else None
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._model: MatchModel | None = None
        self._seen: float | None = None  # manifest mtime of the loaded model
        self._checked = 0.0

    @property
    def current(self) -> MatchModel:
        """The model in use (loaded on first access, reloaded when another process swapped)."""
        model = self._model
        if model is None or self._stale():
            with self._lock:
                if self._model is None or self._stale():
                    self._model, self._seen = self._load()
                model = self._model
        return model

    def _manifest_mtime(self) -> float | None:
        if self.directory is None:
            return None
        try:
            return (self.directory / MANIFEST).stat().st_mtime
        except FileNotFoundError:
            return None

    def _stale(self) -> bool:
        now = time.monotonic()
        if self.directory is None or now - self._checked < self.check_interval:
            return False
        self._checked = now
        return self._manifest_mtime() != self._seen

    def _load(self) -> tuple[MatchModel, float | None]:
        mtime = self._manifest_mtime()
        for folder in (self.directory, self.fallback):
            if folder is not None and (folder / MANIFEST).exists():
                manifest = read_manifest(folder)
                model = MatchModel.load(folder / manifest["file"])
                model.meta["version"] = manifest["version"]
                return model, mtime
        raise FileNotFoundError("no matcher model: run `marketplace matcher train`")

    def swap(self, model: MatchModel) -> int:
        """Save `model` as the next version and make it current; returns its version."""
        if self.directory is None:
            raise RuntimeError("this model store is read-only (no directory)")
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock, _folder_lock(self.directory):  # threads here, processes there
            version = self._next_version()
            model.meta["version"] = version
            name = f"model-v{version}.joblib"
            model.save(self.directory / name)
            manifest = {k: v for k, v in model.meta.items() if k != "z_mean"}
            manifest.update({"version": version, "file": name})
            _write_json_atomic(self.directory / MANIFEST, manifest)
            self._model, self._seen = model, self._manifest_mtime()
            self._prune(version)
            return version

    def refit(
        self,
        pairs: Iterable[LabelledPair],
        *,
        min_pairs: int = 20,
        floor: float = 0.5,
        max_regression: float = 0.05,
        max_share: float = MAX_OUTCOME_SHARE,
    ) -> RefitResult:
        """Refit on all marketplace outcomes so far; swap only if the new model validates.

        Refused (old model kept) when there are fewer than `min_pairs` pairs or a
        single grade, when fitting fails, when the new model's NDCG@10 on the new
        pairs or on the seed judgements is under `floor`, or on the new pairs more
        than `max_regression` under the old model's. (On the new pairs the check is
        in-sample: a sanity floor, not a generalisation estimate.)
        """
        old = self.current
        pairs = list(pairs)
        grades = {g for _, _, g in pairs}
        if len(pairs) < min_pairs:
            return self._refuse(old, f"too few labelled pairs ({len(pairs)} < {min_pairs})")
        if len(grades) < 2:
            return self._refuse(old, "all pairs have the same grade: nothing to learn")
        try:
            new = fit_model(pairs, base=old, max_share=max_share)
        except Exception as exc:  # the old model stays in service whatever went wrong
            log.exception("matcher refit failed")
            return self._refuse(old, f"fitting failed: {exc}")
        fresh = pair_features(pairs, old.idf, seed=False)
        new_score, old_score = mean_ndcg(new, fresh), mean_ndcg(old, fresh)
        seed_score = mean_ndcg(new, new.training.seed_only())
        metrics = {
            "ndcg@10_new": new_score,
            "ndcg@10_old": old_score,
            "ndcg@10_seed": seed_score,
            "pairs": float(len(pairs)),
        }
        if not np.isnan(seed_score) and seed_score < floor:
            reason = f"NDCG@10 on the seed judgements {seed_score:.3f} under the floor {floor}"
            return self._refuse(old, reason, metrics)
        if not np.isnan(new_score):
            if new_score < floor:
                return self._refuse(old, f"NDCG@10 {new_score:.3f} under the floor {floor}", metrics)
            if not np.isnan(old_score) and new_score < old_score - max_regression:
                return self._refuse(
                    old, f"NDCG@10 {new_score:.3f} worse than the current {old_score:.3f}", metrics
                )
        new.meta["refit_metrics"] = metrics
        version = self.swap(new)
        log.info("matcher model v%s swapped in (%s pairs)", version, len(pairs))
        return RefitResult(True, version, "new model swapped in", metrics)

    def _refuse(self, old: MatchModel, reason: str, metrics: dict[str, float] | None = None) -> RefitResult:
        log.warning("matcher refit refused, keeping v%s: %s", old.version, reason)
        return RefitResult(False, old.version, reason, metrics or {})

    def _next_version(self) -> int:
        versions = [0]
        for folder in (self.directory, self.fallback):
            if folder is not None and (folder / MANIFEST).exists():
                versions.append(int(read_manifest(folder)["version"]))
        if self.directory is not None:
            versions += [_file_version(p) for p in self.directory.glob("model-v*.joblib")]
        return max(versions) + 1

    def _prune(self, current: int) -> None:
        assert self.directory is not None
        old = sorted((p for p in self.directory.glob("model-v*.joblib")), key=_file_version)
        for path in old[: -self.keep_versions]:
            if _file_version(path) != current:
                path.unlink(missing_ok=True)


@contextmanager
def _folder_lock(folder: Path):
    """Exclusive lock on a model folder, so two processes never write the same version."""
    with open(folder / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _file_version(path: Path) -> int:
    try:
        return int(path.stem.split("-v", 1)[1])
    except (IndexError, ValueError):
        return 0


def read_manifest(folder: Path) -> dict[str, Any]:
    with open(folder / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(_jsonable(data), fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


_default_store: ModelStore | None = None
_default_lock = threading.Lock()


def default_store() -> ModelStore:
    """The process-wide store: `MARKETPLACE_MATCHER_DIR` if set, else the packaged model."""
    global _default_store
    with _default_lock:
        if _default_store is None:
            directory = os.environ.get("MARKETPLACE_MATCHER_DIR")
            _default_store = ModelStore(directory)
        return _default_store


def resolve_model(source: MatchModel | ModelStore | None) -> MatchModel:
    """The model to score with, from a model, a store, or the default store."""
    if isinstance(source, MatchModel):
        return source
    if isinstance(source, ModelStore):
        return source.current
    return default_store().current
