"""The demo's activity reports, made through the report operations with a past clock.

Every signed contract gets its reports from its first month to last month: the
freelancer ticks the contract's days (now and then one off), sends the report on the
1st, the company approves it the next day. Last month tells the rest of the story:
om@demo.test's Boréal Monday and the Wednesday–Friday contract are approved and await the
billing run; her Tuesday–Thursday report awaits pme@demo.test's approval; the contract in
notice has its report disputed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.domain import add_months
from marketplace.formatting import PARIS
from marketplace.models.contracts import Contract
from marketplace.models.timesheets import TimesheetStatus
from marketplace.models.users import CompanyRole
from marketplace.services.accounts.seed import rng_for
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared

# Last month's report of each case, as the demo leaves it.
LAST_MONTH = {"boreal": "approved", "running": "approved", "pme": "submitted", "notice": "disputed"}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS)


def seed(session: Session, contracts: dict[str, Contract]) -> None:
    last = months.previous_month(today_paris())
    for case, contract in contracts.items():
        if contract.signed_version is None:
            continue
        month = months.month_start(contract.start_date)
        while month <= last:
            _month(session, case, contract, month, LAST_MONTH.get(case, "approved") if month == last else "approved")
            month = add_months(month, 1)
    session.flush()


def _month(session: Session, case: str, contract: Contract, month: date, stage: str) -> None:
    planned = [d for d in months.month_days(contract, month) if d.declarable and d.planned_half_days]
    if not planned:
        return  # the contract starts after its last weekday of the month
    timesheet = reports.open_month(session, contract, month, now=at(month, 8))
    if timesheet.status != TimesheetStatus.DRAFT.value or timesheet.entries:
        return  # seeded already
    rng = rng_for("timesheet", contract.id, month.isoformat())
    if len(planned) > 3 and rng.random() < 0.5:
        planned.remove(rng.choice(planned))  # a day off
    freelancer, owner = contract.freelancer.user, _owner(contract)
    reports.save(session, timesheet, freelancer, [Declared(d.day, d.planned_half_days) for d in planned])
    sent = months.month_end(month) + timedelta(days=1)
    reports.submit(session, timesheet, freelancer, now=at(sent, 9))
    if stage == "approved":
        reports.approve(session, timesheet, owner, now=at(sent + timedelta(days=1), 10))
    elif stage == "disputed":
        reports.dispute(session, timesheet, owner, "Le dernier vendredi du mois, vous étiez en congé : retirez-le, "
                        "s'il vous plaît.", now=at(sent + timedelta(days=1), 10))


def _owner(contract: Contract):
    owners = [u for u in contract.company.members if u.company_role == CompanyRole.OWNER.value]
    return owners[0] if owners else contract.company.members[0]
