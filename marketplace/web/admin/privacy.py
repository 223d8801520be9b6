"""The operator's privacy page: the register of processing activities and the pending erasures."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db
from marketplace.models.privacy import CLOSURE_STATUS_LABELS
from marketplace.services.privacy import closures
from marketplace.services.privacy import queries as privacy_queries
from marketplace.web.admin import bp
from marketplace.web.boundary import attempt
from marketplace.web.context import add_nav_item
from marketplace.web.forms import BaseForm, client_ip

add_nav_item("admin", "admin.privacy", _l("Confidentialité"))


@bp.route("/confidentialite")
def privacy():
    """The register (what data, why, how long, who sees it) and the erasures to come, with hold and resume."""
    return render_template(
        "admin/privacy.html", register=privacy_queries.register(),
        erasures=privacy_queries.pending_erasures(db.session),
        erased=privacy_queries.recent_erasures(db.session), kept=privacy_queries.kept_counts(db.session),
        labels=CLOSURE_STATUS_LABELS, form=BaseForm(),
    )


@bp.route("/confidentialite/fermetures/<int:closure_id>/suspendre", methods=["POST"])
def privacy_hold(closure_id: int):
    """« Suspendre »: hold a programmed erasure, with the reason (an open dispute, an unpaid invoice)."""
    form = BaseForm()
    if form.validate_on_submit():
        reason = " ".join((request.form.get("reason") or "").split())[:1000]
        attempt(lambda: closures.hold(db.session, current_user, closure_id, reason, ip_address=client_ip()),
                success="Effacement suspendu.")
    return redirect(url_for("admin.privacy"))


@bp.route("/confidentialite/fermetures/<int:closure_id>/reprendre", methods=["POST"])
def privacy_resume(closure_id: int):
    """« Reprendre »: lift the hold; the erasure runs at once when its grace period is over."""
    form = BaseForm()
    if form.validate_on_submit():
        attempt(lambda: closures.resume(db.session, current_user, closure_id, ip_address=client_ip()),
                success="Effacement repris.")
    return redirect(url_for("admin.privacy"))
