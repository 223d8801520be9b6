"""Errors that services raise with a message a user can read (in French)."""

from __future__ import annotations


class ConfigurationError(RuntimeError):
    """The settings cannot start the application."""


class DomainError(Exception):
    """A business rule refused an operation.

    ``field`` names the form field the message belongs to, so views can show it
    next to that field; ``None`` means the whole form.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or is not visible to the current user."""

    def __init__(self, message: str = "Cette page n'existe pas ou ne vous est pas accessible.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The current user may not perform this action."""
