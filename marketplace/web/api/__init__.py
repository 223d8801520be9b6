from flask import Blueprint

from marketplace.extensions import limiter
from marketplace.web import security

bp = Blueprint("api", __name__)
# Every API call counts against its account (its address when anonymous).
limiter.limit(security.API_PER_ACCOUNT, key_func=security.api_key)(bp)

from marketplace.web.api import views  # noqa: E402,F401
