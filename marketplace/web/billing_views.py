"""What the SME, freelancer and console pages of activity reports and invoices share.

The month's calendar (weeks as rows, Monday to Sunday), the page of one report and of
one invoice for each side (``sme``, ``freelancer`` or ``admin``: its actions), and the
geometry of the two SVG charts (the monthly spend, the turnover against the VAT
franchise thresholds), drawn without any inline style (the CSP forbids it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template, request

from marketplace import legal
from marketplace.db import db, today
from marketplace.errors import DomainError
from marketplace.formatting import PARIS, euros, group_thousands, money, month_fr
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.timesheets import Timesheet
from marketplace.services.billing import contests, franchise
from marketplace.services.billing import queries as billing_queries
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.services.timesheets import reports
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.billing_forms import (
    ContestForm,
    CorrectForm,
    CreditForm,
    DisputeForm,
    ResolveForm,
    TimesheetForm,
)

WEEKDAY_HEADERS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_ABBREVIATIONS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def scoped_timesheet(timesheet_id: int) -> Timesheet:
    """The current user's activity report (any version), or 404."""
    return get_scoped_or_404(Timesheet, timesheet_id)


def scoped_invoice(invoice_id: int) -> Invoice:
    """The current user's invoice or credit note, or 404."""
    return get_scoped_or_404(Invoice, invoice_id)


# --- the month's calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One date of the calendar: what it is, what was declared, its select when it is being filled."""

    day: months.CalendarDay
    half_days: int  # declared: 0, 1 or 2
    field: object | None = None

    @property
    def state(self) -> str:
        """The cell's CSS class: a week-end, a public holiday, out of the contract's period, or a working day."""
        if self.day.weekday is None:
            return "weekend"
        if self.day.holiday:
            return "holiday"
        if not self.day.in_period:
            return "outside"
        return "planned" if self.day.planned_half_days else "workday"


@dataclass(frozen=True)
class Calendar:
    weeks: list[list[Cell | None]]
    allowed_half_days: int
    total_half_days: int

    @property
    def allowed_text(self) -> str:
        return reports.days_text(self.allowed_half_days)

    @property
    def total_text(self) -> str:
        return reports.days_text(self.total_half_days)


def calendar(timesheet: Timesheet, form: TimesheetForm | None = None) -> Calendar:
    """The report's month as weeks (None before the 1st and after the last date), with what was declared."""
    days = months.month_days(timesheet.contract, timesheet.month)
    declared = {entry.day: entry.half_days for entry in timesheet.entries}
    cells = [Cell(d, declared.get(d.day, 0), form.field_of(d.day) if form is not None else None) for d in days]
    padded: list[Cell | None] = [None] * days[0].day.weekday() + cells
    padded += [None] * (-len(padded) % 7)
    weeks = [padded[i:i + 7] for i in range(0, len(padded), 7)]
    total = sum(d.half_days for d in form.declared()) if form is not None else timesheet.total_half_days
    return Calendar(weeks, months.allowed_half_days(days), total)


def timesheet_form(timesheet: Timesheet) -> TimesheetForm:
    """The calendar's form: the saved dates on a GET, what was typed on a POST."""
    days = months.month_days(timesheet.contract, timesheet.month)
    if request.method == "POST":
        return TimesheetForm.for_month(days)
    return TimesheetForm.for_month(days, {e.day: e.half_days for e in timesheet.entries}, timesheet.comment or "")


def render_timesheet(timesheet: Timesheet, side: str, status: int = 200, **forms):
    """One report for ``side``; a form given (a refused POST) replaces its blank one, errors and typing kept."""
    editable = side == "freelancer" and timesheet_queries.is_editable(timesheet)
    form = forms.pop("form", None)
    if form is None and editable:
        form = timesheet_form(timesheet)
    blank = {"dispute_form": DisputeForm(formdata=None), "correct_form": CorrectForm(formdata=None)}
    labels = (timesheet_queries.FREELANCER_STATUS_LABELS if side == "freelancer"
              else timesheet_queries.COMPANY_STATUS_LABELS)
    return render_template(
        "billing/timesheet.html", timesheet=timesheet, side=side, form=form, editable=editable,
        calendar=calendar(timesheet, form if editable else None), weekdays=WEEKDAY_HEADERS,
        versions=timesheet_queries.versions(db.session, timesheet), status_labels=labels,
        awaits_company=timesheet_queries.awaits_company(timesheet),
        correctable=timesheet_queries.correctable(timesheet),
        auto_approve_on=_auto_approval_date(timesheet), **{**blank, **forms},
    ), status


