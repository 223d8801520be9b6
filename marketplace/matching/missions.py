"""Column-wise index of the open missions: « missions pour vous » without a loop over missions.

The SME side ranks many profiles for one mission (`ProfileIndex.top_k`); the freelancer
side ranks many missions for one profile. Each mission is analysed once when it enters
the index (needs, hashed terms) and kept as NumPy columns, so a freelancer's query is:

1. the hard constraints over every mission at once (boolean masks);
2. an estimate of every eligible mission's score, vectorised;
3. the exact score — the very computation `ProfileIndex.rank_missions` does, one mission
   at a time — of the few missions whose estimate can reach the top K.

Step 3 makes the results, scores and explanations identical to scoring each mission on
its own: the estimate only picks whom to score exactly. It differs from the exact score
by rounding (float32 sums in another order, vectorised trigonometry), far below
`ESTIMATE_MARGIN`; every mission not scored exactly has an estimate more than the margin
below the K-th exact score, so it could not be in the top K. Step 2's eligibility is a
superset of the exact one (a hair of slack at the mobility radius) and step 3 checks
each pair again.

Updates (`upsert_many`, `remove`) change rows in place; a mission whose text did not
change keeps its analysis.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import scipy.sparse as sp

from marketplace.domain import SKILL_CODES, WorkMode
from marketplace.matching.constraints import EARTH_RADIUS_KM, rate_within_tolerance
from marketplace.matching.features import FEATURE_NAMES, MODE_CODES
from marketplace.matching.index import (
    _DIM_OF_NEED,
    AnalysedText,
    Match,
    ProfileIndex,
    ProfileView,
    _hash,
    _Vocabulary,
    _widen,
    need_bits,
    needs_of_bits,
    weekday_bits,
)
from marketplace.matching.model import MatchModel, ModelSource, resolve_model
from marketplace.matching.records import MissionRecord
from marketplace.matching.text import HASH_FEATURES, NEED_INDEX, analyse_texts

__all__ = ["ESTIMATE_MARGIN", "MissionIndex", "estimate_scores"]

# How far below the K-th exact score an estimate may be and still be scored exactly.
# Estimates and exact scores differ by ~1e-6 at most (tests check 1e-5 on the dev set).
ESTIMATE_MARGIN = 1e-3
# Slack on the mobility radius when estimating eligibility (km): the exact check decides.
_RADIUS_SLACK_KM = 1e-6
_N_SKILLS = len(SKILL_CODES)
_REMOTE = MODE_CODES[WorkMode.REMOTE]
_PRESENCE_MODES = (MODE_CODES[WorkMode.ONSITE], MODE_CODES[WorkMode.HYBRID])

_COLUMNS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "alive": (np.bool_, ()),
    "half_days": (np.int16, ()),
    "budget_cents": (np.int64, ()),
    "weekday_bits": (np.uint8, ()),
    "needed_days": (np.int8, ()),
    "mode": (np.int8, ()),
    "lat": (np.float64, ()),  # radians, NaN when unknown
    "lon": (np.float64, ()),
    "sector": (np.int32, ()),  # non-compete sector (position in the sector vocabulary), -1 = none
    "min_years": (np.float64, ()),
    "required": (np.float64, (_N_SKILLS,)),
    "need_bits": (np.uint64, ()),
    "need_count": (np.int16, ()),
    "asked_per_dim": (np.int16, (_N_SKILLS,)),  # needs asked per skill dimension
    "tools_count": (np.int16, ()),
    "text_hash": (np.int64, ()),
}


class MissionIndex:
    """Open missions, analysed once, ranked for one freelancer in a few NumPy passes."""

    def __init__(self, capacity: int = 64) -> None:
        self._lock = threading.RLock()
        self._cap = max(16, capacity)
        self._n = 0
        self._cols = {name: np.zeros((self._cap, *shape), dtype=dtype) for name, (dtype, shape) in _COLUMNS.items()}
        self._tools_vocab = _Vocabulary()
        self._sector_vocab = _Vocabulary()
        self._tools = np.zeros((self._cap, 1), dtype=np.uint64)
        self._text = sp.csr_matrix((0, HASH_FEATURES), dtype=np.float32)
        self._pending: list[sp.csr_matrix] = []
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        # Records by row: MissionRecord, or its fields (a loaded snapshot, built on first use).
        self._records: list[MissionRecord | dict | None] = []
        self._stamps: dict[str, str] = {}
        self._norm_cache: tuple[np.ndarray, np.ndarray] | None = None  # (idf, text norms)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, missions: Iterable[MissionRecord], stamps: Mapping[str, str] | None = None) -> MissionIndex:
        records = list(missions)
        index = cls(capacity=len(records) + 16)
        index.upsert_many(records, stamps)
        return index

    def upsert(self, mission: MissionRecord, stamp: str = "") -> None:
        self.upsert_many([mission], {mission.id: stamp})

    def upsert_many(self, missions: Sequence[MissionRecord], stamps: Mapping[str, str] | None = None) -> None:
        """Add or replace missions; ``stamps`` (by id) say which version of each is held.

        A mission whose text is unchanged keeps its analysed row; the others are analysed
        in one batch.
        """
        stamps = stamps or {}
        with self._lock:
            latest = {m.id: m for m in missions}  # listed twice: the last one wins
            new_text: list[MissionRecord] = []
            for m in latest.values():
                row = self._row.get(m.id)
                if row is not None and self._cols["text_hash"][row] == _hash(m.text):
                    self._write(row, m)
                else:
                    if row is not None:
                        self._kill(row)
                    new_text.append(m)
                self._stamps[m.id] = stamps.get(m.id, "")
            if not new_text:
                return
            self._grow(self._n + len(new_text))
            need_sets, text = analyse_texts([m.text for m in new_text])
            for m, needs in zip(new_text, need_sets, strict=True):
                row = self._n
                self._n += 1
                self._ids.append(m.id)
                self._records.append(None)
                self._row[m.id] = row
                self._write(row, m)
                self._write_needs(row, needs)
                self._cols["text_hash"][row] = _hash(m.text)
            self._pending.append(text)
            self._norm_cache = None

    def remove(self, mission_id: str) -> bool:
        """Drop a mission (closed, filled); True if it was there."""
        with self._lock:
            row = self._row.pop(str(mission_id), None)
            self._stamps.pop(str(mission_id), None)
            if row is None:
                return False
            self._kill(row)
            dead = self._n - len(self._row)
            if dead > 256 and dead > self._n // 3:
                self.compact()
            return True

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, mission_id: object) -> bool:
        return str(mission_id) in self._row

    def ids(self) -> list[str]:
        return list(self._row)

    def stamp(self, mission_id: str) -> str | None:
        """The version of the mission held (as given to `upsert_many`), or None."""
        return self._stamps.get(str(mission_id))

    def record(self, mission_id: str) -> MissionRecord:
        with self._lock:
            return self._record(self._row[str(mission_id)])

    def analysed(self, mission_id: str) -> AnalysedText:
        """The mission's analysed text, as `ProfileIndex.prepare` takes it."""
        with self._lock:
            return self._analysed(self._row[str(mission_id)])

    def _record(self, row: int) -> MissionRecord:
        rec = self._records[row]
        if isinstance(rec, dict):
            rec = self._records[row] = _record_of(rec)
        return rec  # type: ignore[return-value]

    def _analysed(self, row: int) -> AnalysedText:
        text = self._sparse()
        return AnalysedText(needs_of_bits(int(self._cols["need_bits"][row])), text[row])

    def _write(self, row: int, m: MissionRecord) -> None:
        c = self._cols
        c["alive"][row] = True
        c["half_days"][row] = m.half_days_per_week
        c["budget_cents"][row] = m.max_daily_rate_cents
        c["weekday_bits"][row] = weekday_bits(m.weekdays)
        c["needed_days"][row] = m.full_days_needed
        c["mode"][row] = MODE_CODES[m.work_mode]
        c["lat"][row] = np.radians(m.lat) if m.lat is not None else np.nan
        c["lon"][row] = np.radians(m.lon) if m.lon is not None else np.nan
        c["sector"][row] = self._sector_vocab.add(m.sector) if m.non_compete and m.sector else -1
        c["min_years"][row] = float(m.min_years_experience)
        c["required"][row] = [m.skills_required.get(code, 0) for code in SKILL_CODES]
        c["tools_count"][row] = len(m.tools)
        tools = self._tools_vocab.mask(m.tools, add=True)
        self._tools = _widen(self._tools, len(tools))
        self._tools[row] = 0
        self._tools[row, : len(tools)] = tools
        self._records[row] = m

    def _write_needs(self, row: int, needs: frozenset[str]) -> None:
        idx = np.array(sorted(NEED_INDEX[c] for c in needs), dtype=np.int64)
        self._cols["need_bits"][row] = need_bits(needs)
        self._cols["need_count"][row] = len(idx)
        self._cols["asked_per_dim"][row] = np.bincount(_DIM_OF_NEED[idx], minlength=_N_SKILLS)

    def _kill(self, row: int) -> None:
        self._cols["alive"][row] = False
        self._ids[row] = None
        self._records[row] = None

    def _grow(self, needed: int) -> None:
        if needed <= self._cap:
            return
        cap = max(needed, self._cap * 2)
        for name, arr in self._cols.items():
            grown = np.zeros((cap, *arr.shape[1:]), dtype=arr.dtype)
            grown[: self._n] = arr[: self._n]
            self._cols[name] = grown
        tools = np.zeros((cap, self._tools.shape[1]), dtype=np.uint64)
        tools[: self._n] = self._tools[: self._n]
        self._tools = tools
        self._cap = cap

    def _sparse(self) -> sp.csr_matrix:
        if self._pending:
            parts = ([self._text] if self._text.shape[0] else []) + self._pending
            self._text = sp.vstack(parts, format="csr")
            self._pending = []
        return self._text

    def compact(self) -> None:
        """Drop dead rows (closed missions, edited texts)."""
        with self._lock:
            text = self._sparse()
            keep = np.flatnonzero(self._cols["alive"][: self._n])
            for name, arr in self._cols.items():
                fresh = np.zeros_like(arr)
                fresh[: len(keep)] = arr[keep]
                self._cols[name] = fresh
            tools = np.zeros_like(self._tools)
            tools[: len(keep)] = self._tools[keep]
            self._tools = tools
            self._text = text[keep]
            self._ids = [self._ids[r] for r in keep]
            self._records = [self._records[r] for r in keep]
            self._row = {mid: r for r, mid in enumerate(self._ids) if mid is not None}
            self._n = len(keep)
            self._norm_cache = None

    # ------------------------------------------------------------------ querying

    def _text_norms(self, idf: np.ndarray) -> np.ndarray:
        """IDF-weighted norm of every mission text (binary rows: sqrt(b · idf²))."""
        text = self._sparse()
        cached = self._norm_cache
        if cached is None or cached[0] is not idf or len(cached[1]) != text.shape[0]:
            cached = (idf, np.sqrt(text @ (idf.astype(np.float64) ** 2)))
            self._norm_cache = cached
        return cached[1]

    def eligible_rows(self, p: ProfileView, rows: np.ndarray | None = None) -> np.ndarray:
        """Rows of the missions the profile may take (a superset of the exact rule at the radius)."""
        if not p.vetted:
            return np.zeros(0, dtype=np.int64)
        rows = np.arange(self._n) if rows is None else np.asarray(rows, dtype=np.int64)
        c = {name: arr[rows] for name, arr in self._cols.items()}
        mask = c["alive"] & (p.max_half >= c["half_days"])
        mask &= rate_within_tolerance(p.rate_cents, c["budget_cents"])
        named = c["weekday_bits"] != 0
        free = np.uint8(p.free_bits)
        mask &= np.where(named, (free & c["weekday_bits"]) == c["weekday_bits"], p.free_bits.bit_count() >= c["needed_days"])
        blocked = [self._sector_vocab.index[s] for s in p.sectors if s in self._sector_vocab.index]
        if blocked:
            mask &= ~np.isin(c["sector"], blocked)
        presence = np.isin(c["mode"], _PRESENCE_MODES)
        if p.mode == _REMOTE:
            mask &= ~presence
        else:
            dist = _distance_km(p.lat, p.lon, c["lat"], c["lon"])
            with np.errstate(invalid="ignore"):
                near = dist <= p.mobility_km + _RADIUS_SLACK_KM  # NaN (unknown site or base) fails
            mask &= ~presence | near
        return rows[mask]

    def rank_for(
        self,
        profiles: ProfileIndex,
        freelancer_id: str,
        k: int = 10,
        *,
        ids: Iterable[str] | None = None,
        explain: bool = True,
        model: MatchModel | ModelSource | None = None,
    ) -> list[Match]:
        """The missions (all, or those of ``ids``) the freelancer may take, best first.

        Same matches, scores and explanations as ``profiles.rank_missions(freelancer_id,
        missions, k)`` over the same missions.
        """
        scorer = resolve_model(model) if model is not None else profiles._model()
        with self._lock:
            p = profiles.profile_view(freelancer_id, scorer.idf)
            wanted = None
            if ids is not None:
                wanted = np.array(sorted(self._row[i] for i in map(str, ids) if i in self._row), dtype=np.int64)
            rows = self.eligible_rows(p, wanted)
            if len(rows) == 0 or k <= 0:
                return []
            estimate = scorer.raw_scores(self.features(p, rows, scorer.idf))
            order = np.argsort(-estimate, kind="stable")
            found: list[tuple[float, str, Any, np.ndarray]] = []
            best: list[float] = []  # exact raw scores, best first
            for i in order:
                if len(best) >= k and estimate[i] < best[k - 1] - ESTIMATE_MARGIN:
                    break  # nothing further down can reach the top K
                row = int(rows[i])
                scored = profiles.score_mission(p.row, self._record(row), scorer, self._analysed(row))
                if scored is not None:
                    found.append(scored)
                    best.append(scored[0])
                    best.sort(reverse=True)
            return profiles.mission_matches(p.row, found, k, scorer, explain=explain)

    def features(self, p: ProfileView, rows: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """Estimated pair features (len(rows) × FEATURE_NAMES) of the profile with these missions.

        The same formulas as `features.pair_features`, with the mission varying instead
        of the profile; equal to it up to rounding.
        """
        c = {name: arr[rows] for name, arr in self._cols.items()}
        n = len(rows)
        skills = p.skills
        years = p.years
        gap = years - c["min_years"]
        required = c["required"]
        req = required > 0
        n_req = req.sum(axis=1)
        has_req = n_req > 0
        safe_req = np.maximum(n_req, 1)
        diff = skills - required
        short = np.clip(-diff, 0, None) * req
        skill_short_sum = short.sum(axis=1)
        skill_short_max = short.max(axis=1)
        skill_met = np.where(has_req, ((diff >= 0) & req).sum(axis=1) / safe_req, 1.0)
        surplus = np.where(has_req, (np.clip(diff, 0, None) * req).sum(axis=1) / safe_req, 0.0)
        req_level = np.where(has_req, (skills * req).sum(axis=1) / safe_req, skills.mean())
        other = ~req
        n_other = other.sum(axis=1)
        other_level = np.where(n_other > 0, (skills * other).sum(axis=1) / np.maximum(n_other, 1), 0.0)
        need_dims = c["asked_per_dim"] > 0
        n_dims = need_dims.sum(axis=1)
        need_level = np.where(n_dims > 0, (skills * need_dims).sum(axis=1) / np.maximum(n_dims, 1), skills.mean())
        tools_count = c["tools_count"].astype(np.float64)
        p_tools = self._tools_vocab.mask(p.tools)
        overlap = np.bitwise_count(self._tools[rows, : len(p_tools)] & p_tools).sum(axis=1).astype(np.float64)
        has_tools = tools_count > 0
        tools_cov = np.where(has_tools, overlap / np.maximum(tools_count, 1), 1.0)
        tools_missing = np.where(has_tools, tools_count - overlap, 0.0)
        ratio = p.rate_cents / np.maximum(c["budget_cents"], 1).astype(np.float64)
        presence = np.isin(c["mode"], _PRESENCE_MODES) & ~np.isnan(c["lat"]) & ~np.isnan(c["lon"])
        radius = max(float(np.float32(p.mobility_km)), 1.0)
        with np.errstate(invalid="ignore"):
            dist_frac = np.nan_to_num(_distance_km(p.lat, p.lon, c["lat"], c["lon"]) / radius, nan=1.0)
        dist_frac = np.where(presence, dist_frac, 0.0)
        need_count = c["need_count"].astype(np.float64)
        covered = np.bitwise_count(c["need_bits"] & np.uint64(p.need_bits)).astype(np.float64)
        dims = np.array([(p.need_dims >> d) & 1 for d in range(_N_SKILLS)], dtype=np.float64)
        dims_covered = c["asked_per_dim"] @ dims
        has_needs = need_count > 0
        safe_needs = np.maximum(need_count, 1)
        columns = {
            "exp_gap": np.clip(gap, -10, 15),
            "exp_short": np.clip(-gap, 0, None),
            "exp_log": np.full(n, np.log1p(years)),
            "skill_short_sum": skill_short_sum,
            "skill_short_max": skill_short_max,
            "skill_met_frac": skill_met,
            "skill_surplus_mean": surplus,
            "skill_req_level": req_level,
            "skill_other_level": other_level,
            "need_skill_level": need_level,
            "free_days_slack": p.free_bits.bit_count() - c["needed_days"].astype(np.float64),
            "max_days_slack": (p.max_half - c["half_days"].astype(np.float64)) / 2,
            "tools_cov": tools_cov,
            "tools_missing": tools_missing,
            "rate_ratio": ratio,
            "rate_over": np.clip(ratio - 1, 0, None),
            "rate_under": np.clip(1 - ratio, 0, None),
            "mode_same": (c["mode"] == p.mode).astype(np.float64),
            "distance_frac": dist_frac,
            "need_cov": np.where(has_needs, covered / safe_needs, 1.0),
            "need_missing": np.where(has_needs, need_count - covered, 0.0),
            "need_dim_cov": np.where(has_needs, dims_covered / safe_needs, 1.0),
            "bio_needs": np.full(n, float(p.need_bits.bit_count())),
            "text_sim": self._text_similarity(p, rows, idf),
            "mode_combo": (c["mode"].astype(np.float64) * 3 + p.mode),
        }
        return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in FEATURE_NAMES])

    def _text_similarity(self, p: ProfileView, rows: np.ndarray, idf: np.ndarray) -> np.ndarray:
        text = self._sparse()
        norms = self._text_norms(idf)[rows]
        if p.text_norm == 0 or len(p.terms) == 0:
            return np.zeros(len(rows))
        bio = np.zeros(text.shape[1], dtype=np.float64)
        bio[p.terms] = idf[p.terms].astype(np.float64) ** 2
        dots = text[rows] @ bio
        with np.errstate(divide="ignore", invalid="ignore"):
            sims = dots / (max(p.text_norm, 1e-9) * norms)
        return np.where(norms > 0, sims, 0.0)

    # ------------------------------------------------------------------ snapshots

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The index as named arrays and a JSON-able header (dead rows dropped first)."""
        with self._lock:
            if self._n != len(self._row):
                self.compact()
            text = self._sparse()
            n = self._n
            arrays = {f"col.{name}": arr[:n] for name, arr in self._cols.items()}
            arrays["tools"] = self._tools[:n]
            arrays["text.data"] = text.data
            arrays["text.indices"] = text.indices
            arrays["text.indptr"] = text.indptr if n else np.zeros(1, dtype=np.int32)
            header = {
                "rows": n,
                "ids": list(self._ids),
                "records": [_fields_of(self._record(r)) for r in range(n)],
                "stamps": [self._stamps.get(i, "") for i in self._ids],  # type: ignore[arg-type]
                "tools_vocab": list(self._tools_vocab.codes),
                "sectors_vocab": list(self._sector_vocab.codes),
            }
            return arrays, header

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], header: Mapping[str, Any]) -> MissionIndex:
        """The index `to_arrays` described (writable arrays, memory-mapped ones too)."""
        index = cls()
        n = int(header["rows"])
        if n == 0:
            return index
        index._cols = {name: arrays[f"col.{name}"] for name in _COLUMNS}
        index._tools = arrays["tools"]
        index._cap = index._n = n
        for vocab, codes in ((index._tools_vocab, header["tools_vocab"]), (index._sector_vocab, header["sectors_vocab"])):
            for code in codes:
                vocab.add(code)
        index._text = sp.csr_matrix(
            (arrays["text.data"], arrays["text.indices"], arrays["text.indptr"]), shape=(n, HASH_FEATURES), copy=False
        )
        index._ids = [str(i) for i in header["ids"]]
        index._row = {mid: r for r, mid in enumerate(index._ids)}
        index._records = list(header["records"])
        index._stamps = dict(zip(index._ids, header["stamps"], strict=True))
        return index


def estimate_scores(
    missions: MissionIndex, profiles: ProfileIndex, freelancer_id: str, model: MatchModel | ModelSource | None = None
) -> dict[str, float]:
    """Estimated raw score of every mission the freelancer may take (tests, benchmarks)."""
    scorer = resolve_model(model) if model is not None else profiles._model()
    with missions._lock:
        p = profiles.profile_view(freelancer_id, scorer.idf)
        rows = missions.eligible_rows(p)
        raw = scorer.raw_scores(missions.features(p, rows, scorer.idf)) if len(rows) else np.zeros(0)
        return {missions._ids[r]: float(s) for r, s in zip(rows, raw, strict=True)}  # type: ignore[misc]


def _distance_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _fields_of(m: MissionRecord) -> dict[str, Any]:
    fields = asdict(m)
    fields["work_mode"] = m.work_mode.value
    return fields


def _record_of(fields: Mapping[str, Any]) -> MissionRecord:
    return MissionRecord(**fields)
