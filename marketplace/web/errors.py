"""French error pages, and JSON errors for the API."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError
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
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=title, message=detail or message, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, "Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _render(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        try:
            rollback()
        except Exception:  # the session itself may be broken
            log.exception("rollback after error failed")
        return _render(500)
