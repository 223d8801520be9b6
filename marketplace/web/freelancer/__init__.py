from flask import Blueprint

bp = Blueprint("freelancer", __name__)

from marketplace.web.freelancer import views  # noqa: E402,F401
