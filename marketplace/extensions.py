"""Unbound extension objects; ``create_app`` binds them to the application."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from marketplace.db import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

csrf = CSRFProtect()
babel = Babel()

__all__ = ["babel", "csrf", "db", "login_manager"]
