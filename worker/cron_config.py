"""Periodic jobs, by registered name: ``rq cron worker/cron_config.py``.

Each line names a job registered with ``marketplace.platform.jobs.job``; the scheduler
enqueues :func:`worker.runtime.run_scheduled` with that name on the job's own queue,
which records the job (a visible, retried JobIntent) and hands it on. A name that no
area registers stops the scheduler at start-up.
"""

from __future__ import annotations

from rq import cron

from marketplace.platform.jobs import registered
from marketplace.services import load_areas
from worker.runtime import run_scheduled

# (registered job name, schedule): cron expressions are in UTC.
CRON_TABLE: tuple[tuple[str, dict], ...] = (
    # Re-enqueue work recorded but never run (Redis flushed, worker lost).
    ("jobs.sweep", {"interval": 60}),
    # Learn from the SMEs' decisions (shortlisted, invited, hired, declined), every night.
    ("matching.retrain", {"cron": "30 3 * * *"}),
    # Then snapshot the matcher's prepared indexes: new web and RQ processes map it instead of
    # analysing every profile (an accepted refit also enqueues one).
    ("matching.snapshot", {"cron": "0 4 * * *"}),
    # Nudge SMEs about applications left unanswered (weekdays 08:00; one digest per owner and day).
    ("missions.remind_waiting_applications", {"cron": "0 8 * * 1-5"}),
    # Vetting: documents expiring within 30 days, matching suspension on expiry (06:30),
    # then referee reminders 3 and 7 days after the questionnaire (09:00).
    ("vetting.expiry", {"cron": "30 6 * * *"}),
    ("vetting.reference_reminders", {"cron": "0 9 * * *"}),
    # Contracts: end those due, release their half days, apply amendments due, ask for
    # vigilance certificates (05:15 UTC, before the working day in Paris).
    ("contracts.daily", {"cron": "15 5 * * *"}),
    # Activity reports: open last month's and remind the freelancers (1st, 06:00 UTC); approve
    # those left unanswered for the configured working days (daily, 05:30 UTC).
    ("timesheets.open_month", {"cron": "0 6 1 * *"}),
    ("timesheets.auto_approve", {"cron": "30 5 * * *"}),
    # Billing: last month's run the 10th (reports are sent early in the month and approved,
    # by hand or automatically, within a week), one job per contract; reports approved later
    # are billed by the daily catch-up.
    ("billing.monthly_run", {"cron": "0 6 10 * *"}),
    ("billing.late_reports", {"cron": "0 7 * * *"}),
    # Late payments: reminders on the due date, at +7 and +15 days (08:00 UTC).
    ("payments.reminders", {"cron": "0 8 * * *"}),
    # Yearly statements of the amounts received (art. 242 bis CGI), mid-January (late December
    # transfers reconciled first, before the 31 January deadline).
    ("payments.yearly_statements", {"cron": "0 6 15 1 *"}),
    # The quarterly satisfaction survey, the first day of each quarter (07:00 UTC).
    ("contracts.quarterly_satisfaction", {"cron": "0 7 1 1,4,7,10 *"}),
    # Privacy: erase the accounts whose grace period ended, delete expired export archives (04:45 UTC).
    ("privacy.daily", {"cron": "45 4 * * *"}),
    # Retention purge: what has passed its retention goes; monthly, so the 6-month rule holds (04:15 UTC, the 2nd).
    ("privacy.purge_expired", {"cron": "15 4 2 * *"}),
)

load_areas()
for _name, _when in CRON_TABLE:
    cron.register(run_scheduled, queue_name=registered(_name).queue, args=(_name,), name=_name, **_when)
