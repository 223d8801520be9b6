"""Snapshots of the matcher's indexes in the database, memory-mapped from a local copy.

The ``matching.snapshot`` job builds the indexes (every matchable profile, every
published mission) and saves them as a row of ``matcher_snapshots``: the container of
``marketplace.matching.snapshot``, zlib-compressed. Every machine sees the row; the
first process of a machine to need it writes the container under
``<instance>/matcher-cache/`` and maps it, the next ones only map the file (their pages
are shared). A process starting up thus answers its first query in about a second
instead of analysing every profile; the facade then tops the indexes up with the rows
changed since ``synced_at`` and, every ``CHECK_SECONDS``, looks for a newer snapshot.

Only snapshots of this code's ``FORMAT`` and ``fingerprint`` are considered; with none
(an empty database, the tests, a new release before the job ran) the facade builds the
indexes from the rows as it always did.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from marketplace.matching import snapshot as container
from marketplace.matching.model import ModelSource
from marketplace.models.matching import MatcherSnapshot

log = logging.getLogger(__name__)

# How often a process looks for a newer snapshot (seconds; one small query).
CHECK_SECONDS = 30.0
# Snapshot rows kept in the database (older ones are deleted by the job).
KEEP_VERSIONS = 3
CACHE_FOLDER = "matcher-cache"


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot row without its payload."""

    id: int
    version: int
    synced_at: datetime
    sha256: str
    size_bytes: int
    n_profiles: int
    n_missions: int


_INFO_COLUMNS = (
    MatcherSnapshot.id,
    MatcherSnapshot.version,
    MatcherSnapshot.synced_at,
    MatcherSnapshot.sha256,
    MatcherSnapshot.size_bytes,
    MatcherSnapshot.n_profiles,
    MatcherSnapshot.n_missions,
)


def latest(session: Session) -> SnapshotInfo | None:
    """The newest snapshot this code can load, or None."""
    row = session.execute(
        select(*_INFO_COLUMNS)
        .where(MatcherSnapshot.format == container.FORMAT, MatcherSnapshot.fingerprint == container.fingerprint())
        .order_by(MatcherSnapshot.version.desc())
        .limit(1)
    ).first()
    return SnapshotInfo(*row) if row is not None else None


def cache_folder() -> Path:
    return Path(current_app.config.get("MATCHER_CACHE_DIR") or Path(current_app.instance_path) / CACHE_FOLDER)


def _cache_path(info: SnapshotInfo) -> Path:
    return cache_folder() / f"index-v{info.version}-{info.sha256[:16]}.mkidx"


def open_snapshot(session: Session, info: SnapshotInfo, model: ModelSource | None = None) -> container.Snapshot | None:
    """The indexes of ``info``: mapped from the local copy, fetched into it first if needed.

    None when the row went away meanwhile (pruned) or its payload does not check out.
    """
    path = _cache_path(info)
    if path.exists():
        try:
            return container.load(path, model)
        except (container.IncompatibleSnapshot, ValueError, OSError) as exc:
            log.warning("matcher snapshot cache %s unreadable (%s): fetching it again", path, exc)
            path.unlink(missing_ok=True)
    payload = session.scalar(select(MatcherSnapshot.payload).where(MatcherSnapshot.id == info.id))
    if payload is None:
        return None
    data = zlib.decompress(payload)
    if hashlib.sha256(data).hexdigest() != info.sha256:
        log.error("matcher snapshot v%s: payload does not match its SHA-256; ignored", info.version)
        return None
    try:
        container.write(path, data)
        _prune_cache(path)
    except OSError as exc:  # no writable instance folder: keep it in memory
        log.warning("matcher snapshot v%s not cached on disk (%s)", info.version, exc)
        return container.load(data, model)
    return container.load(path, model)


def _prune_cache(current: Path) -> None:
    """Local copies of older snapshots go (processes still mapping them keep their pages)."""
    for path in current.parent.glob("index-v*.mkidx"):
        if path != current:
            path.unlink(missing_ok=True)


def save(
    session: Session,
    data: bytes,
    *,
    synced_at: datetime,
    n_profiles: int,
    n_missions: int,
    model_version: int | None = None,
    meta: dict | None = None,
) -> MatcherSnapshot:
    """Keep container bytes as the next snapshot version (in the caller's transaction)."""
    version = (session.scalar(select(func.max(MatcherSnapshot.version))) or 0) + 1
    row = MatcherSnapshot(
        version=version,
        synced_at=synced_at,
        format=container.FORMAT,
        fingerprint=container.fingerprint(),
        model_version=model_version,
        n_profiles=n_profiles,
        n_missions=n_missions,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        meta=dict(meta or {}),
        payload=zlib.compress(data, 1),
    )
    session.add(row)
    session.flush()
    prune(session)
    return row


def prune(session: Session, keep: int = KEEP_VERSIONS) -> int:
    """Delete all but the ``keep`` newest snapshots; how many went."""
    versions = list(session.scalars(select(MatcherSnapshot.version).order_by(MatcherSnapshot.version.desc())))
    if len(versions) <= keep:
        return 0
    cut = versions[keep - 1]
    session.execute(delete(MatcherSnapshot).where(MatcherSnapshot.version < cut))
    return len(versions) - keep
