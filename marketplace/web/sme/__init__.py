from flask import Blueprint

bp = Blueprint("sme", __name__)

from marketplace.web.sme import views  # noqa: E402,F401
