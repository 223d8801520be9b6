"""Monthly activity reports (CRA): the freelancer declares the dates worked, the SME approves.

A report is opened for each month a signed contract runs; the freelancer ticks the
dates (full or half days) and sends it; the SME approves it or disputes it with a
comment (back to the freelancer, who corrects and sends again). A report nobody
answers within a few working days is approved by the daily job. An approved report is
frozen: a correction after approval replaces it by a new version, and the billing area
cancels what was invoiced on it with a credit note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, NotFound, raise_if_any
from marketplace.formatting import PARIS, date_fr, days_fr, month_fr
from marketplace.i18n import Later
from marketplace.models.contracts import Contract, Party
from marketplace.models.timesheets import Timesheet, TimesheetEntry, TimesheetStatus
from marketplace.models.users import User
from marketplace.platform import events, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.contracts import parties
from marketplace.services.contracts.queries import running_during
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets.rules import AUTO_APPROVE_WORKING_DAYS, MAX_COMMENT

EDITABLE = (TimesheetStatus.DRAFT.value, TimesheetStatus.DISPUTED.value)


def _page_url(timesheet: Timesheet, party: str) -> str:
    endpoint = "freelancer.timesheet" if party == Party.FREELANCER.value else "sme.timesheet"
    return external_url(endpoint, timesheet_id=timesheet.id)


def _notify(session: Session, timesheet: Timesheet, subject: str, lines: list[str], to: tuple[str, ...],
            action: str = _l("Ouvrir le compte rendu")) -> None:
    contract = timesheet.contract
    for party in to:
        for person in parties.recipients(contract, party):
            mail.send(session, to=person.email, subject=subject, template="contract_update", user_id=person.id,
                      person=person, contract=contract, lines=lines, action=action,
                      url=_page_url(timesheet, party))


def label_here(timesheet: Timesheet) -> str:
    """``label`` in the reader's language."""
    return f"{i18n.month(timesheet.month)} — {timesheet.contract.title}"


def label(timesheet: Timesheet) -> str:
    return f"{month_fr(timesheet.month)} — {timesheet.contract.title}"


def open_month(session: Session, contract: Contract, month: date, now: datetime | None = None) -> Timesheet:
    """The live report of ``contract`` for ``month``, opened (as a draft) if it does not exist yet."""
    month = months.month_start(month)
    existing = live(session, contract.id, month)
    if existing is not None:
        return existing
    now = now or utcnow()
    if month > months.month_start(now.astimezone(PARIS).date()):
        raise DomainError(_l("%(month)s n'a pas commencé : son compte rendu s'ouvrira le 1er.", month=Later(i18n.month_capitalized, month)),
                          "month")
    if contract.signed_version is None or contract.start_date > months.month_end(month) or (
            contract.end_date is not None and contract.end_date < month):
        raise DomainError(_l("Le contrat ne couvre pas %(month_fr)s.", month_fr=Later(i18n.month, month)), "month")
    timesheet = Timesheet(contract_id=contract.id, month=month, version=1, status=TimesheetStatus.DRAFT.value,
                          created_at=now)
    try:
        with session.begin_nested():
            session.add(timesheet)
            session.flush()
    except IntegrityError:  # opened a moment ago by another request or the monthly job
        return live(session, contract.id, month)
    return timesheet


def live(session: Session, contract_id: int, month: date) -> Timesheet | None:
    return session.scalar(select(Timesheet).where(
        Timesheet.contract_id == contract_id, Timesheet.month == months.month_start(month),
        Timesheet.replaced_at.is_(None)))


def _party(actor: User, timesheet: Timesheet) -> str | None:
    if actor.role == Role.ADMIN.value:
        return None
    return parties.require_party(actor, timesheet.contract)


def _lock(session: Session, timesheet_id: int) -> Timesheet:
    found = session.execute(select(Timesheet).where(Timesheet.id == timesheet_id).with_for_update()
                            .execution_options(populate_existing=True)).scalar_one_or_none()
    if found is None:
        raise NotFound()
    session.expire(found, ["entries"])
    return found


