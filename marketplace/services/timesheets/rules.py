"""Constants of the activity reports (CRA)."""

from __future__ import annotations

# A CRA left unanswered this many working days after it was sent is approved by the daily
# job (configurable: TIMESHEET_AUTO_APPROVE_WORKING_DAYS).
AUTO_APPROVE_WORKING_DAYS = 5
MAX_COMMENT = 2_000
MAX_NOTE = 200
