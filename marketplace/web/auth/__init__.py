from flask import Blueprint

bp = Blueprint("auth", __name__)

from marketplace.web.auth import company, views  # noqa: E402,F401
