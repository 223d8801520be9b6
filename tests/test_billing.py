"""Activity reports and billing: the CRA, the run, invoices in the freelancer's name, credit notes, VAT franchise."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from facturx import get_xml_from_pdf
from sqlalchemy import func, select

from marketplace.db import commit
from marketplace.errors import DomainError
from marketplace.models.billing import BillingRun, Invoice, InvoiceStatus
from marketplace.models.timesheets import TimesheetStatus
from marketplace.platform import storage
from marketplace.services.billing import (
    contests,
    credit,
    franchise,
    issuing,
    rendering,
    runs,
)
from marketplace.services.billing.validation import failed_asserts
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.factories import (
    AdminFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)

NOVEMBER = date(2026, 11, 1)
ISSUE_DAY = date(2026, 12, 2)
# Tuesdays and Thursdays of November 2026 (the 11th, a Wednesday, is a public holiday anyway).
TUE_THU = [date(2026, 11, d) for d in (3, 5, 10, 12, 17, 19, 24, 26)]


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@client.test", first_name="Claire", last_name="Martin")


@pytest.fixture()
def contract(db_session, owner):
    profile = FreelancerProfileFactory(user__first_name="Inès", user__last_name="Roux", business_name="Inès Roux")
    return ContractFactory(mission=MissionFactory(company=owner.company), freelancer=profile,
                           start_date=date(2026, 9, 1), daily_rate_cents=45_000)


def declare(db_session, contract, days=TUE_THU, half=None) -> object:
    timesheet = reports.open_month(db_session, contract, NOVEMBER)
    entries = [Declared(d, 1 if half and d in half else 2) for d in days]
    reports.save(db_session, timesheet, contract.freelancer.user, entries)
    return timesheet


def approved(db_session, contract, owner, **kwargs):
    timesheet = declare(db_session, contract, **kwargs)
    reports.submit(db_session, timesheet, contract.freelancer.user)
    reports.approve(db_session, timesheet, owner)
    return timesheet


def issue(db_session, contract, day=ISSUE_DAY):
    result = issuing.issue_month(db_session, contract, NOVEMBER, today=day,
                                 now=datetime.combine(day, datetime.min.time(), timezone.utc))
    commit(db_session)
    return result


# --- the CRA -------------------------------------------------------------------------------


def test_the_calendar_shows_the_contract_weekdays_and_french_public_holidays(app_ctx, db_session, contract):
    days = {d.day: d for d in months.month_days(contract, NOVEMBER)}
    assert days[date(2026, 11, 11)].holiday == "Armistice" and days[date(2026, 11, 1)].holiday == "Toussaint"
    assert days[date(2026, 11, 3)].planned_half_days == 2 and days[date(2026, 11, 4)].planned_half_days == 0
    assert days[date(2026, 11, 7)].weekday is None  # a Saturday
    assert months.allowed_half_days(list(days.values())) == 16  # 8 Tuesdays and Thursdays × 2


def test_every_wrong_date_is_refused_at_once_with_its_reason(app_ctx, db_session, contract):
    timesheet = reports.open_month(db_session, contract, NOVEMBER)
    with pytest.raises(DomainError) as refused:
        reports.save(db_session, timesheet, contract.freelancer.user, [
            Declared(date(2026, 11, 7), 2), Declared(date(2026, 11, 11), 2), Declared(date(2026, 12, 1), 2),
            Declared(date(2026, 11, 3), 2), Declared(date(2026, 11, 3), 1),
        ])
    messages = " | ".join(e.message for e in refused.value.errors)
    assert "07/11/2026 tombe un week-end" in messages and "11/11/2026 est férié" in messages
    assert "01/12/2026 n'est pas dans novembre 2026" in messages and "03/11/2026 est déclaré deux fois" in messages
    assert timesheet.entries == []  # nothing saved


def test_more_half_days_than_the_month_allows_are_refused(app_ctx, db_session, contract):
    timesheet = reports.open_month(db_session, contract, NOVEMBER)
    every_weekday = [d.day for d in months.month_days(contract, NOVEMBER) if d.declarable]
    with pytest.raises(DomainError, match="au plus 8 ce mois-ci"):
        reports.save(db_session, timesheet, contract.freelancer.user, [Declared(d, 2) for d in every_weekday])


def test_dispute_then_correct_then_approve(app_ctx, db_session, contract, owner, outbox):
    timesheet = declare(db_session, contract)
    reports.submit(db_session, timesheet, contract.freelancer.user)
    assert outbox.last_to(owner.email).subject.startswith("Compte rendu à valider")
    reports.dispute(db_session, timesheet, owner, "Le 26 vous étiez absente.")
    assert timesheet.status == TimesheetStatus.DISPUTED.value
    assert "Le 26 vous étiez absente." in outbox.last_to(contract.freelancer.user.email).body_text
    reports.save(db_session, timesheet, contract.freelancer.user, [Declared(d, 2) for d in TUE_THU[:-1]])
    reports.submit(db_session, timesheet, contract.freelancer.user)
    reports.approve(db_session, timesheet, owner)
    assert timesheet.status == TimesheetStatus.APPROVED.value and timesheet.total_half_days == 14
    with pytest.raises(DomainError):
        reports.save(db_session, timesheet, contract.freelancer.user, [])  # frozen


def test_an_unanswered_report_is_approved_after_five_working_days(app_ctx, db_session, contract, outbox):
    timesheet = declare(db_session, contract)
    reports.submit(db_session, timesheet, contract.freelancer.user,
                   now=datetime(2026, 12, 1, 9, tzinfo=timezone.utc))  # a Tuesday
    assert reports.auto_approve_due(db_session, date(2026, 12, 7)) == 0  # Monday: 4 working days
    assert reports.auto_approve_due(db_session, date(2026, 12, 8)) == 1
    assert timesheet.status == TimesheetStatus.APPROVED.value and timesheet.auto_approved
    assert "automatiquement" in outbox.last_to(contract.freelancer.user.email).body_text


# --- invoices ---------------------------------------------------------------------------------


def test_an_approved_report_gives_the_freelancers_invoice_and_the_fee_invoice_once(
        app_ctx, db_session, contract, owner):
    approved(db_session, contract, owner, half=[date(2026, 11, 26)])
    result = issue(db_session, contract)
    invoice, fee = result.invoice, result.fee_invoice
    assert invoice.number == f"F{contract.freelancer_id:05d}-2026-00001" and fee.number == "OMP-2026-000001"
    assert invoice.total_ht_cents == 337_500 and invoice.total_vat_cents == 0  # 7,5 days × 450 €, franchise
    assert invoice.vat_mention == "TVA non applicable, art. 293 B du CGI"
    assert invoice.due_date == ISSUE_DAY + timedelta(days=30) and invoice.company_id == owner.company_id
    assert fee.total_ht_cents == 50_625 and fee.total_vat_cents == 10_125 and fee.company_id is None
    for document in (invoice, fee):
        assert failed_asserts(document.cii_xml) == []
    assert "au nom et pour le compte d'Inès Roux EI" in invoice.cii_xml.decode()  # elided before a vowel
    again = issue(db_session, contract)
    assert not again.issued and "déjà facturé" in again.skipped
    assert db_session.scalar(select(func.count()).select_from(Invoice)) == 2


def test_the_pdf_is_a_factur_x_embedding_the_issued_xml(app_ctx, db_session, contract, owner):
    approved(db_session, contract, owner)
    invoice = issue(db_session, contract).invoice
    db_session.refresh(invoice)  # the render job ran after the commit
    pdf = storage.read(invoice.pdf_document)
    filename, xml = get_xml_from_pdf(io.BytesIO(pdf).read(), check_xsd=False)
    assert filename == "factur-x.xml" and xml == invoice.cii_xml
    assert rendering.render(db_session, invoice.id) is None  # once


def test_a_credit_note_cancels_the_invoice_and_its_fee_and_the_month_can_be_invoiced_again(
        app_ctx, db_session, contract, owner):
    approved(db_session, contract, owner)
    first = issue(db_session, contract)
    note = credit.credit(db_session, first.invoice, AdminFactory(), "TJM erroné", today=ISSUE_DAY)
    commit(db_session)
    assert note.kind == "credit_note" and note.number.endswith("-00002") and first.invoice.status == "cancelled"
    assert first.fee_invoice.status == InvoiceStatus.CANCELLED.value
    assert failed_asserts(note.cii_xml) == []
    assert f"<ram:IssuerAssignedID>{first.invoice.number}</ram:IssuerAssignedID>" in note.cii_xml.decode()
    again = issue(db_session, contract)
    assert again.invoice.number.endswith("-00003")  # gapless: invoice, credit note, corrected invoice
    with pytest.raises(DomainError, match="déjà annulée"):
        credit.credit(db_session, first.invoice, None, "encore")


def test_a_liable_freelancer_invoices_20_percent_and_half_days(app_ctx, db_session, contract, owner):
    profile = contract.freelancer
    profile.vat_regime, profile.vat_number = "liable", f"FR{(12 + 3 * (int(profile.siret[:9]) % 97)) % 97:02d}{profile.siret[:9]}"
    approved(db_session, contract, owner, half=TUE_THU[:2])
    invoice = issue(db_session, contract).invoice
    assert invoice.total_ht_cents == 315_000 and invoice.total_vat_cents == 63_000  # 7 days × 450 € + 20 %
    assert [line.quantity_centi for line in invoice.lines] == [700]
    assert failed_asserts(invoice.cii_xml) == []


def test_past_41250_euros_no_franchise_invoice_until_a_vat_number_then_20_percent(
        app_ctx, db_session, contract, owner):
    profile = contract.freelancer
    profile.off_platform_turnover_cents = 4_100_000
    approved(db_session, contract, owner)
    result = issue(db_session, contract)
    assert not result.issued and "Seuil de la franchise en base dépassé" in result.skipped
    assert franchise.status(db_session, profile, ISSUE_DAY).level == "approaching"
    profile.vat_number = f"FR{(12 + 3 * (int(profile.siret[:9]) % 97)) % 97:02d}{profile.siret[:9]}"
    invoice = issue(db_session, contract).invoice
    assert invoice.total_vat_cents == invoice.total_ht_cents // 5 and invoice.vat_mention is None


def test_the_run_bills_every_approved_report_once_and_says_why_it_skipped_the_others(
        app_ctx, db_session, contract, owner):
    approved(db_session, contract, owner)
    waiting = ContractFactory(mission=MissionFactory(company=owner.company), start_date=date(2026, 9, 1),
                              weekdays=["mon"])
    declare_waiting = reports.open_month(db_session, waiting, NOVEMBER)
    reports.save(db_session, declare_waiting, waiting.freelancer.user, [Declared(date(2026, 11, 2), 2)])
    reports.submit(db_session, declare_waiting, waiting.freelancer.user)
    run = runs.start(db_session, NOVEMBER)
    items = {item.contract_id: runs.bill_item(db_session, item.id, today=ISSUE_DAY) for item in runs.open_items(db_session, run)}
    commit(db_session)
    assert items[contract.id].status == "issued" and items[waiting.id].status == "skipped"
    assert "en attente de validation" in items[waiting.id].reason
    assert run.status == "running" or run.summary == {"issued": 1, "skipped": 1}
    rerun = runs.start(db_session, NOVEMBER)
    assert [i.contract_id for i in runs.open_items(db_session, rerun)] == [waiting.id]
    assert db_session.scalar(select(func.count()).select_from(BillingRun)) == 1


def test_the_freelancer_contests_within_15_days_and_the_admin_reissues(app_ctx, db_session, contract, owner):
    approved(db_session, contract, owner)
    invoice = issue(db_session, contract).invoice
    with pytest.raises(DomainError, match="délai de contestation"):
        contests.contest(db_session, invoice, contract.freelancer.user, "Mauvaise adresse", today=ISSUE_DAY + timedelta(days=20))
    contests.contest(db_session, invoice, contract.freelancer.user, "Mauvaise adresse", today=ISSUE_DAY + timedelta(days=3))
    contract.freelancer.billing_address_line = "8 rue Neuve"
    corrected = contests.resolve(db_session, invoice, AdminFactory(), "Adresse corrigée", "reissue", today=ISSUE_DAY + timedelta(days=4))
    commit(db_session)
    assert invoice.status == "cancelled" and corrected.seller["address_line"] == "8 rue Neuve"


def test_a_corrected_report_cancels_its_invoice_by_a_credit_note(app_ctx, db_session, contract, owner):
    timesheet = approved(db_session, contract, owner)
    invoice = issue(db_session, contract).invoice
    new = reports.correct(db_session, timesheet, AdminFactory(), "Un jour de trop déclaré")
    commit(db_session)
    assert invoice.status == "cancelled" and new.version == 2 and new.status == "draft"
    assert timesheet.replaced_at is not None and len(new.entries) == len(timesheet.entries)
