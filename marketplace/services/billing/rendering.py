"""The Factur-X PDF of an issued invoice: rendered by its own job, after the invoice is issued.

The PDF/A-3 embeds exactly the CII XML stored when the invoice was issued; it is
rendered from the invoice's frozen rows (seller, buyer, lines, mentions), stored with
the invoice's company and freelancer as readers, and rendered only once.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.documents import DocumentKind
from marketplace.platform import storage
from marketplace.services.billing import identities
from marketplace.services.billing.document import (
    CREDIT_NOTE,
    INVOICE,
    InvoiceDocument,
    InvoiceLine,
)
from marketplace.services.billing.facturx import facturx_pdf


def _payee(invoice: Invoice) -> tuple[str | None, str | None]:
    """The account the stored XML tells the buyer to pay into (BT-84, BT-86): the PDF says the same."""
    xml = (invoice.cii_xml or b"").decode()
    iban = re.search(r"<ram:IBANID>([^<]+)</ram:IBANID>", xml)
    bic = re.search(r"<ram:BICID>([^<]+)</ram:BICID>", xml)
    return (iban.group(1) if iban else None), (bic.group(1) if bic else None)


def document_of(invoice: Invoice) -> InvoiceDocument:
    """The frozen document of an issued invoice, as its XML describes it."""
    credited = invoice.credited_invoice
    seller = identities.thawed(invoice.seller)
    on_behalf = invoice.issuer_kind == IssuerKind.FREELANCER.value
    credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE.value
    exempt = any(line.vat_category == "E" for line in invoice.lines)
    notes = {note["code"]: note["text"] for note in invoice.notes or []}
    return InvoiceDocument(
        number=invoice.number, type_code=CREDIT_NOTE if credit_note else INVOICE, issue_date=invoice.issue_date,
        due_date=invoice.due_date, period_start=invoice.period_start or invoice.issue_date,
        period_end=invoice.period_end or invoice.issue_date, seller=seller, buyer=identities.thawed(invoice.buyer),
        lines=tuple(InvoiceLine(description=line.description, quantity_centi=line.quantity_centi, unit=line.unit,
                                unit_price_cents=line.unit_price_cents, vat_category=line.vat_category,
                                vat_rate_bp=line.vat_rate_bp) for line in invoice.lines),
        late_penalty_text=notes.get("PMD") or legal.late_penalty_mention_on(invoice.issue_date),
        issued_on_behalf_by=legal.PLATFORM_NAME if on_behalf else None,
        mandate_mention=notes.get("REG") if on_behalf else None,
        vat_exemption_reason=invoice.vat_mention if exempt else None,
        preceding_invoice_number=credited.number if credited is not None else None,
        preceding_invoice_date=credited.issue_date if credited is not None else None,
        vat_debits_option=invoice.vat_debits_option,
        payee_iban=_payee(invoice)[0], payee_bic=_payee(invoice)[1],
    )


def pdf_bytes(invoice: Invoice) -> bytes:
    return facturx_pdf(document_of(invoice), xml=invoice.cii_xml)


def render_with_fee(session: Session, invoice_id: int) -> list[int]:
    """Render an invoice's PDF and those of the platform's fee invoices on it (the issuing's one job)."""
    fees = session.scalars(select(Invoice.id).where(Invoice.related_invoice_id == invoice_id).order_by(Invoice.id))
    return [document for document in (render(session, i) for i in [invoice_id, *fees]) if document]


def render(session: Session, invoice_id: int) -> int | None:
    """Render and store the invoice's Factur-X PDF, once; returns the stored document's id."""
    invoice = session.execute(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).scalar_one_or_none()
    if invoice is None or invoice.pdf_document_id is not None:
        return None
    content = pdf_bytes(invoice)
    kind = "avoir" if invoice.kind == InvoiceKind.CREDIT_NOTE.value else "facture"
    document = storage.store_generated(
        session, kind=DocumentKind.INVOICE_PDF, content=content, filename=f"{kind}-{invoice.number}.pdf",
        company_id=invoice.company_id, profile_id=invoice.freelancer_id,
    )
    invoice.pdf_document_id = document.id
    session.flush()
    return document.id
