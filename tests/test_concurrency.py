"""Invariants under two concurrent transactions, on PostgreSQL: each is a constraint or a row lock.

These tests commit for real from two threads (two connections) and wipe the database
afterwards. On SQLite they are skipped (CI runs them on PostgreSQL, where they must run).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import commit, db, rollback
from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.outbox import JobIntent
from marketplace.models.missions import Application, ApplicationStatus
from marketplace.platform import jobs
from tests.conftest import REQUIRE_SERVICES, make_test_app, wipe


@pytest.fixture()
def pg_app(engine, tmp_path):
    """An app committing for real on PostgreSQL; the rows are wiped afterwards."""
    if engine.dialect.name != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("MARKETPLACE_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("two concurrent transactions need PostgreSQL (CI runs these tests on it)")
    app = make_test_app(engine, tmp_path)
    yield app
    wipe(engine)


def race(app, *work: Callable[[Session], object]) -> list[object]:
    """Run each ``work(session)`` in its own thread and transaction, started together; results or errors."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int) -> None:
        with app.app_context(), db.isolated_session() as session:
            barrier.wait()
            try:
                results[index] = work[index](session)
                commit(session)
            except Exception as exc:  # noqa: BLE001 - the test inspects what each side met
                rollback(session)
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def committed_applications(app, count: int = 2):
    """A published mission with ``count`` applications, committed; returns (owner id, mission id, application ids)."""
    from tests import factories

    with app.app_context():
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            owner = factories.SmeUserFactory()
            mission = factories.MissionFactory(company=owner.company)
            ids = [factories.ApplicationFactory(mission=mission).id for _ in range(count)]
            session.commit()
            return owner.id, mission.id, ids
        finally:
            factories.CURRENT_SESSION = None


def test_two_members_accepting_two_applications_at_once_accept_one(pg_app):
    from marketplace.models.users import User
    from marketplace.services.missions import hiring

    owner_id, mission_id, (first, second) = committed_applications(pg_app)

    def accept(application_id: int):
        def work(session: Session):
            return hiring.accept(session, session.get(Application, application_id), session.get(User, owner_id))
        return work

    results = race(pg_app, accept(first), accept(second))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), results
    assert "déjà retenu" in errors[0].message or "vient de retenir" in errors[0].message
    with pg_app.app_context():
        accepted = db.session.scalars(select(Application).where(
            Application.mission_id == mission_id, Application.status == ApplicationStatus.ACCEPTED.value)).all()
        assert len(accepted) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "application.accepted")) == 1


def test_eight_clicks_on_one_application_accept_it_once(pg_app):
    from marketplace.models.users import User
    from marketplace.services.missions import hiring

    owner_id, _, (application_id,) = committed_applications(pg_app, count=1)

    def work(session: Session):
        return hiring.accept(session, session.get(Application, application_id), session.get(User, owner_id))

    results = race(pg_app, *[work] * 8)
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, Exception))
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "application.accepted")) == 1


def test_the_database_itself_refuses_a_second_accepted_application(pg_app):
    """Even code that forgot the lock cannot accept two: the partial unique index says no."""
    _, mission_id, (first, second) = committed_applications(pg_app)

    def force(application_id: int):
        def work(session: Session):
            session.execute(text("UPDATE applications SET status = 'accepted' WHERE id = :id"), {"id": application_id})
        return work

    results = race(pg_app, force(first), force(second))
    assert sum(1 for r in results if isinstance(r, IntegrityError)) == 1, results


def test_two_transactions_recording_the_same_job_key_make_one_intent(pg_app, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: None)  # stay pending: only the rows matter

    def record(session: Session):
        return jobs.enqueue(session, "tests.write_audit", "once", dedupe_key="profile:42").id

    results = race(pg_app, record, record)
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0] == results[1]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobIntent).where(
            JobIntent.dedupe_key == "profile:42")) == 1
