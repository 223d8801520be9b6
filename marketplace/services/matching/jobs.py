"""Jobs of the matching area, registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform import jobs
from marketplace.platform.jobs import job
from marketplace.services.matching import facade

log = logging.getLogger(__name__)


@job("matching.retrain", timeout=1800)
def retrain(session: Session) -> dict:
    """Refit the matcher on the marketplace's outcomes (cron, nightly).

    A refit refused by validation keeps the old model and the job succeeds; a refit
    that crashes fails the job (visible, retried) and also keeps the old model. A new
    model is followed by a fresh index snapshot.
    """
    result = facade.retrain(session)
    log.info("matcher retrain: accepted=%s version=%s reason=%s", result.accepted, result.version, result.reason)
    if result.accepted:
        jobs.enqueue(session, "matching.snapshot", dedupe_key="matching.snapshot")
    return {"accepted": result.accepted, "version": result.version, "reason": result.reason}


@job("matching.snapshot", timeout=3600)
def snapshot(session: Session) -> dict:
    """Build the matcher's indexes into a new snapshot every process loads (cron, nightly).

    The snapshot is versioned and kept in the database (the three newest); processes
    map it instead of analysing every profile, then top it up with what changed since.
    """
    info = facade.build_snapshot(session)
    log.info(
        "matcher snapshot v%s: %s profiles, %s missions, %s bytes",
        info.version, info.n_profiles, info.n_missions, info.size_bytes,
    )
    return {
        "version": info.version, "profiles": info.n_profiles, "missions": info.n_missions, "bytes": info.size_bytes,
    }
