"""The application factory: it only wires configuration, extensions and blueprints."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from marketplace.config import instance_path_from_env, load_settings, resource_dir

TEMPLATE_FOLDER = resource_dir("templates")


def create_app(config: dict | None = None) -> Flask:
    """Build the application from the environment, overridden by ``config`` (tests)."""
    config = dict(config or {})
    instance = Path(config.pop("INSTANCE_PATH", None) or instance_path_from_env())
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(TEMPLATE_FOLDER),
        static_folder="static",
    )
    app.config.update(load_settings(instance))
    app.config.update(
        MAX_CONTENT_LENGTH=app.config["UPLOAD_MAX_BYTES"] + 512 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        WTF_CSRF_TIME_LIMIT=None,
    )
    bind = config.pop("DB_BIND", None)
    app.config.update(config)
    register_logging(app)
    register_extensions(app, bind)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_areas(app)
    return app


def register_logging(app: Flask) -> None:
    """Structured logs (request, user and job of each line)."""
    from marketplace.platform import logs

    logs.configure(app)


def register_extensions(app: Flask, bind=None) -> None:
    from marketplace.extensions import babel, csrf, db, limiter, login_manager
    from marketplace.i18n import select_locale, select_timezone
    from marketplace.web import security

    db.init_app(app, bind=bind)
    csrf.init_app(app)
    limiter.init_app(app)
    security.register(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )

    @login_manager.user_loader
    def _load_user(user_id: str):
        from marketplace.models.users import User

        ident, _, nonce = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        # A password change rotates the nonce and so ends every other session.
        if user is None or user.login_nonce != nonce:
            return None
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import flash, jsonify, redirect, request, url_for

        from marketplace.web.authz import wants_json

        if wants_json():
            return jsonify(error="authentication_required", message="Authentification requise."), 401
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.path))


def register_blueprints(app: Flask) -> None:
    from marketplace.web import admin, api, auth, freelancer, public, sme

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp, url_prefix="/compte")
    app.register_blueprint(sme.bp, url_prefix="/entreprise")
    app.register_blueprint(freelancer.bp, url_prefix="/freelance")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api")


def register_errorhandlers(app: Flask) -> None:
    from marketplace.web.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace import i18n
    from marketplace.formatting import register_filters
    from marketplace.web.context import register

    register_filters(app)
    i18n.register_filters(app)  # the same names, in the reader's language
    register(app)
    from marketplace.services.missions.versions import shown_change

    app.jinja_env.filters["mission_change"] = shown_change  # a stored change, worded in the reader's language


def register_areas(app: Flask) -> None:
    """Register every area's jobs and connect its event handlers."""
    from marketplace.services import load_areas

    load_areas(app.config.get("JOB_MODULES", ()))


def register_commands(app: Flask) -> None:
    from marketplace.commands import register

    register(app)
