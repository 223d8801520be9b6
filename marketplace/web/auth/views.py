"""Sign-up, log-in/out, password reset, account settings."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.db import db
from marketplace.errors import DomainError
from marketplace.extensions import limiter
from marketplace.services.accounts import operations as accounts
from marketplace.web import security
from marketplace.web.auth import bp, privacy
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
from marketplace.web.boundary import attempt, submit
from marketplace.web.forms import client_ip, safe_next


def _keep_language(user):
    """The language chosen before logging in or signing up (the switcher's session choice) becomes the account's."""
    chosen = session.pop("locale", None)
    if chosen and chosen != user.locale:
        accounts.set_locale(user, chosen)
    return user


def _after_login_url(user) -> str:
    return privacy.after_login_url(user) or safe_next(url_for(dashboard_endpoint(user)))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(security.LOGIN_PER_ADDRESS, methods=["POST"], key_func=security.client_address,
               deduct_when=security.failed_form)
@limiter.limit(security.LOGIN_PER_ACCOUNT, methods=["POST"], key_func=security.account_key,
               deduct_when=security.failed_form)
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for(dashboard_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        done = attempt(
            lambda: _keep_language(
                accounts.authenticate(db.session, form.email.data, form.password.data, ip_address=client_ip())),
            form=form, success=lambda user: _("Bienvenue, %(name)s !", name=user.first_name or user.email),
        )
        if done:
            login_user(done.value, remember=form.remember.data)
            return redirect(_after_login_url(done.value))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """Log out (POST only, CSRF-protected): every cookie issued before stops working."""
    if current_user.is_authenticated:
        attempt(lambda: accounts.logout(db.session, current_user._get_current_object()))
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("public.home"))


@bp.route("/inscription")
def signup():
    """Choose between an SME account and a freelancer account."""
    return render_template("auth/signup_choice.html")


def _sme_signup(form: SmeSignupForm) -> accounts.SmeSignup:
    return accounts.SmeSignup(
        email=form.email.data, password=form.password.data, first_name=form.first_name.data,
        last_name=form.last_name.data, company_name=form.company_name.data, siret=form.siret.data,
        headcount=form.headcount.data, sector=form.sector.data, city=form.city.data, phone=form.phone.data,
    )


@bp.route("/inscription/entreprise", methods=["GET", "POST"])
@limiter.limit(security.SIGNUP_PER_ADDRESS, methods=["POST"], key_func=security.client_address)
def signup_sme():
    """Create an SME account: the company and its owner."""
    form = SmeSignupForm()
    if request.method == "GET" and not form.headcount.data:
        # Coming from the diagnostic: its headcount travels in the next URL.
        headcount = parse_qs(urlsplit(safe_next("")).query).get("effectif", [""])[0]
        if headcount.isdigit() and 0 < int(headcount) <= 100000:
            form.headcount.data = int(headcount)
    if form.is_submitted():
        done = submit(form, lambda: _keep_language(accounts.register_sme(db.session, _sme_signup(form))),
                      success="Votre espace entreprise est prêt.")
        if done:
            login_user(done.value)
            return redirect(safe_next(url_for("sme.dashboard")))
    return render_template("auth/signup_sme.html", form=form)


@bp.route("/inscription/freelance", methods=["GET", "POST"])
@limiter.limit(security.SIGNUP_PER_ADDRESS, methods=["POST"], key_func=security.client_address)
def signup_freelancer():
    """Create a freelancer account with a draft profile."""
    form = FreelancerSignupForm()
    if form.is_submitted():
        done = submit(
            form,
            lambda: _keep_language(accounts.register_freelancer(
                db.session, email=form.email.data, password=form.password.data, first_name=form.first_name.data,
                last_name=form.last_name.data, phone=form.phone.data,
            )),
            success="Votre compte est créé : complétez votre profil pour le soumettre à vérification.",
        )
        if done:
            login_user(done.value)
            return redirect(url_for("freelancer.dashboard"))
    return render_template("auth/signup_freelancer.html", form=form)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(security.RESET_PER_ADDRESS, methods=["POST"], key_func=security.client_address)
@limiter.limit(security.RESET_PER_ACCOUNT, methods=["POST"], key_func=security.account_key)
def forgot_password():
    """Ask for a reset link; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        attempt(lambda: accounts.request_password_reset(db.session, form.email.data), category="info", success=(
            "Si un compte existe avec cette adresse, un e-mail avec un lien de réinitialisation "
            "vient de lui être envoyé. Le lien est valable une heure."))
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
@limiter.limit(security.TOKEN_LINKS_PER_ADDRESS, key_func=security.client_address)
def reset_password(token: str):
    """Choose a new password from the e-mailed link."""
    try:
        accounts.user_for_reset_token(db.session, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.is_submitted():
        done = submit(form, lambda: accounts.reset_password(db.session, token, form.password.data or ""),
                      success="Votre mot de passe a été modifié. Connectez-vous avec le nouveau.")
        if done:
            logout_user()
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/parametres", methods=["GET", "POST"])
@login_required
def settings():
    """Change one's password and language; export one's data or close the account."""
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(locale=current_user.locale)
    if request.method == "POST" and "pw-current_password" in request.form:
        done = submit(
            password_form,
            lambda: accounts.change_password(
                db.session, current_user, password_form.current_password.data, password_form.new_password.data),
            success="Mot de passe modifié. Vos autres sessions ont été déconnectées.",
        )
        if done:
            login_user(current_user._get_current_object(), fresh=True)  # keep this session; the others end
            return redirect(url_for("auth.settings"))
    return privacy.render_settings(password_form=password_form, language_form=language_form)


@bp.route("/langue", methods=["POST"])
def set_language():
    """Switch the interface language (saved on the account when logged in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            attempt(lambda: accounts.set_locale(current_user, form.locale.data))
        session["locale"] = form.locale.data
    return redirect(safe_next(url_for("public.home")))
