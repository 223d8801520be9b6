"""The monthly billing run: one item per contract that ran in the month, each billed in its own transaction.

:func:`start` records the run and its items (a rerun reuses them); each item is billed
by :func:`bill_item` — the job ``billing.bill_contract`` on the ``billing`` queue, or the
CLI's loop — which issues the contract's month once and records what happened: issued,
skipped with the reason, or failed (the job is retried). A run stopped half way (a worker
killed) leaves whole invoices or none for each contract; the next run finishes the rest.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.formatting import PARIS
from marketplace.i18n import Later
from marketplace.models.billing import BillingItemStatus, BillingRun, BillingRunItem
from marketplace.models.contracts import Contract
from marketplace.platform import jobs
from marketplace.services.billing import issuing
from marketplace.services.contracts.queries import running_during
from marketplace.services.timesheets import month as months

DONE = "done"
RUNNING = "running"


def start(session: Session, month: date, now: datetime | None = None) -> BillingRun:
    """The run of ``month`` with one item per contract that ran in it (created once; a rerun adds the new ones)."""
    month = months.month_start(month)
    now = now or utcnow()
    if months.month_end(month) >= now.astimezone(PARIS).date():
        raise DomainError(_l("%(month)s n'est pas terminé : sa facturation se lance à partir du 1er du mois suivant.",
                             month=Later(i18n.month_capitalized, month)), "month")
    run = session.scalar(select(BillingRun).where(BillingRun.month == month).with_for_update())
    if run is None:
        try:
            with session.begin_nested():
                run = BillingRun(month=month, status=RUNNING)
                session.add(run)
                session.flush()
        except IntegrityError:  # started a moment ago elsewhere
            run = session.scalar(select(BillingRun).where(BillingRun.month == month).with_for_update())
    run.status, run.started_at, run.finished_at = RUNNING, now, None
    run.attempts += 1
    known = set(session.scalars(select(BillingRunItem.contract_id).where(BillingRunItem.run_id == run.id)))
    for contract in running_during(session, month, months.month_end(month)):
        if contract.id not in known:
            session.add(BillingRunItem(run_id=run.id, contract_id=contract.id))
    session.flush()
    return run


def open_items(session: Session, run: BillingRun) -> list[BillingRunItem]:
    """Items still to bill: never tried, failed, or skipped (a report may have been approved since)."""
    return list(session.scalars(select(BillingRunItem).where(
        BillingRunItem.run_id == run.id, BillingRunItem.status != BillingItemStatus.ISSUED.value
    ).order_by(BillingRunItem.contract_id)))


def bill_item(session: Session, item_id: int, *, today: date | None = None, now: datetime | None = None) -> BillingRunItem:
    """Bill one contract of a run (issued, or skipped with the reason); exceptions propagate (the job retries)."""
    item = session.execute(select(BillingRunItem).where(BillingRunItem.id == item_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    if item.status == BillingItemStatus.ISSUED.value:
        return item
    run = session.get(BillingRun, item.run_id)
    item.attempts += 1
    contract = session.get(Contract, item.contract_id)
    result = issuing.issue_month(session, contract, run.month, today=today or today_paris(), now=now)
    if result.issued:
        item.status, item.reason, item.invoice_id = BillingItemStatus.ISSUED.value, None, result.invoice.id
    elif result.skipped and "déjà facturé" in result.skipped:
        existing = issuing.live_invoice(session, contract.id, run.month, "freelancer")
        item.status, item.reason = BillingItemStatus.ISSUED.value, result.skipped
        item.invoice_id = existing.id if existing else item.invoice_id
    else:
        item.status, item.reason = BillingItemStatus.SKIPPED.value, result.skipped
    session.flush()
    finish_if_complete(session, run)
    return item


def record_failure(session: Session, item_id: int, exc: BaseException) -> None:
    """Mark an item failed with the error (in its own transaction, after the rollback)."""
    item = session.get(BillingRunItem, item_id)
    if item is not None and item.status != BillingItemStatus.ISSUED.value:
        item.status = BillingItemStatus.FAILED.value
        item.reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        session.flush()


def finish_if_complete(session: Session, run: BillingRun, now: datetime | None = None) -> None:
    counts = summary(session, run)
    run.summary = counts
    if not counts.get(BillingItemStatus.PENDING.value):
        run.status, run.finished_at = DONE, now or utcnow()


def summary(session: Session, run: BillingRun) -> dict[str, int]:
    rows = session.execute(select(BillingRunItem.status, func.count()).where(BillingRunItem.run_id == run.id)
                           .group_by(BillingRunItem.status)).all()
    return {status: count for status, count in rows}


def fan_out(session: Session, month: date) -> BillingRun:
    """Start the run and hand each contract to a worker (one job per contract and month)."""
    run = start(session, month)
    for item in open_items(session, run):
        item.status = BillingItemStatus.PENDING.value
        jobs.enqueue(session, "billing.bill_contract", item.id, dedupe_key=f"billing-{run.month:%Y-%m}-{item.contract_id}")
    finish_if_complete(session, run)
    return run


@dataclass
class Report:
    """What a run did, for the CLI and the console."""

    month: date
    issued: list[str] = field(default_factory=list)  # invoice numbers
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (contract id, reason)
    failed: list[tuple[int, str]] = field(default_factory=list)
    already: int = 0


def reasons(session: Session, run: BillingRun) -> list[BillingRunItem]:
    return list(session.scalars(select(BillingRunItem).where(
        BillingRunItem.run_id == run.id, BillingRunItem.status != BillingItemStatus.ISSUED.value
    ).order_by(BillingRunItem.status, BillingRunItem.contract_id)))


def latest_done_with_open_items(session: Session) -> BillingRun | None:
    """The most recent finished run that still has contracts skipped or failed (late reports)."""
    return session.scalar(
        select(BillingRun).where(BillingRun.status == DONE, select(BillingRunItem.id).where(
            BillingRunItem.run_id == BillingRun.id,
            BillingRunItem.status.in_([BillingItemStatus.SKIPPED.value, BillingItemStatus.FAILED.value]),
        ).exists()).order_by(BillingRun.month.desc()).limit(1))
