"""Messaging constants: the bounds of a message, who may still write, how often an e-mail goes out."""

from __future__ import annotations

from datetime import timedelta

from marketplace.models.messaging import MESSAGE_MAX_CHARS
from marketplace.models.missions import ApplicationStatus

__all__ = ["MESSAGE_MAX_CHARS"]

# An application's thread takes new messages while the application is open or accepted;
# once declined, withdrawn or closed it stays readable (a contract drafted from it reopens it).
WRITABLE_APPLICATION_STATUSES = frozenset({
    ApplicationStatus.APPLIED.value, ApplicationStatus.SHORTLISTED.value, ApplicationStatus.INVITED.value,
    ApplicationStatus.ACCEPTED.value,
})

# At most one e-mail per thread and recipient in this window; what arrives meanwhile waits for
# the next e-mail (sent by the periodic job once the window is over).
NOTIFY_EVERY = timedelta(minutes=15)
# The periodic job looks at threads with a message this recent (older ones were told of long ago).
NOTIFY_LOOKBACK = timedelta(days=3)
NOTIFY_TEMPLATE = "message_received"
# How much of the latest message the e-mail quotes.
EXCERPT_CHARS = 300

# What an erased message shows in place of its body.
ERASED_BODY = "Message effacé à la fermeture du compte de son auteur."
