"""Real Redis, real ``rq worker``: jobs recorded in a request reach their final state.

These tests commit for real (a worker process must see the rows) and wipe the
database afterwards. They need ``MARKETPLACE_REQUIRE_SERVICES=1`` and ``REDIS_URL``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from marketplace.db import commit, db, utcnow
from marketplace.models.outbox import EmailStatus, JobIntent, JobStatus, OutboundEmail
from tests.conftest import make_test_app, wipe

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def live_app(engine, tmp_path, redis_url):
    """The production mode: real commits, jobs handed to RQ."""
    app = make_test_app(engine, tmp_path, REDIS_URL=redis_url)
    yield app
    wipe(engine)


def run_worker(app, *queues: str, **env_overrides: str) -> subprocess.CompletedProcess:
    """``rq worker --burst`` in its own process, configured like production."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["DATABASE_URL"],
        REDIS_URL=app.config["REDIS_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],
        MARKETPLACE_INSTANCE=app.instance_path,
        PYTHONPATH=str(ROOT),
        MARKETPLACE_JOB_MODULES="tests.sample_jobs",
        **env_overrides,
    )
    env.pop("MARKETPLACE_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "rq.cli", "worker", "-w", "worker.runtime.Worker", "--with-scheduler", "--burst",
         "--url", app.config["REDIS_URL"], *(queues or ("default",))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def create_user(app, email: str) -> None:
    from marketplace.services.accounts.operations import register_freelancer

    with app.app_context():
        register_freelancer(db.session, email=email, password="mot de passe robuste", first_name="Léa", last_name="Roux")
        commit()


def state(app, email: str) -> tuple[OutboundEmail, JobIntent]:
    with app.app_context():
        message = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == email))
        intent = db.session.scalar(
            select(JobIntent).where(JobIntent.name == "mail.deliver").order_by(JobIntent.id.desc())
        )
        db.session.expunge_all()
        return message, intent


def test_job_enqueued_in_a_request_is_run_by_a_real_worker(live_app, redis_url):
    create_user(live_app, "lea@example.test")
    client = live_app.test_client()
    response = client.post("/compte/mot-de-passe-oublie", data={"email": "lea@example.test"})
    assert response.status_code == 302

    message, intent = state(live_app, "lea@example.test")
    assert message.status == EmailStatus.PENDING.value and intent.status == JobStatus.PENDING.value
    queue = Queue("default", connection=Redis.from_url(redis_url))
    assert queue.job_ids == [f"intent-{intent.id}"]

    run_worker(live_app, "default")

    message, intent = state(live_app, "lea@example.test")
    assert message.status == EmailStatus.SENT.value
    assert intent.status == JobStatus.DONE.value and intent.attempts == 1
    eml = Path(message.outbox_path)
    assert eml.parent == Path(live_app.instance_path) / "outbox"
    assert b"/compte/reinitialiser/" in eml.read_bytes()


def test_flushing_redis_loses_nothing_the_sweep_recovers_it(live_app, redis_url):
    create_user(live_app, "ines@example.test")
    live_app.test_client().post("/compte/mot-de-passe-oublie", data={"email": "ines@example.test"})
    connection = Redis.from_url(redis_url)
    connection.flushdb()  # the queued job is gone

    run_worker(live_app, "default")
    message, intent = state(live_app, "ines@example.test")
    assert message.status == EmailStatus.PENDING.value and intent.status == JobStatus.PENDING.value

    # What the cron does every minute: the sweep, as a job on the queue.
    from worker.runtime import run_scheduled

    Queue("default", connection=connection).enqueue(run_scheduled, "jobs.sweep")
    run_worker(live_app, "default", JOB_SWEEP_AFTER_SECONDS="0")

    message, intent = state(live_app, "ines@example.test")
    assert message.status == EmailStatus.SENT.value
    assert intent.status == JobStatus.DONE.value and intent.attempts == 1


def test_failing_job_is_recorded_and_scheduled_for_retry(live_app, redis_url):
    from marketplace.platform import jobs

    with live_app.app_context():
        intent = jobs.enqueue(db.session, "tests.always_fail", "smtp down")
        commit()
        intent_id = intent.id
    run_worker(live_app, "default")
    with live_app.app_context():
        intent = db.session.get(JobIntent, intent_id)
        assert intent.status == JobStatus.FAILED.value
        assert "RuntimeError: smtp down" in intent.last_error
    job = Queue("default", connection=Redis.from_url(redis_url)).fetch_job(f"intent-{intent_id}")
    assert job is not None and job.retries_left == 2  # RQ will try again later


def test_cron_configuration_registers_the_sweep(redis_url):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    scheduler.load_config_from_file(str(ROOT / "worker" / "cron_config.py"))
    names = {job.name: job for job in scheduler.get_jobs()}
    assert names["jobs.sweep"].interval == 60


