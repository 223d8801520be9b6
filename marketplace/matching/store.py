"""Model versions: the current one, loaded lazily; a refit validated, then swapped in atomically.

Where versions live is a backend: the platform keeps them in its database (every
machine sees them, see ``marketplace.services.matching.store``); the CLI and the
library's tests use a folder of ``model-vN.joblib`` files with a ``manifest.json``.
Until a backend holds a version, the model shipped in the package is current.

A refit that validation refuses (too few pairs, a worse ranking) keeps the old model
and says why; a refit that crashes raises, and the old model stays in service.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from marketplace.matching.model import (
    MANIFEST,
    LabelledPair,
    MatchModel,
    load_folder,
    packaged_model,
    read_manifest,
)
from marketplace.matching.training import (
    MAX_OUTCOME_SHARE,
    fit_model,
    mean_ndcg,
    pair_features,
)

__all__ = ["DirectoryBackend", "ModelBackend", "ModelStore", "RefitResult"]

log = logging.getLogger(__name__)


class ModelBackend(Protocol):
    """Where model versions are kept."""

    def latest_version(self) -> int | None:
        """The newest version held, or None when there is none (cheap: called often)."""

    def load_latest(self) -> MatchModel | None:
        """The newest version, with ``meta["version"]`` set, or None."""

    def save(self, model: MatchModel, version: int) -> None:
        """Keep ``model`` as ``version``; a version already taken raises."""


@dataclass(frozen=True)
class RefitResult:
    """What a refit did: swapped in a new version or kept the old one, and why."""

    accepted: bool
    version: int
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)


class ModelStore:
    """The current model of a backend (or the packaged one), reloaded when another process swapped.

    Readers always see a whole model: the in-memory reference is swapped under a lock
    once the new version is saved. Other processes (web workers, when an RQ worker
    refitted) notice the new version within ``check_interval`` seconds and load it.
    """

    def __init__(
        self, backend: ModelBackend | str | Path | None = None, *, check_interval: float = 30.0,
        after_packaged: bool = True,
    ) -> None:
        if isinstance(backend, (str, Path)):
            backend = DirectoryBackend(Path(backend))
        self.backend = backend
        self.check_interval = check_interval
        # Refits number their versions after the packaged model's; a fresh folder of
        # trained artifacts (``matcher train --output``) starts at 1.
        self.after_packaged = after_packaged
        self._lock = threading.Lock()
        self._model: MatchModel | None = None
        self._checked = 0.0

    @property
    def directory(self) -> Path | None:
        return getattr(self.backend, "directory", None)

    @property
    def current(self) -> MatchModel:
        """The model in use (loaded on first access, reloaded when another process swapped)."""
        model = self._model
        if model is None or self._stale():
            with self._lock:
                # Load unless another thread did meanwhile (checking the time again here would
                # find the check just done too recent, and never load the new version).
                if self._model is model:
                    self._model, self._checked = self._load(), time.monotonic()
                model = self._model
        return model

    def _stale(self, force: bool = False) -> bool:
        now = time.monotonic()
        if self.backend is None or (not force and now - self._checked < self.check_interval):
            return False
        self._checked = now
        latest = self.backend.latest_version()
        return latest is not None and (self._model is None or latest != self._model.version)

    def _load(self) -> MatchModel:
        model = self.backend.load_latest() if self.backend is not None else None
        return model if model is not None else packaged_model()

    def swap(self, model: MatchModel, *, backend: ModelBackend | None = None) -> int:
        """Save ``model`` as the next version and make it current; returns its version.

        ``backend`` overrides where it is saved (the caller's transaction, say).
        """
        backend = backend or self.backend
        if backend is None:
            raise RuntimeError("this model store is read-only (no backend)")
        with self._lock:
            base = packaged_model().version if self.after_packaged else 0
            version = max(backend.latest_version() or 0, base) + 1
            model.meta["version"] = version
            backend.save(model, version)
            self._model, self._checked = model, time.monotonic()
            return version

    def refit(
        self,
        pairs: Iterable[LabelledPair],
        *,
        min_pairs: int = 20,
        floor: float = 0.5,
        max_regression: float = 0.05,
        max_share: float = MAX_OUTCOME_SHARE,
        backend: ModelBackend | None = None,
    ) -> RefitResult:
        """Refit on all marketplace outcomes so far; swap only if the new model validates.

        Refused (old model kept) when there are fewer than ``min_pairs`` pairs or a
        single grade, when the new model's NDCG@10 on the new pairs or on the seed
        judgements is under ``floor``, or on the new pairs more than ``max_regression``
        under the old model's. (On the new pairs the check is in-sample: a sanity floor,
        not a generalisation estimate.) An error while fitting propagates: the caller's
        job fails visibly and is retried, and the old model stays in service.
        """
        old = self.current
        pairs = list(pairs)
        grades = {g for _, _, g in pairs}
        if len(pairs) < min_pairs:
            return self._refuse(old, f"too few labelled pairs ({len(pairs)} < {min_pairs})")
        if len(grades) < 2:
            return self._refuse(old, "all pairs have the same grade: nothing to learn")
        new = fit_model(pairs, base=old, max_share=max_share)
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
        version = self.swap(new, backend=backend)
        log.info("matcher model v%s swapped in (%s pairs)", version, len(pairs))
        return RefitResult(True, version, "new model swapped in", metrics)

    def _refuse(self, old: MatchModel, reason: str, metrics: dict[str, float] | None = None) -> RefitResult:
        log.warning("matcher refit refused, keeping v%s: %s", old.version, reason)
        return RefitResult(False, old.version, reason, metrics or {})


class DirectoryBackend:
    """Versions as ``model-vN.joblib`` files in a folder, ``manifest.json`` naming the newest.

    Files are written under a temporary name then renamed (the manifest too), under an
    exclusive lock on the folder, so two processes never write the same version.
    """

    keep_versions = 3

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def latest_version(self) -> int | None:
        try:
            return int(read_manifest(self.directory)["version"])
        except FileNotFoundError:
            return None

    def load_latest(self) -> MatchModel | None:
        return load_folder(self.directory)

    def save(self, model: MatchModel, version: int) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with _folder_lock(self.directory):
            name = f"model-v{version}.joblib"
            if (self.directory / name).exists():
                raise FileExistsError(f"model version {version} already exists in {self.directory}")
            model.save(self.directory / name)
            manifest = {k: v for k, v in model.meta.items() if k != "z_mean"}
            manifest.update({"version": version, "file": name})
            _write_json_atomic(self.directory / MANIFEST, manifest)
            self._prune(version)

    def _prune(self, current: int) -> None:
        old = sorted(self.directory.glob("model-v*.joblib"), key=_file_version)
        for path in old[: -self.keep_versions]:
            if _file_version(path) != current:
                path.unlink(missing_ok=True)


@contextmanager
def _folder_lock(folder: Path):
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


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(jsonable(data), fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays turned into plain JSON values."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
