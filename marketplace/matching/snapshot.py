"""Snapshots of the prepared indexes: built once by a job, memory-mapped by every process.

Building the profile index analyses every bio (about 10 s at 100 000 profiles, plus
reading the rows); a snapshot holds the result — the indexes' NumPy columns, their
sparse term matrices, ids and vocabularies — so a new process maps it and only tops it
up with what changed since it was taken.

The container is one file (or the same bytes):

    b"MKMIDX01" | header length (uint64, little-endian) | header (JSON) | arrays

each array stored raw, 64-byte aligned, at an offset the header gives with its dtype and
shape. Loaded from a file, the arrays are views of one copy-on-write memory map: opening
costs milliseconds whatever the size, processes of one machine share the pages, and an
update of a row only copies the pages it writes.

A snapshot records the `fingerprint` of the text analysis and index layout it was built
with; one taken by other code (a new taxonomy of needs, other columns) is refused, and
the caller builds the indexes from the records instead.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from marketplace.domain import SKILL_CODES, WEEKDAYS
from marketplace.matching import index as index_module
from marketplace.matching import missions as missions_module
from marketplace.matching import text as text_module
from marketplace.matching.features import MODE_CODES
from marketplace.matching.index import ProfileIndex
from marketplace.matching.missions import MissionIndex
from marketplace.matching.model import MatchModel, ModelSource

__all__ = ["FORMAT", "IncompatibleSnapshot", "Snapshot", "dump", "fingerprint", "load", "read_header", "write"]

FORMAT = "marketplace-matcher-index/1"
MAGIC = b"MKMIDX01"
_ALIGN = 64
_PREFIX = len(MAGIC) + 8


class IncompatibleSnapshot(ValueError):
    """Not a snapshot, or one of another format or another text analysis."""


@dataclass
class Snapshot:
    """The indexes of a snapshot, and what its builder said of it (``meta``)."""

    profiles: ProfileIndex
    missions: MissionIndex
    meta: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """SHA-256 of everything a prepared row depends on: text analysis, taxonomy, layouts."""
    t = text_module
    probe = (
        "J'ai piloté le déménagement de nos bureaux, l'onboarding des nouvelles recrues et "
        "la refonte des notes de frais ; pas encore de séminaire. Outils : PayFit, Notion."
    )
    spec = {
        "format": FORMAT,
        "layout": [index_module.INDEX_LAYOUT_VERSION, _columns(index_module._COLUMNS), _columns(missions_module._COLUMNS)],
        "text_features": t.TEXT_FEATURES_VERSION,
        "hash_features": t.HASH_FEATURES,
        "needs": [[n.code, n.dimension, list(n.patterns)] for n in t.NEEDS],
        "stopwords": sorted(t.STOPWORDS),
        "negations": sorted(t.NEGATIONS),
        "lemmas": sorted(t._LEMMAS.items()),
        "keep": sorted(t._KEEP),
        "compounds": [[p.pattern, w] for p, w in t._COMPOUNDS],
        "window": t._WINDOW_SLACK,
        "patterns": [t._ELISION.pattern, t._WORD.pattern, t._SENTENCE.pattern, t._SPACES.pattern],
        "stemmer": _version("snowballstemmer"),
        "probe": [t.analyze(probe), sorted(t.extract_needs(probe)), t.hash_texts([probe]).indices.tolist()],
        "skills": list(SKILL_CODES),
        "weekdays": list(WEEKDAYS),
        "modes": sorted((m.value, c) for m, c in MODE_CODES.items()),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _columns(spec: Mapping[str, tuple[Any, tuple[int, ...]]]) -> list:
    return [[name, np.dtype(dtype).str, list(shape)] for name, (dtype, shape) in spec.items()]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


# --------------------------------------------------------------------------- writing


def dump(profiles: ProfileIndex, missions: MissionIndex, meta: Mapping[str, Any] | None = None) -> bytes:
    """The container bytes of both indexes (dead rows are compacted away first)."""
    p_arrays, p_header = profiles.to_arrays()
    m_arrays, m_header = missions.to_arrays()
    arrays = {**{f"profiles/{k}": v for k, v in p_arrays.items()}, **{f"missions/{k}": v for k, v in m_arrays.items()}}
    specs, chunks, offset = {}, [], 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        specs[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": offset}
        raw = arr.tobytes()
        pad = -len(raw) % _ALIGN
        chunks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    header = {
        "format": FORMAT,
        "fingerprint": fingerprint(),
        "meta": dict(meta or {}),
        "profiles": p_header,
        "missions": m_header,
        "arrays": specs,
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    head += b" " * (-(_PREFIX + len(head)) % _ALIGN)  # arrays start aligned
    return b"".join([MAGIC, struct.pack("<Q", len(head)), head, *chunks])


def write(path: str | Path, data: bytes) -> Path:
    """Write container bytes to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- reading


def _parse_header(buffer) -> tuple[dict[str, Any], int]:
    if len(buffer) < _PREFIX or bytes(buffer[: len(MAGIC)]) != MAGIC:
        raise IncompatibleSnapshot("not a matcher index snapshot")
    (length,) = struct.unpack("<Q", bytes(buffer[len(MAGIC) : _PREFIX]))
    header = json.loads(bytes(buffer[_PREFIX : _PREFIX + length]))
    if header.get("format") != FORMAT:
        raise IncompatibleSnapshot(f"snapshot format {header.get('format')!r}, expected {FORMAT!r}")
    if header.get("fingerprint") != fingerprint():
        raise IncompatibleSnapshot("snapshot built with another text analysis or index layout")
    return header, _PREFIX + length


def read_header(source: str | Path | bytes) -> dict[str, Any]:
    """The header of a snapshot (IncompatibleSnapshot if this code cannot load it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _parse_header(source)[0]
    with open(source, "rb") as fh:
        start = fh.read(_PREFIX)
        if len(start) < _PREFIX:
            raise IncompatibleSnapshot("not a matcher index snapshot")
        (length,) = struct.unpack("<Q", start[len(MAGIC) :])
        return _parse_header(start + fh.read(length))[0]


def load(source: str | Path | bytes, model: MatchModel | ModelSource | None = None) -> Snapshot:
    """The indexes of a snapshot file (memory-mapped, copy-on-write) or bytes (copied)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        buffer, copy = source, True
    else:
        with open(source, "rb") as fh:
            buffer, copy = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY), False
    header, base = _parse_header(buffer)
    arrays: dict[str, dict[str, np.ndarray]] = {"profiles": {}, "missions": {}}
    for name, spec in header["arrays"].items():
        dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
        count = int(np.prod(shape)) if shape else 1
        if count == 0:
            arr = np.zeros(shape, dtype=dtype)
        else:
            arr = np.frombuffer(buffer, dtype=dtype, count=count, offset=base + spec["offset"]).reshape(shape)
            if copy:
                arr = arr.copy()
        part, key = name.split("/", 1)
        arrays[part][key] = arr
    return Snapshot(
        profiles=ProfileIndex.from_arrays(arrays["profiles"], header["profiles"], model),
        missions=MissionIndex.from_arrays(arrays["missions"], header["missions"]),
        meta=dict(header.get("meta") or {}),
    )
