"""Money in the operator's console: what SMEs owe, bank lines to decide, transfers to make, DAC7.

« Paiements » shows the aged balance, the bank statement lines no invoice matched (each
with its decision: settle the invoices named, or ignore with a note), the payouts waiting
for the operator's bank transfer, and the latest Stripe events. « Relevés » imports a
statement (CSV or CAMT.053, bounded and sniffed from its bytes) and lists past imports.
"""

from __future__ import annotations

import io

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from marketplace.db import db, today
from marketplace.models.payments import BankLine, Payout
from marketplace.services.payments import payouts, queries, reconciliation, statements
from marketplace.web.admin import bp
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.forms import BaseForm, query_text

add_nav_item("admin", "admin.payments", _l("Paiements"))

DAC7_YEARS = 6


class DecisionForm(BaseForm):
    """An unmatched bank line: settle the invoices named, or ignore it with a note."""

    numbers = StringField(_l("Factures réglées par ce virement"), validators=[Optional(), Length(max=300)],
                          description=_l("Numéros séparés par des virgules, par exemple F00012-2026-00007."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=reconciliation.MAX_NOTE)],
                         description=_l("Obligatoire pour ignorer la ligne : pourquoi (remboursement, erreur du client…)."))
    action = StringField(validators=[Length(max=12), AnyOf(("settle", "ignore"), message=_l("Choisissez « Rapprocher » ou « Ignorer »."))])


class PayoutSentForm(BaseForm):
    reference = StringField(_l("Référence du virement"), validators=[Length(max=120)])


class StatementForm(BaseForm):
    file = FileField(_l("Relevé bancaire (CSV ou CAMT.053, 2 Mo au plus)"),
                     validators=[FileRequired(_l("Choisissez un fichier."))])


def _dac7_years() -> list[int]:
    return list(range(today().year, today().year - DAC7_YEARS, -1))


def _payments_page(posted: dict[str, BaseForm] | None = None, status: int = 200):
    posted = posted or {}
    lines = queries.unmatched_lines(db.session)
    pending = queries.pending_payouts(db.session)
    decision_forms = {line.id: posted.get(f"line-{line.id}") or DecisionForm(prefix=f"line-{line.id}", formdata=None)
                      for line in lines}
    payout_forms = {p.id: posted.get(f"payout-{p.id}") or PayoutSentForm(prefix=f"payout-{p.id}", formdata=None)
                    for p in pending}
    return render_template(
        "admin/payments/index.html", aged=queries.aged_balance(db.session, today()), lines=lines,
        decision_forms=decision_forms, payouts=pending, payout_forms=payout_forms,
        events=queries.recent_events(db.session, 20), years=_dac7_years(), last_year=today().year - 1,
    ), status


@bp.route("/paiements")
def payments():
    """What SMEs owe by age, bank lines to decide, transfers to make to freelancers, the latest Stripe events."""
    return _payments_page()


@bp.route("/paiements/lignes/<int:line_id>/decision", methods=["POST"])
def payment_line_decide(line_id: int):
    """Settle the invoices an unmatched bank line pays, or ignore it with a note."""
    line = get_scoped_or_404(BankLine, line_id)
    form = DecisionForm(prefix=f"line-{line.id}")
    # Settling records a payment (and, after the commit, its payouts): a wrong form only has its fields judged.
    done = submit(form, lambda: reconciliation.decide_by_numbers(
        db.session, line, current_user, form.numbers.data or "", form.note.data or "",
        ignore=form.action.data == "ignore"), success=lambda decided: (
            f"Virement rapproché : {decided.note}" if decided.status == "manual" else "Ligne ignorée."),
        check=lambda: reconciliation.decision_errors(db.session, form.numbers.data or "", form.note.data or "",
                                                     ignore=form.action.data == "ignore"))
    if done:
        return redirect(url_for("admin.payments") + "#lignes")
    if line.status != "unmatched":  # decided meanwhile: its form is no longer on the page
        flash(done.error.message, "danger")
        return redirect(url_for("admin.payments") + "#lignes")
    return _payments_page({f"line-{line.id}": form}, 422)


@bp.route("/paiements/versements/<int:payout_id>/vire", methods=["POST"])
def payment_payout_sent(payout_id: int):
    """Record the bank transfer made to the freelancer for a pending payout."""
    payout = get_scoped_or_404(Payout, payout_id)
    form = PayoutSentForm(prefix=f"payout-{payout.id}")
    done = submit(form, lambda: payouts.mark_sent(db.session, payout, current_user, form.reference.data or ""),
                  success=lambda sent: (f"Virement de {sent.freelancer.display_name} enregistré "
                                        f"(référence {sent.provider_ref})."))
    if done:
        return redirect(url_for("admin.payments") + "#versements")
    return _payments_page({f"payout-{payout.id}": form}, 422)


def _statements_page(form: StatementForm, status: int = 200):
    return render_template("admin/payments/statements.html", form=form,
                           imports=reconciliation.imported_statements(db.session),
                           max_mb=reconciliation.MAX_STATEMENT_BYTES // (1024 * 1024)), status


@bp.route("/paiements/releves")
def payment_statements():
    """Import a bank statement; the past imports with their lines by status."""
    return _statements_page(StatementForm(formdata=None))


@bp.route("/paiements/releves", methods=["POST"])
def payment_statement_import():
    """Import a statement (CSV or CAMT.053): new credits are matched to the invoices they pay."""
    form = StatementForm()
    if form.validate():
        upload = form.file.data
        done = attempt(lambda: reconciliation.import_statement(
            db.session, upload.filename or "releve", reconciliation.read_upload(upload.stream), current_user), form=form)
        if done:
            flash(done.value.message, "warning" if done.value.already_imported else "success")
            return redirect(url_for("admin.payment_statements"))
    return _statements_page(form, 422)


@bp.route("/paiements/dac7")
def payment_dac7():
    """The DAC7 CSV of a year (``?annee=AAAA``, last year by default)."""
    raw = query_text("annee", 4)
    year = int(raw) if raw.isascii() and raw.isdigit() and int(raw) in _dac7_years() else today().year - 1
    out = io.StringIO()
    statements.write_dac7_csv(db.session, year, out)
    return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=dac7-{year}.csv", "Cache-Control": "no-store"})