@dataclass(frozen=True)
class Declared:
    day: date
    half_days: int  # 1 or 2


def save(session: Session, timesheet: Timesheet, actor: User, declared: list[Declared], comment: str = "") -> Timesheet:
    """Replace the dates of a draft (or disputed) report; every problem is refused at once, beside the calendar."""
    if _party(actor, timesheet) != Party.FREELANCER.value:
        raise DomainError(_l("Seul le freelance déclare ses jours."))
    timesheet = _lock(session, timesheet.id)
    if timesheet.status not in EDITABLE:
        raise DomainError(_l("Ce compte rendu est envoyé : il ne se modifie plus (sauf s'il vous est renvoyé)."))
    errors: list[DomainError] = []
    days = {d.day: d for d in months.month_days(timesheet.contract, timesheet.month)}
    seen: set[date] = set()
    clean: list[Declared] = []
    for item in declared:
        day = days.get(item.day)
        if item.day in seen:
            errors.append(DomainError(_l("Le %(date)s est déclaré deux fois.", date=date_fr(item.day)), "days"))
            continue
        seen.add(item.day)
        if day is None:
            errors.append(DomainError(_l("Le %(date)s n'est pas dans %(month_fr)s.", date=date_fr(item.day), month_fr=Later(i18n.month, timesheet.month)), "days"))
        elif day.weekday is None:
            errors.append(DomainError(_l("Le %(date)s tombe un week-end.", date=date_fr(item.day)), "days"))
        elif not day.in_period:
            errors.append(DomainError(_l("Le %(date)s est hors de la période du contrat.", date=date_fr(item.day)), "days"))
        elif day.holiday:
            errors.append(DomainError(_l("Le %(date)s est férié (%(holiday)s).", date=date_fr(item.day), holiday=day.holiday), "days"))
        elif item.half_days not in (1, 2):
            errors.append(DomainError(_l("Le %(date)s : une journée ou une demi-journée.", date=date_fr(item.day)), "days"))
        else:
            clean.append(item)
    allowed = months.allowed_half_days(list(days.values()))
    total = sum(item.half_days for item in clean)
    if total > allowed:
        errors.append(DomainError(
            f"{total / 2:g} jours déclarés : le contrat en prévoit au plus {allowed / 2:g} ce mois-ci "
            "(ses demi-journées, hors jours fériés).".replace(".", ","), "days"))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors.append(DomainError(_l("2 000 caractères au plus."), "comment"))
    raise_if_any(errors)
    timesheet.entries.clear()
    session.flush()  # the old dates go before the new ones arrive (one row per date)
    timesheet.entries.extend(TimesheetEntry(day=item.day, half_days=item.half_days)
                             for item in sorted(clean, key=lambda i: i.day))
    timesheet.total_half_days = total
    timesheet.comment = comment
    session.flush()
    return timesheet


def submit(session: Session, timesheet: Timesheet, actor: User, now: datetime | None = None) -> Timesheet:
    """Send the report to the SME for approval."""
    if _party(actor, timesheet) != Party.FREELANCER.value:
        raise DomainError(_l("Seul le freelance envoie son compte rendu."))
    timesheet = _lock(session, timesheet.id)
    if timesheet.status not in EDITABLE:
        raise DomainError(_l("Ce compte rendu est déjà envoyé."))
    if not timesheet.entries:
        raise DomainError(_l("Cochez au moins un jour travaillé avant d'envoyer le compte rendu."), "days")
    timesheet.status = TimesheetStatus.SUBMITTED.value
    timesheet.submitted_at = now or utcnow()
    session.flush()
    record(session, actor, "timesheet.submitted", timesheet, at=timesheet.submitted_at,
           details={"half_days": timesheet.total_half_days, "month": timesheet.month.isoformat()})
    due = months.working_days_after(timesheet.submitted_at.date(), auto_approve_days())
    _notify(session, timesheet, _l("Compte rendu à valider : %(label)s", label=Later(label_here, timesheet)), [
        _l("%(display_name)s a envoyé son compte rendu d'activité de %(month_fr)s : %(days_text)s.", display_name=timesheet.contract.freelancer.display_name, month_fr=Later(i18n.month, timesheet.month), days_text=Later(i18n.half_days, timesheet.total_half_days)),
        _l("Validez-le ou contestez-le avec un commentaire. Sans réponse, il sera validé automatiquement le %(date)s, puis facturé.", date=date_fr(due)),
    ], to=(Party.SME.value,), action=_l("Valider le compte rendu"))
    return timesheet


