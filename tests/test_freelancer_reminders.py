"""Documents about to expire: one reminder 30 days, then 7 days before, sent by a daily job."""

from __future__ import annotations

import io
from datetime import timedelta

from marketplace.db import today
from marketplace.services import profiles
from tests.factories import FreelancerProfileFactory
from tests.freelancer_support import PDF_BYTES
from worker import jobs


def _insurance(session, profile, days: int):
    with_expiry = today() + timedelta(days=days)
    return profiles.upload_document(
        session, profile, kind="insurance", stream=io.BytesIO(PDF_BYTES), filename="rc.pdf", expires_on=with_expiry
    )


def test_each_threshold_sends_one_reminder_whoever_runs_the_job(app_ctx, db_session, outbox):
    profile = FreelancerProfileFactory(user__email="rc@example.test")
    _insurance(db_session, profile, 25)
    FreelancerProfileFactory(user__email="calm@example.test")  # nothing expiring
    # The job's own code, outside any web request (e-mails render without a user or request).
    assert jobs.remind_expiring_documents.__wrapped__() == 1
    assert jobs.remind_expiring_documents.__wrapped__() == 0  # idempotent
    email = outbox.last_to("rc@example.test")
    assert email.subject == "À renouveler : attestation d'assurance responsabilité civile professionnelle"
    assert "dans 25 jours" in email.body_text and "/freelance/profil/justificatifs" in email.body_text

    # A week before expiry, the second reminder; then nothing more.
    assert profiles.remind_expiring_documents(db_session, on=today() + timedelta(days=19)) == 1
    assert profiles.remind_expiring_documents(db_session, on=today() + timedelta(days=20)) == 0
    assert [m.to_address for m in outbox.messages()].count("rc@example.test") == 2


def test_a_replaced_document_is_not_reminded(app_ctx, db_session, outbox):
    profile = FreelancerProfileFactory()
    _insurance(db_session, profile, 10)
    _insurance(db_session, profile, 300)  # renewed: the old one is superseded
    assert profiles.remind_expiring_documents(db_session) == 0


def test_the_reminder_is_scheduled_daily_with_rq_cron():
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url("redis://127.0.0.1:6379/1"))  # not contacted: jobs are only listed
    scheduler.load_config_from_file("worker/cron_config.py")
    schedule = {job.func: job.cron for job in scheduler.get_jobs()}
    assert schedule[jobs.remind_expiring_documents] == "0 7 * * *"
