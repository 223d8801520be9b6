"""Issuing a month of a contract: the freelancer's invoice to the SME and the platform's fee invoice.

:func:`issue_month` turns the approved activity report of a contract and month into two
numbered invoices and their CII XML, in one transaction: the invoice issued by the
platform in the freelancer's name under the billing mandate (days and half days × the
TJM in force on each date), and the platform's own invoice of its fee to the freelancer.
It never issues twice: it looks for a live invoice first, and a partial unique index
(one live invoice per contract, month and issuer) refuses a concurrent second one,
whose transaction then rolls back with the numbers it took. The Factur-X PDFs are
rendered afterwards by their own jobs (``billing.render_pdf``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from marketplace import legal
from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.formatting import date_fr, days_fr, month_fr, percent
from marketplace.models.billing import Invoice, InvoiceKind, InvoiceStatus, IssuerKind
from marketplace.models.billing import InvoiceLine as InvoiceLineRow
from marketplace.models.contracts import Contract
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.timesheets import Timesheet, TimesheetStatus
from marketplace.platform import events, jobs
from marketplace.platform.audit import record
from marketplace.services.billing import franchise, identities, numbering
from marketplace.services.billing.document import (
    CREDIT_NOTE,
    INVOICE,
    InvoiceDocument,
    InvoiceLine,
    Party,
    div_round_half_up,
)
from marketplace.services.billing.facturx import cii_xml, data_dict
from marketplace.services.contracts.queries import terms_on
from marketplace.services.timesheets import month as months

FEE_PAYMENT_DAYS = 0  # the fee is settled by set-off on the payout, on issue
# Stands for a number not taken yet (unique in any document; replaced before storing).
NUMBER_PLACEHOLDER = "NUMERO-EN-ATTRIBUTION"


@dataclass(frozen=True)
class Issued:
    """What issuing a contract's month gave: the invoices, or why nothing was issued."""

    invoice: Invoice | None = None
    fee_invoice: Invoice | None = None
    skipped: str | None = None

    @property
    def issued(self) -> bool:
        return self.invoice is not None


def live_invoice(session: Session, contract_id: int, month: date, issuer_kind: str) -> Invoice | None:
    return session.scalar(select(Invoice).where(
        Invoice.contract_id == contract_id, Invoice.month == month, Invoice.issuer_kind == issuer_kind,
        Invoice.kind == InvoiceKind.INVOICE.value, Invoice.status != InvoiceStatus.CANCELLED.value))


def approved_report(session: Session, contract_id: int, month: date) -> Timesheet | None:
    return session.scalar(select(Timesheet).options(selectinload(Timesheet.entries)).where(
        Timesheet.contract_id == contract_id, Timesheet.month == month, Timesheet.replaced_at.is_(None),
        Timesheet.status == TimesheetStatus.APPROVED.value))


def _day_lines(contract: Contract, report: Timesheet, taxed: bool) -> list[InvoiceLine]:
    """One line per TJM in force during the month (an amendment mid-month makes two)."""
    by_rate: dict[int, list] = {}
    for entry in report.entries:
        by_rate.setdefault(terms_on(contract, entry.day).daily_rate_cents, []).append(entry)
    lines = []
    for rate, entries in sorted(by_rate.items(), key=lambda item: item[1][0].day):
        half_days = sum(e.half_days for e in entries)
        first, last = entries[0].day, entries[-1].day
        when = f"le {date_fr(first)}" if first == last else f"du {date_fr(first)} au {date_fr(last)}"
        lines.append(InvoiceLine(
            description=(f"Office management à temps partagé — {contract.title} (contrat n° {contract.id}) : "
                         f"{days_fr(half_days / 2)} travaillé{'s' if half_days >= 4 else ''} {when}"),
            quantity_centi=half_days * 50, unit_price_cents=rate,
            vat_category="S" if taxed else "E", vat_rate_bp=legal.VAT_STANDARD_RATE_BP if taxed else 0,
        ))
    return lines


def _period(contract: Contract, month: date) -> tuple[date, date]:
    end = months.month_end(month)
    start = max(month, contract.start_date)
    if contract.end_date is not None:
        end = min(end, contract.end_date)
    return start, end


