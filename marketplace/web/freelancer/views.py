"""The freelancer area: everything is scoped to the current user's profile."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from marketplace.db import db
from marketplace.models.missions import Application
from marketplace.web.authz import freelancer_required, scoped
from marketplace.web.freelancer import bp


@bp.route("/")
@freelancer_required
def dashboard():
    """The freelancer dashboard: profile status and applications."""
    profile = current_user.freelancer_profile
    applications = db.session.scalars(scoped(Application).order_by(Application.created_at.desc())).all()
    return render_template("freelancer/dashboard.html", profile=profile, applications=applications)
