"""Bank statements: CSV and CAMT.053 read, credits matched to invoices, nothing imported twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice
from marketplace.models.payments import BankLine, BankStatement, Payment, Payout
from marketplace.services.payments import collecting, reconciliation
from tests.factories import AdminFactory, SmeUserFactory
from tests.payments.invoicing import issued_invoice


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="compta@client.test")


@pytest.fixture()
def admin(db_session):
    return AdminFactory(email="tresorerie@plateforme.test")


def euros(cents: int) -> str:
    """« 1 440,00 » as a bank prints it (a space between thousands, a decimal comma)."""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{rest:02d}"


def bank_csv(*rows: str, encoding: str = "cp1252") -> bytes:
    """A French bank's export: a line about the account, the header, the rows, the closing balance."""
    lines = ["Compte courant n° 00012345678 — OM Partagé SAS;;;;;",
             "Date opération;Libellé;Référence;Débit;Crédit;Date de valeur", *rows,
             "Solde au 31/12/2026;;;;;"]
    return "\r\n".join(lines).encode(encoding)


def camt(*entries: str, version: str = "08") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-2026-12</MsgId><CreDtTm>2026-12-05T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2026-12-01</Id>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
      {"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


def entry(cents: int, *, ref: str = "", day: str = "2026-12-03", indicator: str = "CRDT", ustrd: str = "",
          creditor_ref: str = "", payer: str = "PME EXEMPLE", status: str = "<Sts><Cd>BOOK</Cd></Sts>") -> str:
    remittance = "".join([f"<Ustrd>{ustrd}</Ustrd>" if ustrd else "",
                          f"<Strd><CdtrRefInf><Ref>{creditor_ref}</Ref></CdtrRefInf></Strd>" if creditor_ref else ""])
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        {status}
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        {f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""}
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>{payer}</Nm></Pty></Dbtr></RltdPties>
          {f"<RmtInf>{remittance}</RmtInf>" if remittance else ""}
        </TxDtls></NtryDtls>
      </Ntry>"""


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def line_for(db_session, **where) -> BankLine:
    query = select(BankLine)
    for name, value in where.items():
        query = query.where(getattr(BankLine, name) == value)
    return db_session.scalar(query)


# --- matching --------------------------------------------------------------------------------------------


def test_a_csv_transfer_naming_the_invoice_for_its_amount_pays_it_and_a_debit_is_ignored(
        app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    content = bank_csv(
        f"03/12/2026;VIR SEPA RECU /DE PME EXEMPLE;{invoice.number};;{euros(invoice.total_ttc_cents)};03/12/2026",
        "04/12/2026;PRLV SEPA FRAIS TENUE DE COMPTE;;12,50;;04/12/2026",
    )
    result = reconciliation.import_statement(db_session, "releve-decembre.csv", content, admin)

    assert (result.matched, result.unmatched, result.skipped, result.already_imported) == (1, 0, 1, False)
    assert result.statement.format == "csv"
    line = line_for(db_session, statement_id=result.statement.id)
    assert line.status == "matched" and invoice.number in line.note
    assert line.booking_date == date(2026, 12, 3) and line.amount_cents == invoice.total_ttc_cents
    assert invoice.status == "paid"
    payment = db_session.scalar(select(Payment).where(Payment.bank_line_id == line.id))
    assert payment.provider == "transfer" and payment.amount_cents == invoice.total_ttc_cents
    payout = db_session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
    assert payout.status == "pending" and payout.amount_cents == invoice.total_ttc_cents - collecting.fee_cents(
        db_session, invoice)
    actions = set(db_session.scalars(select(AuditLog.action)))
    assert {"bank_statement.imported", "bank_line.matched", "payment.transfer_recorded"} <= actions
    assert count(db_session, BankLine) == 1  # the debit left no line


def test_a_camt053_entry_paying_two_invoices_settles_both_with_one_payment(app_ctx, db_session, owner, admin):
    first, second = issued_invoice(db_session, owner), issued_invoice(db_session, owner)
    total = first.total_ttc_cents + second.total_ttc_cents
    content = camt(
        entry(total, ref="2026120300042", creditor_ref=first.number, ustrd=f"Factures {second.number}"),
        entry(25_000, ref="2026120300043", indicator="DBIT", ustrd="Loyer décembre"),
        entry(1_000, ref="2026120300044", status="<Sts><Cd>PDNG</Cd></Sts>", ustrd=first.number),
    )
    result = reconciliation.import_statement(db_session, "camt053.xml", content, admin)

    assert (result.matched, result.unmatched, result.skipped) == (1, 0, 1)
    assert result.statement.format == "camt053"
    line = line_for(db_session, fingerprint="2026120300042")
    assert line.status == "matched" and first.number in line.reference and second.number in line.reference
    assert "PME EXEMPLE" in line.label
    payment = db_session.scalar(select(Payment).where(Payment.bank_line_id == line.id))
    assert sorted(a.invoice_id for a in payment.allocations) == sorted([first.id, second.id])
    assert first.status == second.status == "paid"


def test_camt053_version_02_and_a_number_written_without_hyphens(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    compact = invoice.number.replace("-", "")
    content = camt(entry(invoice.total_ttc_cents, ref="E2E-1", ustrd=f"PAIEMENT FACT {compact}",
                         status="<Sts>BOOK</Sts>"), version="02").replace(b"<Pty><Nm>PME EXEMPLE</Nm></Pty>",
                                                                            b"<Nm>PME EXEMPLE</Nm>")
    result = reconciliation.import_statement(db_session, "camt-v2.xml", content, admin)
    assert result.matched == 1 and invoice.status == "paid"


def test_lines_that_cannot_be_matched_say_why(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    paid = issued_invoice(db_session, owner)
    collecting.record_transfer(db_session, [paid], paid.total_ttc_cents, paid.number)
    content = bank_csv(
        "01/12/2026;VIR SEPA RECU /DE PME EXEMPLE;REGLEMENT NOVEMBRE;;1 200,00;",
        "02/12/2026;VIR SEPA RECU /DE PME EXEMPLE;F99999-2026-00001;;1 200,00;",
        f"03/12/2026;VIR SEPA RECU /DE PME EXEMPLE;{invoice.number};;{euros(invoice.total_ttc_cents - 100)};",
        f"04/12/2026;VIR SEPA RECU /DE PME EXEMPLE;{paid.number};;{euros(paid.total_ttc_cents)};",
    )
    result = reconciliation.import_statement(db_session, "releve.csv", content, admin)

    assert (result.matched, result.unmatched) == (0, 4)
    notes = {line.booking_date.day: line.note for line in db_session.scalars(select(BankLine))}
    assert "Aucun numéro de facture" in notes[1]
    assert notes[2] == "Numéro de facture inconnu : F99999-2026-00001."
    assert "Montant différent" in notes[3] and invoice.number in notes[3]
    assert "déjà payée" in notes[4]
    assert invoice.status == "issued"
    assert all(line.status == "unmatched" for line in db_session.scalars(select(BankLine)))
    assert db_session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "bank_line.unmatched")) == 4


# --- the operator's decision --------------------------------------------------------------------------------


def test_an_operator_settles_an_unmatched_line_or_ignores_it_with_a_note(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    content = bank_csv(f"05/12/2026;VIR SEPA RECU /DE PME EXEMPLE;VIREMENT;;{euros(invoice.total_ttc_cents)};",
                       "06/12/2026;VIR SEPA RECU /DE INCONNU;REMB;;15,00;")
    reconciliation.import_statement(db_session, "releve.csv", content, admin)
    transfer, stray = (line_for(db_session, booking_date=date(2026, 12, d)) for d in (5, 6))

    with pytest.raises(DomainError, match="Seule l'équipe"):
        reconciliation.decide(db_session, transfer, owner, [invoice.id], "")
    with pytest.raises(DomainError, match="Numéro inconnu"):
        reconciliation.decide_by_numbers(db_session, transfer, admin, "F99999-2026-00001", "")
    reconciliation.decide_by_numbers(db_session, transfer, admin, f"{invoice.number.lower()}", "")
    assert transfer.status == "manual" and transfer.decided_by_id == admin.id and invoice.number in transfer.note
    assert invoice.status == "paid"
    assert db_session.scalar(select(Payment).where(Payment.bank_line_id == transfer.id)) is not None
    with pytest.raises(DomainError, match="déjà été traitée"):
        reconciliation.decide(db_session, transfer, admin, None, "Doublon")

    with pytest.raises(DomainError, match="pourquoi") as refused:
        reconciliation.decide(db_session, stray, admin, None, "  ")
    assert refused.value.field == "note"
    reconciliation.decide(db_session, stray, admin, None, "Remboursement d'un dépôt de garantie, hors plateforme.")
    assert stray.status == "ignored" and stray.note.startswith("Remboursement")
    actions = list(db_session.scalars(select(AuditLog.action).where(AuditLog.subject_type == "BankLine")))
    assert actions.count("bank_line.manual") == 1 and actions.count("bank_line.ignored") == 1


def test_a_manual_settlement_for_the_wrong_amount_is_refused(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    reconciliation.import_statement(db_session, "r.csv", bank_csv("05/12/2026;VIR;SANS REF;;10,00;"), admin)
    line = db_session.scalar(select(BankLine))
    with pytest.raises(DomainError, match="ne correspond pas"):
        reconciliation.decide(db_session, line, admin, [invoice.id], "")
    assert line.status == "unmatched" and invoice.status == "issued"


# --- nothing twice -----------------------------------------------------------------------------------------


def test_importing_the_same_statement_twice_changes_nothing_the_second_time(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    content = bank_csv(f"03/12/2026;VIR SEPA;{invoice.number};;{euros(invoice.total_ttc_cents)};",
                       "04/12/2026;VIR SEPA;INCONNU;;99,00;")
    first = reconciliation.import_statement(db_session, "releve.csv", content, admin)
    before = {model: count(db_session, model) for model in (BankStatement, BankLine, Payment, Payout, AuditLog)}

    again = reconciliation.import_statement(db_session, "releve (1).csv", content, admin)

    assert again.already_imported and again.statement.id == first.statement.id
    assert "déjà été importé" in again.message and "rien n'a changé" in again.message
    assert {model: count(db_session, model) for model in before} == before


def test_an_overlapping_statement_does_not_import_a_line_twice(app_ctx, db_session, owner, admin):
    invoice = issued_invoice(db_session, owner)
    paying = f"03/12/2026;VIR SEPA;{invoice.number};;{euros(invoice.total_ttc_cents)};"
    twin = "04/12/2026;VIR SEPA /DE CLIENT;SANS REFERENCE;;50,00;"
    first = reconciliation.import_statement(db_session, "1-15.csv", bank_csv(paying, twin, twin), admin)
    assert (first.matched, first.unmatched) == (1, 2)  # the same entry twice in one file is two transfers

    second = reconciliation.import_statement(db_session, "1-31.csv", bank_csv(
        paying, twin, twin, "20/12/2026;VIR SEPA;AUTRE;;70,00;"), admin)

    assert (second.matched, second.unmatched, second.duplicates) == (0, 1, 3)
    assert count(db_session, BankLine) == 4
    assert count(db_session, Payment) == 1  # the invoice was not paid twice

    # The same with the bank's own references (CAMT.053).
    camt_first = camt(entry(7_000, ref="REF-A", ustrd="A"), entry(8_000, ref="REF-B", ustrd="B"))
    camt_second = camt(entry(8_000, ref="REF-B", ustrd="B"), entry(9_000, ref="REF-C", ustrd="C"))
    assert reconciliation.import_statement(db_session, "a.xml", camt_first, admin).unmatched == 2
    overlap = reconciliation.import_statement(db_session, "b.xml", camt_second, admin)
    assert (overlap.unmatched, overlap.duplicates) == (1, 1)


# --- reading files -------------------------------------------------------------------------------------------


def test_csv_exports_of_several_banks_are_read(app_ctx):
    utf8_bom = ("\ufeffDate;Libellé;Montant (EUR);Référence opération\n"
                "03/12/2026;VIR SEPA F00012-2026-00007;1 440,00;OP123\n"
                "04/12/2026;CB MONOPRIX;-23,90;OP124\n").encode("utf-8")
    kind, entries = reconciliation.parse(utf8_bom)
    assert kind == "csv"
    assert [(e.booking_date, e.amount_cents, e.bank_ref) for e in entries] == [
        (date(2026, 12, 3), 144_000, "OP123"), (date(2026, 12, 4), -2_390, "OP124")]
    assert entries[0].label == "VIR SEPA F00012-2026-00007"

    cp1252 = "Date de comptabilisation;Libellé simplifié;Débit euros;Crédit euros\n03/12/26;Virement reçu;;1.234,56\n"
    [one] = reconciliation.parse_csv(cp1252.encode("cp1252"))
    assert (one.booking_date, one.amount_cents, one.label) == (date(2026, 12, 3), 123_456, "Virement reçu")


@pytest.mark.parametrize(("text", "cents"), [
    ("1 440,00", 144_000), ("1\u202f440,00", 144_000), ("1\xa0440,5", 144_050), ("-12,50", -1_250),
    ("+80.00", 8_000), ("1.234,56 €", 123_456), ("12", 1_200), ("", None), ("12,345", None), ("1e5", None),
])
def test_french_amounts(text, cents):
    assert reconciliation.parse_amount(text) == cents


def test_unreadable_files_are_refused_with_a_reason(app_ctx, db_session, admin):
    from marketplace.platform.pdf import simple_pdf

    cases = {
        simple_pdf(["Relevé"]): "Format non reconnu",
        b"Date;Montant\n03/12/2026;beaucoup\n": "montant illisible",
        b"Nom;Prenom\nDupont;Jean\n": "En-tête introuvable",
        b"<html><body>Relev\xc3\xa9</body></html>": "pas un relevé CAMT.053",
        b"<Document><unclosed>": "XML illisible",
        b"": "vide",
    }
    for content, reason in cases.items():
        with pytest.raises(DomainError, match=reason) as refused:
            reconciliation.import_statement(db_session, "releve.csv", content, admin)
        assert refused.value.field in ("file", None)
    assert count(db_session, BankStatement) == 0


def test_hostile_xml_is_refused_before_anything_is_expanded_or_fetched(app_ctx, db_session, admin):
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-01</Dt></BookgDt>
<AddtlNtryInf>&lol4;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""
    external = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>')
    for content in (laughs, external):
        with pytest.raises(DomainError, match="DTD ou des entités"):
            reconciliation.import_statement(db_session, "releve.xml", content, admin)
    assert count(db_session, BankStatement) == 0 and count(db_session, BankLine) == 0


def test_only_operators_import_statements(app_ctx, db_session, owner):
    with pytest.raises(DomainError, match="Seule l'équipe"):
        reconciliation.import_statement(db_session, "r.csv", bank_csv("03/12/2026;VIR;X;;1,00;"), owner)


def test_the_statements_page_counts_each_imports_lines(app_ctx, db_session, admin):
    reconciliation.import_statement(db_session, "r.csv", bank_csv("03/12/2026;VIR;X;;1,00;", "04/12/2026;VIR;Y;;2,00;"),
                                    admin)
    [imported] = reconciliation.imported_statements(db_session)
    assert imported.counts == {"unmatched": 2} and imported.total == 2
    assert db_session.scalar(select(func.count()).select_from(Invoice)) == 0
