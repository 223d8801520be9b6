"""The matcher's fitted models and index snapshots, kept where every machine sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from marketplace.db import Base, utcnow
from marketplace.models.companies import Company
from marketplace.models.missions import Mission


class MatcherModel(Base):
    """One refitted version of the scoring model: the artifact, its metrics, the data it learnt from.

    The newest version is the one in service; web and RQ processes notice a new one
    within seconds and load it (``services.matching.store``).
    """

    __tablename__ = "matcher_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SHA-256 of the training set (features, grades, weights): what the model was fitted on.
    training_data_sha256: Mapped[str] = mapped_column(String(64))
    n_pairs: Mapped[int]
    n_outcome_pairs: Mapped[int] = mapped_column(default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The joblib artifact, training set included (later refits start from it).
    artifact: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class MatcherSnapshot(Base):
    """One snapshot of the matcher's prepared indexes (profiles and published missions).

    Built by the ``matching.snapshot`` job; a process starting up loads the newest one
    its code can read (same ``format`` and ``fingerprint``) instead of analysing every
    profile, then tops it up with the rows changed since ``synced_at``
    (``services.matching.snapshots``). The model is not in it: the index does not
    depend on the fitted model.
    """

    __tablename__ = "matcher_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The rows were read as of this time: what changed after it is read again on loading.
    synced_at: Mapped[datetime]
    format: Mapped[str] = mapped_column(String(40))
    # SHA-256 of the text analysis and index layouts it was built with (code version).
    fingerprint: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[int | None]
    n_profiles: Mapped[int]
    n_missions: Mapped[int]
    # Size and SHA-256 of the container (uncompressed); the payload is it, zlib-compressed.
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payload: Mapped[bytes] = deferred(mapped_column(LargeBinary))


# What the matcher's incremental sync reads on every query: the missions and companies
# changed since its last look (a company's sector matters to its missions' non-compete).
Index("ix_missions_updated_at", Mission.updated_at)
Index("ix_companies_updated_at", Company.updated_at)
