"""Absolute links for e-mails, built from ``BASE_URL`` so jobs and the CLI can make them too."""

from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """``BASE_URL`` + the path of ``endpoint`` (no request context needed)."""
    base = (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path
