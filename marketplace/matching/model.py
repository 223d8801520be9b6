"""The scoring model: scikit-learn inside, a versioned artifact outside, swapped atomically.

Pair features (`features.py`) go through a `ColumnTransformer` (scaled numbers, one-hot
work-mode combination) into an ordinal logistic regression: one linear score shared by
the thresholds "relevant ≥ 1, ≥ 2, ≥ 3". Linear on purpose: every point of a score can
be traced to one feature, which is what the explanations show, and scoring 100 000
profiles is one matrix product. The model also carries the IDF weights of the text
vectoriser (fitted on bios and descriptions).

Fitting lives in `training.py`, versions and the atomic swap in `store.py`; this module
only holds the model and its artifact (bytes that any process can load).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import joblib
import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

from marketplace.matching.features import (
    CATEGORICAL,
    FEATURE_GROUPS,
    FEATURE_NAMES,
    NUMERIC,
)
from marketplace.matching.records import FreelancerRecord, MissionRecord
from marketplace.matching.text import TEXT_FEATURES_VERSION

__all__ = [
    "ARTIFACT_DIR",
    "OUTCOME_GRADES",
    "LabelledPair",
    "MatchModel",
    "ModelSource",
    "ModelValidationError",
    "OrdinalLogisticRegression",
    "TrainingSet",
    "packaged_model",
    "read_manifest",
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

    def expected_grade(self, eta: np.ndarray) -> np.ndarray:
        """Expected relevance grade Σ grade·P(grade) from η, on the grades' own scale (0..3).

        With P(y ≥ cut) = σ(η + θ_cut), the sum telescopes to the lowest grade plus each
        step between consecutive grades times the chance of reaching it.
        """
        reach = expit(np.add.outer(np.asarray(eta, float), self.thresholds_))
        return self.levels_[0] + reach @ np.diff(self.levels_).astype(float)


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

    def expected_grade(self, eta: np.ndarray) -> np.ndarray:
        """Expected relevance grade of each pair (0 declined … 3 hired), from η."""
        return self._ordinal.expected_grade(eta)

    def to_points(self, eta: np.ndarray) -> np.ndarray:
        """Score 0–100: the expected relevance grade as a share of the top grade."""
        return np.clip(np.rint(self.to_points_float(eta)), 0, 100).astype(int)

    def contributions(self, X: np.ndarray) -> list[dict[str, float]]:
        """Points each explanation group adds to or takes from the score, per pair.

        The points of a pair sum to its score minus the score of the average pair
        (exactly: the linear contributions are rescaled by the secant of the link).
        """
        return self._contributions_of(self._columns.transform(X))

    def contributions_each(self, X: np.ndarray) -> list[dict[str, float]]:
        """``[self.contributions(X[i : i + 1])[0] for i in range(len(X))]``, with one transform.

        Pair by pair, exactly as when each row is explained alone (the transform works
        element-wise; the per-group sums are taken one row at a time).
        """
        if len(X) == 0:
            return []
        Z = self._columns.transform(X)
        return [self._contributions_of(Z[i : i + 1])[0] for i in range(len(Z))]

    def _contributions_of(self, Z: np.ndarray) -> list[dict[str, float]]:
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

    def to_bytes(self) -> bytes:
        """The artifact as bytes (what the database keeps)."""
        buffer = io.BytesIO()
        joblib.dump(self.payload(), buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> MatchModel:
        # Trusted input only: the platform's own artifacts, written by its own jobs.
        return cls.from_payload(joblib.load(io.BytesIO(data)))


# ---------------------------------------------------------------------------------------
# Which model to score with
# ---------------------------------------------------------------------------------------


class ModelSource(Protocol):
    """Anything holding a current model (a ``store.ModelStore``)."""

    @property
    def current(self) -> MatchModel: ...


def read_manifest(folder: Path) -> dict[str, Any]:
    with open(folder / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def load_folder(folder: Path) -> MatchModel | None:
    """The model a folder's manifest names, or None when it has none."""
    if not (folder / MANIFEST).exists():
        return None
    manifest = read_manifest(folder)
    model = MatchModel.load(folder / manifest["file"])
    model.meta["version"] = manifest["version"]
    return model


_packaged: MatchModel | None = None
_packaged_lock = threading.Lock()


def packaged_model() -> MatchModel:
    """The model shipped in the package, loaded once per process."""
    global _packaged
    with _packaged_lock:
        if _packaged is None:
            model = load_folder(ARTIFACT_DIR)
            if model is None:
                raise FileNotFoundError("no matcher model: run `marketplace matcher train`")
            _packaged = model
        return _packaged


def resolve_model(source: MatchModel | ModelSource | None) -> MatchModel:
    """The model to score with: a model, a store's current one, or the packaged one."""
    if isinstance(source, MatchModel):
        return source
    if source is not None:
        return source.current
    return packaged_model()
