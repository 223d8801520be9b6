"""The SME dashboard: everything is scoped to the current user's company."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from marketplace.db import db, today
from marketplace.models.missions import MISSION_STATUS_LABELS
from marketplace.services.billing import queries as billing_queries
from marketplace.services.contracts import queries as contract_queries
from marketplace.services.missions import queries as mission_queries
from marketplace.services.missions import sizing
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.web.billing_views import spend_chart
from marketplace.web.payment_views import overdue_rows
from marketplace.web.sme import bp

RECENT = 8


@bp.route("/")
def dashboard():
    """Missions by status, applications waiting, and contracts (with their satisfaction), CRAs, invoices (the overdue
    ones first)."""
    company = current_user.company
    waiting = mission_queries.waiting_applications(db.session, company.id)
    waiting_by_mission: dict[int, int] = {}
    for application in waiting:
        waiting_by_mission[application.mission_id] = waiting_by_mission.get(application.mission_id, 0) + 1
    timesheets = timesheet_queries.recent_for_company(db.session, company.id, RECENT)
    return render_template(
        "sme/dashboard.html",
        company=company,
        by_status=mission_queries.status_counts(db.session, company.id),
        status_labels=MISSION_STATUS_LABELS,
        missions=mission_queries.active_missions(db.session, company.id),
        waiting=waiting[:RECENT],
        waiting_total=len(waiting),
        waiting_by_mission=waiting_by_mission,
        contracts=contract_queries.recent_for_company(db.session, company.id, RECENT),
        contract_scores=contract_queries.dashboard_scores(db.session, company.id),
        timesheets=timesheets,
        to_approve=len(timesheet_queries.to_approve_for_company(db.session, company.id)),
        invoices=billing_queries.recent_for_company(db.session, company.id, RECENT),
        to_pay=billing_queries.to_pay_for_company(db.session, company.id)[:RECENT],
        to_pay_cents=billing_queries.amount_to_pay_cents(db.session, company.id),
        spend=spend_chart(billing_queries.monthly_spend(db.session, company.id)),
        overdue=overdue_rows(company.id, today()),
        band=sizing.headcount_band(company.headcount),
        pipeline=mission_queries.hiring_pipeline(db.session, company.id),
        booked_week=contract_queries.booked_week_for_company(db.session, company.id),
    )