def approve(session: Session, timesheet: Timesheet, actor: User | None, now: datetime | None = None,
            auto: bool = False) -> Timesheet:
    """The SME approves the report: it is frozen and will be invoiced by the next billing run."""
    if not auto and (actor is None or _party(actor, timesheet) != Party.SME.value):
        raise DomainError(_l("Seule l'entreprise cliente valide le compte rendu."))
    timesheet = _lock(session, timesheet.id)
    if timesheet.status != TimesheetStatus.SUBMITTED.value:
        raise DomainError(_l("Ce compte rendu n'attend pas de validation.") if timesheet.status != "approved" else _l("Ce compte rendu est déjà validé."))
    timesheet.status = TimesheetStatus.APPROVED.value
    timesheet.approved_at = now or utcnow()
    timesheet.approved_by_id = actor.id if actor is not None else None
    timesheet.auto_approved = auto
    session.flush()
    record(session, actor, "timesheet.approved", timesheet, at=timesheet.approved_at,
           details={"auto": auto, "half_days": timesheet.total_half_days})
    events.timesheet_approved.send(session, timesheet=timesheet)
    month, days = Later(i18n.month, timesheet.month), Later(i18n.half_days, timesheet.total_half_days)
    lines = [_l("Le compte rendu de %(month)s (%(days)s) est validé automatiquement, faute de réponse dans le délai.",
                month=month, days=days) if auto
             else _l("Le compte rendu de %(month)s (%(days)s) est validé.", month=month, days=days),
             _l("La facture sera émise au nom du freelance lors de la facturation mensuelle.")]
    _notify(session, timesheet, _l("Compte rendu validé : %(label)s", label=Later(label_here, timesheet)), lines,
            to=(Party.FREELANCER.value, Party.SME.value) if auto else (Party.FREELANCER.value,))
    return timesheet


