"""The demo's activity reports: last month's report of om@demo.test, still to fill in.

Recorded here until the CRA operations exist (they create each month's report).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today
from marketplace.models.contracts import Contract
from marketplace.models.timesheets import Timesheet


def seed(session: Session, contract: Contract | None) -> None:
    """Last month's report of the demo contract, a draft the freelancer has to send."""
    if contract is None:
        return
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    exists = session.scalar(select(Timesheet.id).where(Timesheet.contract_id == contract.id, Timesheet.month == last_month))
    if exists is None:
        session.add(Timesheet(contract_id=contract.id, month=last_month))
        session.flush()
