from flask import Blueprint, request

from marketplace.domain import Role
from marketplace.web.authz import role_refusal

bp = Blueprint("sme", __name__)

# Open to visitors: a colleague accepts a team invitation before having an account.
PUBLIC_ENDPOINTS = {"sme.join_team"}


@bp.before_request
def _sme_only():
    """Every SME page needs an SME account, except the invitation link."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return role_refusal({Role.SME.value})


from marketplace.web.sme import (  # noqa: E402,F401
    applications,
    billing,
    contracts,
    freelancers,
    messages,
    missions,
    payments,
    team,
    views,
)
