from flask import Blueprint

bp = Blueprint("public", __name__)

from marketplace.web.public import diagnostic, files, references, views  # noqa: E402,F401