def dispute(session: Session, timesheet: Timesheet, actor: User, reason: str, now: datetime | None = None) -> Timesheet:
    """The SME sends the report back with a comment; the freelancer corrects it and sends it again."""
    if _party(actor, timesheet) != Party.SME.value:
        raise DomainError(_l("Seule l'entreprise cliente conteste un compte rendu."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Dites au freelance ce qui ne va pas : il corrigera son compte rendu."), "reason")
    if len(reason) > MAX_COMMENT:
        raise DomainError(_l("2 000 caractères au plus."), "reason")
    timesheet = _lock(session, timesheet.id)
    if timesheet.status != TimesheetStatus.SUBMITTED.value:
        raise DomainError(_l("Seul un compte rendu envoyé se conteste."))
    timesheet.status = TimesheetStatus.DISPUTED.value
    timesheet.disputed_at = now or utcnow()
    timesheet.dispute_reason = reason
    session.flush()
    record(session, actor, "timesheet.disputed", timesheet, reason=reason, at=timesheet.disputed_at)
    _notify(session, timesheet, _l("Compte rendu à corriger : %(label)s", label=Later(label_here, timesheet)), [
        _l("%(legal_name)s conteste votre compte rendu de %(month_fr)s.", legal_name=timesheet.contract.company.legal_name, month_fr=Later(i18n.month, timesheet.month)),
        _l("Son commentaire : « %(reason)s »", reason=reason),
        _l("Corrigez les jours puis renvoyez-le."),
    ], to=(Party.FREELANCER.value,), action=_l("Corriger le compte rendu"))
    return timesheet


def correct(session: Session, timesheet: Timesheet, actor: User, reason: str, now: datetime | None = None) -> Timesheet:
    """After approval: a new version (a draft with the same dates) replaces the report; the old one's
    invoice is cancelled by a credit note (billing). An operator does it, on a contested invoice or a request."""
    if actor.role != Role.ADMIN.value:
        raise DomainError(_l("Une correction après validation passe par l'équipe de la plateforme."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Indiquez le motif de la correction."), "reason")
    timesheet = _lock(session, timesheet.id)
    if timesheet.status != TimesheetStatus.APPROVED.value or timesheet.replaced_at is not None:
        raise DomainError(_l("Seul un compte rendu validé, en vigueur, se corrige par une nouvelle version."))
    now = now or utcnow()
    timesheet.replaced_at = now
    session.flush()
    new = Timesheet(
        contract_id=timesheet.contract_id, month=timesheet.month, version=timesheet.version + 1,
        status=TimesheetStatus.DRAFT.value, correction_reason=reason, comment=timesheet.comment,
        entries=[TimesheetEntry(day=e.day, half_days=e.half_days, note=e.note) for e in timesheet.entries],
        total_half_days=timesheet.total_half_days, created_at=now,
    )
    session.add(new)
    session.flush()
    record(session, actor, "timesheet.corrected", timesheet, reason=reason, at=now, details={"new_id": new.id})
    events.timesheet_replaced.send(session, old=timesheet, new=new, reason=reason)
    _notify(session, new, _l("Compte rendu rouvert pour correction : %(label)s", label=Later(label_here, new)), [
        _l("Le compte rendu de %(month_fr)s est rouvert (version %(version)s) : %(reason)s", month_fr=Later(i18n.month, new.month), version=new.version, reason=reason),
        _l("Corrigez les jours puis renvoyez-le ; la facture correspondante est annulée par un avoir et sera "
        "réémise après validation."),
    ], to=(Party.FREELANCER.value, Party.SME.value))
    return new


def auto_approve_days() -> int:
    return int(current_app.config.get("TIMESHEET_AUTO_APPROVE_WORKING_DAYS") or AUTO_APPROVE_WORKING_DAYS)


def auto_approve_due(session: Session, today: date | None = None, now: datetime | None = None) -> int:
    """Approve the reports sent and left unanswered for the configured number of working days."""
    today = today or today_paris()
    waiting = session.scalars(select(Timesheet).where(
        Timesheet.status == TimesheetStatus.SUBMITTED.value, Timesheet.replaced_at.is_(None)
    ).order_by(Timesheet.id)).all()
    count = 0
    for timesheet in waiting:
        sent = timesheet.submitted_at.astimezone(PARIS).date() if timesheet.submitted_at else today
        if months.working_days_after(sent, auto_approve_days()) <= today:
            approve(session, timesheet, None, now=now, auto=True)
            count += 1
    return count


def open_previous_month(session: Session, today: date | None = None) -> int:
    """The first days of a month: open last month's report of every contract that ran, and remind the freelancer."""
    month = months.previous_month(today or today_paris())
    opened = 0
    for contract in running_during(session, month, months.month_end(month)):
        timesheet = open_month(session, contract, month)
        if timesheet.status == TimesheetStatus.DRAFT.value and not timesheet.entries and timesheet.submitted_at is None:
            _notify(session, timesheet, _l("Votre compte rendu de %(month_fr)s est à remplir", month_fr=Later(i18n.month, month)), [
                _l("Cochez les jours travaillés en %(month_fr)s pour %(legal_name)s, puis envoyez le compte rendu : la facture est émise à votre nom dès sa validation.", month_fr=Later(i18n.month, month), legal_name=timesheet.contract.company.legal_name),
            ], to=(Party.FREELANCER.value,), action=_l("Remplir le compte rendu"))
            opened += 1
    return opened


def days_text(half_days: int) -> str:
    """``3`` → ``1,5 jour``; ``4`` → ``2 jours``."""
    return days_fr(half_days / 2)
