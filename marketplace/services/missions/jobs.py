"""Jobs of the missions area, registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.missions import hiring

log = logging.getLogger(__name__)


@job("missions.remind_waiting_applications")
def remind_waiting_applications(session: Session) -> int:
    """E-mail SME owners the applications waiting two days or more for an answer (cron, weekdays)."""
    sent = hiring.send_waiting_digests(session)
    if sent:
        log.info("waiting applications: %d digests sent", sent)
    return sent
