"""Applications on the SME side: scored list per mission, shortlist, invite, decline, accept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.db import db
from marketplace.models.missions import Application, Mission
from marketplace.services.contracts import queries as contract_queries
from marketplace.services.contracts import satisfaction
from marketplace.services.missions import hiring
from marketplace.services.missions.rules import DEFAULT_DECLINE_MESSAGE
from marketplace.services.profiles import queries as profile_queries
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.boundary import attempt
from marketplace.web.sme import bp
from marketplace.web.sme.forms import ActionForm, DeclineForm, InviteForm


def _back(application: Application) -> str:
    target = request.form.get("back")
    if target == "detail":
        return url_for("sme.application", application_id=application.id)
    return url_for("sme.mission_applications", mission_id=application.mission_id) + f"#candidature-{application.id}"


@bp.route("/missions/<int:mission_id>/candidatures")
def mission_applications(mission_id: int):
    """Every application to one mission, with its score and the reasons behind it."""
    mission = get_scoped_or_404(Mission, mission_id)
    applicants = hiring.applicants(db.session, mission)
    return render_template(
        "sme/applications.html", mission=mission, applicants=applicants,
        action_form=ActionForm(), decline_form=DeclineForm(message=DEFAULT_DECLINE_MESSAGE),
        contract_ids=contract_queries.contract_ids_by_application(db.session, [a.application.id for a in applicants]),
    )


@bp.route("/candidatures/<int:application_id>")
def application(application_id: int):
    """One applicant's profile, score breakdown, clients' satisfaction and the decisions available."""
    application = get_scoped_or_404(Application, application_id)
    return render_template(
        "sme/application.html", applicant=hiring.applicant(db.session, application), mission=application.mission,
        action_form=ActionForm(), decline_form=DeclineForm(message=DEFAULT_DECLINE_MESSAGE),
        contract_ids=contract_queries.contract_ids_by_application(db.session, [application.id]),
        satisfaction=satisfaction.freelancer_average(db.session, application.freelancer_id),
    )


@bp.route("/candidatures/<int:application_id>/preselectionner", methods=["POST"])
def application_shortlist(application_id: int):
    """Shortlist an application."""
    application = get_scoped_or_404(Application, application_id)
    if ActionForm().validate():
        attempt(lambda: hiring.shortlist(db.session, application, current_user),
                success=f"{application.freelancer.display_name} est présélectionné·e.")
    return redirect(_back(application))


@bp.route("/candidatures/<int:application_id>/accepter", methods=["POST"])
def application_accept(application_id: int):
    """Accept an application: the decision is recorded and both sides are told."""
    application = get_scoped_or_404(Application, application_id)
    if ActionForm().validate():
        attempt(lambda: hiring.accept(db.session, application, current_user), success=(
            f"Vous avez retenu {application.freelancer.display_name}. Le document de cadrage est rédigé : "
            "relisez-le, acceptez-le ou proposez vos modifications. Rien n'est réservé avant la signature des "
            "deux parties."))
    return redirect(_back(application))


@bp.route("/candidatures/<int:application_id>/decliner", methods=["GET", "POST"])
def application_decline(application_id: int):
    """Decline with a message the freelancer receives by e-mail."""
    application = get_scoped_or_404(Application, application_id)
    form = DeclineForm() if request.method == "POST" else DeclineForm(message=DEFAULT_DECLINE_MESSAGE)
    if form.validate_on_submit():
        done = attempt(lambda: hiring.decline(db.session, application, current_user, form.message.data or ""),
                       form=form, success=f"Réponse envoyée à {application.freelancer.display_name}.", category="info")
        if done:
            return redirect(_back(application))
    status = 422 if request.method == "POST" else 200
    return render_template("sme/application_decline.html", application=application, form=form), status


@bp.route("/missions/<int:mission_id>/inviter/<int:profile_id>", methods=["POST"])
def mission_invite(mission_id: int, profile_id: int):
    """Invite a recommended freelancer to apply."""
    mission = get_scoped_or_404(Mission, mission_id)
    profile = profile_queries.profile(db.session, profile_id)
    if profile is None:
        abort(404)
    form = InviteForm()
    if form.validate():
        attempt(lambda: hiring.invite(db.session, mission, profile, current_user, form.message.data or ""),
                success=f"Invitation envoyée à {profile.display_name} : sa candidature apparaîtra avec les autres.")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("sme.mission", mission_id=mission.id) + "#recommandes")
