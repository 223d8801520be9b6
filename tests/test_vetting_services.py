"""Vetting checks as real RQ jobs: real Redis, a real ``rq worker`` process, idempotent reruns.

Rows are committed for real (the worker is another process) and wiped afterwards.
Needs ``MARKETPLACE_REQUIRE_SERVICES=1``, ``REDIS_URL`` and ideally PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from marketplace.db import commit, db, today
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.outbox import JobIntent, JobStatus, OutboundEmail
from marketplace.models.vetting import VettingCheck
from marketplace.platform.identifiers import vat_number_for_siren
from marketplace.services.vetting import scheduling
from tests import factories
from tests.factories import (
    ExperienceEntryFactory,
    ReferenceFactory,
    SubmittedProfileFactory,
    UserFactory,
    sample_pdf,
    submit,
    upload_document,
    upload_valid_documents,
)
from tests.test_services_rq import live_app, run_worker  # noqa: F401  (fixtures)

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def committed(live_app):  # noqa: F811
    """Factories writing through the live app's session (real commits)."""
    with live_app.app_context():
        factories.CURRENT_SESSION = db.session
        try:
            yield db.session
        finally:
            factories.CURRENT_SESSION = None
            db.session.remove()


def checks_of(session, profile_id) -> dict[tuple[str, str], VettingCheck]:
    session.expire_all()
    rows = session.scalars(select(VettingCheck).where(VettingCheck.profile_id == profile_id).order_by(VettingCheck.id))
    return {(r.kind, r.subject): r for r in rows}


def snapshot(session, profile_id):
    return [(r.id, r.kind, r.subject, r.status, r.summary, r.details) for r in checks_of(session, profile_id).values()]


def questionnaires_sent(session) -> int:
    return len(session.scalars(select(OutboundEmail).where(OutboundEmail.template == "reference_request")).all())


def make_profiles(session):
    good = SubmittedProfileFactory(status="draft", submitted_at=None, vat_regime="liable", legal_form="eurl",
                                   business_name="DURAND Office Services EURL", vat_number=None)
    good.vat_number = vat_number_for_siren(good.siret[:9])
    upload_valid_documents(good)
    bad = SubmittedProfileFactory(
        status="draft", submitted_at=None, references=[], experiences=[], siret="73282932000079", iban=good.iban,
        years_experience=15, freelance_years=2, user=UserFactory(role="freelancer", email="lea@roux-conseil.fr"),
    )
    ExperienceEntryFactory(profile=bad, start_date=today() - timedelta(days=365 * 6))
    ReferenceFactory(profile=bad, email="associe@roux-conseil.fr")
    upload_document(bad, "urssaf_certificate", sample_pdf("Attestation ancienne"), issued_on=today() - timedelta(days=250))
    submit(good)
    submit(bad)
    commit(session)
    return good.id, bad.id


def test_every_check_group_runs_as_a_job_on_a_real_worker_and_reruns_identically(committed, live_app, redis_url):  # noqa: F811
    session = committed
    good, bad = make_profiles(session)

    queue = Queue("vetting", connection=Redis.from_url(redis_url))
    intents = session.scalars(select(JobIntent).where(JobIntent.name == scheduling.RUN_GROUP).order_by(JobIntent.id)).all()
    assert sorted((i.args[0], i.args[1]) for i in intents) == sorted(
        (pid, group) for pid in (good, bad) for group in scheduling.GROUPS
    )
    assert set(queue.job_ids) == {f"intent-{i.id}" for i in intents}
    assert {r.status for r in checks_of(session, good).values()} == {"pending"}  # recorded before any worker ran

    run_worker(live_app, "vetting")  # e-mail deliveries wait on "default": not what is tested here

    session.expire_all()
    assert {i.status for i in session.scalars(select(JobIntent).where(JobIntent.queue == "vetting"))} == {JobStatus.DONE.value}
    ok, ko = checks_of(session, good), checks_of(session, bad)
    # identifiers
    assert [ok[(k, "")].status for k in ("siret", "vat_number", "iban", "legal_form")] == ["passed"] * 4
    assert ko[("siret", "")].status == "failed" and "clé de contrôle" in ko[("siret", "")].summary
    # documents (PDFs opened by pypdf inside the worker process)
    assert ok[("urssaf_certificate", "")].status == "warning" and ok[("urssaf_certificate", "")].details["pages"] == 1
    assert ok[("insurance", "")].status == "passed" and ok[("identity", "")].details["width"] == 800 + good % 500  # the scan the factory uploaded
    assert ko[("urssaf_certificate", "")].status == "failed" and "plus de 6 mois" in ko[("urssaf_certificate", "")].summary
    assert ko[("insurance", "")].status == "failed"
    # references: questionnaires e-mailed (delivered by the same worker), own-domain referee flagged
    assert ok[("references", "")].status == "pending" and ok[("references", "")].summary == "En attente des 2 référents."
    [flagged] = [r for (kind, subject), r in ko.items() if kind == "references" and subject]
    assert ko[("references", "")].status == "failed" and "Signalé : Référent sur le domaine e-mail du freelance" in flagged.summary
    assert questionnaires_sent(session) == 3
    # fraud: the shared IBAN shows on both profiles; 15 declared years for 6 dated
    assert ko[("duplicates", "")].status == "failed" and ok[("duplicates", "")].status == "failed"
    assert ko[("experience", "")].status == "failed" and ok[("experience", "")].status == "passed"
    assert session.get(FreelancerProfile, good).vetting_score > session.get(FreelancerProfile, bad).vetting_score

    before = {pid: snapshot(session, pid) for pid in (good, bad)}
    for pid in (good, bad):
        scheduling.schedule(session, session.get(FreelancerProfile, pid), force=True)
    commit(session)
    assert len(queue.job_ids) == 8
    run_worker(live_app, "vetting")
    assert {pid: snapshot(session, pid) for pid in (good, bad)} == before
    assert questionnaires_sent(session) == 3  # none sent twice


def test_daily_cron_jobs_run_on_the_vetting_queue(committed, live_app, redis_url):  # noqa: F811
    session = committed
    # An approved freelancer whose insurance ended yesterday (no submission: no check jobs queued).
    profile = SubmittedProfileFactory(status="approved")
    upload_valid_documents(profile, insurance_until=today() - timedelta(days=1))
    commit(session)
    good = profile.id

    from worker.runtime import run_scheduled

    queue = Queue("vetting", connection=Redis.from_url(redis_url))
    queue.enqueue(run_scheduled, "vetting.expiry")  # what the cron does at 06:30 and 09:00
    queue.enqueue(run_scheduled, "vetting.reference_reminders")
    run_worker(live_app, "vetting", "default")
    session.expire_all()
    profile = session.get(FreelancerProfile, good)
    assert profile.status == "approved"
    assert profile.matching_suspended_reason.startswith("Attestation d'assurance responsabilité civile professionnelle expirée")
    emails = sorted(p.name.split("-", 2)[2] for p in (Path(live_app.instance_path) / "outbox").glob("*.eml"))
    assert emails == ["documents_expiring.eml", "matching_suspended.eml"]


def test_cron_configuration_registers_the_vetting_jobs(redis_url):  # noqa: F811
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    scheduler.load_config_from_file(str(ROOT / "worker" / "cron_config.py"))
    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert jobs["vetting.expiry"].cron == "30 6 * * *"
    assert jobs["vetting.reference_reminders"].cron == "0 9 * * *"
    assert jobs["vetting.expiry"].queue_name == "vetting"
