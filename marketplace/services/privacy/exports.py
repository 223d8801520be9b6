"""The right of access: an archive of everything the platform holds about a person.

``request_export`` records the request and the job ``privacy.build_export`` builds a zip
(one JSON file per kind of data, plus every file the person uploaded and the signed PDFs),
then e-mails a link. The link is signed for that person and that archive only, expires
with the archive (``DATA_EXPORT_DAYS``), and is only served to that person logged in.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from marketplace.db import on_commit, utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, NotFound
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice, InvoiceLine
from marketplace.models.companies import TeamInvitation
from marketplace.models.contracts import (
    Contract,
    ContractBooking,
    ContractSignature,
    ContractVersion,
)
from marketplace.models.documents import Document
from marketplace.models.freelancers import ExperienceEntry, Reference
from marketplace.models.messaging import Message, MessageThread, ThreadReader
from marketplace.models.missions import Application, Mission, PerimeterLine
from marketplace.models.outbox import OutboundEmail
from marketplace.models.payments import (
    Payment,
    PaymentAllocation,
    PaymentMethod,
    Payout,
    Refund,
    YearlyStatement,
)
from marketplace.models.privacy import DataExport, ExportStatus
from marketplace.models.timesheets import Timesheet, TimesheetEntry
from marketplace.models.users import User
from marketplace.models.vetting import ReferenceRequest, VettingCheck
from marketplace.platform import jobs, mail, storage
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.privacy import rules

# Never exported: secrets and internal keys, not data about the person.
SECRET_COLUMNS = frozenset({"password_hash", "login_nonce", "token_hash", "storage_key", "idempotency_key"})
# The kinds every archive holds, one JSON file each (empty lists when the platform holds nothing of a kind).
KINDS = ("account", "profile", "company", "missions", "applications", "messages", "conversations", "contracts",
         "timesheets", "invoices", "payments", "audit", "documents")


def export_days() -> int:
    return int(current_app.config.get("DATA_EXPORT_DAYS") or rules.DEFAULT_EXPORT_DAYS)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=rules.EXPORT_SALT)


def token_for(export: DataExport) -> str:
    """The signed link token: this archive, for this person only."""
    return _serializer().dumps({"x": export.id, "u": export.user_id})


def request_export(session: Session, user: User) -> DataExport:
    """Record a request for the person's archive; the job builds it and e-mails the link."""
    if user.erased_at is not None:
        raise DomainError(_l("Ce compte a été supprimé."))
    pending = session.scalar(select(DataExport).where(
        DataExport.user_id == user.id, DataExport.status == ExportStatus.PENDING.value))
    if pending is not None:
        return pending
    export = DataExport(user_id=user.id, status=ExportStatus.PENDING.value)
    session.add(export)
    session.flush()
    record(session, user, "privacy.export_requested", export)
    jobs.enqueue(session, "privacy.build_export", export.id, dedupe_key=f"privacy.export:{export.id}")
    return export


