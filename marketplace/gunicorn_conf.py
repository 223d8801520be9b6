"""Gunicorn settings: ``gunicorn -c python:marketplace.gunicorn_conf 'marketplace:create_app()'``.

Workers and the bind address come from the environment (``WEB_CONCURRENCY``,
``GUNICORN_BIND``); the ``Server`` header that names gunicorn and its version is not sent
(the application sets its own security headers).
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Requests are short; one stuck on a dead database is cut rather than holding a worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The address of the client comes from the app's ProxyFix (TRUSTED_PROXIES), not from gunicorn.
forwarded_allow_ips = "127.0.0.1"

_default_headers = wsgi.Response.default_headers


def _without_server_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_banner
