"""Authorization in one place: role decorators and tenant-scoped look-ups.

Every tenant-owned object is read through :func:`scoped` or :func:`get_scoped_or_404`,
which restrict the query to the current user's company (SME members) or freelancer
profile. Models say how they are owned with ``company_scope(company_id)`` and/or
``freelancer_scope(profile_id)`` class methods; a model without the scope a role
needs is simply invisible to that role.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, false, select

from marketplace.db import db
from marketplace.domain import Role

F = TypeVar("F", bound=Callable[..., Any])

DASHBOARDS = {
    Role.SME.value: "sme.dashboard",
    Role.FREELANCER.value: "freelancer.dashboard",
    Role.ADMIN.value: "admin.dashboard",
}


def wants_json() -> bool:
    """API calls and clients asking for JSON get JSON errors instead of redirects."""
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def dashboard_endpoint(user) -> str:
    return DASHBOARDS.get(user.role, "public.home")


def role_refusal(allowed: set[str]):
    """The response refusing the current user, or None when their role is allowed."""
    if not current_user.is_authenticated:
        if wants_json():
            return jsonify(error="authentication_required", message="Authentification requise."), 401
        flash(_("Connectez-vous pour accéder à cette page."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if current_user.role not in allowed:
        if wants_json():
            return jsonify(error="forbidden", message="Accès refusé pour votre type de compte."), 403
        flash(_("Cette page est réservée à un autre type de compte."), "warning")
        return redirect(url_for(dashboard_endpoint(current_user)))
    return None


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only logged-in users of these roles in: 401/403 for JSON, redirect for HTML."""
    allowed = {r.value for r in roles}

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            refusal = role_refusal(allowed)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def protect_blueprint(bp, *roles: Role) -> None:
    """Apply the role check to every view of ``bp``, present and future."""
    allowed = {r.value for r in roles}
    bp.before_request(lambda: role_refusal(allowed))


sme_required = roles_required(Role.SME)
freelancer_required = roles_required(Role.FREELANCER)
admin_required = roles_required(Role.ADMIN)


def company_owner_required(view: F) -> F:
    """Only the SME's owner (not its invited members) may pass."""

    @functools.wraps(view)
    @sme_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_company_owner:
            if wants_json():
                return jsonify(error="forbidden", message="Réservé au titulaire du compte entreprise."), 403
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def scope_clause(model: type, user=None):
    """The WHERE clause restricting ``model`` to what ``user`` owns (admins: everything)."""
    user = user if user is not None else current_user
    if not user or not user.is_authenticated:
        return false()
    if user.role == Role.ADMIN.value:
        return None
    if user.role == Role.SME.value and user.company_id and hasattr(model, "company_scope"):
        return model.company_scope(user.company_id)
    if user.role == Role.FREELANCER.value and user.freelancer_profile and hasattr(model, "freelancer_scope"):
        return model.freelancer_scope(user.freelancer_profile.id)
    return false()


def scoped(model: type, stmt: Select | None = None, user=None) -> Select:
    """``select(model)`` (or ``stmt``) limited to the current user's tenant."""
    stmt = stmt if stmt is not None else select(model)
    clause = scope_clause(model, user)
    return stmt if clause is None else stmt.where(clause)


def get_scoped_or_404(model: type, object_id: int, user=None):
    """One tenant-owned object of the current user, or 404 (never 403: no oracle)."""
    obj = db.session.scalar(scoped(model, user=user).where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj
