"""Contracts on the freelancer side: the shared contract pages under ``/freelance/contrats``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.web import contract_views
from marketplace.web.context import add_nav_item
from marketplace.web.freelancer import bp

contract_views.register(bp)
add_nav_item("freelancer", "freelancer.contracts", _l("Contrats"))
