"""Errors that services raise with a message a user can read.

Services write their messages as lazy French message ids (``lazy_gettext``, « _l »): the
message is worded when it is read (``error.message``), in the language of whoever reads it —
the visitor of the page that shows it, French in a job.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l


class ConfigurationError(RuntimeError):
    """The settings cannot start the application."""


class DomainError(Exception):
    """A business rule refused an operation.

    ``field`` names the form field the message belongs to, so views can show it
    next to that field; ``None`` means the whole form.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the current language (a lazy message is translated here, when shown)."""
        return str(self._message)

    @message.setter
    def message(self, value: str) -> None:
        self._message = value

    @property
    def errors(self) -> list[DomainError]:
        """Each refusal, one per field (a single one here)."""
        return [self]


class InvalidInput(DomainError):
    """Several fields are wrong at once; ``errors`` holds one DomainError per field."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        super().__init__(errors[0]._message, errors[0].field)
        self._errors = list(errors)

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)


def raise_if_any(errors: list[DomainError]) -> None:
    """Raise :class:`InvalidInput` when ``errors`` is not empty."""
    if errors:
        raise InvalidInput(errors)


class NotFound(DomainError):
    """The object does not exist, or is not visible to the current user."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _l("Cette page n'existe pas ou ne vous est pas accessible."))


class PermissionDenied(DomainError):
    """The current user may not perform this action."""
