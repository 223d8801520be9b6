"""The daily expiry run: notices once per stage, matching suspension, stale checks rerun."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.db import commit, today, utcnow
from marketplace.models.documents import Document
from marketplace.models.outbox import JobIntent
from marketplace.models.vetting import VettingCheck
from marketplace.services.vetting import expiry
from tests.factories import (
    SubmittedProfileFactory,
    sample_pdf,
    submit,
    upload_document,
    upload_valid_documents,
)


def approved_profile(session, *, urssaf_days_ago=20, insurance_days_left=265):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None)
    upload_valid_documents(profile, urssaf_issued=today() - timedelta(days=urssaf_days_ago),
                           insurance_until=today() + timedelta(days=insurance_days_left))
    submit(profile)
    profile.status = "approved"
    commit(session)
    return profile


def notices(outbox, profile):
    return [m for m in outbox.messages() if m.to_address == profile.user.email and m.template == "documents_expiring"]


def let_days_pass(session, profile, days: int) -> None:
    """Time passes: the profile's document dates and check times move ``days`` into the past."""
    shift = timedelta(days=days)
    for document in session.scalars(select(Document).where(Document.profile_id == profile.id)):
        document.issued_on = document.issued_on - shift if document.issued_on else None
        document.expires_on = document.expires_on - shift if document.expires_on else None
    for row in session.scalars(select(VettingCheck).where(VettingCheck.profile_id == profile.id)):
        row.run_at = row.run_at - shift if row.run_at else None
        row.expires_at = row.expires_at - shift if row.expires_at else None
    commit(session)


def run(session):
    report = expiry.run_daily(session)
    commit(session)
    return report


def test_notices_thirty_and_seven_days_ahead_then_on_expiry_once_each(app_ctx, db_session, outbox):
    profile = approved_profile(db_session, insurance_days_left=40)
    assert run(db_session).notices == 0

    let_days_pass(db_session, profile, 12)  # insurance in 28 days
    assert run(db_session).notices == 1 and len(notices(outbox, profile)) == 1
    message = notices(outbox, profile)[-1]
    assert message.subject == "Vos documents arrivent à échéance"
    assert "Attestation d'assurance responsabilité civile professionnelle : expire le" in message.body_text
    assert "dans 28 jours" in message.body_text

    let_days_pass(db_session, profile, 1)
    assert run(db_session).notices == 0  # same stage: nothing more
    let_days_pass(db_session, profile, 21)
    assert run(db_session).notices == 1  # 6 days left: the 7-day notice
    let_days_pass(db_session, profile, 1)
    assert run(db_session).notices == 0
    let_days_pass(db_session, profile, 6)  # expired yesterday
    report = run(db_session)
    assert report.notices == 1 and report.suspended == 1
    message = notices(outbox, profile)[-1]
    assert message.subject == "Un de vos documents a expiré" and "n'apparaît plus dans les rapprochements" in message.body_text
    assert len(notices(outbox, profile)) == 3
    assert run(db_session).notices == 0
    assert profile.matching_suspended_reason is not None  # the rerun documents check agrees


def test_one_email_lists_every_document_of_a_freelancer(app_ctx, db_session, outbox):
    # URSSAF issued 170 days ago: valid 6 months, so ~12 days left; insurance 20 days left.
    profile = approved_profile(db_session, urssaf_days_ago=170, insurance_days_left=20)
    report = expiry.run_daily(db_session)
    commit(db_session)
    assert report.notices == 2
    [message] = notices(outbox, profile)
    assert "Attestation de vigilance URSSAF" in message.body_text and "Attestation d'assurance" in message.body_text
    stages = sorted(d.expiry_notice_days for d in db_session.scalars(
        select(Document).where(Document.profile_id == profile.id, Document.expiry_notice_days.is_not(None))))
    assert stages == [30, 30]


