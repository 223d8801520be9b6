"""RQ job entry points: ids in, one service call, commit (see worker.runtime.entry)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from marketplace import jobs
from marketplace.db import commit, db, rollback
from marketplace.services import mail
from worker.runtime import app_context, entry

log = logging.getLogger("worker.jobs")


def run_intent(intent_id: int) -> str:
    """Run a recorded job intent; its effects and its ``done`` commit together."""
    with app_context(), db.isolated_session() as session:
        try:
            status = jobs.execute(session, intent_id)
            commit(session)
            return status
        except Exception as exc:
            rollback(session)
            jobs.record_failure(session, intent_id, exc)
            commit(session)
            raise


@entry
def deliver_email(email_id: int) -> None:
    """Send one recorded e-mail through SMTP, or write it to the outbox folder."""
    mail.deliver(db.session(), email_id)


@entry
def sweep_pending_jobs() -> int:
    """Re-dispatch the intents stuck in pending (cron, every minute)."""
    seconds = current_app.config["JOB_SWEEP_AFTER_SECONDS"]
    stuck = jobs.sweep(db.session(), timedelta(seconds=seconds))
    if stuck:
        log.info("sweep: re-dispatching %d job intents", len(stuck))
    return len(stuck)


@entry
def retrain_matcher() -> dict:
    """Refit the matcher on the marketplace's outcomes (cron, nightly); keeps the old model on failure."""
    from marketplace.services import matching

    result = matching.retrain(db.session())
    log.info("matcher retrain: accepted=%s version=%s reason=%s", result.accepted, result.version, result.reason)
    return {"accepted": result.accepted, "version": result.version, "reason": result.reason}


@entry
def remind_waiting_applications() -> int:
    """E-mail SME owners the applications waiting two days or more for an answer (cron, daily)."""
    from marketplace.services import hiring

    sent = hiring.send_waiting_digests(db.session())
    if sent:
        log.info("waiting applications: %d digests sent", sent)
    return sent


# --- vetting (queue "vetting") --------------------------------------------------------


@entry
def run_vetting_check(profile_id: int, group: str) -> int:
    """Run one group of vetting checks of a profile (identifiers, documents, references, fraud)."""
    from marketplace.services.vetting import pipeline

    return len(pipeline.run(db.session(), profile_id, group))


@entry
def send_reference_reminders() -> dict:
    """Remind referees after 3 and 7 days; expire links past their date (cron, daily)."""
    from marketplace.services.vetting import references

    counts = references.send_reminders(db.session())
    log.info("reference reminders: %s", counts)
    return counts


@entry
def run_vetting_expiry() -> str:
    """Expiry notices, matching suspensions and stale checks (cron, daily)."""
    from marketplace.services.vetting import expiry

    return str(expiry.run_daily(db.session()))
