"""The platform operator's yearly duties: each seller's statement (art. 242 bis CGI) and the DAC7 file."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.formatting import PARIS
from marketplace.models.documents import Document
from marketplace.models.payments import BankLine, Payout, YearlyStatement
from marketplace.platform import jobs, storage
from marketplace.services.payments import collecting, statement_jobs, statements
from tests.factories import FreelancerProfileFactory, SmeUserFactory
from tests.payments.invoicing import contract_for, issue


def received(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)


def euros_csv(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


@pytest.fixture()
def year_of_payments(app_ctx, db_session):
    """Anne is paid in March, June and September 2026 (and once in January 2027); Bruno in November 2026."""
    owner = SmeUserFactory(email="daf@client.test")
    anne = FreelancerProfileFactory(business_name="Anne Office EI", vat_number=None)
    bruno = FreelancerProfileFactory(business_name="=HYPERLINK(\"http://x\")")
    contract = contract_for(owner, start=date(2026, 2, 1), profile=anne)
    paid = {}
    for month, day in ((date(2026, 2, 1), date(2026, 3, 10)), (date(2026, 5, 1), date(2026, 6, 10)),
                       (date(2026, 8, 1), date(2026, 9, 10)), (date(2026, 10, 1), date(2027, 1, 5))):
        invoice = issue(db_session, contract, owner, month, days=1 + month.month % 3)
        collecting.record_transfer(db_session, [invoice], invoice.total_ttc_cents, invoice.number,
                                   received=received(day))
        paid[day] = invoice
    unpaid = issue(db_session, contract, owner, date(2026, 11, 1))
    other = contract_for(owner, start=date(2026, 9, 1), profile=bruno)
    november = issue(db_session, other, owner, date(2026, 10, 1))
    collecting.record_transfer(db_session, [november], november.total_ttc_cents, november.number,
                               received=received(date(2026, 11, 20)))
    return {"anne": anne, "bruno": bruno, "paid": paid, "unpaid": unpaid, "november": november, "owner": owner}


def test_the_yearly_statement_adds_up_paid_invoices_minus_fees_month_by_month(db_session, year_of_payments, outbox):
    anne, paid = year_of_payments["anne"], year_of_payments["paid"]
    totals = statements.yearly_totals(db_session, anne.id, 2026)

    expected = {}
    for day, invoice in paid.items():
        if day.year == 2026:
            expected[day.month] = (invoice.total_ttc_cents, collecting.fee_cents(db_session, invoice))
    for period in totals.months:
        gross, fee = expected.get(period.start.month, (0, 0))
        assert (period.gross_cents, period.fees_cents, period.net_cents) == (gross, fee, gross - fee), period.label
        assert period.count == (1 if gross else 0)
    assert totals.count == 3  # January 2027's payment and the unpaid invoice are not in 2026
    assert totals.net_cents == sum(g - f for g, f in expected.values())

    statement = statements.make_yearly_statement(db_session, anne.id, 2026)

    assert (statement.gross_cents, statement.fees_cents) == (totals.gross_cents, totals.fees_cents)
    document = db_session.get(Document, statement.document_id)
    assert document.profile_id == anne.id and document.content_type == "application/pdf"
    assert storage.can_read(anne.user, document)
    assert not storage.can_read(year_of_payments["bruno"].user, document)
    assert not storage.can_read(year_of_payments["owner"], document)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(storage.read(document))).pages)
    assert "242 bis" in text and "Mars 2026" in text and "Anne Office EI" in text
    for day, invoice in paid.items():
        assert (invoice.number in text) == (day.year == 2026)
    assert year_of_payments["unpaid"].number not in text
    assert "relevé annuel 2026" in outbox.last_to(anne.user.email).subject

    # Once per year: a rerun (the cron job beside the CLI) reuses it.
    again = statements.make_yearly_statement(db_session, anne.id, 2026)
    assert again.id == statement.id
    made = statements.yearly_statements(db_session, 2026)
    assert sorted(s.freelancer_id for s in made) == sorted([anne.id, year_of_payments["bruno"].id])
    assert db_session.scalar(select(func.count()).select_from(YearlyStatement)) == 2
    assert db_session.scalar(select(func.count()).select_from(Document).where(Document.profile_id == anne.id,
                                                                              Document.kind == "other")) == 1


def test_a_returned_debit_is_not_counted(db_session, year_of_payments):
    november = year_of_payments["november"]
    payout = db_session.scalar(select(Payout).where(Payout.invoice_id == november.id))
    payout.status = "reversed"
    db_session.flush()
    assert [row.profile_id for row in statements.dac7_rows(db_session, 2026)] == [year_of_payments["anne"].id]


def test_the_dac7_file_gives_each_seller_per_quarter_and_in_total(db_session, year_of_payments):
    anne, bruno, paid = year_of_payments["anne"], year_of_payments["bruno"], year_of_payments["paid"]
    out = io.StringIO()
    assert statements.write_dac7_csv(db_session, 2026, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    by_id = {int(row["Identifiant vendeur"]): row for row in rows}

    row = by_id[anne.id]
    nets, fees = [0] * 4, [0] * 4
    for day, invoice in paid.items():
        if day.year == 2026:
            fee = collecting.fee_cents(db_session, invoice)
            nets[(day.month - 1) // 3] += invoice.total_ttc_cents - fee
            fees[(day.month - 1) // 3] += fee
    assert [row[f"Contrepartie T{q}"] for q in range(1, 5)] == [euros_csv(c) for c in nets]
    assert [row[f"Frais T{q}"] for q in range(1, 5)] == [euros_csv(c) for c in fees]
    assert [row[f"Activités T{q}"] for q in range(1, 5)] == ["1", "1", "1", "0"]
    assert row["Contrepartie totale"] == euros_csv(sum(nets)) and row["Frais totaux"] == euros_csv(sum(fees))
    assert row["Activités totales"] == "3"
    assert row["SIRET"] == anne.siret and row["SIREN"] == anne.siret[:9] and row["IBAN"] == anne.iban.replace(" ", "")
    assert row["Raison sociale"] == "Anne Office EI" and row["Nom"] == anne.user.last_name and row["Pays"] == "FR"

    other = by_id[bruno.id]
    november = year_of_payments["november"]
    assert other["Contrepartie T4"] == euros_csv(november.total_ttc_cents - collecting.fee_cents(db_session, november))
    assert other["Activités T1"] == "0" and other["Activités T4"] == "1"
    assert other["Raison sociale"].startswith("'=")  # never a formula in a spreadsheet


def test_the_cli_writes_the_dac7_file_the_statements_and_imports_a_statement(db_session, year_of_payments, runner,
                                                                              tmp_path):
    out = tmp_path / "dac7-2026.csv"
    result = runner.invoke(args=["payments", "dac7", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 vendeur(s)" in result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 2

    result = runner.invoke(args=["payments", "statements", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "2 relevé(s) annuel(s) 2026" in result.output
    assert runner.invoke(args=["payments", "statements", "--year", "2026"]).exit_code == 0
    assert db_session.scalar(select(func.count()).select_from(YearlyStatement)) == 2

    unpaid = year_of_payments["unpaid"]
    whole, cents = divmod(unpaid.total_ttc_cents, 100)
    statement = tmp_path / "releve.csv"
    statement.write_bytes(("Date;Libellé;Montant\n"
                           f"02/12/2026;VIR SEPA {unpaid.number};{whole},{cents:02d}\n"
                           "03/12/2026;VIR SEPA SANS REF;10,00\n").encode("cp1252"))
    result = runner.invoke(args=["payments", "import-statement", str(statement)])
    assert result.exit_code == 0, result.output
    assert "Rapprochées : 1 ; non rapprochées : 1." in result.output
    assert unpaid.status == "paid" and db_session.scalar(select(func.count()).select_from(BankLine)) == 2
    again = runner.invoke(args=["payments", "import-statement", str(statement)])
    assert "déjà été importé" in again.output and db_session.scalar(select(func.count()).select_from(BankLine)) == 2

    bad = tmp_path / "releve.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing")
    result = runner.invoke(args=["payments", "import-statement", str(bad)])
    assert result.exit_code != 0 and "Format non reconnu" in result.output


def test_the_yearly_job_is_registered_on_the_billing_queue(app_ctx, db_session):
    spec = jobs.registered("payments.yearly_statements")
    assert spec.queue == "billing" and spec.func is statement_jobs.yearly_statements
    assert statement_jobs.yearly_statements(db_session) == 0  # nobody was paid through the platform last year
