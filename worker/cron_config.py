"""Periodic jobs, by registered name: ``rq cron worker/cron_config.py``.

Each line names a job registered with ``marketplace.platform.jobs.job``; the scheduler
enqueues :func:`worker.runtime.run_scheduled` with that name on the job's own queue,
which records the job (a visible, retried JobIntent) and hands it on. A name that no
area registers stops the scheduler at start-up. The table itself is
``marketplace.platform.cron.CRON_TABLE`` (add periodic jobs there).
"""

from __future__ import annotations

from rq import cron

# The table lives in marketplace.platform.cron: the embedded mode ticks the same one in-process.
from marketplace.platform.cron import CRON_TABLE
from marketplace.platform.jobs import registered
from marketplace.services import load_areas
from worker.runtime import run_scheduled

load_areas()
for _name, _when in CRON_TABLE:
    cron.register(run_scheduled, queue_name=registered(_name).queue, args=(_name,), name=_name, **_when)
