"""The operator's console: overview, accounts, background jobs, audit log."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from marketplace.db import db
from marketplace.domain import Role
from marketplace.models.audit import AuditLog
from marketplace.models.outbox import JobIntent, JobStatus
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.services.accounts import admin as admin_service
from marketplace.services.accounts import queries as account_queries
from marketplace.web.admin import bp
from marketplace.web.boundary import attempt
from marketplace.web.forms import BaseForm, client_ip, page_arg, query_text

PAGE_SIZE = 50


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


@bp.route("/")
def dashboard():
    """Counts that tell the operator where attention is needed."""
    return render_template("admin/dashboard.html", **account_queries.platform_overview(db.session))


@bp.route("/comptes")
def users():
    """All accounts, searchable by e-mail or name, filterable by role."""
    q = query_text("q")
    role = query_text("role", 20)
    stmt = select(User).order_by(User.created_at.desc())
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(like), func.lower(User.last_name).like(like), func.lower(User.first_name).like(like))
        )
    if role in Role.values():
        stmt = stmt.where(User.role == role)
    page = page_arg()
    total = _count(stmt)
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "admin/users.html", users=rows, q=q, role=role, page=page, total=total, page_size=PAGE_SIZE, form=BaseForm()
    )


@bp.route("/comptes/<int:user_id>/activation", methods=["POST"])
def toggle_user(user_id: int):
    """Deactivate or reactivate an account (logged in the audit log)."""
    form = BaseForm()
    if form.validate_on_submit():
        attempt(
            lambda: admin_service.set_user_active(
                db.session, current_user, user_id, request.form.get("active") == "1",
                reason=request.form.get("reason") or None, ip_address=client_ip(),
            ),
            success=lambda user: f"Compte {user.email} {'réactivé' if user.active else 'désactivé'}.",
        )
    return redirect(url_for("admin.users", q=query_text("q")))


@bp.route("/taches")
def job_intents():
    """Background jobs, failed ones first, with a retry button."""
    status = query_text("status", 20)
    stmt = select(JobIntent).order_by(
        (JobIntent.status == JobStatus.FAILED.value).desc(), JobIntent.created_at.desc()
    )
    if status in JobStatus.values():
        stmt = stmt.where(JobIntent.status == status)
    rows = db.session.scalars(stmt.limit(200)).all()
    stuck = {intent.id for intent in rows if jobs.is_stuck(intent)}
    return render_template("admin/job_intents.html", intents=rows, status=status, form=BaseForm(), stuck=stuck)


@bp.route("/taches/<int:intent_id>/relancer", methods=["POST"])
def retry_job(intent_id: int):
    """Re-enqueue a failed job."""
    form = BaseForm()
    if form.validate_on_submit():
        attempt(lambda: admin_service.retry_job(db.session, current_user, intent_id, ip_address=client_ip()),
                success="La tâche a été relancée.")
    return redirect(url_for("admin.job_intents"))


@bp.route("/audit")
def audit():
    """The audit log, newest first."""
    page = page_arg()
    action = query_text("action", 60)
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if action:
        stmt = stmt.where(AuditLog.action.like(f"{action}%"))
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/audit.html", entries=rows, page=page, action=action, page_size=PAGE_SIZE)
