"""Sign-up, log-in/out, password reset, account settings."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.db import commit, db
from marketplace.errors import DomainError
from marketplace.services import accounts
from marketplace.web.auth import bp
from marketplace.web.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    FreelancerSignupForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
    SmeSignupForm,
)
from marketplace.web.authz import dashboard_endpoint
from marketplace.web.forms import client_ip, safe_next


def _after_login_url(user) -> str:
    return safe_next(url_for(dashboard_endpoint(user)))


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for(dashboard_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data, ip_address=client_ip())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            commit()
            login_user(user, remember=form.remember.data)
            session.pop("locale", None)
            flash(f"Bienvenue, {user.first_name or user.email} !", "success")
            return redirect(_after_login_url(user))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """Log out (POST only, CSRF-protected)."""
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("public.home"))


@bp.route("/inscription")
def signup():
    """Choose between an SME account and a freelancer account."""
    return render_template("auth/signup_choice.html")


@bp.route("/inscription/entreprise", methods=["GET", "POST"])
def signup_sme():
    """Create an SME account: the company and its owner."""
    form = SmeSignupForm()
    if request.method == "GET" and not form.headcount.data:
        # Coming from the diagnostic: its headcount travels in the next URL.
        headcount = parse_qs(urlsplit(safe_next("")).query).get("effectif", [""])[0]
        if headcount.isdigit() and 0 < int(headcount) <= 100000:
            form.headcount.data = int(headcount)
    if form.validate_on_submit():
        data = accounts.SmeSignup(
            email=form.email.data,
            password=form.password.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            company_name=form.company_name.data,
            siret=form.siret.data,
            headcount=form.headcount.data,
            sector=form.sector.data,
            city=form.city.data,
            phone=form.phone.data,
        )
        try:
            user = accounts.register_sme(db.session, data)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            commit()
            login_user(user)
            flash("Votre espace entreprise est prêt.", "success")
            return redirect(safe_next(url_for("sme.dashboard")))
    return render_template("auth/signup_sme.html", form=form)


@bp.route("/inscription/freelance", methods=["GET", "POST"])
def signup_freelancer():
    """Create a freelancer account with a draft profile."""
    form = FreelancerSignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_freelancer(
                db.session,
                email=form.email.data,
                password=form.password.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                phone=form.phone.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            commit()
            login_user(user)
            flash("Votre compte est créé : complétez votre profil pour le soumettre à vérification.", "success")
            return redirect(url_for("freelancer.dashboard"))
    return render_template("auth/signup_freelancer.html", form=form)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            db.session,
            form.email.data,
            lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        commit()
        flash(
            "Si un compte existe avec cette adresse, un e-mail avec un lien de réinitialisation "
            "vient de lui être envoyé. Le lien est valable une heure.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from the e-mailed link."""
    try:
        accounts.user_for_reset_token(db.session, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, token, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc if exc.field else DomainError(exc.message, "password"))
        else:
            commit()
            logout_user()
            flash("Votre mot de passe a été modifié. Connectez-vous avec le nouveau.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/parametres", methods=["GET", "POST"])
@login_required
def settings():
    """Change one's password and language."""
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(locale=current_user.locale)
    if request.method == "POST" and "pw-current_password" in request.form and password_form.validate():
        try:
            accounts.change_password(
                db.session, current_user, password_form.current_password.data, password_form.new_password.data
            )
        except DomainError as exc:
            db.session.rollback()
            password_form.add_domain_error(exc)
        else:
            commit()
            login_user(current_user._get_current_object(), fresh=True)  # keep this session; the others end
            flash("Mot de passe modifié. Vos autres sessions ont été déconnectées.", "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", password_form=password_form, language_form=language_form)


@bp.route("/langue", methods=["POST"])
def set_language():
    """Switch the interface language (saved on the account when logged in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data)
            commit()
        session["locale"] = form.locale.data
    return redirect(safe_next(url_for("public.home")))
