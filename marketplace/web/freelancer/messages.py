"""Messages on the freelancer side: the shared thread pages under ``/freelance``."""

from __future__ import annotations

from marketplace.web import messaging_views
from marketplace.web.freelancer import bp

messaging_views.register(bp)
