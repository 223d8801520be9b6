"""The SME journey's background work on the real Redis and a real ``rq worker``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from marketplace.db import commit, db, utcnow
from marketplace.models.missions import Application
from marketplace.models.outbox import EmailStatus, OutboundEmail
from tests import factories
from tests.conftest import login
from tests.factories import PASSWORD
from tests.test_services_rq import ROOT, live_app, run_worker  # noqa: F401  (fixtures)

pytestmark = pytest.mark.services


def _seed(app):
    """An SME owner, a published mission and one application, committed for the worker to see."""
    with app.app_context():
        factories.CURRENT_SESSION = db.session
        try:
            owner = factories.SmeUserFactory(email="owner@pme-rq.test")
            mission = factories.MissionFactory(company=owner.company)
            application = factories.ApplicationFactory(mission=mission)
            commit()
            return owner.email, application.id, application.freelancer.user.email
        finally:
            factories.CURRENT_SESSION = None


def _emails(app) -> dict[str, str]:
    with app.app_context():
        return {e.to_address: e.status for e in db.session.scalars(select(OutboundEmail))}


def test_accepting_an_application_mails_both_sides_through_the_worker(live_app):
    owner_email, application_id, freelancer_email = _seed(live_app)
    client = live_app.test_client()
    login(client, owner_email, PASSWORD)
    response = client.post(f"/entreprise/candidatures/{application_id}/accepter")
    assert response.status_code == 302
    assert _emails(live_app) == {freelancer_email: EmailStatus.PENDING.value, owner_email: EmailStatus.PENDING.value}
    run_worker(live_app, "default")
    assert _emails(live_app) == {freelancer_email: EmailStatus.SENT.value, owner_email: EmailStatus.SENT.value}
    with live_app.app_context():
        assert db.session.get(Application, application_id).status == "accepted"


def test_the_waiting_digest_runs_as_a_job_once_a_day(live_app, redis_url):
    from rq import Queue

    owner_email, application_id, _ = _seed(live_app)
    with live_app.app_context():
        db.session.get(Application, application_id).updated_at = utcnow() - timedelta(days=3)
        commit()
    queue = Queue("default", connection=Redis.from_url(redis_url))
    from worker.runtime import run_scheduled

    queue.enqueue(run_scheduled, "missions.remind_waiting_applications")
    queue.enqueue(run_scheduled, "missions.remind_waiting_applications")
    run_worker(live_app, "default")
    with live_app.app_context():
        digests = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "sme_applications_waiting")).all()
        assert [(d.to_address, d.status) for d in digests] == [(owner_email, EmailStatus.SENT.value)]


def test_cron_configuration_registers_the_waiting_digest(redis_url):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    scheduler.load_config_from_file(str(ROOT / "worker" / "cron_config.py"))
    names = {job.name: job for job in scheduler.get_jobs()}
    assert names["missions.remind_waiting_applications"].cron == "0 8 * * 1-5"
