"""Public pages: home, how it works, one page per audience, legal pages."""

from __future__ import annotations

from flask import abort, jsonify, render_template

from marketplace.db import db
from marketplace.extensions import limiter
from marketplace.platform import health
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


@bp.route("/")
def home():
    """The home page, for SME directors and freelance office managers."""
    counts = {
        "freelancers": profile_queries.vetted_count(db.session),
        "missions": mission_queries.published_count(db.session),
    }
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
    "mentions-legales": "Mentions légales",
    "conditions-generales": "Conditions générales d'utilisation",
    "confidentialite": "Politique de confidentialité",
}


@bp.route("/legal/<page>")
def legal(page: str):
    """Legal notices, terms of use and privacy policy."""
    if page not in LEGAL_PAGES:
        abort(404)
    return render_template(f"public/legal_{page.replace('-', '_')}.html", title=LEGAL_PAGES[page],
                           schedule=privacy_rules.SCHEDULE, cookies=privacy_rules.COOKIES)
