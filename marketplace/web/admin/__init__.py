from flask import Blueprint

from marketplace.domain import Role
from marketplace.web.authz import protect_blueprint

bp = Blueprint("admin", __name__)
# Every admin URL, including those later issues add, is for admins only.
protect_blueprint(bp, Role.ADMIN)

from marketplace.web.admin import (  # noqa: E402,F401
    billing,
    contracts,
    labels,
    payments,
    privacy,
    vetting,
    views,
)
