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
    # Nudge SMEs about applications left unanswered (weekdays 08:00; one digest per owner and day).
    ("missions.remind_waiting_applications", {"cron": "0 8 * * 1-5"}),
    # Vetting: documents expiring within 30 days, matching suspension on expiry (06:30),
    # then referee reminders 3 and 7 days after the questionnaire (09:00).
    ("vetting.expiry", {"cron": "30 6 * * *"}),
    ("vetting.reference_reminders", {"cron": "0 9 * * *"}),
)

load_areas()
for _name, _when in CRON_TABLE:
    cron.register(run_scheduled, queue_name=registered(_name).queue, args=(_name,), name=_name, **_when)
