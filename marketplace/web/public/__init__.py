from flask import Blueprint

bp = Blueprint("public", __name__)

from marketplace.web.public import diagnostic, files, references, views, webhooks  # noqa: E402,F401
