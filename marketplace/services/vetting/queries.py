"""What the admin vetting console reads: the queue, one profile's file, the overview, the calendar."""

from __future__ import annotations

import calendar as pycalendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Iterable

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from marketplace.domain import N_
from marketplace.formatting import decimal_fr
from marketplace.models.audit import AuditLog
from marketplace.models.documents import Document
from marketplace.models.freelancers import (
    PROFILE_STATUS_LABELS,
    FreelancerProfile,
    ProfileStatus,
)
from marketplace.models.users import User
from marketplace.models.vetting import (
    CheckKind,
    CheckStatus,
    ReferenceRequest,
    VettingCheck,
)
from marketplace.services.vetting import rules
from marketplace.services.vetting.checks import CHECK_LABELS, current_documents
from marketplace.services.vetting.decisions import DECISION_ACTIONS
from marketplace.services.vetting.fraud import shared_with_others
from marketplace.services.vetting.references import latest_requests

QUEUE_STATUSES = (ProfileStatus.SUBMITTED.value, ProfileStatus.IN_REVIEW.value)
FLAGS: dict[str, tuple[str, tuple[CheckKind, ...]]] = {
    "identifiants": (N_("Identifiants"), (CheckKind.SIRET, CheckKind.VAT_NUMBER, CheckKind.IBAN, CheckKind.LEGAL_FORM)),
    "documents": (N_("Documents"), (CheckKind.URSSAF_CERTIFICATE, CheckKind.REGISTRATION_PROOF, CheckKind.INSURANCE, CheckKind.IDENTITY)),
    "references": (N_("Références"), (CheckKind.REFERENCES,)),
    "doublons": (N_("Doublons"), (CheckKind.DUPLICATES,)),
    "experience": (N_("Expérience"), (CheckKind.EXPERIENCE,)),
}
FLAGGED_STATUSES = (CheckStatus.FAILED.value, CheckStatus.WARNING.value, CheckStatus.ERROR.value)
# Identifiers and documents raise a flag when they fail; a warning there is routine work
# (an URSSAF code to verify). Fraud-like checks raise one on a warning too.
FLAG_STATUSES: dict[str, tuple[str, ...]] = {
    "identifiants": (CheckStatus.FAILED.value, CheckStatus.ERROR.value),
    "documents": (CheckStatus.FAILED.value, CheckStatus.ERROR.value),
    "references": FLAGGED_STATUSES,
    "doublons": FLAGGED_STATUSES,
    "experience": FLAGGED_STATUSES,
}
OVERVIEW_DAYS = 90


@dataclass
class QueueRow:
    profile: FreelancerProfile
    counts: Counter
    flags: list[str]
    reviewer: str | None
    waiting_days: int | None


def _flag_clause(flag: str):
    kinds = [k.value for k in FLAGS[flag][1]]
    return exists().where(
        VettingCheck.profile_id == FreelancerProfile.id,
        VettingCheck.kind.in_(kinds),
        VettingCheck.status.in_(FLAG_STATUSES[flag]),
    )


def queue(
    session: Session, *, status: str = "", flag: str = "", q: str = "", page: int = 1, page_size: int = 30, now: datetime
) -> tuple[list[QueueRow], int]:
    """Profiles to vet, oldest submission first, filtered by status, flag and name/e-mail."""
    conditions = []
    if status in PROFILE_STATUS_LABELS:
        conditions.append(FreelancerProfile.status == status)
    else:
        conditions.append(FreelancerProfile.status.in_(QUEUE_STATUSES))
    if flag in FLAGS:
        conditions.append(_flag_clause(flag))
    elif flag == "echeance":
        conditions.append(FreelancerProfile.matching_suspended_reason.is_not(None))
    if q.strip():
        like = f"%{q.strip().lower()}%"
        conditions.append(or_(func.lower(User.email).like(like), func.lower(User.last_name).like(like),
                              func.lower(User.first_name).like(like), FreelancerProfile.siret.like(like)))
    stmt = select(FreelancerProfile).join(User, FreelancerProfile.user_id == User.id).where(*conditions)
    # Counted without the users' join unless a name is searched.
    counted = select(func.count(FreelancerProfile.id)).where(*conditions)
    total = session.scalar(counted.join_from(FreelancerProfile, User, FreelancerProfile.user_id == User.id)
                           if q.strip() else counted)
    # Oldest first; never-submitted profiles (drafts) last.
    stmt = stmt.order_by(FreelancerProfile.submitted_at.asc().nulls_last(), FreelancerProfile.id)
    profiles = session.scalars(
        stmt.options(contains_eager(FreelancerProfile.user)).limit(page_size).offset((page - 1) * page_size)
    ).all()
    ids = [p.id for p in profiles]
    counts: dict[int, Counter] = defaultdict(Counter)
    flags: dict[int, set[str]] = defaultdict(set)
    kind_flag = {kind.value: name for name, (_label, kinds) in FLAGS.items() for kind in kinds}
    if ids:
        for profile_id, kind, check_status in session.execute(
            select(VettingCheck.profile_id, VettingCheck.kind, VettingCheck.status).where(
                VettingCheck.profile_id.in_(ids), VettingCheck.subject == ""
            )
        ):
            counts[profile_id][check_status] += 1
            if check_status in FLAG_STATUSES[kind_flag[kind]]:
                flags[profile_id].add(kind_flag[kind])
    reviewers = current_reviewers(session, ids)
    rows = [
        QueueRow(
            profile=p,
            counts=counts[p.id],
            flags=[name for name in FLAGS if name in flags[p.id]],
            reviewer=reviewers.get(p.id) if p.status == ProfileStatus.IN_REVIEW.value else None,
            waiting_days=(now - p.submitted_at).days if p.submitted_at else None,
        )
        for p in profiles
    ]
    return rows, total


