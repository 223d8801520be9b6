"""Error pages in the reader's language (French first), and JSON errors for the API."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, jsonify, render_template
from flask.globals import request_ctx
from flask_babel import gettext, ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from marketplace.db import rollback
from marketplace.domain import N_
from marketplace.web.authz import wants_json

log = logging.getLogger(__name__)

MESSAGES = {
    400: (N_("Requête invalide"), N_("La requête n'a pas pu être comprise. Vérifiez les informations envoyées.")),
    401: (N_("Connexion requise"), N_("Connectez-vous pour accéder à cette page.")),
    403: (N_("Accès refusé"), N_("Vous n'avez pas l'autorisation d'accéder à cette page.")),
    404: (N_("Page introuvable"), N_("Cette page n'existe pas ou ne vous est pas accessible.")),
    405: (N_("Méthode non autorisée"), N_("Cette action n'est pas possible sur cette page.")),
    413: (N_("Fichier trop volumineux"), N_("Le fichier envoyé dépasse la taille autorisée (10 Mo au plus).")),
    429: (N_("Trop de tentatives"), N_("Patientez quelques minutes avant de réessayer.")),
    500: (N_("Erreur inattendue"), N_("Une erreur est survenue de notre côté. L'équipe a été prévenue ; réessayez dans un instant.")),
    503: (N_("Service momentanément indisponible"),
          N_("Le service est momentanément indisponible : rien n'a été enregistré. Réessayez dans une minute.")),
}
# The database went away (restart, failover, network): the request is refused cleanly.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _render(code: int, detail: str | None = None, headers: dict | None = None, template: str = "errors/error.html"):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=title, message=detail or message, status=code), code, headers or {}
    # French message ids, shown in the reader's language.
    title, message = gettext(title), gettext(message)
    return render_template(template, code=code, title=title, message=detail or message), code, headers or {}


def wait_text(seconds: int) -> str:
    """« 1 minute », « 12 minutes », « 30 secondes »."""
    if seconds < 60:
        return ngettext("%(num)s seconde", "%(num)s secondes", seconds)
    minutes = -(-seconds // 60)
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, gettext("Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez."))

    @app.errorhandler(RateLimitExceeded)
    def _throttled(exc: RateLimitExceeded):
        from marketplace.extensions import limiter

        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current is not None else 60
        return _render(429, gettext("Trop de tentatives : pour protéger les comptes, réessayez dans %(wait)s.",
                                    wait=wait_text(wait)),
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