def test_expired_required_document_suspends_matching_until_replaced(app_ctx, db_session, outbox):
    profile = approved_profile(db_session, insurance_days_left=3)
    let_days_pass(db_session, profile, 5)
    report = run(db_session)
    assert report.suspended == 1
    assert profile.status == "approved" and profile.user.active  # the account is untouched
    assert profile.matching_suspended_reason.startswith("Attestation d'assurance responsabilité civile professionnelle expirée le")
    assert run(db_session).suspended == 0  # idempotent

    upload_document(profile, "insurance", sample_pdf("Nouvelle attestation RC Pro"),
                    issued_on=today(), expires_on=today() + timedelta(days=365))
    commit(db_session)  # the documents job lifts the suspension
    assert profile.matching_suspended_reason is None
    report = run(db_session)
    assert (report.suspended, report.restored) == (0, 0)


def test_draft_and_rejected_profiles_are_not_followed(app_ctx, db_session, outbox):
    profile = approved_profile(db_session, insurance_days_left=3)
    profile.status = "rejected"
    let_days_pass(db_session, profile, 5)
    report = run(db_session)
    assert (report.notices, report.suspended) == (0, 0) and notices(outbox, profile) == []


def test_checks_whose_result_expired_are_rerun_once(app_ctx, db_session):
    profile = approved_profile(db_session)
    assert run(db_session).rechecked == 0
    let_days_pass(db_session, profile, 31)  # the duplicates check is a month old
    report = expiry.run_daily(db_session)
    fraud_jobs = db_session.scalars(select(JobIntent).where(JobIntent.dedupe_key == f"vetting:{profile.id}:fraud")).all()
    assert report.rechecked == 1 and len(fraud_jobs) == 2
    commit(db_session)
    duplicates = db_session.scalar(select(VettingCheck).where(VettingCheck.profile_id == profile.id,
                                                              VettingCheck.kind == "duplicates"))
    db_session.refresh(duplicates)
    assert duplicates.run_at > utcnow() - timedelta(minutes=1) and duplicates.status == "passed"
    assert run(db_session).rechecked == 0


def test_notice_stages():
    day = today()
    assert expiry.notice_stage(day + timedelta(days=31), day) is None
    assert expiry.notice_stage(day + timedelta(days=30), day) == 30
    assert expiry.notice_stage(day + timedelta(days=7), day) == 7
    assert expiry.notice_stage(day, day) == 7  # last valid day
    assert expiry.notice_stage(day - timedelta(days=1), day) == 0


def test_the_daily_job_notices_once_and_links_to_the_documents_page(app_ctx, db_session, outbox):
    from marketplace.platform import jobs

    profile = approved_profile(db_session, insurance_days_left=25)
    # The job's own code, outside any web request (e-mails render without a user or request).
    jobs.run_now(db_session, "vetting.expiry")
    jobs.run_now(db_session, "vetting.expiry")  # idempotent
    [message] = notices(outbox, profile)
    assert "dans 25 jours" in message.body_text and "/freelance/profil/justificatifs" in message.body_text


def test_a_replaced_document_is_not_noticed(app_ctx, db_session, outbox):
    profile = approved_profile(db_session, insurance_days_left=10)
    upload_document(profile, "insurance", sample_pdf("Attestation RC Pro renouvelée"),
                    issued_on=today(), expires_on=today() + timedelta(days=300))  # the old one is superseded
    commit(db_session)
    assert run(db_session).notices == 0 and notices(outbox, profile) == []


def test_the_expiry_run_is_scheduled_daily_with_rq_cron():
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url("redis://127.0.0.1:6379/0"))  # not contacted: jobs are only listed
    scheduler.load_config_from_file("worker/cron_config.py")
    schedule = {job.name: job.cron for job in scheduler.get_jobs()}
    assert schedule["vetting.expiry"] == "30 6 * * *"
    assert not any("expiring" in name for name in schedule)  # one reminder, not two
