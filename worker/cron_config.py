"""Periodic jobs, registered with RQ's cron scheduler: ``rq cron worker/cron_config.py``."""

from rq import cron

from worker import jobs

# Re-enqueue work recorded but never run (Redis flushed, worker lost).
cron.register(jobs.sweep_pending_jobs, queue_name="default", interval=60)
# Learn from the SMEs' decisions (shortlisted, invited, hired, declined), every night.
cron.register(jobs.retrain_matcher, queue_name="default", cron="30 3 * * *")
# Nudge SMEs about applications left unanswered (weekdays 08:00 UTC; one digest per owner and day).
cron.register(jobs.remind_waiting_applications, queue_name="default", cron="0 8 * * 1-5")

# Vetting: documents expiring within 30 days, matching suspension on expiry (06:30 daily),
# then referee reminders 3 and 7 days after the questionnaire (09:00 daily).
cron.register(jobs.run_vetting_expiry, queue_name="vetting", cron="30 6 * * *")
cron.register(jobs.send_reference_reminders, queue_name="vetting", cron="0 9 * * *")
