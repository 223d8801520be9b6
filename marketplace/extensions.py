"""Unbound extension objects; ``create_app`` binds them to the application."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
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
# Storage (Redis in production, memory in the embedded mode) comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=lambda: request.remote_addr or "unknown", headers_enabled=True)

__all__ = ["babel", "csrf", "db", "limiter", "login_manager"]
