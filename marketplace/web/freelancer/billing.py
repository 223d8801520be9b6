"""Activity reports and invoices on the freelancer side: fill and send the month, read and contest invoices."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db, today
from marketplace.formatting import month_fr
from marketplace.services.billing import contests
from marketplace.services.billing import queries as billing_queries
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.services.timesheets import reports
from marketplace.web.billing_forms import ContestForm, OpenMonthForm
from marketplace.web.billing_views import (
    freelancer_turnover,
    render_invoice,
    render_timesheet,
    scoped_invoice,
    scoped_timesheet,
    timesheet_form,
)
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.freelancer import bp
from marketplace.web.freelancer import contracts as _contracts  # noqa: F401  (« Contrats » comes first in the menu)

add_nav_item("freelancer", "freelancer.timesheets", _l("CRA"))
add_nav_item("freelancer", "freelancer.invoices", _l("Factures"))


def _profile():
    profile = current_user.freelancer_profile
    if profile is None:  # every freelancer account is created with its profile
        abort(404)
    return profile


def _open_form(contracts, **kwargs) -> OpenMonthForm:
    on = today()
    offered = sorted({m for c in contracts for m in timesheet_queries.reportable_months(c, on)}, reverse=True)
    default = months.previous_month(on)
    return OpenMonthForm.offering(contracts, offered, default if default in offered else (offered[0] if offered else None),
                                  **kwargs)


def _list_page(form: OpenMonthForm | None = None, status: int = 200):
    profile = _profile()
    groups = timesheet_queries.by_contract_for_freelancer(db.session, profile.id)
    contracts = [contract for contract, _ in groups]
    return render_template(
        "billing/timesheets_freelancer.html", groups=groups,
        to_send=timesheet_queries.to_send_for_freelancer(db.session, profile.id),
        open_form=form or _open_form(contracts), status_labels=timesheet_queries.FREELANCER_STATUS_LABELS,
    ), status


# --- activity reports ---------------------------------------------------------------------------------


@bp.route("/cra")
def timesheets():
    """Each running contract with its reports by month, those to fill or correct first, and opening a month."""
    return _list_page()


@bp.route("/cra/ouvrir", methods=["POST"])
def timesheet_open():
    """Open the report of one of the freelancer's contracts for a month it ran (this month at the latest)."""
    contracts = timesheet_queries.contracts_for_freelancer(db.session, _profile().id)
    form = _open_form(contracts)
    if form.validate():
        chosen = form.chosen(contracts, today())
        if chosen is not None:
            contract, month = chosen
            done = attempt(lambda: reports.open_month(db.session, contract, month), form=form)
            if done:
                return redirect(url_for("freelancer.timesheet", timesheet_id=done.value.id))
    return _list_page(form, 422)


@bp.route("/cra/<int:timesheet_id>")
def timesheet(timesheet_id: int):
    """The month's calendar: fill it while it is a draft or sent back, read it once sent."""
    return render_timesheet(scoped_timesheet(timesheet_id), "freelancer")


@bp.route("/cra/<int:timesheet_id>/enregistrer", methods=["POST"])
def timesheet_save(timesheet_id: int):
    """« Enregistrer » the dates ticked, or « Envoyer au client » (saved, then sent for approval)."""
    item = scoped_timesheet(timesheet_id)
    form = timesheet_form(item)
    sending = (request.form.get("action") or "").strip() == "submit"

    def save():
        return reports.save(db.session, item, current_user, form.declared(), form.comment.data or "")

    if sending:
        done = submit(form, lambda: reports.submit(db.session, save(), current_user), success=lambda t: (
            f"Compte rendu de {month_fr(t.month)} envoyé à {t.contract.company.legal_name} "
            f"({reports.days_text(t.total_half_days)}) : il le valide ou le conteste ; sans réponse sous "
            f"{reports.auto_approve_days()} jours ouvrés, il est validé automatiquement."))
    else:
        done = submit(form, save, success=lambda t: (f"Compte rendu enregistré : {reports.days_text(t.total_half_days)}. "
                                                     "Envoyez-le au client quand le mois est complet."))
    if done:
        return redirect(url_for("freelancer.timesheet", timesheet_id=item.id))
    return render_timesheet(item, "freelancer", 422, form=form)


# --- invoices ----------------------------------------------------------------------------------------------


@bp.route("/factures")
def invoices():
    """Invoices issued in the freelancer's name, then the platform's fee invoices, and the year's turnover."""
    profile = _profile()
    return render_template(
        "billing/invoices_freelancer.html",
        invoices=billing_queries.issued_for_freelancer(db.session, profile.id, limit=None),
        fee_invoices=billing_queries.fee_invoices_for_freelancer(db.session, profile.id, limit=None),
        turnover=freelancer_turnover(profile),
    )


@bp.route("/factures/<int:invoice_id>")
def invoice(invoice_id: int):
    """One invoice: as printed, its PDF, and contesting it within the mandate's deadline."""
    return render_invoice(scoped_invoice(invoice_id), "freelancer")


@bp.route("/factures/<int:invoice_id>/contester", methods=["POST"])
def invoice_contest(invoice_id: int):
    """Contest an invoice issued in the freelancer's name (the mandate's deadline): the team answers."""
    item = scoped_invoice(invoice_id)
    form = ContestForm()
    done = submit(form, lambda: contests.contest(db.session, item, current_user, form.reason.data or ""),
                  success="Contestation envoyée : l'équipe de la plateforme l'examine et vous répond ici.")
    if done:
        return redirect(url_for("freelancer.invoice", invoice_id=item.id))
    return render_invoice(item, "freelancer", 422, contest_form=form)
