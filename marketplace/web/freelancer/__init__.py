from flask import Blueprint

bp = Blueprint("freelancer", __name__)

from marketplace.web.freelancer import billing, contracts, messages, payments, views  # noqa: E402,F401
