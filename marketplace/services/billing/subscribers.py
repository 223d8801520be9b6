"""The billing area's reactions to domain events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.timesheets import Timesheet
from marketplace.platform import events
from marketplace.services.billing import credit


@events.timesheet_replaced.connect
def _credit_what_the_old_report_invoiced(session: Session, old: Timesheet, new: Timesheet, reason: str,
                                         **_: Any) -> None:
    """A corrected report: the invoice of the replaced version is cancelled by a credit note."""
    invoice = session.scalar(select(Invoice).where(
        Invoice.timesheet_id == old.id, Invoice.issuer_kind == IssuerKind.FREELANCER.value,
        Invoice.kind == InvoiceKind.INVOICE.value, Invoice.status != InvoiceStatus.CANCELLED.value))
    if invoice is not None:
        credit.credit(session, invoice, None, f"Compte rendu corrigé (version {new.version}) : {reason}")