def document_for(
    *, number: str, type_code: int, issue: date, due: date, period: tuple[date, date], seller: Party, buyer: Party,
    lines: list[InvoiceLine], on_behalf: bool, debits_option: bool = False, preceding: Invoice | None = None,
    payee: Party | None = None,
) -> InvoiceDocument:
    exempt = any(line.vat_category == "E" for line in lines)
    return InvoiceDocument(
        number=number, type_code=type_code, issue_date=issue, due_date=due, period_start=period[0],
        period_end=period[1], seller=seller, buyer=buyer, lines=tuple(lines),
        late_penalty_text=legal.late_penalty_mention_on(issue),
        issued_on_behalf_by=legal.PLATFORM_NAME if on_behalf else None,
        mandate_mention=legal.mandate_mention(seller.name, credit_note=type_code == CREDIT_NOTE) if on_behalf else None,
        vat_exemption_reason=legal.VAT_FRANCHISE_MENTION if exempt else None,
        vat_debits_option=debits_option and not exempt,
        preceding_invoice_number=preceding.number if preceding is not None else None,
        preceding_invoice_date=preceding.issue_date if preceding is not None else None,
        payee_iban=payee.iban if payee is not None else None, payee_bic=payee.bic if payee is not None else None,
    )


def store(session: Session, doc: InvoiceDocument, *, series_id: int, sequence: int, issuer_kind: str,
          contract: Contract | None, month: date | None, timesheet_id: int | None, company_id: int | None,
          freelancer_id: int, now: datetime, xml: bytes, credited: Invoice | None = None,
          related: Invoice | None = None) -> Invoice:
    """The invoice rows of a document, as issued (never edited afterwards)."""
    t = doc.totals
    invoice = Invoice(
        series_id=series_id, sequence=sequence, number=doc.number,
        kind=(InvoiceKind.CREDIT_NOTE if doc.is_credit_note else InvoiceKind.INVOICE).value,
        issuer_kind=issuer_kind, freelancer_id=freelancer_id, company_id=company_id,
        contract_id=contract.id if contract else None, timesheet_id=timesheet_id,
        credited_invoice_id=credited.id if credited else None, related_invoice_id=related.id if related else None,
        month=month, issue_date=doc.issue_date, due_date=doc.due_date, period_start=doc.period_start,
        period_end=doc.period_end, total_ht_cents=t.ht_cents, total_vat_cents=t.vat_cents,
        total_ttc_cents=t.ttc_cents, vat_mention=doc.vat_exemption_reason, vat_debits_option=doc.vat_debits_option,
        seller=identities.frozen(doc.seller), buyer=identities.frozen(doc.buyer),
        notes=[{"code": n["BT-21"], "text": n["BT-22"]} for n in _notes(doc)],
        status=InvoiceStatus.ISSUED.value, cii_xml=xml, issued_at=now, created_at=now, updated_at=now,
        lines=[
            InvoiceLineRow(position=index, description=line.description, quantity_centi=line.quantity_centi,
                           unit=line.unit, unit_price_cents=line.unit_price_cents, vat_category=line.vat_category,
                           vat_rate_bp=line.vat_rate_bp, total_ht_cents=net)
            for index, (line, net) in enumerate(zip(doc.lines, t.line_nets), start=1)
        ],
    )
    session.add(invoice)
    return invoice


def _notes(doc: InvoiceDocument) -> list[dict]:
    return data_dict(doc)["BG-1"]


