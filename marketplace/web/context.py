"""What every template can use: navigation per role, labels, the current language."""

from __future__ import annotations

from flask import Flask, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace import domain
from marketplace.i18n import LANGUAGES
from marketplace.platform.jobs import current_job
from marketplace.web.authz import dashboard_endpoint

NAVIGATION = {
    "sme": [
        ("sme.dashboard", _l("Tableau de bord")),
        ("sme.missions_list", _l("Missions")),
        ("sme.team", _l("Équipe")),
    ],
    "freelancer": [
        ("freelancer.dashboard", _l("Tableau de bord")),
        ("freelancer.profile", _l("Mon profil")),
        ("freelancer.missions", _l("Missions pour vous")),
        ("freelancer.applications", _l("Candidatures")),
    ],
    "admin": [
        ("admin.dashboard", _l("Vue d'ensemble")),
        ("admin.users", _l("Comptes")),
        ("admin.job_intents", _l("Tâches de fond")),
        ("admin.audit", _l("Journal d'audit")),
    ],
}
PUBLIC_NAVIGATION = [
    ("public.how_it_works", _l("Comment ça marche")),
    ("public.for_smes", _l("Entreprises")),
    ("public.for_freelancers", _l("Office managers")),
    ("public.diagnostic", _l("Diagnostic")),
    ("public.simulator", _l("Simulateur")),
]


def nav_items() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the current user's menu; later areas add theirs."""
    if current_user.is_authenticated:
        return NAVIGATION.get(current_user.role, [])
    return PUBLIC_NAVIGATION


def add_nav_item(role: str, endpoint: str, label: str) -> None:
    """Let a blueprint add an entry to a role's menu (kept once)."""
    items = NAVIGATION.setdefault(role, [])
    if (endpoint, label) not in items:
        items.append((endpoint, label))


def register(app: Flask) -> None:
    @app.context_processor
    def _inject() -> dict:
        # E-mails rendered by a job or the CLI; a job run inline after a request's commit renders
        # for its recipient, never with the request's user (whose row would be read again mid-job).
        if not has_request_context() or current_job.get() is not None:
            return {"domain": domain}
        return {
            "nav_items": nav_items(),
            "current_locale": str(get_locale() or "fr"),
            "languages": LANGUAGES,
            "domain": domain,
            "home_url": url_for(dashboard_endpoint(current_user)) if current_user.is_authenticated else url_for("public.home"),
            "active_endpoint": request.endpoint or "",
        }

