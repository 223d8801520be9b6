"""The request boundary: one service call, one commit, then the side effects.

Views translate: they read a form, then hand the work to :func:`attempt`, which runs
the service call as the request's unit of work. A refusal (``DomainError``) rolls the
transaction back and shows each message beside the field it names (or as a flash);
success commits once, which releases the e-mails and jobs the service recorded, and
flashes what happened. No view commits or rolls back by itself.

Forms go through :func:`submit`, so that one answer shows every error: the form's own
(a number that is not one) and the service's (a SIRET already registered) side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from flask import current_app, flash
from sqlalchemy.exc import SQLAlchemyError
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
)

from marketplace.db import commit, rollback
from marketplace.errors import DomainError, raise_if_any

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call gave: its value, or the refusal. True when it succeeded."""

    value: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def attempt(
    operation: Callable[[], T],
    *,
    form=None,
    success: str | Callable[[T], str] | None = None,
    category: str = "success",
    quiet: bool = False,
) -> Outcome[T]:
    """Run ``operation`` (a service call) and commit once; a DomainError rolls back.

    With ``form``, each refusal goes beside its field (every one of an ``InvalidInput``);
    without, it is flashed — unless ``quiet`` (machine callers: webhooks, JSON), where the
    caller answers with the outcome's error itself. ``success`` is flashed after the commit (a callable gets the
    operation's value).
    """
    try:
        value = operation()
    except DomainError as exc:
        rollback()
        if form is not None:
            form.add_domain_error(exc)
        elif not quiet:
            flash(exc.message, "danger")
        return Outcome(error=exc)
    commit()
    if success:
        flash(success(value) if callable(success) else success, category)
    return Outcome(value=value)


def submit(
    form,
    operation: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None = None,
    category: str = "success",
    valid: bool | None = None,
    check: Callable[[], list[DomainError]] | None = None,
) -> Outcome[T]:
    """Validate ``form`` and run ``operation``, so that every error shows in one answer.

    When the form is valid this is :func:`attempt`. When some fields are wrong, the
    service is still asked — with those fields blank, in a transaction that is always
    rolled back — what else it refuses, and its messages go beside the fields that had
    none: the person fixes everything in one go. ``valid`` is the result of a validation
    the view already ran. A form whose CSRF token failed never reaches the service.

    An operation with effects outside the database (a file stored, Stripe called) is never
    tried on a wrong form: ``check`` — the service's own judgement of the fields, which
    changes nothing — is asked instead, and only a valid form runs the operation.
    """
    valid = form.validate() if valid is None else valid
    if valid:
        return attempt(operation, form=form, success=success, category=category)
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        return Outcome(error=DomainError(csrf.errors[0]))
    probe(form, operation if check is None else lambda: raise_if_any(check()))
    return Outcome(error=DomainError(_FORM_INVALID))


_FORM_INVALID = "Certains champs sont à corriger."


def _leaves(fields) -> list[Field]:
    """Every input field of a form, table rows included."""
    found: list[Field] = []
    for field in fields:
        if isinstance(field, FieldList):
            for entry in field.entries:
                found.extend(_leaves(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            found.extend(_leaves(field.form))
        else:
            found.append(field)
    return found


def _blank(field: Field):
    """What a service receives for a field the form refused: nothing typed."""
    if isinstance(field, SelectMultipleField):
        return []
    if isinstance(field, BooleanField):
        return False
    if isinstance(field, SelectField) and getattr(field, "coerce", str) is not str:
        return None  # a choice read as a number (coerce=int): nothing chosen
    if isinstance(field, (StringField, SelectField)):
        return ""
    return None


def probe(form, operation: Callable[[], object]) -> None:
    """Ask the service what it refuses beyond the form's own errors; change nothing.

    Wrong fields are handed over blank (their typed text is kept for the page); the
    transaction is rolled back whatever happens, which also forgets any mail or job.
    """
    leaves = _leaves(form)
    kept = {id(f): (f.data, list(f.errors)) for f in leaves}
    wrong = [f for f in leaves if f.errors]
    for field in wrong:
        field.data = _blank(field)
    try:
        operation()
    except DomainError as exc:
        form.add_domain_error(exc)
    except SQLAlchemyError:
        # Blank values the service let through reached the database: the form's own errors suffice.
        current_app.logger.warning("probe of %s stopped at the database", type(form).__name__, exc_info=True)
    finally:
        rollback()
        for field in leaves:
            data, errors = kept[id(field)]
            field.data = data
            if errors:
                field.errors = errors  # the form's own message says best what is wrong there
