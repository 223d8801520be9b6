"""Language selection: French first, English second."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LOCALE = "fr"


def select_locale() -> str:
    """The user's saved choice, else the session's, else French."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return DEFAULT_LOCALE


def select_timezone() -> str:
    return "Europe/Paris"
