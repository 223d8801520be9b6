"""The purge: what has passed its retention goes (run by the job ``privacy.purge_expired``).

Two sources: the records an erasure kept (:class:`RetentionRecord`, each with its own
date), and the schedule's rolling rules that apply to every account (connection logs
and e-mails after 1 year, referees' answers after 2 years, the vetting documents of a
refused profile after 6 months). A kept record still needed by another one (an invoice
whose credit note is younger) waits for the next run: each deletion runs in a savepoint
and the database's RESTRICT foreign keys say what is still needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import on_commit, utcnow
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice
from marketplace.models.contracts import Contract
from marketplace.models.documents import Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.outbox import EmailStatus, OutboundEmail
from marketplace.models.payments import (
    Payment,
    PaymentAllocation,
    Payout,
    Refund,
    YearlyStatement,
)
from marketplace.models.privacy import (
    AccountClosure,
    ClosureStatus,
    RetainedKind,
    RetentionRecord,
)
from marketplace.models.timesheets import Timesheet
from marketplace.models.vetting import ReferenceRequest
from marketplace.platform import mail, storage
from marketplace.services.privacy import rules

# Dependents first: an invoice goes before the report and the contract it rests on, PDFs last.
ORDER = (
    RetainedKind.PAYMENT, RetainedKind.INVOICE, RetainedKind.TIMESHEET, RetainedKind.CONTRACT,
    RetainedKind.YEARLY_STATEMENT, RetainedKind.SIGNED_DOCUMENT, RetainedKind.VIGILANCE_CERTIFICATE,
    RetainedKind.VETTING_AUDIT, RetainedKind.BILLING_MANDATE,
)
MODELS = {model.__name__: model for model in (
    Invoice, Timesheet, Contract, Document, Payout, Payment, Refund, YearlyStatement, AuditLog, FreelancerProfile)}
VETTING_KINDS = tuple(k.value for k in (
    DocumentKind.URSSAF_CERTIFICATE, DocumentKind.REGISTRATION_PROOF, DocumentKind.INSURANCE,
    DocumentKind.IDENTITY, DocumentKind.OTHER))


@dataclass
class PurgeReport:
    deleted: dict[str, int] = field(default_factory=dict)
    waiting: int = 0  # kept records past their date that something younger still needs

    def add(self, key: str, n: int = 1) -> None:
        if n:
            self.deleted[key] = self.deleted.get(key, 0) + n


def purge_expired(session: Session, today: date | None = None, now: datetime | None = None) -> PurgeReport:
    """Delete what has passed its retention; returns what went and how many wait for a later run."""
    now = now or utcnow()
    today = today or now.date()
    report = PurgeReport()
    due = list(session.scalars(select(RetentionRecord).where(RetentionRecord.retain_until < today)
                               .order_by(RetentionRecord.subject_id.desc())))
    for kind in ORDER:
        # The newest first (a credit note or a fee invoice points to an older invoice); passes repeat while
        # they free something, so a chain of records expiring together goes in one run.
        waiting = [k for k in due if k.kind == kind.value]
        while waiting:
            left = [kept for kept in waiting if not _purge_one(session, kept, report)]
            for kept in set(waiting) - set(left):
                session.delete(kept)
            if len(left) == len(waiting):
                break
            waiting = left
        report.waiting += len(waiting)
    session.flush()
    _rolling_rules(session, today, now, report)
    return report


def _purge_one(session: Session, kept: RetentionRecord, report: PurgeReport) -> bool:
    """Delete one kept record in a savepoint; False when another record still needs it."""
    model = MODELS.get(kept.subject_type)
    subject = session.get(model, kept.subject_id) if model is not None else None
    if subject is None:
        return True
    files: list[str] = []
    try:
        with session.begin_nested():
            if isinstance(subject, FreelancerProfile):  # the billing mandate: its proof goes, the row stays
                subject.mandate_accepted_at = subject.mandate_version = subject.mandate_ip = None
            else:
                _delete(session, subject, files)
            session.flush()
    except IntegrityError:
        return False
    for key in files:
        on_commit(session, lambda key=key: storage.remove(key))
    report.add(kept.kind)
    return True


def _delete(session: Session, subject, files: list[str]) -> None:
    if isinstance(subject, Invoice):
        session.execute(delete(PaymentAllocation).where(PaymentAllocation.invoice_id == subject.id))
        session.execute(delete(Payout).where(Payout.invoice_id == subject.id))
        session.execute(Refund.__table__.update().where(Refund.invoice_id == subject.id).values(invoice_id=None))
    elif isinstance(subject, Payment):
        session.execute(delete(Refund).where(Refund.payment_id == subject.id))
    elif isinstance(subject, Document):
        files.append(subject.storage_key)
    session.delete(subject)


def _rolling_rules(session: Session, today: date, now: datetime, report: PurgeReport) -> None:
    logs = rules.period("logs")
    logs_cutoff = _as_datetime(_before(today, logs))
    report.add("logs", session.execute(delete(AuditLog).where(
        AuditLog.action.in_(rules.LOG_ACTIONS), AuditLog.created_at < logs_cutoff)).rowcount)
    old_emails = (OutboundEmail.status != EmailStatus.PENDING.value) & (OutboundEmail.created_at < logs_cutoff)
    copies = select(OutboundEmail.outbox_path).where(old_emails, OutboundEmail.outbox_path.is_not(None))
    for path in session.scalars(copies):
        on_commit(session, lambda path=path: mail.remove_copy(path))
    report.add("emails", session.execute(delete(OutboundEmail).where(old_emails)).rowcount)

    answers_cutoff = _as_datetime(_before(today, rules.period("references")))
    for request in list(session.scalars(select(ReferenceRequest).where(ReferenceRequest.answered_at < answers_cutoff))):
        if request.answers or request.comment or request.answered_ip or request.flags:
            request.answers, request.comment, request.answered_ip, request.flags = {}, None, None, []
            report.add("reference_answers")

    rejected_cutoff = _as_datetime(_before(today, rules.period("vetting_documents")))
    rejected = select(FreelancerProfile.id).where(
        FreelancerProfile.status == ProfileStatus.REJECTED.value, FreelancerProfile.decided_at < rejected_cutoff)
    for document in list(session.scalars(select(Document).where(
            Document.profile_id.in_(rejected), Document.kind.in_(VETTING_KINDS)))):
        key = document.storage_key
        try:
            with session.begin_nested():
                session.delete(document)
                session.flush()
        except IntegrityError:  # a contract still holds it as its vigilance certificate
            continue
        on_commit(session, lambda key=key: storage.remove(key))
        report.add("rejected_vetting_documents")

    closures_cutoff = _as_datetime(_before(today, _FIVE_YEARS))
    report.add("closures", session.execute(delete(AccountClosure).where(
        AccountClosure.status == ClosureStatus.ERASED.value, AccountClosure.erased_at < closures_cutoff)).rowcount)
    session.expire_all()


_FIVE_YEARS = rules.Period(years=5)


def _before(today: date, period: rules.Period) -> date:
    """The start date whose retention ends before ``today``."""
    back = rules.Period(years=-period.years, months=-period.months, days=-period.days)
    return back.until(today)


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
