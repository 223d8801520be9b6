"""Jobs of the messaging area, registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.messaging import notifications

log = logging.getLogger(__name__)


@job("messaging.notify")
def notify(session: Session, thread_id: int) -> int:
    """E-mail the other side of a thread about its new messages (once per window; idempotent)."""
    return notifications.send_due(session, thread_id)


# Not recorded: a lost tick is caught up by the next one, five minutes later.
@job("messaging.notify_pending", recorded=False)
def notify_pending(session: Session) -> int:
    """Send the e-mails held back by the batching window (cron, every few minutes)."""
    sent = notifications.send_all_due(session)
    if sent:
        log.info("messages: %d notification e-mails sent after their window", sent)
    return sent
