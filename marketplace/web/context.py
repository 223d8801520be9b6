"""What every template can use: navigation per role, labels, the current language."""

from __future__ import annotations

from flask import Flask, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.i18n import LANGUAGES, translated_domain
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


# Menus too long for one line at 1366 px gather entries under a heading (a drop-down), in this order.
NAV_GROUPS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "admin": (
        ("vetting", _l("Vérification"), ("admin.vetting_queue", "admin.vetting_calendar")),
        ("money", _l("Contrats et argent"),
         ("admin.contracts", "admin.timesheets", "admin.invoices", "admin.billing_runs", "admin.payments")),
        ("platform", _l("Plateforme"), ("admin.users", "admin.job_intents", "admin.audit", "admin.privacy")),
    ),
    "freelancer": (
        ("money", _l("Contrats et factures"),
         ("freelancer.contracts", "freelancer.timesheets", "freelancer.invoices", "freelancer.payouts")),
    ),
}


def nav_menu() -> list[dict]:
    """The menu as links and groups of links: ``{"endpoint", "label"}`` or ``{"label", "children", "active"}``."""
    items = nav_items()
    groups = NAV_GROUPS.get(current_user.role, ()) if current_user.is_authenticated else ()
    group_of = {endpoint: key for key, _label, endpoints in groups for endpoint in endpoints}
    present = {endpoint for endpoint, _label in items}
    active = request.endpoint if has_request_context() else None
    menu, placed = [], {}
    for endpoint, label in items:
        key = group_of.get(endpoint)
        members = [e for e in next((m for k, _l2, m in groups if k == key), ()) if e in present]
        if key is None or len(members) < 2:
            menu.append({"endpoint": endpoint, "label": label})
            continue
        group = placed.setdefault(key, {"label": "", "children": [], "active": False})
        group["children"].append((endpoint, label))
        group["active"] = group["active"] or endpoint == active
    # Groups follow the single entries, in their declared order.
    for key, heading, _members in groups:
        if key in placed:
            placed[key]["label"] = heading
            menu.append(placed[key])
    return menu


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
            return {"domain": translated_domain}
        return {
            "nav_items": nav_items(),
            "nav_menu": nav_menu(),
            "current_locale": str(get_locale() or "fr"),
            "languages": LANGUAGES,
            "domain": translated_domain,
            "home_url": url_for(dashboard_endpoint(current_user)) if current_user.is_authenticated else url_for("public.home"),
            "active_endpoint": request.endpoint or "",
        }

