"""The matcher's fitted models, kept where every machine sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from marketplace.db import Base, utcnow


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
