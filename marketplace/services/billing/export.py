"""``marketplace invoices export``: every invoice and credit note of a month as its Factur-X PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.billing import Invoice
from marketplace.platform import storage
from marketplace.services.billing import rendering
from marketplace.services.timesheets import month as months


def issued_in(session: Session, month: date) -> list[Invoice]:
    """Invoices and credit notes issued during ``month``, in number order per series."""
    first = months.month_start(month)
    return list(session.scalars(select(Invoice).where(
        Invoice.issue_date >= first, Invoice.issue_date <= months.month_end(first)
    ).order_by(Invoice.series_id, Invoice.sequence)))


def export(session: Session, month: date, directory: Path) -> list[Path]:
    """Write each document of the month as ``<number>.pdf`` (the stored PDF, or rendered now)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for invoice in issued_in(session, month):
        content = storage.read(invoice.pdf_document) if invoice.pdf_document is not None else rendering.pdf_bytes(invoice)
        path = directory / f"{invoice.number}.pdf"
        path.write_bytes(content)
        written.append(path)
    return written
