"""A recommended freelancer's profile, as a client sees it before inviting."""

from __future__ import annotations

from flask import abort, render_template, request

from marketplace.db import db
from marketplace.models.missions import Mission, MissionStatus
from marketplace.services.missions import queries as mission_queries
from marketplace.services.profiles import client_view
from marketplace.web.authz import scoped
from marketplace.web.sme import bp
from marketplace.web.sme.forms import InviteForm

MAX_ID_DIGITS = 9


def _mission_arg() -> Mission | None:
    """The company's mission named by ``?mission=`` (anything else is ignored)."""
    raw = (request.args.get("mission") or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
        return None
    return db.session.scalar(scoped(Mission).where(Mission.id == int(raw)))


@bp.route("/freelances/<int:profile_id>")
def freelancer_profile(profile_id: int):
    """A vetted freelancer's profile: presentation, days, rate, skills, history, vetting; no contact details."""
    view = client_view.for_client(db.session, profile_id)
    if view is None:
        abort(404)
    mission = _mission_arg()
    application = None
    if mission is not None:
        application = mission_queries.application_of(db.session, mission.id, profile_id)
    return render_template(
        "sme/freelancer_profile.html", view=view, mission=mission, application=application,
        can_invite=mission is not None and mission.status == MissionStatus.PUBLISHED.value and application is None,
        invite_form=InviteForm())
