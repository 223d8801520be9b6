"""The application factory: it only wires configuration, extensions and blueprints."""

from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask application (skeleton; the foundation fills it in)."""
    app = Flask(__name__)
    if config:
        app.config.update(config)
    return app
