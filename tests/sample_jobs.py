"""Job functions used by the job-infrastructure tests (importable by a real worker)."""

from marketplace.db import db
from marketplace.models.audit import AuditLog


def write_audit(action: str) -> None:
    """A job with a visible effect: one audit-log row."""
    db.session().add(AuditLog(action=action, subject_type="test"))


def always_fail(message: str) -> None:
    raise RuntimeError(message)
