"""French error pages, and JSON errors for the API."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, jsonify, render_template
from flask.globals import request_ctx
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from marketplace.db import rollback
from marketplace.web.authz import wants_json

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Requête invalide", "La requête n'a pas pu être comprise. Vérifiez les informations envoyées."),
    401: ("Connexion requise", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Vous n'avez pas l'autorisation d'accéder à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou ne vous est pas accessible."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible sur cette page."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée (10 Mo au plus)."),
    429: ("Trop de tentatives", "Patientez quelques minutes avant de réessayer."),
    500: ("Erreur inattendue", "Une erreur est survenue de notre côté. L'équipe a été prévenue ; réessayez dans un instant."),
    503: ("Service momentanément indisponible",
          "Le service est momentanément indisponible : rien n'a été enregistré. Réessayez dans une minute."),
}
# The database went away (restart, failover, network): the request is refused cleanly.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _render(code: int, detail: str | None = None, headers: dict | None = None, template: str = "errors/error.html"):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=title, message=detail or message, status=code), code, headers or {}
    return render_template(template, code=code, title=title, message=detail or message), code, headers or {}


def wait_text(seconds: int) -> str:
    """« 1 minute », « 12 minutes », « 30 secondes »."""
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, "Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez.")

    @app.errorhandler(RateLimitExceeded)
    def _throttled(exc: RateLimitExceeded):
        from marketplace.extensions import limiter

        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current is not None else 60
        return _render(429, f"Trop de tentatives : pour protéger les comptes, réessayez dans {wait_text(wait)}.",
                       {"Retry-After": str(wait)})

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request_ctx.url_adapter is None:  # no routing at all (a host that is not ours): say it plainly
            return Response(f"{exc.code} {MESSAGES.get(exc.code, MESSAGES[500])[0]}", exc.code or 500,
                            mimetype="text/plain")
        return _render(exc.code or 500)

    def _unavailable(exc: Exception):
        log.error("database unavailable: %s", exc.__class__.__name__, exc_info=True)
        try:
            rollback()  # nothing of the request is kept
        except Exception:
            log.exception("rollback after a database outage failed")
        return _render(503, headers={"Retry-After": "30"}, template="errors/unavailable.html")

    for exception in UNAVAILABLE:
        app.register_error_handler(exception, _unavailable)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        try:
            rollback()
        except Exception:  # the session itself may be broken
            log.exception("rollback after error failed")
        return _render(500)
