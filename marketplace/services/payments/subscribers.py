"""The payments area's reactions to domain events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from marketplace.models.billing import Invoice, IssuerKind
from marketplace.platform import events
from marketplace.services.payments import collecting


@events.invoice_issued.connect
def _charge_a_saved_method(session: Session, invoice: Invoice, **_: Any) -> None:
    """An invoice issued to a company with a saved card or SEPA mandate is charged at once."""
    if invoice.issuer_kind != IssuerKind.FREELANCER.value or invoice.company is None:
        return
    if collecting.active_method(session, invoice.company_id) is not None:
        collecting.request_charge(session, invoice.company, [invoice], None)