def test_a_worker_killed_mid_job_loses_nothing_the_job_finishes_once(live_app, redis_url, tmp_path):
    """SIGKILL the worker while it runs a job: its lease runs out, the sweep hands the job on, it ends once."""
    import signal
    import time

    from marketplace.models.audit import AuditLog
    from marketplace.platform import jobs

    live_app.config["JOB_LEASE_SECONDS"] = 2
    marker = tmp_path / "started"
    with live_app.app_context():
        intent = jobs.enqueue(db.session, "tests.slow_once", str(marker), "killed-then-done")
        commit()
        intent_id = intent.id
    env = dict(os.environ, DATABASE_URL=live_app.config["DATABASE_URL"], REDIS_URL=redis_url,
               SECRET_KEY=live_app.config["SECRET_KEY"], MARKETPLACE_INSTANCE=live_app.instance_path,
               PYTHONPATH=str(ROOT), MARKETPLACE_JOB_MODULES="tests.sample_jobs", JOB_LEASE_SECONDS="2")
    env.pop("MARKETPLACE_ENV", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "rq.cli", "worker", "-w", "worker.runtime.Worker", "--with-scheduler",
         "--url", redis_url, "default"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), "the worker never started the job"
    finally:
        # The worker and its work horse (a child in a process group of its own), mid-job.
        subprocess.run(["pkill", "-KILL", "-P", str(worker.pid)], check=False)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    with live_app.app_context():
        assert db.session.get(JobIntent, intent_id).status == JobStatus.RUNNING.value
    time.sleep(3)  # the lease (2 s) runs out: nobody renews it
    with live_app.app_context():
        swept = jobs.sweep(db.session, timedelta(seconds=0))
        assert [i.id for i in swept] == [intent_id]
        commit()
    run_worker(live_app, "default", JOB_LEASE_SECONDS="2")
    with live_app.app_context():
        intent = db.session.get(JobIntent, intent_id)
        assert intent.status == JobStatus.DONE.value and intent.attempts == 2
        done = db.session.scalars(select(AuditLog).where(AuditLog.action == "killed-then-done")).all()
        assert len(done) == 1


def test_a_running_job_renews_its_lease_so_the_sweep_leaves_it_alone(live_app):
    import time

    from marketplace.platform.jobs import heartbeat

    with live_app.app_context():
        intent = JobIntent(name="tests.write_audit", args=["x"], queue="default", status=JobStatus.RUNNING.value,
                           lease_expires_at=utcnow())
        db.session.add(intent)
        commit()
        before, intent_id = intent.lease_expires_at, intent.id
        with heartbeat(intent_id, 3):
            time.sleep(1.5)
        db.session.expire_all()
        assert db.session.get(JobIntent, intent_id).lease_expires_at > before + timedelta(seconds=2)


def test_a_billing_run_whose_worker_is_killed_half_way_is_finished_by_the_next_run(live_app, redis_url):
    """SIGKILL the worker in the middle of a month's run: no half invoice, and a rerun completes it gapless."""
    import signal
    import time
    from datetime import date

    from marketplace.models.billing import Invoice, InvoiceSeries
    from marketplace.services.billing import runs
    from tests.test_concurrency import approved_months

    contract_ids = approved_months(live_app, 10, same_freelancer=False) + approved_months(live_app, 4)
    with live_app.app_context():
        runs.fan_out(db.session, date(2026, 11, 1))
        commit()
    env = dict(os.environ, DATABASE_URL=live_app.config["DATABASE_URL"], REDIS_URL=redis_url,
               SECRET_KEY=live_app.config["SECRET_KEY"], MARKETPLACE_INSTANCE=live_app.instance_path,
               PYTHONPATH=str(ROOT), JOB_LEASE_SECONDS="2")
    env.pop("MARKETPLACE_ENV", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "rq.cli", "worker", "-w", "worker.runtime.Worker", "--url", redis_url, "billing"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )

    def issued() -> int:
        with live_app.app_context():
            return db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.issuer_kind == "freelancer"))

    try:
        deadline = time.monotonic() + 90
        while issued() < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subprocess.run(["pkill", "-KILL", "-P", str(worker.pid)], check=False)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    halfway = issued()
    assert 4 <= halfway < len(contract_ids), halfway

    time.sleep(2.5)  # the killed job's lease runs out
    with live_app.app_context():
        runs.fan_out(db.session, date(2026, 11, 1))  # the next run (cron, or `marketplace billing run`)
        commit()
    run_worker(live_app, "billing", JOB_LEASE_SECONDS="2")
    with live_app.app_context():
        invoices = db.session.scalars(select(Invoice)).all()
        per_contract = {}
        for invoice in invoices:
            per_contract.setdefault((invoice.contract_id, invoice.issuer_kind), []).append(invoice.number)
        assert all(len(numbers) == 1 for numbers in per_contract.values()), per_contract
        assert {cid for cid, _ in per_contract} == set(contract_ids)
        for series in db.session.scalars(select(InvoiceSeries)):
            sequences = sorted(db.session.scalars(select(Invoice.sequence).where(Invoice.series_id == series.id)))
            assert sequences == list(range(1, len(sequences) + 1)), (series.prefix, sequences)
        assert all(i.pdf_document_id is not None for i in invoices)
