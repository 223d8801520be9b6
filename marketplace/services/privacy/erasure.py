"""The erasure: what a closed account loses, what the law keeps, and until when.

Run by the job ``privacy.erase`` once the grace period is over. Personal data is erased
or anonymised (identity, contact details, bio, references and their answers, documents
other than those that must be kept, IBAN); what the law requires stays (invoices and
credit notes with their frozen seller and buyer, signed contracts and their PDFs, the
activity reports behind the invoices, payments, the audit of vetting decisions), each
with a :class:`RetentionRecord` saying until when. The account row itself stays,
anonymised, because kept records point to it; it can never log in again.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from marketplace.db import on_commit, utcnow
from marketplace.domain import Role
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice
from marketplace.models.companies import Company, TeamInvitation
from marketplace.models.contracts import Contract, ContractVersion
from marketplace.models.documents import Document
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.messaging import Message, ThreadReader
from marketplace.models.missions import (
    Application,
    Mission,
    MissionStatus,
    PerimeterLine,
)
from marketplace.models.outbox import EmailStatus, OutboundEmail
from marketplace.models.payments import (
    Payment,
    PaymentMethod,
    Payout,
    Refund,
    YearlyStatement,
)
from marketplace.models.privacy import (
    AccountClosure,
    ClosureScope,
    ClosureStatus,
    DataExport,
    RetainedKind,
    RetentionRecord,
)
from marketplace.models.timesheets import Timesheet
from marketplace.models.users import User
from marketplace.models.vetting import ReferenceRequest, VettingCheck
from marketplace.platform import mail, storage
from marketplace.platform.audit import record
from marketplace.services.missions import posting
from marketplace.services.privacy import closures, rules

TEAM_ACTIONS = ("team.invited", "team.joined", "team.member_removed", "team.invitation_revoked")


def erase(session: Session, closure_id: int, now: datetime | None = None) -> AccountClosure | None:
    """Erase the account(s) of a closure whose grace period is over; suspend it when something is unsettled.

    Runs once: a closure already erased, cancelled, suspended or not yet due is left as it is.
    """
    now = now or utcnow()
    closure = session.get(AccountClosure, closure_id, with_for_update=True)
    if closure is None or closure.status != ClosureStatus.PENDING.value or closure.erase_after > now:
        return closure
    found = closures.blockers(session, closure)
    if found:
        closures.hold_for_blockers(session, closure, found, now)
        return closure
    eraser = Eraser(session, closure, now)
    if closure.scope == ClosureScope.COMPANY.value and closure.company is not None:
        company = closure.company
        members = list(session.scalars(select(User).where(User.company_id == company.id).order_by(User.id)))
        eraser.company(company, actor=closure.user)
        for member in members:
            eraser.user(member)
    else:
        eraser.user(closure.user)
    closure.status = ClosureStatus.ERASED.value
    closure.erased_at = now
    closure.reason = None
    closure.summary = dict(eraser.summary)
    session.flush()
    record(session, None, "privacy.erased", closure, details=dict(eraser.summary), at=now)
    # Bulk deletes went around the identity map: what the session holds is read again.
    session.expire_all()
    return closure


def keep(session: Session, kind: RetainedKind, subject, until: date, closure: AccountClosure | None) -> RetentionRecord:
    """Record that ``subject`` is kept until ``until`` (the later date wins when it already is)."""
    subject_type = type(subject).__name__
    existing = session.scalar(select(RetentionRecord).where(
        RetentionRecord.subject_type == subject_type, RetentionRecord.subject_id == subject.id))
    if existing is not None:
        existing.retain_until = max(existing.retain_until, until)
        return existing
    kept = RetentionRecord(kind=kind.value, subject_type=subject_type, subject_id=subject.id,
                           closure_id=closure.id if closure else None, retain_until=until)
    session.add(kept)
    session.flush()
    return kept


def referenced_documents(session: Session, ids: list[int]) -> set[int]:
    """Which of the documents ``ids`` a contract, an invoice or a yearly statement points to (they stay)."""
    if not ids:
        return set()
    columns = (Invoice.pdf_document_id, Contract.document_id, Contract.vigilance_document_id,
               ContractVersion.document_id, ContractVersion.sealed_document_id, YearlyStatement.document_id)
    found: set[int] = set()
    for column in columns:
        found |= set(session.scalars(select(column).where(column.in_(ids))))
    return found


def _day(value: datetime | date | None, default: date) -> date:
    if value is None:
        return default
    return value.date() if isinstance(value, datetime) else value


class Eraser:
    """One erasure's work, counting what it erased and what it kept."""

    def __init__(self, session: Session, closure: AccountClosure, now: datetime) -> None:
        self.session = session
        self.closure = closure
        self.now = now
        self.today = now.date()
        self.summary: dict[str, int] = {}
        self.kept_documents: set[int] = set()

    def count(self, key: str, n: int = 1) -> None:
        if n:
            self.summary[key] = self.summary.get(key, 0) + n

    def keep(self, kind: RetainedKind, subject, until: date) -> None:
        keep(self.session, kind, subject, until, self.closure)
        self.count(f"kept.{kind.value}")

    # --- what the law keeps ---------------------------------------------------------------

    def keep_contract(self, contract: Contract) -> None:
        end = _day(contract.ended_at or contract.end_date, self.today)
        until = rules.period(RetainedKind.CONTRACT.value).until(end)
        self.keep(RetainedKind.CONTRACT, contract, until)
        document_ids = {contract.document_id}
        for version in self.session.scalars(select(ContractVersion).where(ContractVersion.contract_id == contract.id)):
            document_ids |= {version.document_id, version.sealed_document_id}
        for document_id in document_ids - {None}:
            self.keep_document(document_id, RetainedKind.SIGNED_DOCUMENT, until)
        if contract.vigilance_document_id:
            self.keep_document(contract.vigilance_document_id, RetainedKind.VIGILANCE_CERTIFICATE,
                               rules.period(RetainedKind.VIGILANCE_CERTIFICATE.value).until(end))
        timesheet_period = rules.period(RetainedKind.TIMESHEET.value)
        for timesheet in self.session.scalars(select(Timesheet).where(Timesheet.contract_id == contract.id)):
            self.keep(RetainedKind.TIMESHEET, timesheet, timesheet_period.until(timesheet.month))

    def keep_invoice(self, invoice: Invoice) -> date:
        until = rules.period(RetainedKind.INVOICE.value).until(invoice.issue_date)
        self.keep(RetainedKind.INVOICE, invoice, until)
        if invoice.pdf_document_id:
            self.keep_document(invoice.pdf_document_id, RetainedKind.SIGNED_DOCUMENT, until)
        return until

    def keep_document(self, document_id: int, kind: RetainedKind, until: date) -> None:
        document = self.session.get(Document, document_id)
        if document is not None:
            self.keep(kind, document, until)
            self.kept_documents.add(document_id)

    def keep_money(self, subject, when: datetime | date | None) -> None:
        self.keep(RetainedKind.PAYMENT, subject,
                  rules.period(RetainedKind.PAYMENT.value).until(_day(when, self.today)))

    # --- a freelancer ----------------------------------------------------------------------

    def freelancer(self, profile: FreelancerProfile) -> None:
        session = self.session
        for contract in session.scalars(select(Contract).where(Contract.freelancer_id == profile.id)):
            self.keep_contract(contract)
        last_invoice_until = None
        for invoice in session.scalars(select(Invoice).where(Invoice.freelancer_id == profile.id)):
            until = self.keep_invoice(invoice)
            last_invoice_until = max(until, last_invoice_until or until)
        for payout in session.scalars(select(Payout).where(Payout.freelancer_id == profile.id)):
            self.keep_money(payout, payout.paid_at or payout.created_at)
        statement_period = rules.period(RetainedKind.YEARLY_STATEMENT.value)
        for statement in session.scalars(select(YearlyStatement).where(YearlyStatement.freelancer_id == profile.id)):
            until = statement_period.until(date(statement.year, 12, 31))
            self.keep(RetainedKind.YEARLY_STATEMENT, statement, until)
            if statement.document_id:
                self.keep_document(statement.document_id, RetainedKind.SIGNED_DOCUMENT, until)
        audit_period = rules.period(RetainedKind.VETTING_AUDIT.value)
        for entry in session.scalars(select(AuditLog).where(
                AuditLog.subject_type == "FreelancerProfile", AuditLog.subject_id == profile.id,
                AuditLog.action.like("vetting.%"))):
            self.keep(RetainedKind.VETTING_AUDIT, entry, audit_period.until(entry.created_at.date()))

        # References and their answers, with the audit of the answers (the referee's address).
        requests = session.scalars(select(ReferenceRequest.id).where(ReferenceRequest.profile_id == profile.id)).all()
        if requests:
            session.execute(delete(AuditLog).where(AuditLog.subject_type == "ReferenceRequest",
                                                   AuditLog.subject_id.in_(requests)))
            session.execute(delete(ReferenceRequest).where(ReferenceRequest.id.in_(requests)))
        self.count("reference_requests", len(requests))
        self.count("references", len(profile.references))
        self.count("experiences", len(profile.experiences))
        profile.references.clear()
        profile.experiences.clear()
        checks = session.execute(delete(VettingCheck).where(VettingCheck.profile_id == profile.id)).rowcount
        self.count("vetting_checks", checks)
        applications = session.execute(delete(Application).where(Application.freelancer_id == profile.id)).rowcount
        self.count("applications", applications)
        self.documents(or_(Document.profile_id == profile.id, Document.owner_id == profile.user_id))

        if last_invoice_until is not None and profile.mandate_accepted_at is not None:
            self.keep(RetainedKind.BILLING_MANDATE, profile, last_invoice_until)
        else:
            profile.mandate_accepted_at = profile.mandate_version = profile.mandate_ip = None
        self.anonymise_profile(profile)

    def anonymise_profile(self, profile: FreelancerProfile) -> None:
        for name, value in {
            "headline": "", "bio": "", "years_experience": 0, "freelance_years": 0,
            "sub_skills": [], "tools": [], "languages": [], "city": "", "postal_code": "", "commune_code": None,
            "latitude": None, "longitude": None, "daily_rate_cents": None, "available_slots": 0,
            "client_sectors": [], "business_name": "", "legal_form": None, "siret": None, "vat_regime": None,
            "vat_number": None, "vat_debits_option": False, "iban": None, "bic": None, "billing_address_line": "",
            "billing_postal_code": "", "billing_city": "", "off_platform_turnover_cents": 0,
            "share_capital_cents": None, "stripe_account_id": None, "stripe_payouts_enabled": False,
            "stripe_requirements": [], "rcs_city": None, "badges": [], "vetting_score": None,
            # No longer « Vérifié » (the home page's count, the console), never matched again; no event is sent,
            # so nobody is told by e-mail. The audit keeps the vetting decisions taken on it.
            "status": ProfileStatus.SUSPENDED.value, "status_reason": rules.ERASED_REASON,
            "matching_suspended_reason": rules.ERASED_REASON,
        }.items():
            setattr(profile, name, value)
        for code in profile.skills:
            profile.set_skill(code, 0)
        self.count("profiles")

    # --- files --------------------------------------------------------------------------------

    def documents(self, condition) -> None:
        """Delete the documents matching ``condition`` that nothing kept needs; their files go after the commit."""
        found = list(self.session.scalars(select(Document).where(condition)))
        needed = referenced_documents(self.session, [d.id for d in found]) | self.kept_documents
        for document in found:
            if document.id in needed:
                continue
            key = document.storage_key
            self.session.delete(document)
            on_commit(self.session, lambda key=key: storage.remove(key))
            self.count("documents")
        self.session.flush()

    # --- a company (its last owner closed it) ---------------------------------------------------

    def company(self, company: Company, actor: User) -> None:
        session = self.session
        for contract in session.scalars(select(Contract).where(Contract.company_id == company.id)):
            self.keep_contract(contract)
        for invoice in session.scalars(select(Invoice).where(Invoice.company_id == company.id)):
            self.keep_invoice(invoice)
        for payment in session.scalars(select(Payment).where(Payment.company_id == company.id)):
            self.keep_money(payment, payment.received_at or payment.created_at)
            for refund in session.scalars(select(Refund).where(Refund.payment_id == payment.id)):
                self.keep_money(refund, refund.created_at)
        for mission in session.scalars(select(Mission).where(
                Mission.company_id == company.id,
                Mission.status.in_([MissionStatus.DRAFT.value, MissionStatus.PUBLISHED.value]))):
            posting.close(session, mission, actor, "other", "Fermeture du compte de l'entreprise")
            self.count("missions_closed")
        # Who does each task today names the company's employees.
        session.execute(PerimeterLine.__table__.update().where(
            PerimeterLine.mission_id.in_(select(Mission.id).where(Mission.company_id == company.id))
        ).values(current_owner=""))
        self.count("payment_methods", session.execute(
            delete(PaymentMethod).where(PaymentMethod.company_id == company.id)).rowcount)
        self.count("team_invitations", session.execute(
            delete(TeamInvitation).where(TeamInvitation.company_id == company.id)).rowcount)
        self.documents(Document.company_id == company.id)
        company.billing_email = None
        company.billing_contact_name = None
        company.description = ""
        self.count("companies")

    # --- any account -------------------------------------------------------------------------------

    def user(self, user: User) -> None:
        session = self.session
        if user.erased_at is not None:
            return
        email, full_name = user.email, f"{user.first_name} {user.last_name}".strip()
        if user.role == Role.FREELANCER.value and user.freelancer_profile is not None:
            self.freelancer(user.freelancer_profile)
        else:
            self.documents(Document.owner_id == user.id)
        company = user.company
        if company is not None:
            if company.billing_email and company.billing_email.lower() == email.lower():
                company.billing_email = None
            if full_name and company.billing_contact_name == full_name:
                company.billing_contact_name = None

        # E-mails to the person, and those already sent that name them (logs: nothing legal rests on them).
        mentions = [OutboundEmail.body_text.contains(email, autoescape=True)]
        if len(full_name) >= 5:
            mentions.append(OutboundEmail.body_text.contains(full_name, autoescape=True))
        emails = or_(
            OutboundEmail.user_id == user.id, OutboundEmail.to_address == email,
            (OutboundEmail.status != EmailStatus.PENDING.value) & or_(*mentions),
        )
        copies = select(OutboundEmail.outbox_path).where(emails, OutboundEmail.outbox_path.is_not(None))
        for path in session.scalars(copies):
            on_commit(session, lambda path=path: mail.remove_copy(path))
        self.count("emails", session.execute(delete(OutboundEmail).where(emails)).rowcount)
        # Connection logs go; the decisions the person took stay, without their address.
        self.count("logs", session.execute(delete(AuditLog).where(
            AuditLog.action.in_(rules.LOG_ACTIONS),
            or_(AuditLog.actor_id == user.id, (AuditLog.subject_type == "User") & (AuditLog.subject_id == user.id)),
        )).rowcount)
        session.execute(AuditLog.__table__.update().where(AuditLog.actor_id == user.id).values(ip_address=None))
        for entry in session.scalars(select(AuditLog).where(AuditLog.action.in_(TEAM_ACTIONS))):
            if str(entry.details.get("email", "")).lower() == email.lower():
                entry.details = {k: v for k, v in entry.details.items() if k != "email"}
        self.count("team_invitations", session.execute(
            delete(TeamInvitation).where(TeamInvitation.email == email.lower())).rowcount)
        # Messages: what the person wrote loses its body (its place in the other side's thread stays).
        self.count("messages", session.execute(Message.__table__.update().where(
            Message.sender_id == user.id, Message.erased_at.is_(None)).values(body="", erased_at=self.now)).rowcount)
        session.execute(delete(ThreadReader).where(ThreadReader.user_id == user.id))
        for export in session.scalars(select(DataExport).where(DataExport.user_id == user.id)):
            if export.storage_key:
                key = export.storage_key
                on_commit(session, lambda key=key: storage.remove(key))
            session.delete(export)
            self.count("exports")
        for other in session.scalars(select(AccountClosure).where(
                AccountClosure.user_id == user.id, AccountClosure.id != self.closure.id,
                AccountClosure.status.in_([ClosureStatus.PENDING.value, ClosureStatus.HELD.value]))):
            other.status, other.erased_at, other.reason = ClosureStatus.ERASED.value, self.now, None

        user.email = f"compte-supprime-{user.id}@anonyme.invalid"
        user.first_name, user.last_name = rules.ERASED_NAME, ""
        user.phone = None
        user.last_login_at = None
        user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
        user.end_sessions()
        user.active = False
        user.erased_at = self.now
        session.flush()
        self.count("accounts")
