"""Late payment: reminders on the due date, at +7 and +15 days, with the penalties LEGAL.md sets.

Penalties run from the day after the due date at the rate of the half-year of the
invoice (ECB + 10 points, never below three times the legal rate: ``legal.py``), on the
TTC still due; the fixed 40 € indemnity is due on top of them. Each reminder is sent
once (a unique constraint per invoice and stage).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import legal
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.formatting import date_fr, money
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.payments import PaymentReminder
from marketplace.platform import mail
from marketplace.platform.links import external_url
from marketplace.services.billing.document import div_round_half_up
from marketplace.services.payments import collecting
from marketplace.services.payments.rules import REMINDER_STAGES


def days_late(invoice: Invoice, day: date) -> int:
    return max(0, (day - invoice.due_date).days)


def penalty_cents(invoice: Invoice, day: date, due_cents: int | None = None) -> int:
    """Late penalties accrued on ``day``: due amount × annual rate × days late / 365 (the indemnity aside)."""
    late = days_late(invoice, day)
    rate = legal.late_penalty_rate(invoice.issue_date)
    if not late or rate is None:
        return 0
    due = invoice.total_ttc_cents if due_cents is None else due_cents
    return div_round_half_up(due * int(rate * 100) * late, 365 * 100 * 100)


def overdue(session: Session, day: date) -> list[Invoice]:
    """Freelancer invoices still to pay whose due date has passed (the status never says « late »)."""
    return list(session.scalars(select(Invoice).where(
        Invoice.kind == InvoiceKind.INVOICE.value, Invoice.issuer_kind == IssuerKind.FREELANCER.value,
        Invoice.status.in_(collecting.PAYABLE), Invoice.due_date <= day).order_by(Invoice.due_date, Invoice.id)))


def send_due(session: Session, day: date | None = None, now: datetime | None = None) -> int:
    """Send the reminders due today (the daily job): due date, +7, +15; each once."""
    day, now = day or today_paris(), now or utcnow()
    sent = 0
    for invoice in overdue(session, day):
        late = days_late(invoice, day)
        stage = next((name for name, offset in sorted(REMINDER_STAGES.items(), key=lambda item: -item[1])
                      if late >= offset), None)
        if stage is None:
            continue
        penalty = penalty_cents(invoice, day)
        try:
            with session.begin_nested():
                session.add(PaymentReminder(invoice_id=invoice.id, stage=stage, sent_at=now, penalty_cents=penalty))
                session.flush()
        except IntegrityError:
            continue  # this stage was sent already
        _mail(session, invoice, stage, late, penalty)
        sent += 1
    return sent


def _mail(session: Session, invoice: Invoice, stage: str, late: int, penalty: int) -> None:
    rate = legal.late_penalty_rate(invoice.issue_date)
    if stage == "due":
        subject = _l("Échéance aujourd'hui : facture %(number)s", number=invoice.number)
        lines = [_l("La facture %(number)s de %(seller)s (%(amount)s TTC) arrive à échéance aujourd'hui, %(date)s.",
                    number=invoice.number, seller=invoice.seller["name"], amount=money(invoice.total_ttc_cents),
                    date=date_fr(invoice.due_date))]
    else:
        subject = lazy_ngettext("Relance : facture %(number)s en retard de %(num)s jour",
                                "Relance : facture %(number)s en retard de %(num)s jours", late, number=invoice.number)
        lines = [lazy_ngettext(
            "La facture %(number)s de %(seller)s (%(amount)s TTC) était due le %(date)s : elle a %(num)s jour de retard.",
            "La facture %(number)s de %(seller)s (%(amount)s TTC) était due le %(date)s : elle a %(num)s jours de retard.",
            late, number=invoice.number, seller=invoice.seller["name"], amount=money(invoice.total_ttc_cents),
            date=date_fr(invoice.due_date))]
    rate_text = str(rate).replace(".", ",") if rate is not None else _l("BCE + 10 points")
    lines += [
        _l("Pénalités de retard à ce jour : %(penalty)s (taux annuel de %(rate)s %%), plus l'indemnité forfaitaire "
           "pour frais de recouvrement de %(indemnity)s.", penalty=money(penalty), rate=rate_text,
           indemnity=money(legal.RECOVERY_INDEMNITY_CENTS)),
        _l("Réglez-la en ligne, ou par virement en indiquant la référence %(number)s.", number=invoice.number),
    ]
    for email, user_id, first_name in collecting._company_recipients(invoice.company):
        mail.send(session, to=email, subject=subject, template="payment_notice", user_id=user_id,
                  first_name=first_name, lines=lines, url=external_url("sme.invoice", invoice_id=invoice.id),
                  action=_l("Payer la facture"))
