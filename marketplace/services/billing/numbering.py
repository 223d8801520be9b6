"""Gapless invoice numbers: one chronological series per issuer (each freelancer, the platform).

A number is taken inside the transaction that issues the invoice, by one atomic
``UPDATE … SET next_sequence = next_sequence + 1 … RETURNING``: on PostgreSQL the row
stays locked until the commit, so a concurrent issuer of the same series waits; on
SQLite the update takes the database's write lock. A transaction that fails rolls its
increment back with it: no number is ever skipped, reused or taken twice.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.models.billing import InvoiceSeries, IssuerKind
from marketplace.services.billing.document import NUMBER_PATTERN

PLATFORM_PREFIX = "OMP"


def prefix_for(issuer_kind: str, freelancer_id: int | None) -> str:
    return PLATFORM_PREFIX if issuer_kind == IssuerKind.PLATFORM.value else f"F{freelancer_id:05d}"


def series(session: Session, issuer_kind: str, freelancer_id: int | None = None) -> InvoiceSeries:
    """The issuer's series, created on its first invoice (two creators at once make one)."""
    owner = None if issuer_kind == IssuerKind.PLATFORM.value else freelancer_id
    query = select(InvoiceSeries).where(InvoiceSeries.issuer_kind == issuer_kind)
    query = query.where(InvoiceSeries.freelancer_id.is_(None) if owner is None else InvoiceSeries.freelancer_id == owner)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = InvoiceSeries(issuer_kind=issuer_kind, freelancer_id=owner, prefix=prefix_for(issuer_kind, owner))
            session.add(found)
            session.flush()
    except IntegrityError:
        found = session.scalar(query)
    return found


def allocate(session: Session, series_id: int, year: int) -> tuple[int, str]:
    """The next sequence of the series and its printed number (``F00012-2026-00007``)."""
    sequence, prefix = session.execute(
        update(InvoiceSeries).where(InvoiceSeries.id == series_id)
        .values(next_sequence=InvoiceSeries.next_sequence + 1)
        .returning(InvoiceSeries.next_sequence - 1, InvoiceSeries.prefix)
    ).one()
    return sequence, format_number(prefix, sequence, year)


def allocate_for(session: Session, issuer_kind: str, freelancer_id: int | None, year: int) -> tuple[int, int, str]:
    """The next number of an issuer's series in one statement (the series is created on first use):
    (series id, sequence, printed number)."""
    owner = None if issuer_kind == IssuerKind.PLATFORM.value else freelancer_id
    condition = InvoiceSeries.freelancer_id.is_(None) if owner is None else InvoiceSeries.freelancer_id == owner
    row = session.execute(
        update(InvoiceSeries).where(InvoiceSeries.issuer_kind == issuer_kind, condition)
        .values(next_sequence=InvoiceSeries.next_sequence + 1)
        .returning(InvoiceSeries.id, InvoiceSeries.next_sequence - 1, InvoiceSeries.prefix)
    ).first()
    if row is None:
        found = series(session, issuer_kind, owner)
        sequence, number = allocate(session, found.id, year)
        return found.id, sequence, number
    series_id, sequence, prefix = row
    return series_id, sequence, format_number(prefix, sequence, year)


def placeholder(issuer_kind: str, freelancer_id: int | None, year: int) -> str:
    """A number of the same length as the next one, to build a document before its number is taken."""
    return format_number(prefix_for(issuer_kind, freelancer_id), 0, year).replace("0", "9")


def format_number(prefix: str, sequence: int, year: int) -> str:
    width = 6 if prefix == PLATFORM_PREFIX else 5
    number = f"{prefix}-{year}-{sequence:0{width}d}"
    assert NUMBER_PATTERN.fullmatch(number), number
    return number
