"""Invoices for the reconciliation and statement tests, issued through the billing operations."""

from __future__ import annotations

from datetime import date, timedelta

from marketplace.db import commit
from marketplace.models.billing import Invoice
from marketplace.models.contracts import Contract
from marketplace.services.billing import issuing
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.factories import ContractFactory, FreelancerProfileFactory, MissionFactory


def contract_for(owner, *, start: date = date(2026, 9, 1), profile=None) -> Contract:
    """A contract of ``owner``'s company, one day a week (Tuesdays), from ``start``."""
    return ContractFactory(mission=MissionFactory(company=owner.company), freelancer=profile or FreelancerProfileFactory(),
                           start_date=start, weekdays=["tue"])


def issue(db_session, contract: Contract, owner, month: date, days: int = 2) -> Invoice:
    """The freelancer's invoice of ``month``: ``days`` Tuesdays declared, approved, issued early next month."""
    timesheet = reports.open_month(db_session, contract, month)
    tuesdays = [d.day for d in months.month_days(contract, month) if d.declarable and d.weekday == "tue"][:days]
    reports.save(db_session, timesheet, contract.freelancer.user, [Declared(d, 2) for d in tuesdays])
    reports.submit(db_session, timesheet, contract.freelancer.user)
    reports.approve(db_session, timesheet, owner)
    invoice = issuing.issue_month(db_session, contract, month, today=months.month_end(month) + timedelta(days=2)).invoice
    commit(db_session)
    assert invoice is not None
    return invoice


def issued_invoice(db_session, owner, month: date = date(2026, 11, 1)) -> Invoice:
    """One invoice of a new freelancer to ``owner``'s company."""
    return issue(db_session, contract_for(owner), owner, month)
