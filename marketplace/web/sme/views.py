"""The SME dashboard: everything is scoped to the current user's company."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from marketplace.db import db
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.missions import MISSION_STATUS_LABELS, Application, ApplicationStatus, Mission, MissionStatus
from marketplace.models.timesheets import Timesheet, TimesheetStatus
from marketplace.services import sizing
from marketplace.web.authz import scoped
from marketplace.web.sme import bp

RECENT = 8


@bp.route("/")
def dashboard():
    """Missions by status, applications waiting, and contracts, CRAs and invoices once there are some."""
    company = current_user.company
    by_status = dict(db.session.execute(
        scoped(Mission, select(Mission.status, func.count()).select_from(Mission)).group_by(Mission.status)
    ).all())
    active = db.session.scalars(
        scoped(Mission)
        .where(Mission.status.in_([MissionStatus.DRAFT.value, MissionStatus.PUBLISHED.value]))
        .order_by(Mission.created_at.desc())
    ).all()
    awaiting = [ApplicationStatus.APPLIED.value, ApplicationStatus.SHORTLISTED.value]
    waiting = db.session.scalars(
        scoped(Application)
        .join(Application.mission)
        .where(Application.status.in_(awaiting), Mission.status == MissionStatus.PUBLISHED.value)
        .order_by(Application.created_at.desc())
    ).all()
    waiting_by_mission: dict[int, int] = {}
    for application in waiting:
        waiting_by_mission[application.mission_id] = waiting_by_mission.get(application.mission_id, 0) + 1
    contracts = db.session.scalars(
        scoped(Contract)
        .where(Contract.status != ContractStatus.CANCELLED.value)
        .order_by(Contract.start_date.desc())
        .limit(RECENT)
    ).all()
    timesheets = db.session.scalars(
        scoped(Timesheet)
        .where(Timesheet.status != TimesheetStatus.DRAFT.value)  # a draft is still the freelancer's
        .order_by(Timesheet.month.desc(), Timesheet.id.desc())
        .limit(RECENT)
    ).all()
    invoices = db.session.scalars(scoped(Invoice).order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(RECENT)).all()
    to_pay = db.session.scalar(
        scoped(Invoice, select(func.coalesce(func.sum(Invoice.total_ttc_cents), 0)).select_from(Invoice)).where(
            Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status.in_([InvoiceStatus.ISSUED.value, InvoiceStatus.OVERDUE.value]),
        )
    )
    return render_template(
        "sme/dashboard.html",
        company=company,
        by_status=by_status,
        status_labels=MISSION_STATUS_LABELS,
        missions=active,
        waiting=waiting[:RECENT],
        waiting_total=len(waiting),
        waiting_by_mission=waiting_by_mission,
        contracts=contracts,
        timesheets=timesheets,
        to_approve=sum(1 for t in timesheets if t.status == TimesheetStatus.SUBMITTED.value),
        invoices=invoices,
        to_pay_cents=to_pay,
        band=sizing.headcount_band(company.headcount),
    )
