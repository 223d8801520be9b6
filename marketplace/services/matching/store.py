"""The matcher's model versions in the database: one row per refitted version.

Every web and RQ process reads the same table, so a model refitted by a worker on
one machine is used by the web processes of every other machine within seconds.
Reading uses short connections of the engine: loading a model never joins the
caller's transaction. Saving goes through the caller's session when one is given
(the refit job's: the new version commits with the job, or not at all).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from marketplace.matching.model import MatchModel
from marketplace.matching.store import jsonable
from marketplace.models.matching import MatcherModel


class DatabaseBackend:
    """Model versions as rows of ``matcher_models``."""

    def __init__(self, engine: Engine, session: Session | None = None) -> None:
        self.engine = engine
        self.session = session

    def latest_version(self) -> int | None:
        if self.session is not None:
            return self.session.scalar(select(func.max(MatcherModel.version)))
        with self.engine.connect() as connection:
            return connection.scalar(select(func.max(MatcherModel.version)))

    def load_latest(self) -> MatchModel | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(MatcherModel.version, MatcherModel.artifact).order_by(MatcherModel.version.desc()).limit(1)
            ).first()
        if row is None:
            return None
        model = MatchModel.from_bytes(row.artifact)
        model.meta["version"] = row.version
        return model

    def save(self, model: MatchModel, version: int) -> None:
        row = MatcherModel(
            version=version,  # unique: two refits never share a version
            training_data_sha256=model.meta.get("training_data_sha256", ""),
            n_pairs=int(model.meta.get("n_pairs", 0)),
            n_outcome_pairs=int(model.meta.get("n_outcome_pairs", 0)),
            metrics=jsonable(model.meta.get("refit_metrics", {})),
            meta=jsonable({k: v for k, v in model.meta.items() if k not in ("z_mean", "refit_metrics")}),
            artifact=model.to_bytes(),
        )
        if self.session is not None:
            self.session.add(row)
            self.session.flush()
            return
        with Session(self.engine) as session, session.begin():
            session.add(row)