def current_reviewers(session: Session, profile_ids: list[int]) -> dict[int, str]:
    """Who last took each profile in review (from the audit log)."""
    if not profile_ids:
        return {}
    entries = session.execute(
        select(AuditLog.subject_id, User)
        .join(User, AuditLog.actor_id == User.id)
        .where(AuditLog.action == "vetting.claimed", AuditLog.subject_type == "FreelancerProfile",
               AuditLog.subject_id.in_(profile_ids))
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    return {subject_id: user.display_name for subject_id, user in entries}


@dataclass
class ProfileFile:
    """Everything the operator needs to decide on one profile."""

    profile: FreelancerProfile
    checks: list[VettingCheck]
    reference_checks: dict[str, VettingCheck]
    documents: dict[str, Document]
    older_documents: list[Document]
    requests: dict[int, ReferenceRequest]
    history: list[AuditLog]
    reviewer: str | None
    duplicate_profiles: dict[int, FreelancerProfile] = field(default_factory=dict)
    # Document kind → other profiles holding the very same file.
    shared_files: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def duplicates(self) -> VettingCheck | None:
        return next((c for c in self.checks if c.kind == CheckKind.DUPLICATES.value), None)

    @property
    def experience(self) -> VettingCheck | None:
        return next((c for c in self.checks if c.kind == CheckKind.EXPERIENCE.value), None)

    def check(self, kind: str) -> VettingCheck | None:
        return next((c for c in self.checks if c.kind == kind), None)


def profile_file(session: Session, profile_id: int) -> ProfileFile | None:
    """One profile's checks, documents, reference answers, signals and history."""
    profile = session.get(FreelancerProfile, profile_id)
    if profile is None:
        return None
    order = {kind: index for index, kind in enumerate(CHECK_LABELS)}
    rows = session.scalars(select(VettingCheck).where(VettingCheck.profile_id == profile_id)).all()
    summary_rows = sorted((r for r in rows if r.subject == ""), key=lambda r: order.get(r.kind, 99))
    reference_rows = {r.subject: r for r in rows if r.subject and r.kind == CheckKind.REFERENCES.value}
    history = session.scalars(
        select(AuditLog)
        .where(
            or_(
                and_(AuditLog.subject_type == "FreelancerProfile", AuditLog.subject_id == profile_id),
                and_(AuditLog.subject_type == "Document",
                     AuditLog.subject_id.in_(select(Document.id).where(Document.profile_id == profile_id))),
            )
        )
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(50)
    ).all()
    documents = current_documents(session, profile_id)
    older = session.scalars(
        select(Document)
        .where(Document.profile_id == profile_id, Document.superseded_at.is_not(None))
        .order_by(Document.created_at.desc())
        .limit(20)
    ).all()
    file = ProfileFile(
        profile=profile,
        checks=summary_rows,
        reference_checks=reference_rows,
        documents=documents,
        older_documents=list(older),
        requests=latest_requests(session, profile_id),
        history=list(history),
        reviewer=current_reviewers(session, [profile_id]).get(profile_id),
    )
    for shared in shared_with_others(session, profile_id):
        file.shared_files.setdefault(shared["kind"], []).append(shared)
    duplicates = file.duplicates
    other_ids = {s.get("profile_id") for s in (duplicates.details.get("signals", []) if duplicates else [])} - {None}
    if other_ids:
        file.duplicate_profiles = {
            p.id: p for p in session.scalars(select(FreelancerProfile).where(FreelancerProfile.id.in_(other_ids)))
        }
    return file


@dataclass
class Overview:
    by_status: list[tuple[str, str, int]]
    to_review: int
    oldest_waiting_days: int | None
    decisions: int
    median_hours: float | None
    approval_rate: float | None
    matching_suspended: int
    expiring_this_month: int

    @property
    def median_label(self) -> str:
        if self.median_hours is None:
            return "—"
        if self.median_hours < 48:
            return f"{decimal_fr(self.median_hours, 1)} h"
        return f"{decimal_fr(self.median_hours / 24, 1)} jours"


def overview(session: Session, now: datetime, today: date) -> Overview:
    """Counts by status, median time to decision and approval rate over the last 90 days."""
    counts = dict(session.execute(select(FreelancerProfile.status, func.count()).group_by(FreelancerProfile.status)).all())
    by_status = [(s.value, PROFILE_STATUS_LABELS[s], counts.get(s.value, 0)) for s in ProfileStatus]
    oldest = session.scalar(
        select(func.min(FreelancerProfile.submitted_at)).where(FreelancerProfile.status.in_(QUEUE_STATUSES))
    )
    since = now - timedelta(days=OVERVIEW_DAYS)
    entries = session.execute(
        select(AuditLog.action, AuditLog.details).where(AuditLog.action.in_(DECISION_ACTIONS), AuditLog.created_at >= since)
    ).all()
    waits = [float(d["waited_hours"]) for _a, d in entries if isinstance(d, dict) and d.get("waited_hours") is not None]
    approved = sum(1 for a, _d in entries if a == "vetting.approved")
    rejected = sum(1 for a, _d in entries if a == "vetting.rejected")
    month_start = today.replace(day=1)
    month_end = month_start.replace(day=pycalendar.monthrange(today.year, today.month)[1])
    return Overview(
        by_status=by_status,
        to_review=sum(counts.get(s, 0) for s in QUEUE_STATUSES),
        oldest_waiting_days=(now - oldest).days if oldest else None,
        decisions=len(entries),
        median_hours=median(waits) if waits else None,
        approval_rate=approved / (approved + rejected) if approved + rejected else None,
        matching_suspended=session.scalar(
            select(func.count()).select_from(FreelancerProfile).where(FreelancerProfile.matching_suspended_reason.is_not(None))
        ),
        expiring_this_month=len(calendar_entries(session, month_start, month_end)),
    )


@dataclass
class CalendarEntry:
    document: Document
    profile: FreelancerProfile
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def calendar_entries(session: Session, start: date, end: date, today: date | None = None) -> list[CalendarEntry]:
    """Current documents of followed profiles expiring between ``start`` and ``end`` (inclusive)."""
    from marketplace.db import today as paris_today
    from marketplace.services.vetting.expiry import FOLLOWED_STATUSES

    today = today or paris_today()
    rows = session.execute(
        select(Document, FreelancerProfile)
        .join(FreelancerProfile, Document.profile_id == FreelancerProfile.id)
        .where(
            Document.superseded_at.is_(None),
            Document.kind.in_([k.value for k in rules.VETTED_DOCUMENTS]),
            Document.expires_on.between(start, end),
            FreelancerProfile.status.in_(FOLLOWED_STATUSES),
        )
        .order_by(Document.expires_on, FreelancerProfile.id)
    ).all()
    return [CalendarEntry(doc, profile, (doc.expires_on - today).days) for doc, profile in rows]


def overdue_entries(session: Session, before: date, today: date | None = None) -> list[CalendarEntry]:
    """Current documents of followed profiles that expired before ``before`` and were not replaced."""
    return calendar_entries(session, date(1900, 1, 1), before - timedelta(days=1), today)


def month_bounds(value: str | None, today: date) -> tuple[date, date]:
    """First and last day of ``YYYY-MM`` (this month when absent or malformed)."""
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        start = date(year, month, 1)
    except ValueError:
        start = today.replace(day=1)
    return start, start.replace(day=pycalendar.monthrange(start.year, start.month)[1])


def submitted_profile_ids(session: Session, ids: Iterable[int] | None = None) -> list[int]:
    """Profiles submitted at least once (all of them, or those of ``ids``), by id."""
    stmt = select(FreelancerProfile.id).where(FreelancerProfile.submitted_at.is_not(None)).order_by(FreelancerProfile.id)
    if ids is not None:
        stmt = stmt.where(FreelancerProfile.id.in_(list(ids)))
    return list(session.scalars(stmt))
