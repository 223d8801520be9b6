"""A freelancer contests an invoice issued in their name (the mandate's deadline); the admin resolves it.

Resolving by correction cancels the invoice (and its fee invoice) by a credit note and
issues the corrected invoice from the current data of the same approved report; when
the days themselves were wrong, the report is reopened as a new version instead, and
the next billing run invoices it once approved again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, raise_if_any
from marketplace.formatting import date_fr
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.timesheets import Timesheet
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.services.billing import credit, issuing
from marketplace.services.timesheets import reports

MAX_REASON = 2_000
# How the team may answer a contest.
RESOLUTIONS = ("reject", "reissue", "reopen")


def contest_deadline(invoice: Invoice) -> date:
    return invoice.issue_date + timedelta(days=legal.MANDATE_CONTEST_DAYS)


def can_contest(invoice: Invoice, today: date) -> bool:
    return (invoice.issuer_kind == IssuerKind.FREELANCER.value and invoice.kind == InvoiceKind.INVOICE.value
            and invoice.status != InvoiceStatus.CANCELLED.value and invoice.contested_at is None
            and today <= contest_deadline(invoice))


def contest(session: Session, invoice: Invoice, actor: User, reason: str, today: date | None = None,
            now: datetime | None = None) -> Invoice:
    """The freelancer contests an invoice issued in their name, within the mandate's deadline."""
    today, now = today or today_paris(), now or utcnow()
    profile = actor.freelancer_profile if actor.role == Role.FREELANCER.value else None
    if profile is None or invoice.freelancer_id != profile.id or invoice.issuer_kind != IssuerKind.FREELANCER.value:
        raise DomainError(_l("Seul le freelance au nom duquel la facture est émise peut la contester."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Expliquez ce qui est inexact (jours, TJM, identité…)."), "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("2 000 caractères au plus."), "reason")
    if invoice.contested_at is not None:
        raise DomainError(_l("Cette facture est déjà contestée : l'équipe vous répond."))
    if not can_contest(invoice, today):
        raise DomainError(_l("Le délai de contestation (%(MANDATE_CONTEST_DAYS)s jours) a expiré le %(date)s : écrivez à l'équipe.", MANDATE_CONTEST_DAYS=legal.MANDATE_CONTEST_DAYS, date=date_fr(contest_deadline(invoice))))
    invoice.contested_at, invoice.contest_reason = now, reason
    session.flush()
    record(session, actor, "invoice.contested", invoice, reason=reason, at=now)
    return invoice


def resolve(session: Session, invoice: Invoice, actor: User, resolution: str, action: str,
            today: date | None = None, now: datetime | None = None) -> Invoice | None:
    """The admin answers a contest: ``reject`` (the invoice stands), ``reissue`` (credit note + corrected
    invoice from the same report) or ``reopen`` (credit note + the report reopened for correction)."""
    if actor.role != Role.ADMIN.value:
        raise DomainError(_l("Seule l'équipe de la plateforme tranche une contestation."))
    resolution = (resolution or "").strip()
    errors = []
    if not resolution:
        errors.append(DomainError(_l("Expliquez la décision : le freelance la reçoit."), "resolution"))
    if action not in RESOLUTIONS:
        errors.append(DomainError(_l("Choisissez la suite donnée à la contestation."), "action"))
    raise_if_any(errors)
    if invoice.contested_at is None or invoice.contest_resolved_at is not None:
        raise DomainError(_l("Cette facture n'a pas de contestation en cours."))
    today, now = today or today_paris(), now or utcnow()
    invoice.contest_resolved_at, invoice.contest_resolution = now, resolution
    corrected = None
    if action == "reject":
        record(session, actor, "invoice.contest_rejected", invoice, reason=resolution, at=now)
    elif action == "reissue":
        credit.credit(session, invoice, actor, f"Contestation : {resolution}", today=today, now=now)
        result = issuing.issue_month(session, invoice.contract, invoice.month, today=today, now=now)
        if not result.issued:
            raise DomainError(_l("Facture corrigée impossible : %(skipped)s", skipped=result.skipped))
        corrected = result.invoice
        record(session, actor, "invoice.contest_reissued", invoice, reason=resolution, at=now,
               details={"corrected": corrected.number})
    elif action == "reopen":
        timesheet = session.get(Timesheet, invoice.timesheet_id) if invoice.timesheet_id else None
        if not timesheet:
            raise DomainError(_l("Cette facture n'a pas de compte rendu à rouvrir."))
        reports.correct(session, timesheet, actor, f"Contestation de la facture {invoice.number} : {resolution}", now=now)
        record(session, actor, "invoice.contest_reopened", invoice, reason=resolution, at=now)
    else:
        raise DomainError(_l("Décision inconnue."), "action")
    session.flush()
    return corrected