def build(session: Session, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build the archive of a requested export, store it and e-mail its link; once."""
    export = session.get(DataExport, export_id, with_for_update=True)
    if export is None or export.status != ExportStatus.PENDING.value:
        return export
    user = session.get(User, export.user_id)
    if user is None or user.erased_at is not None:
        export.status = ExportStatus.FAILED.value
        export.last_error = "Compte supprimé."
        return export
    now = now or utcnow()
    content = archive(session, user, now)
    key = storage.store_bytes(content)
    export.storage_key = key
    export.size_bytes = len(content)
    export.sha256 = hashlib.sha256(content).hexdigest()
    export.status = ExportStatus.READY.value
    export.ready_at = now
    export.expires_at = now + timedelta(days=export_days())
    export.last_error = None
    session.flush()
    mail.send(
        session, to=user.email, subject=_l("Vos données sont prêtes"), template="privacy_export_ready",
        user_id=user.id, user=user, export=export,
        download_url=external_url("auth.privacy_export_download", token=token_for(export)),
        days=export_days(),
    )
    return export


def export_for_download(session: Session, token: str, user: User, now: datetime | None = None) -> DataExport:
    """The archive a link names, if it is ``user``'s and still there; NotFound otherwise (no oracle)."""
    try:
        data = _serializer().loads(token, max_age=export_days() * 86400)
    except SignatureExpired as exc:
        raise DomainError(_l("Ce lien a expiré : demandez un nouvel export depuis « Mon compte ».")) from exc
    except BadSignature as exc:
        raise NotFound() from exc
    if not isinstance(data, dict) or data.get("u") != user.id:
        raise NotFound()
    export = session.get(DataExport, data.get("x"))
    if export is None or export.user_id != user.id:
        raise NotFound()
    now = now or utcnow()
    if export.status != ExportStatus.READY.value or export.expires_at is None or export.expires_at < now:
        raise DomainError(_l("Cette archive n'est plus disponible : demandez un nouvel export depuis « Mon compte »."))
    return export


def mark_downloaded(session: Session, export: DataExport, ip_address: str | None = None) -> DataExport:
    export.downloaded_at = utcnow()
    record(session, export_owner(session, export), "privacy.export_downloaded", export, ip_address=ip_address)
    return export


def export_owner(session: Session, export: DataExport) -> User:
    return session.get(User, export.user_id)


def read(export: DataExport) -> bytes:
    return storage.read_key(export.storage_key)


def expire(session: Session, now: datetime | None = None) -> int:
    """Delete the archives whose link has expired (daily); their files go after the commit."""
    now = now or utcnow()
    count = 0
    for export in session.scalars(select(DataExport).where(
            DataExport.status == ExportStatus.READY.value, DataExport.expires_at < now).with_for_update()):
        key = export.storage_key
        export.status = ExportStatus.EXPIRED.value
        export.storage_key = None
        on_commit(session, lambda key=key: storage.remove(key))
        count += 1
    return count


# --- the archive --------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A column's value as JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value


def row(obj, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a mapped object, secrets aside."""
    return {
        prop.key: plain(getattr(obj, prop.key))
        for prop in inspect(type(obj)).column_attrs
        if prop.key not in SECRET_COLUMNS and prop.key not in without
    }


def _rows(session: Session, stmt, **kwargs) -> list[dict[str, Any]]:
    return [row(obj, **kwargs) for obj in session.scalars(stmt)]


def collect(session: Session, user: User) -> tuple[dict[str, Any], list[Document]]:
    """The archive's JSON content, one entry per kind, and the documents to include."""
    profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
    company = user.company if user.role == Role.SME.value else None
    data: dict[str, Any] = {kind: [] for kind in KINDS}
    data["account"] = row(user)

    contracts_stmt = None
    if profile is not None:
        data["profile"] = {
            "profile": row(profile),
            "experiences": _rows(session, select(ExperienceEntry).where(ExperienceEntry.profile_id == profile.id)),
            "references": _rows(session, select(Reference).where(Reference.profile_id == profile.id)),
            # The referees' answers are theirs to the platform: the archive says what was asked, and when.
            "reference_requests": _rows(session, select(ReferenceRequest).where(
                ReferenceRequest.profile_id == profile.id), without=("answers", "comment", "answered_ip", "flags")),
            "vetting_checks": _rows(session, select(VettingCheck).where(VettingCheck.profile_id == profile.id)),
        }
        mission_ids = select(Application.mission_id).where(Application.freelancer_id == profile.id).union(
            select(Contract.mission_id).where(Contract.freelancer_id == profile.id))
        data["missions"] = _rows(session, select(Mission).where(Mission.id.in_(mission_ids)).order_by(Mission.id))
        data["applications"] = _rows(session, select(Application).where(
            Application.freelancer_id == profile.id).order_by(Application.id))
        contracts_stmt = select(Contract).where(Contract.freelancer_id == profile.id)
        invoices_stmt = select(Invoice).where(Invoice.freelancer_id == profile.id)
        data["payments"] = {
            "payouts": _rows(session, select(Payout).where(Payout.freelancer_id == profile.id).order_by(Payout.id)),
            "yearly_statements": _rows(session, select(YearlyStatement).where(
                YearlyStatement.freelancer_id == profile.id)),
        }
    if company is not None:
        data["company"] = {
            "company": row(company),
            "invitations_sent": _rows(session, select(TeamInvitation).where(TeamInvitation.invited_by_id == user.id)),
        }
        missions = list(session.scalars(select(Mission).where(Mission.company_id == company.id).order_by(Mission.id)))
        data["missions"] = [
            {**row(m), "perimeter": _rows(session, select(PerimeterLine).where(PerimeterLine.mission_id == m.id))}
            for m in missions
        ]
        data["applications"] = _rows(session, select(Application).join(Application.mission).where(
            Mission.company_id == company.id).order_by(Application.id))
        contracts_stmt = select(Contract).where(Contract.company_id == company.id)
        invoices_stmt = select(Invoice).where(Invoice.company_id == company.id)
        payment_ids = select(Payment.id).where(Payment.company_id == company.id)
        data["payments"] = {
            "payments": _rows(session, select(Payment).where(Payment.company_id == company.id).order_by(Payment.id)),
            "allocations": _rows(session, select(PaymentAllocation).where(
                PaymentAllocation.payment_id.in_(payment_ids))),
            "refunds": _rows(session, select(Refund).where(Refund.payment_id.in_(payment_ids))),
            "payment_methods": _rows(session, select(PaymentMethod).where(PaymentMethod.company_id == company.id)),
        }
    if contracts_stmt is not None:
        contracts = list(session.scalars(contracts_stmt.order_by(Contract.id)))
        data["contracts"] = [{
            **row(c),
            "versions": _rows(session, select(ContractVersion).where(ContractVersion.contract_id == c.id)),
            "signatures": _rows(session, select(ContractSignature).where(ContractSignature.contract_id == c.id)),
            "bookings": _rows(session, select(ContractBooking).where(ContractBooking.contract_id == c.id)),
        } for c in contracts]
        timesheets = session.scalars(select(Timesheet).where(
            Timesheet.contract_id.in_([c.id for c in contracts])).order_by(Timesheet.month, Timesheet.version))
        data["timesheets"] = [{
            **row(t), "entries": _rows(session, select(TimesheetEntry).where(TimesheetEntry.timesheet_id == t.id)),
        } for t in timesheets]
        data["invoices"] = [{
            **row(i), "lines": _rows(session, select(InvoiceLine).where(InvoiceLine.invoice_id == i.id)),
        } for i in session.scalars(invoices_stmt.order_by(Invoice.id))]

    data["conversations"] = conversations(session, user, profile, company)
    data["messages"] = _rows(session, select(OutboundEmail).where(
        or_(OutboundEmail.user_id == user.id, OutboundEmail.to_address == user.email)).order_by(OutboundEmail.id))
    about = [(AuditLog.subject_type == "User") & (AuditLog.subject_id == user.id), AuditLog.actor_id == user.id]
    if profile is not None:
        about.append((AuditLog.subject_type == "FreelancerProfile") & (AuditLog.subject_id == profile.id))
    if company is not None:
        about.append((AuditLog.subject_type == "Company") & (AuditLog.subject_id == company.id))
    data["audit"] = _rows(session, select(AuditLog).where(or_(*about)).order_by(AuditLog.id))

    owned = [Document.owner_id == user.id]
    if profile is not None:
        owned.append(Document.profile_id == profile.id)
    if company is not None:
        owned.append(Document.company_id == company.id)
    documents = list(session.scalars(select(Document).where(or_(*owned)).order_by(Document.id)))
    data["documents"] = [{**row(d), "file": archive_name(d)} for d in documents]
    return data, documents


def conversations(session: Session, user: User, profile, company) -> list[dict[str, Any]]:
    """The message threads the person took part in: the freelancer's all, an SME member's those they wrote in or read."""
    if profile is not None:
        stmt = select(MessageThread).where(MessageThread.freelancer_id == profile.id)
    elif company is not None:
        joined = select(ThreadReader.thread_id).where(ThreadReader.user_id == user.id).union(
            select(Message.thread_id).where(Message.sender_id == user.id))
        stmt = select(MessageThread).where(MessageThread.company_id == company.id, MessageThread.id.in_(joined))
    else:
        return []
    return [{
        **row(thread),
        "messages": [{**row(m), "written_by_you": m.sender_id == user.id} for m in session.scalars(
            select(Message).where(Message.thread_id == thread.id).order_by(Message.id))],
        "your_reading": _rows(session, select(ThreadReader).where(
            ThreadReader.thread_id == thread.id, ThreadReader.user_id == user.id)),
    } for thread in session.scalars(stmt.order_by(MessageThread.id))]


def archive_name(document: Document) -> str:
    return f"fichiers/{document.id:06d}-{document.original_name}"


README = """Export de vos données — {platform}

Archive produite le {date} pour {email}.

Chaque fichier JSON regroupe un type de données que la plateforme détient sur vous :
{kinds}

Le dossier « fichiers » contient les documents que vous avez déposés et les PDF signés
(contrats, factures). La durée de conservation de chaque type de données est indiquée
dans la politique de confidentialité : {policy}
"""


def archive(session: Session, user: User, now: datetime) -> bytes:
    """The zip of everything the platform holds about ``user``."""
    data, documents = collect(session, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("LISEZMOI.txt", README.format(
            platform=current_app.config.get("PLATFORM_LEGAL_NAME", ""), date=now.date().isoformat(), email=user.email,
            kinds="\n".join(f"- {kind}.json" for kind in KINDS),
            policy=external_url("public.legal", page="confidentialite")))
        for kind in KINDS:
            zf.writestr(f"{kind}.json", json.dumps(data[kind], ensure_ascii=False, indent=2, sort_keys=True))
        for document in documents:
            try:
                zf.writestr(archive_name(document), storage.read(document))
            except FileNotFoundError:
                pass  # a file the storage lost: the JSON still lists the document
    return buffer.getvalue()
