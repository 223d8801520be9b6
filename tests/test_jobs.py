"""Background jobs in the embedded mode: recorded with the change, run after commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.db import commit, rollback, utcnow
from marketplace.models.audit import AuditLog
from marketplace.models.outbox import JobIntent, JobStatus
from marketplace.platform import jobs
from tests.conftest import login
from tests.factories import PASSWORD

WRITE = "tests.write_audit"
FAIL = "tests.always_fail"


def audit_actions(session) -> list[str]:
    return list(session.scalars(select(AuditLog.action).where(AuditLog.subject_type == "test")))


def test_job_runs_after_commit_not_before(app_ctx, db_session):
    intent = jobs.enqueue(db_session, WRITE, "after-commit")
    assert audit_actions(db_session) == []
    assert intent.status == JobStatus.PENDING.value
    commit(db_session)
    assert audit_actions(db_session) == ["after-commit"]
    db_session.refresh(intent)
    assert intent.status == JobStatus.DONE.value and intent.attempts == 1


def test_rolled_back_change_takes_its_job_with_it(app_ctx, db_session):
    jobs.enqueue(db_session, WRITE, "never")
    rollback(db_session)
    commit(db_session)
    assert audit_actions(db_session) == []
    assert db_session.scalars(select(JobIntent)).all() == []


def test_a_failed_job_stays_visible_and_can_be_retried(app_ctx, db_session):
    intent = jobs.enqueue(db_session, FAIL, "boom")
    commit(db_session)
    db_session.refresh(intent)
    assert intent.status == JobStatus.FAILED.value
    assert "RuntimeError: boom" in intent.last_error
    # Fix the cause (here: point the intent at a working job), then retry.
    intent.name, intent.args = WRITE, ["retried"]
    jobs.retry(db_session, intent.id)
    commit(db_session)
    db_session.refresh(intent)
    assert intent.status == JobStatus.DONE.value and intent.attempts == 2
    assert audit_actions(db_session) == ["retried"]


def test_running_a_done_intent_again_has_no_effect(app_ctx, db_session):
    intent = jobs.enqueue(db_session, WRITE, "once")
    commit(db_session)
    assert jobs.run_intent(intent.id) == JobStatus.DONE.value
    assert audit_actions(db_session) == ["once"]


def test_dedupe_key_records_one_intent(app_ctx, db_session):
    first = jobs.enqueue(db_session, WRITE, "a", dedupe_key="profile:1")
    second = jobs.enqueue(db_session, WRITE, "a", dedupe_key="profile:1")
    assert first is second
    commit(db_session)
    assert audit_actions(db_session) == ["a"]


def test_recording_a_pending_key_again_dispatches_it_again(app_ctx, db_session):
    # Its first dispatch was lost (a worker killed between dequeuing it and starting it):
    # the next run that records the same key gets it done, once.
    lost = JobIntent(name=WRITE, args=["lost"], queue="default", dedupe_key="billing-2026-11-5")
    db_session.add(lost)
    commit(db_session)
    again = jobs.enqueue(db_session, WRITE, "lost", dedupe_key="billing-2026-11-5")
    assert again.id == lost.id
    commit(db_session)
    assert audit_actions(db_session) == ["lost"]
    db_session.refresh(lost)
    assert lost.status == JobStatus.DONE.value


def test_sweep_redispatches_intents_left_pending(app_ctx, db_session):
    # An intent recorded long ago but never run (its process died before dispatch).
    stale = JobIntent(name=WRITE, args=["swept"], queue="default", created_at=utcnow() - timedelta(minutes=10))
    fresh = JobIntent(name=WRITE, args=["too-young"], queue="default")
    db_session.add_all([stale, fresh])
    db_session.flush()
    found = jobs.sweep(db_session, timedelta(minutes=5))
    assert [i.id for i in found] == [stale.id]
    commit(db_session)
    assert audit_actions(db_session) == ["swept"]
    db_session.refresh(fresh)
    assert fresh.status == JobStatus.PENDING.value


def test_unknown_job_is_refused_when_recorded(app_ctx, db_session):
    import pytest

    with pytest.raises(jobs.UnknownJob):
        jobs.enqueue(db_session, "tests.nope")


def test_admin_sees_failed_jobs_and_retries_them(client, db_session, admin_user, app):
    with app.app_context():
        intent = jobs.enqueue(db_session, FAIL, "visible")
        commit(db_session)
    login(client, admin_user.email, PASSWORD)
    page = client.get("/admin/taches?status=failed").text
    assert "always_fail" in page and "RuntimeError: visible" in page and "Relancer" in page
    response = client.post(f"/admin/taches/{intent.id}/relancer", follow_redirects=True)
    assert "La tâche a été relancée." in response.text
    db_session.refresh(intent)
    assert intent.attempts == 2  # it ran again (and failed again, visibly)
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "job.retried")) is not None
