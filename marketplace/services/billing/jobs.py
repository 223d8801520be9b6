"""Jobs of the billing area (queue « billing »), registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.db import today
from marketplace.platform.jobs import job
from marketplace.services.billing import rendering, runs
from marketplace.services.timesheets import month as months

log = logging.getLogger(__name__)


@job("billing.monthly_run", queue="billing")
def monthly_run(session: Session) -> int:
    """Start last month's billing run and hand each contract to a worker (cron, monthly)."""
    run = runs.fan_out(session, months.previous_month(today()))
    return run.id


@job("billing.late_reports", queue="billing")
def late_reports(session: Session) -> int:
    """Bill the reports approved after their month's run (cron, daily): the same run, its open items again."""
    run = runs.latest_done_with_open_items(session)
    if run is None:
        return 0
    return runs.fan_out(session, run.month).id


@job("billing.bill_contract", queue="billing", timeout=300)
def bill_contract(session: Session, item_id: int) -> str:
    """Issue one contract's month of a run (the freelancer's invoice and the fee invoice), once."""
    return runs.bill_item(session, item_id).status


@job("billing.render_pdf", queue="billing", timeout=300)
def render_pdf(session: Session, invoice_id: int) -> list[int]:
    """Render and store the Factur-X PDF of an issued invoice or credit note, and of the fee invoice on it."""
    return rendering.render_with_fee(session, invoice_id)
