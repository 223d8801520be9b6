"""Jobs of the matching area, registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.matching import facade

log = logging.getLogger(__name__)


@job("matching.retrain", timeout=1800)
def retrain(session: Session) -> dict:
    """Refit the matcher on the marketplace's outcomes (cron, nightly).

    A refit refused by validation keeps the old model and the job succeeds; a refit
    that crashes fails the job (visible, retried) and also keeps the old model.
    """
    result = facade.retrain(session)
    log.info("matcher retrain: accepted=%s version=%s reason=%s", result.accepted, result.version, result.reason)
    return {"accepted": result.accepted, "version": result.version, "reason": result.reason}
