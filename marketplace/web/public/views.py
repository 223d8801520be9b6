"""Public pages: home, how it works, one page per audience, legal pages."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l

from marketplace import legal as legal_rules
from marketplace.db import db
from marketplace.extensions import limiter
from marketplace.platform import health
from marketplace.platform.memo import Expiring
from marketplace.services.contracts import rules as contract_rules
from marketplace.services.matching import facade as matching
from marketplace.services.missions import queries as mission_queries
from marketplace.services.privacy import rules as privacy_rules
from marketplace.services.profiles import queries as profile_queries
from marketplace.web.public import bp


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Readiness for load balancers and orchestrators: 200 when the database (and Redis) answer, else 503."""
    report = health.check()
    ok = health.healthy(report)
    return jsonify(status="ok" if ok else "unavailable", **report), 200 if ok else 503


@bp.route("/healthz/live")
@limiter.exempt
def liveness():
    """Liveness: the process answers, nothing else is asked (no database, no Redis, no template).

    What a supervisor polls to restart a stuck worker, and the bare endpoint the load
    benchmark (``benchmarks/load.py``) compares every page with.
    """
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/healthz/matcher")
@limiter.exempt
def healthz_matcher():
    """The matcher model and index snapshot this process uses: every process of a deployment should agree."""
    return jsonify(matching.in_service())


# The home page's figures lag at most a minute behind the rows (each process counts them
# once a minute, not once a visitor).
HOME_FIGURES_SECONDS = 60


@bp.route("/")
def home():
    """The home page, for SME directors and freelance office managers."""
    figures = current_app.extensions.setdefault("marketplace.home_figures", Expiring(HOME_FIGURES_SECONDS))
    counts = figures.get("counts", lambda: {
        "freelancers": profile_queries.vetted_count(db.session),
        "missions": mission_queries.published_count(db.session),
    })
    return render_template("public/home.html", counts=counts)


@bp.route("/comment-ca-marche")
def how_it_works():
    """The journey from diagnostic to monthly invoice, step by step."""
    return render_template("public/how_it_works.html")


@bp.route("/entreprises")
def for_smes():
    """What the marketplace brings an SME."""
    return render_template("public/for_smes.html")


@bp.route("/office-managers")
def for_freelancers():
    """What the marketplace brings a freelance office manager."""
    return render_template("public/for_freelancers.html")


LEGAL_PAGES = {
    "mentions-legales": _l("Mentions légales"),
    "conditions-generales": _l("Conditions générales d'utilisation"),
    "confidentialite": _l("Politique de confidentialité"),
}


@bp.route("/legal/<page>")
def legal(page: str):
    """Legal notices, terms of use and privacy policy."""
    if page not in LEGAL_PAGES:
        abort(404)
    return render_template(f"public/legal_{page.replace('-', '_')}.html", title=LEGAL_PAGES[page],
                           schedule=privacy_rules.SCHEDULE, cookies=privacy_rules.COOKIES,
                           legal=legal_rules, mandate=legal_rules.mandate_clauses(), mandate_version=legal_rules.MANDATE_VERSION,
                           contest_days=legal_rules.MANDATE_CONTEST_DAYS,
                           payment_days=contract_rules.DEFAULT_PAYMENT_TERMS_DAYS,
                           max_payment_days=contract_rules.MAX_PAYMENT_TERMS_DAYS)
