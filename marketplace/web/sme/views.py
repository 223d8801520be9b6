"""The SME area: everything is scoped to the current user's company."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from marketplace.db import db
from marketplace.models.missions import Application, ApplicationStatus, Mission
from marketplace.web.authz import scoped, sme_required
from marketplace.web.sme import bp


@bp.route("/")
@sme_required
def dashboard():
    """The SME dashboard: missions by status and applications waiting."""
    missions = db.session.scalars(scoped(Mission).order_by(Mission.created_at.desc())).all()
    by_status: dict[str, int] = {}
    for mission in missions:
        by_status[mission.status] = by_status.get(mission.status, 0) + 1
    waiting = db.session.scalar(
        scoped(Application, select(func.count()).select_from(Application)).where(
            Application.status == ApplicationStatus.APPLIED.value
        )
    )
    return render_template(
        "sme/dashboard.html",
        company=current_user.company,
        missions=missions,
        by_status=by_status,
        waiting_applications=waiting,
    )
