"""Request-level protections: declared proxies, trusted hosts, headers, request ids, throttling.

* The client's address comes from Werkzeug's ProxyFix with the number of proxies in
  front of the app (``TRUSTED_PROXIES``, 0 by default): a client-chosen
  ``X-Forwarded-For`` or ``X-Real-IP`` is never believed otherwise.
* Requests for a host that is not ours are refused (``TRUSTED_HOSTS``, in production
  the host of ``BASE_URL`` by default), and absolute links are built from ``BASE_URL``
  only (``platform.links``).
* Every response carries a request id (``X-Request-ID``), the logs too.
* Throttling (Flask-Limiter; Redis in production, memory in the embedded mode): log-in
  and password reset per account and per address, sign-up per address, the public tools
  per address, the JSON API per account. A refusal is a French 429 page saying how long
  to wait.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping

from flask import Flask, current_app, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from marketplace.extensions import limiter

# Limits, by what they protect (Flask-Limiter's syntax).
LOGIN_PER_ACCOUNT = "5 per 15 minutes"   # wrong passwords for one e-mail
LOGIN_PER_ADDRESS = "20 per 15 minutes"  # wrong passwords from one address
RESET_PER_ACCOUNT = "3 per hour"
RESET_PER_ADDRESS = "10 per hour"
SIGNUP_PER_ADDRESS = "10 per hour"
PUBLIC_TOOLS_PER_ADDRESS = "60 per minute"
TOKEN_LINKS_PER_ADDRESS = "30 per hour"  # referee questionnaires, team invitations
API_PER_ACCOUNT = "120 per minute"

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Ids are the database's integers: a larger one names nothing, so it is a 404, not a query.
MAX_ID = 2_147_483_647


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to the database's integer range (beyond it the URL matches no route)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# The policy of every page: no inline script or style, nothing from another origin.
CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "style-src": ("'self'",),
    "script-src": ("'self'",),
    "frame-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'self'",),
}


def content_security_policy(extra: Mapping[str, Iterable[str]] | None = None) -> str:
    """The Content-Security-Policy header, with ``extra`` sources added for one page (e.g. Stripe.js)."""
    directives = {name: list(sources) for name, sources in CSP_DIRECTIVES.items()}
    for name, sources in (extra or {}).items():
        current = directives.setdefault(name, list(CSP_DIRECTIVES["default-src"]))
        current.extend(source for source in sources if source not in current)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def client_address() -> str:
    """The client's address, as ProxyFix established it."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    """The e-mail a log-in or reset form names (normalised), so one account is throttled wherever it is tried from."""
    email = " ".join((request.form.get("email") or "").split()).lower()[:254]
    return f"account:{email}"


def api_key() -> str:
    """The logged-in account of an API call (its address when anonymous)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else f"addr:{client_address()}"


def failed_form(response) -> bool:
    """Only refused attempts count: a successful log-in redirects."""
    return response.status_code != 302


@limiter.request_filter
def throttling_off() -> bool:
    """Throttling can be switched off per application (``THROTTLING``; the test suite's apps)."""
    return not current_app.config.get("THROTTLING", True)


def register(app: Flask) -> None:
    """Install the protections on ``app`` (called by the application factory)."""
    app.url_map.converters["int"] = BoundedIntConverter
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)

    @app.after_request
    def _headers(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("MARKETPLACE_ENV") == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        response.headers.pop("Server", None)
        return response


__all__ = ["limiter", "register"]
