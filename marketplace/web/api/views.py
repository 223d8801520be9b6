"""The JSON API: same services, same scoping, JSON errors (401/403/404)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import text

from marketplace.db import db
from marketplace.extensions import csrf
from marketplace.geo import search_communes
from marketplace.models.missions import Mission
from marketplace.services.matching import facade as matching
from marketplace.web.api import bp
from marketplace.web.authz import freelancer_required, get_scoped_or_404, sme_required
from marketplace.web.forms import page_arg, query_text

# The API reads with GET and authenticates with the session cookie; state-changing
# endpoints added later keep CSRF protection through the X-CSRFToken header.


@bp.route("/health")
@csrf.exempt
def health():
    """Liveness and database reachability, for load balancers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/me")
def me():
    """The current account, or 401."""
    if not current_user.is_authenticated:
        return jsonify(error="authentication_required", message="Authentification requise."), 401
    data = {
        "id": current_user.id,
        "email": current_user.email,
        "role": current_user.role,
        "name": current_user.display_name,
        "locale": current_user.locale,
    }
    if current_user.company is not None:
        data["company"] = {"id": current_user.company.id, "name": current_user.company.legal_name}
    if current_user.freelancer_profile is not None:
        data["freelancer_profile"] = {
            "id": current_user.freelancer_profile.id,
            "status": current_user.freelancer_profile.status,
        }
    return jsonify(data)


@bp.route("/communes")
def communes():
    """Commune name suggestions for city fields (bundled table, no network)."""
    query = query_text("q", 80)
    return jsonify(
        [
            {"id": c.id, "name": c.name, "label": c.label, "region": c.region, "lat": c.latitude, "lon": c.longitude}
            for c in search_communes(query, limit=10)
        ]
    )


def _match_json(result, *, mission=None, profile=None) -> dict:
    band = result.band
    data = {
        "score": result.score, "expected_grade": None if result.grade is None else round(result.grade, 3),
        "band": band.code if band else None, "band_label": band.label if band else None,
        "reasons": result.breakdown(),
    }
    if mission is not None:
        data["mission"] = {"id": mission.id, "title": mission.title, "company": mission.company.legal_name}
    if profile is not None:
        data["freelancer"] = {"id": profile.id, "name": profile.display_name, "headline": profile.headline}
    return data


@bp.route("/missions/<int:mission_id>/recommandations")
@sme_required
def mission_recommendations(mission_id: int):
    """The best eligible freelancers for one of the SME's missions, explained."""
    mission = get_scoped_or_404(Mission, mission_id)
    k = min(page_arg("k") if request.args.get("k") else 20, 100)
    return jsonify(
        mission_id=mission.id,
        results=[_match_json(r, profile=p) for r, p in matching.recommended(db.session, mission, k)],
    )


@bp.route("/freelance/missions")
@freelancer_required
def missions_for_me():
    """The published missions the current freelancer can take, best first, explained."""
    profile = current_user.freelancer_profile
    k = min(page_arg("k") if request.args.get("k") else 20, 100)
    return jsonify(results=[_match_json(r, mission=m) for r, m in matching.missions_for(db.session, profile, k)])