def _auto_approval_date(timesheet: Timesheet) -> date | None:
    """When a report sent and left unanswered is approved by the daily job."""
    if not timesheet_queries.awaits_company(timesheet) or timesheet.submitted_at is None:
        return None
    sent = timesheet.submitted_at.astimezone(PARIS).date()
    return months.working_days_after(sent, reports.auto_approve_days())


class Refusals:
    """Collects the refusals of a batch (« Tout valider »): each is reported, none stops the others."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add_domain_error(self, exc: DomainError) -> None:
        self.messages.extend(error.message for error in exc.errors)


# --- one invoice ----------------------------------------------------------------------------------------


def render_invoice(invoice: Invoice, side: str, status: int = 200, **forms):
    """One invoice or credit note for ``side``, with the forms that side may use."""
    on = today()
    blank = {"contest_form": ContestForm(formdata=None), "credit_form": CreditForm(formdata=None),
             "resolve_form": ResolveForm(formdata=None)}
    credit_note = billing_queries.credit_note_of(db.session, invoice) if invoice.kind == InvoiceKind.INVOICE.value else None
    mentions = [note["text"] for note in invoice.notes or [] if note.get("code") != "BAR" and note.get("text")]
    return render_template(
        "billing/invoice.html", invoice=invoice, side=side, credit_note=credit_note, mentions=mentions,
        on_behalf=invoice.issuer_kind == IssuerKind.FREELANCER.value,
        is_credit_note=invoice.kind == InvoiceKind.CREDIT_NOTE.value,
        to_pay=billing_queries.is_to_pay(invoice), contest=billing_queries.contest_state(invoice),
        can_contest=side == "freelancer" and contests.can_contest(invoice, on),
        contest_deadline=contests.contest_deadline(invoice) if invoice.issuer_kind == IssuerKind.FREELANCER.value
        else None,
        **{**blank, **forms},
    ), status


# --- charts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str  # « novembre 2026 »
    short: str  # « nov. 26 »
    cents: int
    amount: str  # « 3 600 » (euros, for the label above the bar)
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class SpendChart:
    bars: list[Bar]
    width: int
    bar_width: int
    baseline: float
    summary: str  # what the chart says, for screen readers


def spend_chart(rows: list[tuple[date, int]]) -> SpendChart | None:
    """The company's HT per month of service as bars (``billing.queries.monthly_spend``), or None when empty."""
    if not rows:
        return None
    bar, gap, top, height = 40, 16, 20, 120
    peak = max(max(cents for _, cents in rows), 1)
    bars = []
    for index, (month, cents) in enumerate(rows):
        label, short = month_fr(month), f"{MONTH_ABBREVIATIONS[month.month - 1]} {month:%y}"
        h = round(max(cents, 0) * height / peak, 1)
        bars.append(Bar(label, short, cents, group_thousands((cents + 50) // 100), gap + index * (bar + gap), top + height - h, h))
    width = max(len(rows) * (bar + gap) + gap, 240)
    summary = ", ".join(f"{b.label} : {money(b.cents)} HT" for b in bars)
    return SpendChart(bars, width, bar, top + height, summary)


@dataclass(frozen=True)
class TurnoverBar:
    """The year's turnover against the two VAT franchise thresholds, in SVG units (0–``width``)."""

    status: franchise.FranchiseStatus
    width: int
    done: float  # the width of the turnover so far
    projected: float  # up to where the pending reports or the monthly pace would take it
    base_x: float  # 37 500 €
    major_x: float  # 41 250 €
    base_label: str
    major_label: str


def turnover_bar(status: franchise.FranchiseStatus, width: int = 600) -> TurnoverBar:
    scale = max(legal.FRANCHISE_MAJOR_THRESHOLD_CENTS * 6 // 5, status.total_cents, status.projected_cents, 1)

    def x(cents: int) -> float:
        return round(max(cents, 0) * width / scale, 1)

    return TurnoverBar(status, width, x(status.total_cents), x(status.projected_cents),
                       x(legal.FRANCHISE_THRESHOLD_CENTS), x(legal.FRANCHISE_MAJOR_THRESHOLD_CENTS),
                       euros(legal.FRANCHISE_THRESHOLD_CENTS), euros(legal.FRANCHISE_MAJOR_THRESHOLD_CENTS))


def freelancer_turnover(profile) -> TurnoverBar:
    """The current freelancer's turnover bar, as of today."""
    return turnover_bar(franchise.status(db.session, profile, today()))


def month_options(last: date, count: int = 12) -> list[date]:
    """``count`` months ending with ``last``, latest first."""
    found = [months.month_start(last)]
    while len(found) < count:
        found.append(months.previous_month(found[-1]))
    return found
