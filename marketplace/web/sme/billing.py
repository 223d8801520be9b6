"""Activity reports and invoices on the SME side: approve or dispute the months, read and pay the invoices."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from marketplace.db import db, today
from marketplace.formatting import de, month_fr
from marketplace.services.billing import queries as billing_queries
from marketplace.services.payments import collecting
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.services.timesheets import reports
from marketplace.web.billing_forms import DisputeForm
from marketplace.web.billing_views import (
    Refusals,
    render_invoice,
    render_timesheet,
    scoped_invoice,
    scoped_timesheet,
    spend_chart,
)
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.forms import BaseForm, safe_next
from marketplace.web.payment_views import (
    cards_configured,
    invoice_payment,
    method_label,
    transfer_details,
)
from marketplace.web.sme import bp
from marketplace.web.sme import contracts as _contracts  # noqa: F401  (« Contrats » comes first in the menu)

add_nav_item("sme", "sme.timesheets", _l("CRA"))
add_nav_item("sme", "sme.invoices", _l("Factures"))

# Ids posted by « Tout valider » (the reports the page showed), at most.
MAX_BATCH = 200


# --- activity reports ---------------------------------------------------------------------------------


@bp.route("/cra")
def timesheets():
    """The reports awaiting the company's approval first (one click each, or all at once), then the others."""
    company_id = current_user.company_id
    awaiting = timesheet_queries.to_approve_for_company(db.session, company_id)
    others = [t for t in timesheet_queries.live_for_company(db.session, company_id)
              if not timesheet_queries.awaits_company(t)]
    return render_template("billing/timesheets_sme.html", awaiting=awaiting, others=others, form=BaseForm(),
                           status_labels=timesheet_queries.COMPANY_STATUS_LABELS)


@bp.route("/cra/<int:timesheet_id>")
def timesheet(timesheet_id: int):
    """One report, read-only, with « Valider » and « Contester » while it awaits the company."""
    return render_timesheet(scoped_timesheet(timesheet_id), "sme")


def _approved_text(timesheet) -> str:
    return (f"Compte rendu de {month_fr(timesheet.month)} validé ({reports.days_text(timesheet.total_half_days)}) : "
            f"la facture sera émise au nom {de(timesheet.contract.freelancer.display_name)} lors de la facturation "
            "mensuelle.")


@bp.route("/cra/<int:timesheet_id>/valider", methods=["POST"])
def timesheet_approve(timesheet_id: int):
    """Approve the report: it is frozen and invoiced by the next billing run."""
    item = scoped_timesheet(timesheet_id)
    if BaseForm().validate():
        attempt(lambda: reports.approve(db.session, item, current_user), success=_approved_text)
    return redirect(safe_next(url_for("sme.timesheet", timesheet_id=item.id)))


@bp.route("/cra/<int:timesheet_id>/contester", methods=["POST"])
def timesheet_dispute(timesheet_id: int):
    """Send the report back to the freelancer with a comment saying what is wrong."""
    item = scoped_timesheet(timesheet_id)
    form = DisputeForm()
    done = submit(form, lambda: reports.dispute(db.session, item, current_user, form.reason.data or ""),
                  success=lambda t: (f"Compte rendu renvoyé à {t.contract.freelancer.display_name} avec votre "
                                     "commentaire : il corrige ses jours puis vous le renvoie."), category="info")
    if done:
        return redirect(url_for("sme.timesheet", timesheet_id=item.id))
    return render_timesheet(item, "sme", 422, dispute_form=form)


def _posted_ids() -> set[int]:
    raw = request.form.getlist("timesheet")[:MAX_BATCH]
    return {int(value) for value in raw if value.isascii() and value.isdigit() and len(value) <= 9}


@bp.route("/cra/tout-valider", methods=["POST"])
def timesheets_approve_all():
    """« Tout valider »: approve each report the page showed as awaiting, in one request; every refusal is said."""
    if not BaseForm().validate():
        return redirect(url_for("sme.timesheets"))
    wanted = _posted_ids()
    chosen = [t for t in timesheet_queries.to_approve_for_company(db.session, current_user.company_id) if t.id in wanted]
    if not chosen:
        flash(_("Aucun compte rendu n'attend votre validation."), "info")
        return redirect(url_for("sme.timesheets"))
    approved, refused = 0, []
    for item in chosen:
        label = reports.label(item)
        refusals = Refusals()
        if attempt(lambda item=item: reports.approve(db.session, item, current_user), form=refusals):
            approved += 1
        refused.extend(f"{label} : {message}" for message in refusals.messages)
    if approved:
        flash(ngettext("%(num)s compte rendu validé : les factures seront émises lors de la facturation mensuelle.",
                       "%(num)s comptes rendus validés : les factures seront émises lors de la facturation mensuelle.",
                       approved),
              "success")
    for message in refused:
        flash(_("Non validé — %(message)s", message=message), "danger")
    return redirect(url_for("sme.timesheets"))


# --- invoices ------------------------------------------------------------------------------------------------


@bp.route("/factures")
def invoices():
    """The invoices to pay first (« Reste à payer »), then every invoice and credit note, and the monthly spend."""
    company_id, on = current_user.company_id, today()
    method = collecting.active_method(db.session, company_id)
    to_pay = billing_queries.to_pay_for_company(db.session, company_id)
    return render_template(
        "billing/invoices_sme.html",
        to_pay=to_pay,
        labels={i.id: ("overdue" if billing_queries.is_overdue(i, on) else i.status, billing_queries.status_label(i, on))
                for i in to_pay},
        to_pay_cents=billing_queries.amount_to_pay_cents(db.session, company_id),
        invoices=billing_queries.for_company(db.session, company_id),
        chart=spend_chart(billing_queries.monthly_spend(db.session, company_id)),
        method=method, method_text=method_label(method), cards=cards_configured(), transfer=transfer_details(),
        pay_form=BaseForm(),
    )


@bp.route("/factures/<int:invoice_id>")
def invoice(invoice_id: int):
    """One invoice or credit note as printed, with its PDF, and how it is paid (« Payer », transfer, history)."""
    item = scoped_invoice(invoice_id)
    return render_invoice(item, "sme", payment=invoice_payment(item, today()), pay_form=BaseForm())