def issue_month(session: Session, contract: Contract, month: date, *, today: date | None = None,
                now: datetime | None = None) -> Issued:
    """Issue the freelancer's invoice and the fee invoice of ``contract``'s approved ``month``, once."""
    month = months.month_start(month)
    today, now = today or today_paris(), now or utcnow()
    contract = session.execute(
        select(Contract).where(Contract.id == contract.id).options(
            joinedload(Contract.freelancer).joinedload(FreelancerProfile.user), joinedload(Contract.company),
            selectinload(Contract.versions))
    ).unique().scalar_one()
    if live_invoice(session, contract.id, month, IssuerKind.FREELANCER.value) is not None:
        return Issued(skipped=f"{month_fr(month)} est déjà facturé.")

    report = approved_report(session, contract.id, month)
    if report is None:
        pending = session.scalar(select(Timesheet.status).where(
            Timesheet.contract_id == contract.id, Timesheet.month == month, Timesheet.replaced_at.is_(None)))
        why = {None: "aucun compte rendu", TimesheetStatus.DRAFT.value: "compte rendu non envoyé",
               TimesheetStatus.SUBMITTED.value: "compte rendu en attente de validation",
               TimesheetStatus.DISPUTED.value: "compte rendu contesté"}.get(pending, "compte rendu non validé")
        return Issued(skipped=f"Rien à facturer pour {month_fr(month)} : {why}.")
    if report.total_half_days == 0:
        return Issued(skipped=f"Aucun jour déclaré en {month_fr(month)}.")
    profile = contract.freelancer
    if profile.mandate_accepted_at is None or profile.mandate_version != legal.MANDATE_VERSION:
        return Issued(skipped="Mandat de facturation non accepté (ou à renouveler) par le freelance.")
    try:
        seller = identities.freelancer_party(profile)
        buyer = identities.company_party(contract.company)
    except (DomainError, ValueError) as exc:
        return Issued(skipped=getattr(exc, "message", None) or f"Identifiant invalide : {exc}")
    estimate = sum(line.net_cents for line in _day_lines(contract, report, False))
    decision = franchise.decide(session, profile, estimate, today)
    if decision.refused:
        return Issued(skipped=decision.refused)
    lines = _day_lines(contract, report, decision.taxed)
    period = _period(contract, month)
    due = today + timedelta(days=contract.payment_terms_days)

    try:
        with session.begin_nested():
            series_id, sequence, number = numbering.allocate_for(
                session, IssuerKind.FREELANCER.value, profile.id, today.year)
            # The SME pays the platform (which pays the freelancer their share): its account on the invoice.
            doc = document_for(number=number, type_code=INVOICE, issue=today, due=due, period=period, seller=seller,
                               buyer=buyer, lines=lines, on_behalf=True,
                               debits_option=profile.vat_debits_option and decision.taxed,
                               payee=identities.platform_party())
            invoice = store(session, doc, series_id=series_id, sequence=sequence,
                            issuer_kind=IssuerKind.FREELANCER.value, contract=contract, month=month,
                            timesheet_id=report.id, company_id=contract.company_id, freelancer_id=profile.id,
                            now=now, xml=cii_xml(doc))
            session.flush()
            # The PDFs (this invoice and the fee invoice on it) are rendered by one job after the commit.
            jobs.enqueue(session, "billing.render_pdf", invoice.id)
            fee = _fee_invoice(session, contract, month, invoice, doc, seller, today, now)
            session.flush()
    except IntegrityError:  # another worker issued this month a moment ago: its numbers stand, ours roll back
        return Issued(skipped=f"{month_fr(month)} est déjà facturé.")
    record(session, None, "invoice.issued", invoice, at=now, details={
        "number": invoice.number, "contract_id": contract.id, "month": month.isoformat(),
        "total_ttc_cents": invoice.total_ttc_cents, "fee_invoice": fee.number,
    })
    events.invoice_issued.send(session, invoice=invoice)
    return Issued(invoice=invoice, fee_invoice=fee)


def fee_amount_cents(contract: Contract, ht_cents: int) -> int:
    """The platform's fee on an invoice: the rate frozen on the contract × its HT, rounded to the cent."""
    return div_round_half_up(ht_cents * contract.platform_fee_bp, 10_000)


def _fee_invoice(session: Session, contract: Contract, month: date, invoice: Invoice, doc: InvoiceDocument,
                 freelancer: Party, today: date, now: datetime) -> Invoice:
    amount = fee_amount_cents(contract, doc.totals.ht_cents)
    line = InvoiceLine(
        description=(f"Frais de service de la plateforme : {percent(contract.platform_fee_rate, 1)} du montant HT de "
                     f"la facture n° {doc.number} ({month_fr(month)}, contrat n° {contract.id})"),
        quantity_centi=100, unit="C62", unit_price_cents=amount, vat_category="S",
        vat_rate_bp=legal.VAT_STANDARD_RATE_BP,
    )
    platform = identities.platform_party()
    draft = document_for(number=NUMBER_PLACEHOLDER, type_code=INVOICE, issue=today,
                         due=today + timedelta(days=FEE_PAYMENT_DAYS), period=(doc.period_start, doc.period_end),
                         seller=platform, buyer=freelancer, lines=[line], on_behalf=False)
    xml = cii_xml(draft)  # built (and checked) before the number is taken
    # The platform's series is shared by every worker: its number is taken last, so the row
    # stays locked only for the insert and the commit.
    series_id, sequence, number = numbering.allocate_for(session, IssuerKind.PLATFORM.value, None, today.year)
    fee_doc = replace(draft, number=number)
    return store(session, fee_doc, series_id=series_id, sequence=sequence, issuer_kind=IssuerKind.PLATFORM.value,
                 contract=contract, month=month, timesheet_id=invoice.timesheet_id, company_id=None,
                 freelancer_id=contract.freelancer_id, now=now,
                 xml=xml.replace(NUMBER_PLACEHOLDER.encode(), number.encode()), related=invoice)

