"""Paying invoices on the SME side: « Payer » one invoice or a selection, and the saved card or SEPA mandate.

The card or IBAN never reaches the platform: the method page creates a SetupIntent
(``methods.start``), Stripe.js collects and confirms it in the browser (Payment
Element), then posts the SetupIntent's id back to ``/entreprise/paiement/confirmer``,
where ``methods.confirm`` reads it from Stripe. Stripe.js is loaded by that page only,
under a policy that lets its origin in (``payment_views.stripe_page_policy``).
"""

from __future__ import annotations

import re

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from marketplace.db import db
from marketplace.models.billing import Invoice
from marketplace.platform.links import external_url
from marketplace.services.payments import collecting, methods
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.billing_views import scoped_invoice
from marketplace.web.boundary import attempt
from marketplace.web.forms import BaseForm, query_text, safe_next
from marketplace.web.payment_forms import ConfirmMethodForm, selected_invoice_ids
from marketplace.web.payment_views import (
    card_entry_ready,
    cards_configured,
    charge_outcome,
    method_label,
    stripe_page_policy,
    transfer_details,
)
from marketplace.web.sme import bp

NOT_CONFIGURED = ("Le paiement par carte ou prélèvement SEPA n'est pas encore configuré sur la plateforme : "
                  "réglez vos factures par virement.")
_SETUP_INTENT = re.compile(r"seti_[A-Za-z0-9_]{1,115}")


def _pay(invoices: list[Invoice]) -> None:
    """Record the charge (its job runs after the commit) and say what came of it."""
    done = attempt(lambda: collecting.request_charge(db.session, current_user.company, invoices, current_user))
    if done:
        flash(*charge_outcome(done.value.id))


@bp.route("/factures/<int:invoice_id>/payer", methods=["POST"])
def invoice_pay(invoice_id: int):
    """« Payer »: charge this invoice to the saved card or SEPA mandate."""
    item = scoped_invoice(invoice_id)
    if BaseForm().validate():
        _pay([item])
    return redirect(url_for("sme.invoice", invoice_id=item.id))


@bp.route("/factures/payer", methods=["POST"])
def invoices_pay():
    """« Payer la sélection »: one charge covering the invoices ticked in the list."""
    ids = selected_invoice_ids()
    if ids is None:
        abort(400)
    chosen = [get_scoped_or_404(Invoice, invoice_id) for invoice_id in sorted(ids)]  # someone else's: 404
    if BaseForm().validate():
        _pay(chosen)
    return redirect(url_for("sme.invoices"))


# --- the saved card or SEPA mandate --------------------------------------------------------------------


def _method_page(setup=None, confirm_form: ConfirmMethodForm | None = None):
    company = current_user.company
    method = collecting.active_method(db.session, company.id)
    returned = query_text("setup_intent", 120)
    if confirm_form is None and _SETUP_INTENT.fullmatch(returned):
        # Back from a bank's page (3-D Secure, SEPA): the page posts the id on to « confirmer ».
        confirm_form = ConfirmMethodForm(formdata=None, setup_intent=returned)
    return render_template(
        "payments/sme_method.html", company=company, method=method, method_text=method_label(method),
        cards=cards_configured(), entry_ready=card_entry_ready(), setup=setup, confirm_form=confirm_form,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
        stripe_js_url=current_app.config.get("STRIPE_JS_URL"),
        return_url=external_url("sme.payment_method"), transfer=transfer_details(), form=BaseForm(),
    )


@bp.route("/paiement")
def payment_method():
    """The saved card or SEPA mandate (type, brand, last four digits), « Enregistrer », the transfer details."""
    return _method_page()


@bp.route("/paiement/enregistrer", methods=["POST"])
def payment_method_start():
    """« Enregistrer une carte ou un mandat SEPA »: a SetupIntent, and Stripe.js mounted to collect it."""
    if not BaseForm().validate():
        return redirect(url_for("sme.payment_method"))
    if not card_entry_ready():
        flash(NOT_CONFIGURED, "warning")
        return redirect(url_for("sme.payment_method"))
    done = attempt(lambda: methods.start(db.session, current_user.company, current_user))
    if not done:
        return redirect(url_for("sme.payment_method"))
    response = make_response(_method_page(setup=done.value, confirm_form=ConfirmMethodForm(formdata=None)))
    response.headers["Content-Security-Policy"] = stripe_page_policy()
    response.headers["Cache-Control"] = "no-store"  # the page holds the SetupIntent's client secret
    return response


def _saved_text(method) -> str:
    what = (f"Mandat de prélèvement SEPA •••• {method.last4} enregistré" if method.type == "sepa_debit"
            else f"{method_label(method)} enregistrée")
    return (f"{what} : vos prochaines factures seront payées automatiquement à leur émission ; celles déjà "
            "émises, avec « Payer ».")


@bp.route("/paiement/confirmer", methods=["POST"])
def payment_method_confirm():
    """Keep the method the SetupIntent saved, as Stripe reports it (the browser only names the SetupIntent)."""
    form = ConfirmMethodForm()
    if not cards_configured():
        flash(NOT_CONFIGURED, "warning")
    elif form.validate():
        attempt(lambda: methods.confirm(db.session, current_user.company, current_user, form.setup_intent.data),
                success=_saved_text)
    else:
        for message in form.setup_intent.errors or ["Le formulaire a expiré : recommencez."]:
            flash(message, "danger")
    return redirect(safe_next(url_for("sme.payment_method")))


@bp.route("/paiement/retirer", methods=["POST"])
def payment_method_remove():
    """« Retirer »: the saved method is no longer charged; invoices are paid by transfer or a new method."""
    if BaseForm().validate():
        attempt(lambda: methods.remove(db.session, current_user.company, current_user),
                success="Moyen de paiement retiré : réglez vos factures par virement, ou enregistrez-en un autre.",
                category="info")
    return redirect(url_for("sme.payment_method"))
