"""« Mes données » and « Fermer mon compte » in the account settings: export, closure, cancellation."""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_login.signals import session_protected
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.db import db
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import limiter
from marketplace.services.privacy import closures, exports
from marketplace.services.privacy import queries as privacy_queries
from marketplace.web import security
from marketplace.web.auth import bp
from marketplace.web.auth.forms import PASSWORD_LENGTH, ChangePasswordForm, LanguageForm
from marketplace.web.boundary import attempt, submit
from marketplace.web.forms import REQUIRED, BaseForm, client_ip


@session_protected.connect
def _no_needless_cookie(app, **_extra) -> None:
    """Only the cookies the site needs: an anonymous session "fails" Flask-Login's strong protection on each
    request (it has a CSRF token but no identifier), which would send a ``remember_token`` deletion every time;
    without such a cookie in the request there is nothing to clear."""
    if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies:
        session.pop("_remember", None)


class ExportForm(BaseForm):
    """A button: ask for the archive of one's data."""


class CloseAccountForm(BaseForm):
    password = PasswordField(_l("Votre mot de passe, pour confirmer"), validators=[DataRequired(REQUIRED), PASSWORD_LENGTH])
    reason = TextAreaField(_l("Pourquoi partez-vous ? (facultatif)"), validators=[Length(max=1000)])
    close_company = BooleanField(_l("Je ferme aussi le compte de l'entreprise et ceux de son équipe"))


class CancelClosureForm(BaseForm):
    """A button: keep one's account."""


def render_settings(password_form=None, language_form=None, close_form: CloseAccountForm | None = None) -> str:
    """The settings page: password, language, the person's data and the closure of the account."""
    return render_template(
        "auth/settings.html", password_form=password_form or ChangePasswordForm(prefix="pw"),
        language_form=language_form or LanguageForm(locale=current_user.locale),
        privacy=privacy_queries.settings_state(db.session, current_user), export_form=ExportForm(prefix="export"),
        close_form=close_form or CloseAccountForm(prefix="close"),
        cancel_closure_form=CancelClosureForm(prefix="cancel"),
    )


def after_login_url(user) -> str | None:
    """A closing account lands on its settings, told how to cancel (None: nothing programmed)."""
    closure = privacy_queries.open_closure(db.session, user)
    if closure is None:
        return None
    flash(f"La fermeture de votre compte est programmée : vos données seront effacées le "
          f"{closure.erase_after:%d/%m/%Y}. Vous pouvez l'annuler ci-dessous.", "warning")
    return url_for("auth.settings")


@bp.route("/donnees/export", methods=["POST"])
@login_required
def privacy_export():
    """Ask for the archive of everything the platform holds about oneself (built by a job, link e-mailed)."""
    form = ExportForm(prefix="export")
    if form.validate_on_submit():
        attempt(lambda: exports.request_export(db.session, current_user._get_current_object()), success=(
            "Votre archive est en préparation : un lien pour la télécharger vous est envoyé par e-mail."))
    return redirect(url_for("auth.settings"))


@bp.route("/donnees/export/<token>")
@login_required
@limiter.limit(security.TOKEN_LINKS_PER_ADDRESS, key_func=security.client_address)
def privacy_export_download(token: str):
    """Download one's archive from the e-mailed link: only its owner, logged in, before it expires."""
    if len(token) > 300:
        abort(404)
    try:
        export = exports.export_for_download(db.session, token, current_user)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("auth.settings"))
    try:
        content = exports.read(export)
    except FileNotFoundError:
        abort(404)
    attempt(lambda: exports.mark_downloaded(db.session, export, client_ip()))
    response = Response(content, mimetype="application/zip")
    name = f"mes-donnees-{export.ready_at:%Y-%m-%d}.zip"
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/fermeture", methods=["POST"])
@login_required
def close_account():
    """Close one's account: the sessions end, the data is erased after the grace period unless cancelled."""
    form = CloseAccountForm(prefix="close")
    done = submit(
        form,
        lambda: closures.request_closure(
            db.session, current_user._get_current_object(), password=form.password.data or "",
            reason=form.reason.data or "", close_company=bool(form.close_company.data)),
        success=lambda closure: (
            f"Votre compte est fermé. Vos données seront effacées le {closure.erase_after:%d/%m/%Y} ; "
            "d'ici là, reconnectez-vous pour annuler."),
    )
    if done:
        logout_user()
        return redirect(url_for("public.home"))
    return render_settings(close_form=form), 422


@bp.route("/fermeture/annuler", methods=["POST"])
@login_required
def cancel_closure():
    """Keep one's account: the programmed erasure is cancelled."""
    form = CancelClosureForm(prefix="cancel")
    if form.validate_on_submit():
        attempt(lambda: closures.cancel_closure(db.session, current_user._get_current_object()),
                success="La fermeture de votre compte est annulée : rien ne sera effacé.")
    return redirect(url_for("auth.settings"))

