"""The demo's invoices: every approved month before last, issued through the billing operations.

Each month is issued on the 3rd of the next (a past clock), so the numbers run in order
and the freelancers' year-to-date turnover is real. Last month is left to the billing
run (``marketplace billing run --month <last month>``), which then has work to do.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.formatting import PARIS
from marketplace.models.contracts import Contract
from marketplace.models.timesheets import Timesheet, TimesheetStatus
from marketplace.services.billing import issuing
from marketplace.services.timesheets import month as months


def seed(session: Session, contracts: dict[str, Contract]) -> int:
    last = months.previous_month(today_paris())
    ids = [c.id for c in contracts.values() if c.signed_version is not None]
    reports = session.scalars(select(Timesheet).where(
        Timesheet.contract_id.in_(ids), Timesheet.status == TimesheetStatus.APPROVED.value,
        Timesheet.replaced_at.is_(None), Timesheet.month < last,
    ).order_by(Timesheet.month, Timesheet.contract_id)).all()
    issued = 0
    for report in reports:
        day = months.month_end(report.month) + timedelta(days=3)
        result = issuing.issue_month(session, report.contract, report.month, today=day,
                                     now=datetime.combine(day, time(7), PARIS))
        issued += result.issued
    session.flush()
    return issued
