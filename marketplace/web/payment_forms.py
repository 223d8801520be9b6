"""Forms of the SME's payment pages: paying, saving a card or SEPA mandate, removing it."""

from __future__ import annotations

from flask import request
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, Regexp

from marketplace.web.forms import BaseForm

# Invoices one « Payer la sélection » may cover, at most.
MAX_SELECTION = 50
UNKNOWN_SETUP = "Enregistrement inconnu : recommencez."


class ConfirmMethodForm(BaseForm):
    """The SetupIntent Stripe.js confirmed in the browser, posted back so the server reads it from Stripe."""

    setup_intent = HiddenField(validators=[DataRequired(UNKNOWN_SETUP), Length(max=120, message=UNKNOWN_SETUP),
                                           Regexp(r"^seti_[A-Za-z0-9_]+$", message=UNKNOWN_SETUP)])


def selected_invoice_ids() -> set[int] | None:
    """The ids ticked in « Payer la sélection » (None when one is not an id: the request is not the page's)."""
    raw = request.form.getlist("invoice")
    if len(raw) > MAX_SELECTION:
        return None
    ids = set()
    for value in raw:
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            return None
        ids.add(int(value))
    return ids
