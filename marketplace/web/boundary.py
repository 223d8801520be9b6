"""The request boundary: one service call, one commit, then the side effects.

Views translate: they read a form, then hand the work to :func:`attempt`, which runs
the service call as the request's unit of work. A refusal (``DomainError``) rolls the
transaction back and shows each message beside the field it names (or as a flash);
success commits once, which releases the e-mails and jobs the service recorded, and
flashes what happened. No view commits or rolls back by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from flask import flash

from marketplace.db import commit, rollback
from marketplace.errors import DomainError

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
