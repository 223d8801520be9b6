"""Column-wise index of freelancer profiles: hard-constraint masks and top-K scoring in NumPy.

Every profile is one row of NumPy columns (numbers), bitmasks (weekdays, tools,
sectors, needs shown in the bio) and one row of a sparse CSR matrix (hashed bio terms).
The needs are a bitmask rather than a CSR block: the taxonomy fits in one 64-bit word
and a popcount beats sparse row slicing by an order of magnitude.
A query applies the hard constraints as boolean masks, builds the pair features of the
survivors, scores them with the current model and keeps the best K with
`np.argpartition`: no Python loop over profiles.

Updates (`upsert`, `remove`, `set_booked_weekdays`) change rows in place and never
refit anything: the text hashing is stateless and the model's IDF weights are applied
at query time, so a retrained model takes effect on the next query.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from marketplace.domain import SKILL_CODES, WEEKDAYS, WorkMode
from marketplace.matching.constraints import (
    EARTH_RADIUS_KM,
    needs_presence,
    rate_within_tolerance,
)
from marketplace.matching.explain import Explanation, explain_pair
from marketplace.matching.features import (
    MODE_CODES,
    Candidates,
    MissionQuery,
    pair_features,
)
from marketplace.matching.model import MatchModel, ModelSource, resolve_model
from marketplace.matching.records import FreelancerRecord, MissionRecord
from marketplace.matching.text import (
    HASH_FEATURES,
    NEED_CODES,
    NEED_DIMENSION,
    NEED_INDEX,
    analyse_texts,
)

__all__ = ["AnalysedText", "Match", "ProfileIndex", "analyse_missions"]

# Bump when the index's columns or their meaning change: snapshots of another layout
# are not loaded (see `marketplace.matching.snapshot`).
INDEX_LAYOUT_VERSION = 1

_DIM_OF_NEED = np.array([SKILL_CODES.index(NEED_DIMENSION[c]) for c in NEED_CODES])
assert len(NEED_CODES) <= 64, "the needs bitmask is one uint64 word"
_WEEKDAY_BIT = {d: 1 << i for i, d in enumerate(WEEKDAYS)}
_MODES = {code: mode for mode, code in MODE_CODES.items()}


def weekday_bits(days: Iterable[str]) -> int:
    bits = 0
    for d in days:
        bits |= _WEEKDAY_BIT[d]
    return bits


def bits_weekdays(bits: int) -> tuple[str, ...]:
    return tuple(d for d in WEEKDAYS if bits & _WEEKDAY_BIT[d])


class _Vocabulary:
    """Codes (tools, sectors) → bit positions in a growing array of uint64 words."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, code: str) -> int:
        if code not in self.index:
            self.index[code] = len(self.codes)
            self.codes.append(code)
        return self.index[code]

    @property
    def words(self) -> int:
        return max(1, -(-len(self.codes) // 64))

    def mask(self, codes: Iterable[str], *, add: bool = False) -> np.ndarray:
        """Bitmask of the codes; unknown codes are added (`add`) or ignored."""
        codes = list(codes)
        if add:
            for code in codes:
                self.add(code)  # first, so the mask is wide enough for the new positions
        out = np.zeros(self.words, dtype=np.uint64)
        for code in codes:
            pos = self.index.get(code)
            if pos is not None:
                out[pos // 64] |= np.uint64(1 << (pos % 64))
        return out

    def decode(self, words: np.ndarray) -> list[str]:
        return [
            code
            for pos, code in enumerate(self.codes)
            if pos // 64 < len(words) and int(words[pos // 64]) >> (pos % 64) & 1
        ]


@dataclass(frozen=True)
class AnalysedText:
    """A mission text once analysed: its needs and its binary hashed term row (1 × H CSR)."""

    needs: frozenset[str]
    text: sp.csr_matrix


def analyse_missions(missions: Sequence[MissionRecord]) -> list[AnalysedText]:
    """The analysed texts of missions, in one batch (a row is the same as analysed alone)."""
    needs, text = analyse_texts([m.text for m in missions])
    return [AnalysedText(n, text[i]) for i, n in enumerate(needs)]


@dataclass
class Match:
    """One ranked freelancer (or mission): id, score 0–100 and its explanation."""

    id: str
    score: int
    raw: float
    explanation: Explanation | None = None
    facts: dict[str, Any] = field(default_factory=dict, repr=False)
    # Expected relevance grade Σ grade·P(grade) (0 declined … 3 hired): what bands read.
    grade: float = 0.0


# Dense columns: name → (dtype, shape suffix)
_COLUMNS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "alive": (np.bool_, ()),
    "vetted": (np.bool_, ()),
    "years": (np.float32, ()),
    "rate_cents": (np.int64, ()),
    "max_half": (np.int16, ()),
    "avail_bits": (np.uint8, ()),
    "booked_bits": (np.uint8, ()),
    "mode": (np.int8, ()),
    "lat": (np.float64, ()),  # radians, NaN when unknown
    "lon": (np.float64, ()),
    "mobility_km": (np.float32, ()),
    "skills": (np.float32, (len(SKILL_CODES),)),
    "need_bits": (np.uint64, ()),  # needs shown in the bio
    "need_dims": (np.uint8, ()),  # skill dimensions of those needs
    "bio_hash": (np.int64, ()),
}


class ProfileIndex:
    """All freelancer profiles, column-wise, ready for vectorised constraints and scoring."""

    def __init__(self, model: MatchModel | ModelSource | None = None, capacity: int = 1024) -> None:
        self._model_source = model
        self._lock = threading.RLock()
        self._cap = max(16, capacity)
        self._n = 0  # physical rows used (dead rows included until compaction)
        self._cols = {
            name: np.zeros((self._cap, *shape), dtype=dtype) for name, (dtype, shape) in _COLUMNS.items()
        }
        self._tools_vocab = _Vocabulary()
        self._sector_vocab = _Vocabulary()
        self._tools = np.zeros((self._cap, 1), dtype=np.uint64)
        self._sectors = np.zeros((self._cap, 1), dtype=np.uint64)
        self._text = sp.csr_matrix((0, 0), dtype=np.float32)
        self._pending: list[sp.csr_matrix] = []  # text rows appended since the last query
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        self._norm_cache: tuple[np.ndarray, np.ndarray] | None = None  # (idf, row norms)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls, freelancers: Iterable[FreelancerRecord], model: MatchModel | ModelSource | None = None
    ) -> ProfileIndex:
        """An index of these profiles (one batch: the text is hashed in one call)."""
        records = list(freelancers)
        index = cls(model, capacity=len(records) + 16)
        index.upsert_many(records)
        return index

    def upsert(self, record: FreelancerRecord) -> None:
        """Add a profile or replace its data; no refit, the next query sees it."""
        self.upsert_many([record])

    def upsert_many(self, records: Sequence[FreelancerRecord]) -> None:
        """Add or replace many profiles at once (the bios are analysed in one batch)."""
        with self._lock:
            new_text: list[FreelancerRecord] = []
            for rec in records:
                row = self._row.get(rec.id)
                if row is not None and self._cols["bio_hash"][row] == _hash(rec.bio):
                    self._write_dense(row, rec)  # same bio: the sparse rows stay valid
                else:
                    if row is not None:
                        self._kill(row)
                    new_text.append(rec)
            if not new_text:
                return
            # A record listed twice in one batch: the last one wins.
            latest = {rec.id: rec for rec in new_text}
            new_text = list(latest.values())
            self._grow(self._n + len(new_text))
            need_sets, text = analyse_texts([rec.bio for rec in new_text])
            for rec, needs in zip(new_text, need_sets, strict=True):
                row = self._n
                self._n += 1
                self._ids.append(rec.id)
                self._row[rec.id] = row
                self._write_dense(row, rec)
                self._cols["need_bits"][row] = need_bits(needs)
                self._cols["need_dims"][row] = _dims_bits(needs)
            self._pending.append(text)
            self._norm_cache = None

    def remove(self, freelancer_id: str) -> bool:
        """Drop a profile (e.g. deleted or suspended); True if it was there."""
        with self._lock:
            row = self._row.pop(str(freelancer_id), None)
            if row is None:
                return False
            self._kill(row)
            self._maybe_compact()
            return True

    def set_booked_weekdays(self, freelancer_id: str, weekdays: Iterable[str]) -> None:
        """Weekdays booked by signed contracts: they are never offered again."""
        with self._lock:
            self._cols["booked_bits"][self._require(freelancer_id)] = weekday_bits(weekdays)

    def set_vetted(self, freelancer_id: str, vetted: bool) -> None:
        """Vetting decision changed (approved, suspended)."""
        with self._lock:
            self._cols["vetted"][self._require(freelancer_id)] = bool(vetted)

    def nbytes(self) -> int:
        """Memory held by the index's arrays and sparse matrix (ids and dicts excluded)."""
        text = self._sparse()
        arrays = [*self._cols.values(), self._tools, self._sectors, text.data, text.indices, text.indptr]
        return int(sum(a.nbytes for a in arrays))

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, freelancer_id: object) -> bool:
        return str(freelancer_id) in self._row

    def ids(self) -> list[str]:
        return list(self._row)

    def ids_of(self, rows: Iterable[int]) -> list[str]:
        """Freelancer ids of row numbers (as returned by `eligible_rows`)."""
        return [self._ids[int(r)] for r in rows]  # type: ignore[misc]

    def row_of(self, freelancer_id: str) -> int:
        """The row number of a freelancer (KeyError when unknown)."""
        return self._require(freelancer_id)

    def profile_view(self, freelancer_id: str, idf: np.ndarray) -> ProfileView:
        """One profile's columns as scalars, for scoring it against many missions at once."""
        with self._lock:
            row = self._require(freelancer_id)
            c = self._cols
            text = self._sparse()
            return ProfileView(
                row=row,
                vetted=bool(c["vetted"][row]),
                years=float(c["years"][row]),
                rate_cents=int(c["rate_cents"][row]),
                max_half=int(c["max_half"][row]),
                free_bits=int(c["avail_bits"][row] & ~c["booked_bits"][row]),
                mode=int(c["mode"][row]),
                lat=float(c["lat"][row]),
                lon=float(c["lon"][row]),
                mobility_km=float(c["mobility_km"][row]),
                skills=c["skills"][row].astype(np.float64),
                need_bits=int(c["need_bits"][row]),
                need_dims=int(c["need_dims"][row]),
                tools=frozenset(self._tools_vocab.decode(self._tools[row])),
                sectors=frozenset(self._sector_vocab.decode(self._sectors[row])),
                terms=text.indices[text.indptr[row] : text.indptr[row + 1]].copy(),
                text_norm=float(self._row_norms(text, idf)[row]),
            )

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
            arrays["sectors"] = self._sectors[:n]
            arrays["text.data"] = text.data
            arrays["text.indices"] = text.indices
            arrays["text.indptr"] = text.indptr
            header = {
                "rows": n,
                "text_columns": int(text.shape[1]) if text.shape[0] else HASH_FEATURES,
                "ids": list(self._ids),
                "tools_vocab": list(self._tools_vocab.codes),
                "sectors_vocab": list(self._sector_vocab.codes),
            }
            return arrays, header

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], header: Mapping[str, Any], model: MatchModel | ModelSource | None = None
    ) -> ProfileIndex:
        """The index `to_arrays` described; the arrays are used as they are (memory-mapped ones too).

        The arrays must be writable (a copy-on-write mapping will do): updates write rows in place.
        """
        index = cls(model)
        n = int(header["rows"])
        if n == 0:
            return index
        index._cols = {name: arrays[f"col.{name}"] for name in _COLUMNS}
        index._tools, index._sectors = arrays["tools"], arrays["sectors"]
        index._cap = index._n = n
        for vocab, codes in ((index._tools_vocab, header["tools_vocab"]), (index._sector_vocab, header["sectors_vocab"])):
            for code in codes:
                vocab.add(code)
        index._text = sp.csr_matrix(
            (arrays["text.data"], arrays["text.indices"], arrays["text.indptr"]),
            shape=(n, int(header["text_columns"])),
            copy=False,
        )
        ids = header["ids"]  # a fresh list (parsed from the header): ours to extend
        index._ids = ids if all(type(i) is str for i in ids) else [str(i) for i in ids]
        index._row = dict(zip(index._ids, range(n)))  # twice as fast as a comprehension at 100 000 ids
        return index

    def _require(self, freelancer_id: str) -> int:
        try:
            return self._row[str(freelancer_id)]
        except KeyError:
            raise KeyError(f"unknown freelancer: {freelancer_id}") from None

    def _write_dense(self, row: int, rec: FreelancerRecord) -> None:
        c = self._cols
        c["alive"][row] = True
        c["vetted"][row] = rec.vetted
        c["years"][row] = rec.years_experience
        c["rate_cents"][row] = rec.daily_rate_cents
        c["max_half"][row] = rec.max_half_days_per_week
        c["avail_bits"][row] = weekday_bits(rec.available_weekdays)
        c["booked_bits"][row] = weekday_bits(rec.booked_weekdays)
        c["mode"][row] = MODE_CODES[rec.work_mode]
        c["lat"][row] = np.radians(rec.lat) if rec.lat is not None else np.nan
        c["lon"][row] = np.radians(rec.lon) if rec.lon is not None else np.nan
        c["mobility_km"][row] = rec.mobility_km
        c["skills"][row] = [rec.level(code) for code in SKILL_CODES]
        c["bio_hash"][row] = _hash(rec.bio)
        tools = self._tools_vocab.mask(rec.tools, add=True)
        sectors = self._sector_vocab.mask(rec.current_client_sectors, add=True)
        self._tools = _widen(self._tools, len(tools))
        self._sectors = _widen(self._sectors, len(sectors))
        self._tools[row] = 0
        self._tools[row, : len(tools)] = tools
        self._sectors[row] = 0
        self._sectors[row, : len(sectors)] = sectors

    def _kill(self, row: int) -> None:
        self._cols["alive"][row] = False
        self._ids[row] = None

    def _grow(self, needed: int) -> None:
        if needed <= self._cap:
            return
        cap = max(needed, self._cap * 2)
        for name, arr in self._cols.items():
            grown = np.zeros((cap, *arr.shape[1:]), dtype=arr.dtype)
            grown[: self._n] = arr[: self._n]
            self._cols[name] = grown
        for attr in ("_tools", "_sectors"):
            arr = getattr(self, attr)
            grown = np.zeros((cap, arr.shape[1]), dtype=arr.dtype)
            grown[: self._n] = arr[: self._n]
            setattr(self, attr, grown)
        self._cap = cap

    def _sparse(self) -> sp.csr_matrix:
        """The text matrix with every pending row merged (one vstack)."""
        if self._pending:
            parts = ([self._text] if self._text.shape[0] else []) + self._pending
            self._text = sp.vstack(parts, format="csr")
            self._pending = []
        return self._text

    def _maybe_compact(self) -> None:
        dead = self._n - len(self._row)
        if dead > 1024 and dead > self._n // 3:
            self.compact()

    def compact(self) -> None:
        """Drop dead rows (after many removals or bio edits); ids keep their data."""
        with self._lock:
            text = self._sparse()
            keep = np.flatnonzero(self._cols["alive"][: self._n])
            for name, arr in self._cols.items():
                fresh = np.zeros_like(arr)
                fresh[: len(keep)] = arr[keep]
                self._cols[name] = fresh
            for attr in ("_tools", "_sectors"):
                arr = getattr(self, attr)
                fresh = np.zeros_like(arr)
                fresh[: len(keep)] = arr[keep]
                setattr(self, attr, fresh)
            self._text = text[keep]
            self._ids = [self._ids[r] for r in keep]
            self._row = {fid: r for r, fid in enumerate(self._ids) if fid is not None}
            self._n = len(keep)
            self._norm_cache = None

    # ------------------------------------------------------------------ querying

    def _model(self) -> MatchModel:
        return resolve_model(self._model_source)

    def prepare(self, mission: MissionRecord, analysed: AnalysedText | None = None) -> _Query:
        """The mission as masks and vectors over this index's vocabularies.

        ``analysed``: the mission's text already analysed (kept by a `MissionIndex`);
        the text is analysed here otherwise — the costly part of a query.
        """
        if analysed is None:
            (needs,), text = analyse_texts([mission.text])
        else:
            needs, text = analysed.needs, analysed.text
        need_idx = np.array(sorted(NEED_INDEX[c] for c in needs), dtype=np.int64)
        need_dims = np.zeros(len(SKILL_CODES), dtype=bool)
        need_dims[_DIM_OF_NEED[need_idx]] = True
        # covered_by_dims[b] = needs asked in the dimensions of bitmask b (a bio's dimensions)
        asked_per_dim = np.bincount(_DIM_OF_NEED[need_idx], minlength=len(SKILL_CODES))
        dim_bits = np.arange(1 << len(SKILL_CODES))
        covered_by_dims = ((dim_bits[:, None] >> np.arange(len(SKILL_CODES))) & 1) @ asked_per_dim
        required = np.array([mission.skills_required.get(c, 0) for c in SKILL_CODES], dtype=np.float64)
        features = MissionQuery(
            min_years=float(mission.min_years_experience),
            required=required,
            need_dims=need_dims,
            need_count=len(need_idx),
            needed_days=mission.full_days_needed,
            half_days=mission.half_days_per_week,
            budget_cents=mission.max_daily_rate_cents,
            tools_count=len(mission.tools),
            mode=MODE_CODES[mission.work_mode],
        )
        sector_mask = (
            self._sector_vocab.mask([mission.sector]) if mission.non_compete and mission.sector else None
        )
        return _Query(
            mission=mission,
            features=features,
            needs=needs,
            need_mask=np.uint64(need_bits(needs)),
            covered_by_dims=covered_by_dims.astype(np.float64),
            weekday_bits=weekday_bits(mission.weekdays),
            tools_mask=self._tools_vocab.mask(mission.tools),
            sector_mask=sector_mask,
            text=text,
        )

    def eligible_rows(self, mission: MissionRecord | _Query, rows: np.ndarray | None = None) -> np.ndarray:
        """Row numbers passing every hard constraint (vectorised), among `rows` or all rows."""
        q = mission if isinstance(mission, _Query) else self.prepare(mission)
        m = q.mission
        if rows is None:
            base = None
            c = {name: arr[: self._n] for name, arr in self._cols.items()}  # views, no copy
            sectors = self._sectors[: self._n]
        else:
            base = np.asarray(rows, dtype=np.int64)
            c = {name: arr[base] for name, arr in self._cols.items()}
            sectors = self._sectors[base]
        mask = c["alive"] & c["vetted"] & (c["max_half"] >= m.half_days_per_week)
        # Exact integer rule: rate × 100 ≤ budget × 120.
        mask &= rate_within_tolerance(c["rate_cents"], m.max_daily_rate_cents)
        free = c["avail_bits"] & ~c["booked_bits"]
        if q.weekday_bits:
            mask &= (free & q.weekday_bits) == q.weekday_bits
        else:
            mask &= np.bitwise_count(free) >= m.full_days_needed
        if q.sector_mask is not None and q.sector_mask.any():
            words = sectors[:, : len(q.sector_mask)]
            mask &= ~((words & q.sector_mask) != 0).any(axis=1)
        local = np.flatnonzero(mask)
        if needs_presence(m):
            local = local[c["mode"][local] != MODE_CODES[WorkMode.REMOTE]]
            if m.lat is None or m.lon is None:
                local = local[:0]
            else:
                physical = local if base is None else base[local]
                dist = self._distance_km(physical, m)
                local = local[dist <= c["mobility_km"][local]]  # NaN distance (unknown) fails
        return local if base is None else base[local]

    def eligible(self, mission: MissionRecord) -> list[str]:
        """Ids of the eligible profiles, in index order."""
        with self._lock:
            return [self._ids[r] for r in self.eligible_rows(mission)]  # type: ignore[misc]

    def _distance_km(self, rows: np.ndarray, m: MissionRecord) -> np.ndarray:
        lat1, lon1 = self._cols["lat"][rows], self._cols["lon"][rows]
        lat2, lon2 = np.radians(m.lat), np.radians(m.lon)
        a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    def features(self, q: _Query, rows: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """Pair features of the mission with the given rows (training and scoring share it)."""
        return pair_features(q.features, self._candidates(q, rows, idf))

    def _candidates(self, q: _Query, rows: np.ndarray, idf: np.ndarray) -> Candidates:
        text = self._sparse()
        c = self._cols
        m = q.mission
        free = c["avail_bits"][rows] & ~c["booked_bits"][rows]
        words = self._tools[rows, : len(q.tools_mask)]
        overlap = np.bitwise_count(words & q.tools_mask).sum(axis=1)
        if needs_presence(m) and m.lat is not None and m.lon is not None:
            radius = np.maximum(c["mobility_km"][rows].astype(np.float64), 1.0)
            dist_frac = np.nan_to_num(self._distance_km(rows, m) / radius, nan=1.0)
        else:
            dist_frac = np.zeros(len(rows))
        bits = c["need_bits"][rows]
        return Candidates(
            years=c["years"][rows],
            skills=c["skills"][rows],
            free_days=np.bitwise_count(free).astype(np.float64),
            max_half_days=c["max_half"][rows].astype(np.float64),
            tools_overlap=overlap.astype(np.float64),
            rate_cents=c["rate_cents"][rows].astype(np.float64),
            mode=c["mode"][rows].astype(np.int64),
            distance_frac=dist_frac,
            needs_covered=np.bitwise_count(bits & q.need_mask).astype(np.float64),
            need_dims_covered=q.covered_by_dims[c["need_dims"][rows]],
            bio_needs=np.bitwise_count(bits).astype(np.float64),
            text_sim=self._text_similarity(q, rows, text, idf),
        )

    def _text_similarity(
        self, q: _Query, rows: np.ndarray, text: sp.csr_matrix, idf: np.ndarray
    ) -> np.ndarray:
        """IDF-weighted cosine between the description and the bios (binary term vectors)."""
        qv = q.text
        q_weights = idf[qv.indices].astype(np.float64) ** 2
        q_norm = float(np.sqrt((qv.data.astype(np.float64) ** 2 * q_weights).sum()))
        if q_norm == 0 or text.shape[0] == 0 or len(rows) == 0:
            return np.zeros(len(rows))
        # Only the query's columns matter: a dense float32 query keeps scipy from
        # upcasting the whole matrix on each product.
        query = np.zeros(text.shape[1], dtype=np.float32)
        query[qv.indices] = qv.data * q_weights
        norms = self._row_norms(text, idf)
        if len(rows) * 3 > text.shape[0]:
            dots = (text @ query)[rows]  # most rows: one pass beats slicing
        else:
            dots = text[rows] @ query
        return dots / (np.maximum(norms[rows], 1e-9) * q_norm)

    def _row_norms(self, text: sp.csr_matrix, idf: np.ndarray) -> np.ndarray:
        cached = self._norm_cache
        if cached is None or cached[0] is not idf or len(cached[1]) != text.shape[0]:
            # Binary rows: |b|² under the IDF weights is b · idf².
            weights = (idf.astype(np.float64) ** 2).astype(np.float32)
            cached = (idf, np.sqrt(text @ weights).astype(np.float64))
            self._norm_cache = cached
        return cached[1]

    def top_k(
        self,
        mission: MissionRecord,
        k: int = 20,
        *,
        explain: bool = True,
        ids: Iterable[str] | None = None,
        analysed: AnalysedText | None = None,
    ) -> list[Match]:
        """The K best eligible freelancers for a mission (or among ``ids``), best first."""
        model = self._model()
        with self._lock:
            q = self.prepare(mission, analysed)
            if ids is None:
                rows = self.eligible_rows(q)
            else:
                wanted = np.array(sorted(self._row[i] for i in map(str, ids) if i in self._row), dtype=np.int64)
                rows = self.eligible_rows(q, wanted) if len(wanted) else wanted
            if len(rows) == 0 or k <= 0:
                return []
            X = self.features(q, rows, model.idf)
            raw = model.raw_scores(X)
            if len(rows) > k:
                part = np.argpartition(-raw, k - 1)[:k]
            else:
                part = np.arange(len(rows))
            # Ties broken by id so results are stable across runs and index layouts.
            order = sorted(part, key=lambda i: (-raw[i], self._ids[rows[i]]))
            top = np.array(order, dtype=np.int64)
            points = model.to_points(raw[top])
            grades = model.expected_grade(raw[top])
            matches = [
                Match(id=self._ids[rows[i]], score=int(p), raw=float(raw[i]), grade=float(g))  # type: ignore[arg-type]
                for i, p, g in zip(top, points, grades, strict=True)
            ]
            if explain:
                self._explain(q, rows[top], X[top], matches, model)
            return matches

    def scores(
        self, mission: MissionRecord, ids: Iterable[str] | None = None, analysed: AnalysedText | None = None
    ) -> dict[str, float]:
        """Raw model score of every eligible profile (or of the given ids when eligible)."""
        model = self._model()
        with self._lock:
            q = self.prepare(mission, analysed)
            rows = self.eligible_rows(q)
            if ids is not None:
                wanted = {self._row[i] for i in map(str, ids) if i in self._row}
                rows = rows[np.isin(rows, list(wanted))]
            if len(rows) == 0:
                return {}
            raw = model.raw_scores(self.features(q, rows, model.idf))
            return {self._ids[r]: float(s) for r, s in zip(rows, raw, strict=True)}  # type: ignore[misc]

    def rank_missions(
        self,
        freelancer_id: str,
        missions: Iterable[MissionRecord],
        k: int = 10,
        *,
        explain: bool = True,
        model: MatchModel | ModelSource | None = None,
        analysed: Mapping[str, AnalysedText] | None = None,
    ) -> list[Match]:
        """Missions this freelancer is eligible for, best first, worded for the freelancer.

        ``analysed``: texts already analysed, by mission id (the others are analysed here).
        For many missions, `MissionIndex.rank_for` gives the same result without a
        Python loop over the missions.
        """

        scorer = resolve_model(model) if model is not None else self._model()
        analysed = analysed or {}
        with self._lock:
            row = self._require(freelancer_id)
            found = []
            for mission in missions:
                scored = self.score_mission(row, mission, scorer, analysed.get(mission.id))
                if scored is not None:
                    found.append(scored)
            return self.mission_matches(row, found, k, scorer, explain=explain)

    def score_mission(
        self, row: int, mission: MissionRecord, scorer: MatchModel, analysed: AnalysedText | None = None
    ) -> tuple[float, str, _Query, np.ndarray] | None:
        """(raw score, mission id, query, features) of one profile row for a mission; None if ineligible."""
        with self._lock:
            one = np.array([row])
            q = self.prepare(mission, analysed)
            if not len(self.eligible_rows(q, one)):
                return None
            X = self.features(q, one, scorer.idf)
            return float(scorer.raw_scores(X)[0]), mission.id, q, X

    def mission_matches(
        self,
        row: int,
        found: list[tuple[float, str, _Query, np.ndarray]],
        k: int,
        scorer: MatchModel,
        *,
        explain: bool = True,
    ) -> list[Match]:
        """The best ``k`` of scored missions (`score_mission`), ties by id, explained for the freelancer."""
        with self._lock:
            kept = sorted(found, key=lambda t: (-t[0], t[1]))[: max(k, 0)]
            if explain and kept:
                contributions = scorer.contributions_each(np.vstack([X for *_, X in kept]))
            matches = []
            for i, (raw, mission_id, q, _X) in enumerate(kept):
                score = int(scorer.to_points(np.array([raw]))[0])
                match = Match(id=mission_id, score=score, raw=raw, grade=float(scorer.expected_grade(np.array([raw]))[0]))
                if explain:
                    match.facts = self.facts(q, row)
                    match.explanation = explain_pair(
                        q.mission,
                        match.facts,
                        contributions[i],
                        score,
                        audience="freelancer",
                        base=scorer.base_points,
                    )
                matches.append(match)
            return matches

    def _explain(
        self, q: _Query, rows: np.ndarray, X: np.ndarray, matches: list[Match], model: MatchModel
    ) -> None:

        contributions = model.contributions(X)
        for match, row, contrib in zip(matches, rows, contributions, strict=True):
            facts = self.facts(q, int(row))
            match.facts = facts
            match.explanation = explain_pair(q.mission, facts, contrib, match.score, base=model.base_points)

    def facts(self, q: _Query, row: int) -> dict[str, Any]:
        """Readable facts of one row for the explanations."""
        c = self._cols
        m = q.mission
        shown = needs_of_bits(int(c["need_bits"][row]))
        distance = None
        if m.lat is not None and m.lon is not None and not np.isnan(c["lat"][row]):
            distance = float(self._distance_km(np.array([row]), m)[0])
        return {
            "years": int(c["years"][row]),
            "skills": {code: int(v) for code, v in zip(SKILL_CODES, c["skills"][row], strict=True)},
            "free_weekdays": bits_weekdays(int(c["avail_bits"][row] & ~c["booked_bits"][row])),
            "max_half_days": int(c["max_half"][row]),
            "rate_cents": int(c["rate_cents"][row]),
            "tools": self._tools_vocab.decode(self._tools[row]),
            "work_mode": _MODES[int(c["mode"][row])],
            "distance_km": distance,
            "mobility_km": int(c["mobility_km"][row]),
            "needs_asked": sorted(q.needs, key=NEED_INDEX.__getitem__),
            "needs_shown": sorted(shown, key=NEED_INDEX.__getitem__),
        }


@dataclass(frozen=True)
class ProfileView:
    """One profile's columns (radians for the coordinates, NaN when unknown)."""

    row: int
    vetted: bool
    years: float
    rate_cents: int
    max_half: int
    free_bits: int
    mode: int
    lat: float
    lon: float
    mobility_km: float
    skills: np.ndarray
    need_bits: int
    need_dims: int
    tools: frozenset[str]
    sectors: frozenset[str]
    terms: np.ndarray  # hashed term columns of the bio
    text_norm: float  # IDF-weighted norm of the bio (as the text similarity uses it)


@dataclass(frozen=True)
class _Query:
    mission: MissionRecord
    features: MissionQuery
    needs: frozenset[str]
    need_mask: np.uint64
    covered_by_dims: np.ndarray
    weekday_bits: int
    tools_mask: np.ndarray
    sector_mask: np.ndarray | None
    text: sp.csr_matrix


def need_bits(codes: Iterable[str]) -> int:
    """Bitmask of need codes (bit i = NEED_CODES[i])."""
    bits = 0
    for code in codes:
        bits |= 1 << NEED_INDEX[code]
    return bits


def needs_of_bits(bits: int) -> frozenset[str]:
    return frozenset(code for i, code in enumerate(NEED_CODES) if bits >> i & 1)


def _dims_bits(codes: Iterable[str]) -> int:
    bits = 0
    for code in codes:
        bits |= 1 << int(_DIM_OF_NEED[NEED_INDEX[code]])
    return bits


def _widen(arr: np.ndarray, words: int) -> np.ndarray:
    if arr.shape[1] >= words:
        return arr
    out = np.zeros((arr.shape[0], words), dtype=arr.dtype)
    out[:, : arr.shape[1]] = arr
    return out


def _hash(text: str) -> int:
    """64-bit fingerprint of a bio: an unchanged bio keeps its analysed row."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
