"""Activity reports, invoices and billing runs in the operator's console.

The operator corrects an approved report (a new version; its invoice is cancelled by a
credit note), cancels an invoice by a credit note, answers a freelancer's contest, and
launches or follows the monthly billing run of a month.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db, today
from marketplace.formatting import month_fr
from marketplace.models.billing import INVOICE_STATUS_LABELS, InvoiceStatus
from marketplace.models.timesheets import TIMESHEET_STATUS_LABELS, TimesheetStatus
from marketplace.services.billing import contests, credit, runs
from marketplace.services.billing import queries as billing_queries
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.services.timesheets import reports
from marketplace.web.admin import bp
from marketplace.web.admin import contracts as _contracts  # noqa: F401  (« Contrats » comes first in the menu)
from marketplace.web.billing_forms import (
    CorrectForm,
    CreditForm,
    ResolveForm,
    RunForm,
    month_value,
    parse_month,
)
from marketplace.web.billing_views import (
    month_options,
    render_invoice,
    render_timesheet,
    scoped_invoice,
    scoped_timesheet,
)
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.forms import query_text

add_nav_item("admin", "admin.timesheets", _l("CRA"))
add_nav_item("admin", "admin.invoices", _l("Factures"))
add_nav_item("admin", "admin.billing_runs", _l("Facturation"))

RESOLVED = {
    "reject": "Contestation rejetée : la facture est maintenue et le freelance lit votre décision.",
    "reissue": "Facture annulée par un avoir et réémise, corrigée.",
    "reopen": "Facture annulée par un avoir ; le compte rendu est rouvert pour correction.",
}


# --- activity reports -------------------------------------------------------------------------------


@bp.route("/cra")
def timesheets():
    """Every live report, optionally of one status, latest month first."""
    status = query_text("statut", 20)
    status = status if status in TimesheetStatus.values() else ""
    return render_template("admin/timesheets.html", timesheets=timesheet_queries.for_admin(db.session, status or None),
                           status=status, labels=TIMESHEET_STATUS_LABELS)


@bp.route("/cra/<int:timesheet_id>")
def timesheet(timesheet_id: int):
    """One report as the parties see it, with the correction after approval."""
    return render_timesheet(scoped_timesheet(timesheet_id), "admin")


@bp.route("/cra/<int:timesheet_id>/corriger", methods=["POST"])
def timesheet_correct(timesheet_id: int):
    """Replace an approved report by a new version to correct (its invoice is cancelled by a credit note)."""
    item = scoped_timesheet(timesheet_id)
    form = CorrectForm()
    done = submit(form, lambda: reports.correct(db.session, item, current_user, form.reason.data or ""),
                  success=lambda new: (f"Compte rendu rouvert en version {new.version} : le freelance corrige "
                                       "ses jours ; la facture de la version validée est annulée par un avoir."))
    if done:
        return redirect(url_for("admin.timesheet", timesheet_id=done.value.id))
    return render_timesheet(item, "admin", 422, correct_form=form)


# --- invoices ----------------------------------------------------------------------------------------------


@bp.route("/factures")
def invoices():
    """Every invoice and credit note, filtered by issue month (``?mois=AAAA-MM``), status, open contest."""
    month = parse_month(query_text("mois", 7))
    status = query_text("statut", 20)
    status = status if status in InvoiceStatus.values() else ""
    contested = query_text("contestees", 1) == "1"
    rows = billing_queries.for_admin(db.session, month=month, status=status or None, contested=contested)
    return render_template("admin/invoices.html", invoices=rows, month=month_value(month) if month else "",
                           status=status, contested=contested, labels=INVOICE_STATUS_LABELS,
                           months=month_options(today(), 24))


@bp.route("/factures/<int:invoice_id>")
def invoice(invoice_id: int):
    """One invoice as printed, with the credit note and the contest's resolution."""
    return render_invoice(scoped_invoice(invoice_id), "admin")


@bp.route("/factures/<int:invoice_id>/avoir", methods=["POST"])
def invoice_credit(invoice_id: int):
    """Cancel the invoice by a credit note (its fee invoice with it)."""
    item = scoped_invoice(invoice_id)
    form = CreditForm()
    done = submit(form, lambda: credit.credit(db.session, item, current_user, form.reason.data or ""),
                  success=lambda note: f"Avoir {note.number} émis : la facture {item.number} est annulée.")
    if done:
        return redirect(url_for("admin.invoice", invoice_id=done.value.id))
    return render_invoice(item, "admin", 422, credit_form=form)


@bp.route("/factures/<int:invoice_id>/contestation", methods=["POST"])
def invoice_resolve(invoice_id: int):
    """Answer the freelancer's contest: reject it, reissue the invoice, or reopen the report."""
    item = scoped_invoice(invoice_id)
    form = ResolveForm()
    done = submit(form, lambda: contests.resolve(db.session, item, current_user, form.resolution.data or "",
                                                 form.action.data or ""),
                  success=lambda corrected: RESOLVED[form.action.data] + (
                      f" Nouvelle facture : {corrected.number}." if corrected is not None else ""))
    if done:
        return redirect(url_for("admin.invoice", invoice_id=item.id))
    return render_invoice(item, "admin", 422, resolve_form=form)


# --- billing runs ----------------------------------------------------------------------------------------------


def _run_form(**kwargs) -> RunForm:
    last = months.previous_month(today())
    return RunForm.offering(month_options(last, 12), last, **kwargs)


def _runs_page(form: RunForm, status: int = 200):
    rows = [(run, runs.summary(db.session, run), runs.reasons(db.session, run))
            for run in billing_queries.billing_runs(db.session)]
    return render_template("admin/billing_runs.html", runs=rows, form=form), status


@bp.route("/facturation")
def billing_runs():
    """The monthly billing runs: what each issued, skipped (and why) or failed, and launching a month."""
    return _runs_page(_run_form())


@bp.route("/facturation/lancer", methods=["POST"])
def billing_run_start():
    """Start (or resume) the billing of a month that has ended: one background job per contract."""
    form = _run_form()
    if form.validate():
        month = form.chosen()
        if month is not None:
            done = attempt(lambda: runs.fan_out(db.session, month), success=lambda run: (
                f"Facturation de {month_fr(month)} lancée : chaque contrat est facturé par une tâche de fond, "
                "le tableau ci-dessous suit où elle en est."))
            if done:
                return redirect(url_for("admin.billing_runs"))
    return _runs_page(form, 422)
