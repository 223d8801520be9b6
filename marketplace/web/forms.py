"""Form helpers shared by every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from marketplace.errors import DomainError

REQUIRED = "Ce champ est obligatoire."


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs or a ``{value: label}`` dict."""
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    options = [SelectChoice(str(value), str(label)) for value, label in items]
    return ([SelectChoice("", blank)] if blank is not None else []) + options


class BaseForm(FlaskForm):
    """A CSRF-protected form that can carry a service's error next to its field."""

    form_errors_extra: list[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_errors_extra = []

    def add_domain_error(self, exc: DomainError) -> None:
        """Show each of a service's refusals beside the field it names, or above the form."""
        for error in exc.errors:
            self.place_error(error)

    def place_error(self, error: DomainError) -> None:
        """One refusal beside its field (forms with tables place their cells' errors)."""
        field: Field | None = getattr(self, error.field, None) if error.field else None
        if isinstance(field, Field):
            if error.message not in field.errors:
                # errors may be a tuple before validation ran
                field.errors = [*field.errors, error.message]
        elif error.message not in self.form_errors_extra:
            self.form_errors_extra.append(error.message)

    @property
    def all_form_errors(self) -> list[str]:
        return [*self.form_errors, *self.form_errors_extra]


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a local path, else ``default``."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def client_ip() -> str | None:
    return request.headers.get("X-Real-IP") or request.remote_addr
