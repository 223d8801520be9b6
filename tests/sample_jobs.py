"""Jobs used by the job-infrastructure tests (registered in a real worker through MARKETPLACE_JOB_MODULES)."""

from sqlalchemy.orm import Session

from marketplace.models.audit import AuditLog
from marketplace.platform.jobs import job


@job("tests.write_audit")
def write_audit(session: Session, action: str) -> None:
    """A job with a visible effect: one audit-log row."""
    session.add(AuditLog(action=action, subject_type="test"))


@job("tests.always_fail")
def always_fail(session: Session, message: str) -> None:
    raise RuntimeError(message)


@job("tests.slow_once")
def slow_once(session: Session, marker: str, action: str) -> None:
    """The first attempt hangs (its worker gets killed); a later one writes an audit row and ends."""
    import time
    from pathlib import Path

    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(120)
    session.add(AuditLog(action=action, subject_type="test"))
