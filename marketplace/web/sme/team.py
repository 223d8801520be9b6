"""Team accounts: the owner invites colleagues, who join through an e-mailed link."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from marketplace import i18n
from marketplace.db import db
from marketplace.errors import DomainError
from marketplace.extensions import limiter
from marketplace.models.companies import TeamInvitation
from marketplace.services.accounts import queries as account_queries
from marketplace.services.accounts import teams
from marketplace.web import security
from marketplace.web.authz import company_owner_required, get_scoped_or_404
from marketplace.web.boundary import attempt, submit
from marketplace.web.sme import bp
from marketplace.web.sme.forms import ActionForm, JoinTeamForm, TeamInviteForm


def _render_team(form: TeamInviteForm, status: int = 200):
    company = current_user.company
    return render_template(
        "sme/team.html", company=company, members=teams.members(db.session, company),
        invitations=teams.pending_invitations(db.session, company), form=form, action_form=ActionForm(),
    ), status


@bp.route("/equipe")
def team():
    """Who can act for the company; the owner manages it."""
    return _render_team(TeamInviteForm())


@bp.route("/equipe/invitations", methods=["POST"])
@company_owner_required
def team_invite():
    """Invite a colleague by e-mail (owner only)."""
    form = TeamInviteForm()
    if form.validate_on_submit():
        done = attempt(
            lambda: teams.invite(db.session, current_user.company, current_user, form.email.data),
            form=form, success=lambda invitation: f"Invitation envoyée à {invitation.email} : le lien est valable 7 jours.",
        )
        if done:
            return redirect(url_for("sme.team"))
    return _render_team(form, status=422)


@bp.route("/equipe/invitations/<int:invitation_id>/annuler", methods=["POST"])
@company_owner_required
def team_revoke(invitation_id: int):
    """Cancel a pending invitation (owner only)."""
    invitation = get_scoped_or_404(TeamInvitation, invitation_id)
    if ActionForm().validate():
        attempt(lambda: teams.revoke(db.session, invitation, current_user),
                success=f"Invitation de {invitation.email} annulée.", category="info")
    return redirect(url_for("sme.team"))


@bp.route("/equipe/membres/<int:user_id>/retirer", methods=["POST"])
@company_owner_required
def team_remove(user_id: int):
    """Remove a member: their account is closed (owner only)."""
    member = account_queries.company_member(db.session, current_user.company_id, user_id)
    if member is None:
        abort(404)
    if ActionForm().validate():
        attempt(lambda: teams.remove_member(db.session, current_user.company, current_user, member),
                success=f"{member.display_name} n'a plus accès à l'espace de l'entreprise.", category="info")
    return redirect(url_for("sme.team"))


@bp.route("/equipe/rejoindre/<token>", methods=["GET", "POST"])
@limiter.limit(security.TOKEN_LINKS_PER_ADDRESS, key_func=security.client_address)
def join_team(token: str):
    """Accept an invitation: choose a name and a password, then land on the company's dashboard."""
    try:
        invitation = teams.invitation_for_token(db.session, token)
    except DomainError as exc:
        return render_template("sme/join_invalid.html", message=exc.message), 400
    if current_user.is_authenticated and current_user.email != invitation.email:
        return render_template("sme/join_invalid.html", invitation=invitation, message=(
            f"Cette invitation est adressée à {invitation.email}, mais vous êtes connecté·e avec "
            f"{current_user.email}. Déconnectez-vous puis rouvrez le lien."), logged_in=True), 409
    form = JoinTeamForm()
    if form.is_submitted():
        done = submit(
            form,
            lambda: teams.accept(db.session, token, first_name=form.first_name.data, last_name=form.last_name.data,
                                 password=form.password.data),
            success=_("Bienvenue dans l'espace %(of_company)s !", of_company=i18n.de(invitation.company.legal_name)),
        )
        if done:
            logout_user()
            login_user(done.value)
            return redirect(url_for("sme.dashboard"))
    return render_template("sme/join.html", invitation=invitation, form=form), 422 if form.errors else 200
