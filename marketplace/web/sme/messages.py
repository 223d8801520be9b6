"""Messages on the SME side: the shared thread pages under ``/entreprise``."""

from __future__ import annotations

from marketplace.web import messaging_views
from marketplace.web.sme import bp

messaging_views.register(bp)
