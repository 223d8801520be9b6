"""Credit notes: an issued invoice is never edited nor deleted, it is cancelled by a credit note.

A credit note (type 381) repeats the invoice's lines, references it (number and date),
takes the next number of the same issuer's series, and sets the invoice « annulée par
avoir ». Cancelling the freelancer's invoice of a month cancels the platform's fee
invoice on it too; the month can then be invoiced again (a corrected invoice), since
only live invoices count against the one-per-month rule.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.platform.audit import record
from marketplace.services.billing import identities, numbering
from marketplace.services.billing.document import CREDIT_NOTE, InvoiceLine
from marketplace.services.billing.facturx import cii_xml
from marketplace.services.billing.issuing import document_for, store


def _lines(invoice: Invoice) -> list[InvoiceLine]:
    return [InvoiceLine(description=line.description, quantity_centi=line.quantity_centi, unit=line.unit,
                        unit_price_cents=line.unit_price_cents, vat_category=line.vat_category,
                        vat_rate_bp=line.vat_rate_bp) for line in invoice.lines]


def credit(session: Session, invoice: Invoice, actor: User | None, reason: str, *, today: date | None = None,
           now: datetime | None = None) -> Invoice:
    """Cancel ``invoice`` by a credit note (and its fee invoice with it); returns the credit note."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Indiquez le motif de l'avoir : il figure au journal."), "reason")
    locked = session.execute(select(Invoice).where(Invoice.id == invoice.id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()
    if locked.kind != InvoiceKind.INVOICE.value:
        raise DomainError(_l("Un avoir ne s'annule pas par un autre avoir."))
    if locked.status == InvoiceStatus.CANCELLED.value:
        raise DomainError(_l("La facture %(number)s est déjà annulée par un avoir.", number=locked.number))
    today, now = today or today_paris(), now or utcnow()
    note = _credit_note(session, locked, today, now)
    record(session, actor, "invoice.credited", locked, reason=reason, at=now,
           details={"credit_note": note.number, "total_ttc_cents": locked.total_ttc_cents})
    if locked.issuer_kind == IssuerKind.FREELANCER.value:
        fee = session.scalar(select(Invoice).where(
            Invoice.related_invoice_id == locked.id, Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status != InvoiceStatus.CANCELLED.value).with_for_update())
        if fee is not None:
            fee_note = _credit_note(session, fee, today, now)
            record(session, actor, "invoice.credited", fee, reason=f"Facture {locked.number} annulée : {reason}",
                   at=now, details={"credit_note": fee_note.number})
    return note


def _credit_note(session: Session, invoice: Invoice, today: date, now: datetime) -> Invoice:
    seller, buyer = identities.thawed(invoice.seller), identities.thawed(invoice.buyer)
    try:
        with session.begin_nested():
            sequence, number = numbering.allocate(session, invoice.series_id, today.year)
            doc = document_for(
                number=number, type_code=CREDIT_NOTE, issue=today, due=max(today, invoice.due_date),
                period=(invoice.period_start or invoice.issue_date, invoice.period_end or invoice.issue_date),
                seller=seller, buyer=buyer, lines=_lines(invoice),
                on_behalf=invoice.issuer_kind == IssuerKind.FREELANCER.value, preceding=invoice,
                debits_option=invoice.vat_debits_option,
            )
            note = store(session, doc, series_id=invoice.series_id, sequence=sequence, issuer_kind=invoice.issuer_kind,
                         contract=invoice.contract, month=invoice.month, timesheet_id=invoice.timesheet_id,
                         company_id=invoice.company_id, freelancer_id=invoice.freelancer_id, now=now,
                         xml=cii_xml(doc), credited=invoice)
            invoice.status = InvoiceStatus.CANCELLED.value
            session.flush()
    except IntegrityError as exc:  # a credit note for it was issued a moment ago
        raise DomainError(_l("La facture %(number)s vient d'être annulée par un avoir.", number=invoice.number)) from exc
    jobs.enqueue(session, "billing.render_pdf", note.id)
    return note
