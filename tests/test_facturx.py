"""Factur-X invoices: totals in cents, CII XML that passes XSD + EN16931 + BR-FR, French PDF/A-3.

The five documents the platform issues (franchise, 20 % VAT, half days, credit note, the
platform's fee) are checked as the e-invoicing platforms check them, read back from the
PDF, and their printed text is searched for every mandatory mention. Expected amounts
are written out by hand, not recomputed with ``totals()``.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from marketplace import legal
from marketplace.services.billing import samples, validation
from marketplace.services.billing.document import (
    CREDIT_NOTE,
    InvoiceDocument,
    InvoiceLine,
    div_round_half_up,
    totals,
)
from marketplace.services.billing.facturx import cii_xml, data_dict, facturx_pdf

ROOT = Path(__file__).resolve().parent.parent
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
CASES = ["franchise", "vat", "half_days", "credit_note", "platform_fee"]

# What each printed document must say, beyond the mentions every document carries.
MENTIONS = {
    "franchise": [
        "Facture n° CM-2026-0007",
        "Facture émise par OM Partagé au nom et pour le compte de Claire Martin EI",
        "Claire Martin EI", "Entrepreneur individuel", "12 rue des Lilas", "69003 Lyon",
        "SIRET 85291437300018",
        "Atelier Dupont & Fils SARL", "SIREN 521478966", "3 place Bellecour",
        "8 jours", "450,00 €", "Total HT exonéré (TVA 0 %) 3 600,00 €", "Total TTC 3 600,00 €",
        "TVA non applicable, art. 293 B du CGI",
    ],
    "vat": [
        "Facture n° SB-2026-0012",
        "Facture émise par OM Partagé au nom et pour le compte de Sophie Bernard EI",
        "Sophie Bernard EI", "N° TVA intracommunautaire : FR34901338525", "SIRET 90133852500016",
        "Vignobles Arnaud SAS", "SIREN 881203459", "18 quai des Chartrons",
        "4 jours", "2 jours", "480,00 €", "520,00 €",
        "Total HT soumis à TVA 20 % 2 960,00 €", "TVA 20 % 592,00 €", "Total TTC 3 552,00 €",
        "Option pour le paiement de la taxe d'après les débits", "Bon de commande : BC-2026-118",
        "IBAN : FR7110278060410002049870195",
    ],
    "half_days": [
        "Facture n° SB-2026-0013", "7,5 jours", "1,5 jour ",
        # 7,5 × 453,33 = 3 399,975 → 3 399,98; 1,5 × 453,33 = 679,995 → 680,00 (per line)
        "3 399,98 €", "680,00 €", "Total HT 4 079,98 €", "TVA 20 % 816,00 €", "Total TTC 4 895,98 €",
    ],
    "credit_note": [
        "Avoir n° SB-2026-0014", "Avoir sur la facture n° SB-2026-0012 du 02/11/2026",
        "Avoir émis par OM Partagé au nom et pour le compte de Sophie Bernard EI",
        "1 jour ", "Total HT soumis à TVA 20 % 480,00 €", "TVA 20 % 96,00 €", "Total TTC de l'avoir 576,00 €",
        "Option pour le paiement de la taxe d'après les débits",
    ],
    "platform_fee": [
        "Facture n° OMP-2026-00042",
        "OM Partagé SAS", "SAS au capital de 10 000 € – RCS Paris", "N° TVA intracommunautaire : FR19812345676",
        "SIRET 81234567600017", "Claire Martin EI", "SIREN 852914373",
        "8 jours", "45,00 €", "Total HT soumis à TVA 20 % 360,00 €", "TVA 20 % 72,00 €", "Total TTC 432,00 €",
    ],
}
COMMON_MENTIONS = [
    "OM Partagé", "Prestation de services", "Période : du 01/10/2026 au 31/10/2026",
    "Pénalités de retard au taux de refinancement de la BCE majoré de 10 points",
    "Indemnité forfaitaire pour frais de recouvrement : 40 €", "Pas d'escompte pour paiement anticipé",
    "Page 1 / 1",
]
ABSENT = {
    "franchise": ["Option pour le paiement", "TVA 20 %"],
    "vat": ["TVA non applicable", "Avoir"],
    "half_days": ["1,5 jours", "TVA non applicable"],
    "credit_note": ["IBAN"],
    "platform_fee": ["au nom et pour le compte de", "TVA non applicable", "Option pour le paiement"],
}
DATES = {  # (issue, due) as printed
    "franchise": ("02/11/2026", "02/12/2026"),
    "vat": ("02/11/2026", "02/12/2026"),
    "half_days": ("02/11/2026", "02/12/2026"),
    "credit_note": ("09/11/2026", "23/11/2026"),
    "platform_fee": ("02/11/2026", "17/11/2026"),
}


def document(case: str) -> InvoiceDocument:
    return samples.all_cases()[case]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with French spaces (no-break, narrow) made plain and runs of blanks collapsed."""
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def cents(element: etree._Element, path: str) -> int:
    value = Decimal(element.findtext(path, namespaces=NS))
    assert value == value.quantize(Decimal("0.01")), f"{path} has more than two decimals"
    return int(value * 100)


# --- totals(): integer cents, EN16931 rounding ------------------------------------------


def line(quantity_centi: int, unit_price_cents: int, rate_bp: int = 2000, category: str = "S") -> InvoiceLine:
    return InvoiceLine(description="x", quantity_centi=quantity_centi, unit_price_cents=unit_price_cents,
                       vat_category=category, vat_rate_bp=rate_bp)  # type: ignore[arg-type]


def test_each_line_is_rounded_before_the_sum():
    # Three half days at 3,33 €: 1,665 € each → 1,67 € each, 5,01 € in all;
    # rounding the sum instead (1,5 × 3,33 = 4,995 → 5,00 €) would lose a cent.
    result = totals([line(50, 333), line(50, 333), line(50, 333)])
    assert result.line_nets == (167, 167, 167)
    assert result.ht_cents == 501
    assert result.vat_cents == 100  # 5,01 × 20 % = 1,002 → 1,00
    assert result.ttc_cents == 601


def test_vat_is_computed_once_per_rate_on_the_group_base():
    # Per line: 0,02 € × 20 % = 0,004 → 0,00 three times; on the group: 0,06 × 20 % = 0,012 → 0,01.
    result = totals([line(100, 2), line(100, 2), line(100, 2)])
    assert [g.vat_cents for g in result.groups] == [1]
    assert result.vat_cents == 1


def test_halves_round_up_not_to_even():
    assert totals([line(50, 1)]).ht_cents == 1  # 0,005 € → 0,01 € (banker's rounding would give 0)
    assert totals([line(100, 5, rate_bp=1000)]).vat_cents == 1  # 0,05 × 10 % = 0,005 → 0,01
    assert div_round_half_up(-5, 10) == -1 and div_round_half_up(4, 10) == 0 and div_round_half_up(15, 10) == 2


def test_one_vat_group_per_category_and_rate_highest_rate_first():
    result = totals([line(100, 10_000, 1000), line(200, 5_000, 2000), line(100, 7_000, 0, "E"), line(50, 10_000, 2000)])
    assert [(g.category, g.rate_bp, g.base_cents, g.vat_cents) for g in result.groups] == [
        ("S", 2000, 15_000, 3_000),
        ("S", 1000, 10_000, 1_000),
        ("E", 0, 7_000, 0),
    ]
    assert (result.ht_cents, result.vat_cents, result.ttc_cents) == (32_000, 4_000, 36_000)


def test_totals_match_an_independent_decimal_computation():
    """Property-style: random documents, checked against Decimal quantize(ROUND_HALF_UP)."""
    rng = random.Random(20261102)
    cent = Decimal("1")
    for _ in range(500):
        lines = [
            line(rng.choice([50, 100, 150, 250, 750, 800, 1000, 2150]), rng.randint(1, 120_000),
                 *rng.choice([(2000, "S"), (1000, "S"), (550, "S"), (0, "E")]))
            for _ in range(rng.randint(1, 6))
        ]
        result = totals(lines)
        nets = [(Decimal(x.quantity_centi) * x.unit_price_cents / 100).quantize(cent, ROUND_HALF_UP) for x in lines]
        bases: dict[tuple[str, int], Decimal] = {}
        for x, net in zip(lines, nets):
            bases[(x.vat_category, x.vat_rate_bp)] = bases.get((x.vat_category, x.vat_rate_bp), Decimal(0)) + net
        vat = sum((b * rate / 10_000).quantize(cent, ROUND_HALF_UP) for (_, rate), b in bases.items())
        assert result.line_nets == tuple(int(n) for n in nets)
        assert result.ht_cents == sum(nets) == sum(g.base_cents for g in result.groups)
        assert result.vat_cents == vat
        assert result.ttc_cents == result.ht_cents + result.vat_cents
        assert all(type(v) is int for v in (result.ht_cents, result.vat_cents, result.ttc_cents, *result.line_nets))


# --- the description refuses what no valid invoice could carry ------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        ({"number": "F 2026 001"}, "invoice number"),
        ({"number": "F-" + "9" * 34}, "invoice number"),
        ({"type_code": 384}, "type code"),
        ({"type_code": CREDIT_NOTE}, "credits"),
        ({"lines": ()}, "at least one line"),
        ({"due_date": date(2026, 11, 1)}, "due date"),
        ({"vat_exemption_reason": None}, "exemption mention"),
        ({"mandate_mention": None}, "mandate mention"),
        ({"vat_debits_option": True}, "debits option"),
    ],
)
def test_an_impossible_document_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        replace(samples.franchise_invoice(), **change)


def test_identifiers_are_checked():
    with pytest.raises(ValueError, match="SIREN"):
        replace(samples.SME, siren="521478967", siret="52147896700010")
    with pytest.raises(ValueError, match="SIRET"):
        replace(samples.SME, siret="52147896600019")
    with pytest.raises(ValueError, match="VAT number"):
        replace(samples.SME, vat_number="FR19812345676")
    with pytest.raises(ValueError, match="category E"):
        line(100, 100, rate_bp=2000, category="E")


# --- the XML: validation and content ------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_xml_passes_xsd_en16931_and_br_fr_without_warning(case):
    xml = cii_xml(document(case))
    assert validation.failed_asserts(xml) == []
    assert validation.warnings(xml) == []


def test_the_validator_reports_what_is_missing():
    data = data_dict(samples.vat_invoice())
    data["BG-1"] = [note for note in data["BG-1"] if note["BT-21"] != "PMT"]  # no 40 € indemnity note
    data["BG-7"]["einvoicing_addr"] = "999999999"  # buyer address not starting with its SIREN
    del data["BG-4"]["legal_identifier"]  # no seller SIREN
    xml = facturx.generate_cii_xml(data, level="en16931", check_xsd=True, check_schematron=False)
    failed = " ".join(validation.failed_asserts(xml))
    assert "BR-FR-05_BT-22_PMT" in failed
    assert "BR-FR-21_BT-49" in failed
    assert "BR-FR-10_BT-30" in failed
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Typecode>380</ram:Typecode>")
    assert any(message.startswith("XSD:") for message in validation.failed_asserts(broken))


@pytest.mark.parametrize("case", CASES)
def test_xml_amounts_equal_totals(case):
    doc = document(case)
    t = totals(doc.lines)
    root = etree.fromstring(cii_xml(doc))
    items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
    assert [cents(i, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount") for i in items] == list(t.line_nets)
    assert [i.findtext(".//ram:BilledQuantity", namespaces=NS) for i in items] == [
        f"{x.quantity_centi // 100}.{x.quantity_centi % 100:02d}" for x in doc.lines]
    assert {i.find(".//ram:BilledQuantity", NS).get("unitCode") for i in items} == {"DAY"}
    breakdown = root.findall(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert [(b.findtext("ram:CategoryCode", namespaces=NS), Decimal(b.findtext("ram:RateApplicablePercent", namespaces=NS)),
             cents(b, "ram:BasisAmount"), cents(b, "ram:CalculatedAmount")) for b in breakdown] == [
        (g.category, Decimal(g.rate_bp) / 100, g.base_cents, g.vat_cents) for g in t.groups]
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    assert cents(summation, "ram:LineTotalAmount") == cents(summation, "ram:TaxBasisTotalAmount") == t.ht_cents
    assert cents(summation, "ram:TaxTotalAmount") == t.vat_cents
    assert cents(summation, "ram:GrandTotalAmount") == cents(summation, "ram:DuePayableAmount") == t.ttc_cents


EXPECTED_TTC = {"franchise": 360_000, "vat": 355_200, "half_days": 489_598, "credit_note": 57_600, "platform_fee": 43_200}


@pytest.mark.parametrize("case", CASES)
def test_xml_grand_total_is_the_hand_computed_one(case):
    root = etree.fromstring(cii_xml(document(case)))
    assert cents(root, ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") == EXPECTED_TTC[case]


@pytest.mark.parametrize("case", CASES)
def test_xml_carries_the_french_terms(case):
    doc = document(case)
    root = etree.fromstring(cii_xml(doc))
    text = lambda path: root.findtext(path, namespaces=NS)  # noqa: E731
    assert text(".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S1"
    assert text(".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == "urn:cen.eu:en16931:2017"
    assert text(".//rsm:ExchangedDocument/ram:ID") == doc.number
    assert text(".//rsm:ExchangedDocument/ram:TypeCode") == str(doc.type_code)
    notes = [(n.findtext("ram:SubjectCode", namespaces=NS), n.findtext("ram:Content", namespaces=NS))
             for n in root.findall(".//rsm:ExchangedDocument/ram:IncludedNote", NS)]
    codes = [code for code, _ in notes]
    for code in ("PMD", "PMT", "AAB", "BAR"):
        assert codes.count(code) == 1, code
    assert dict(notes)["PMT"] == "Indemnité forfaitaire pour frais de recouvrement : 40 €"
    assert dict(notes)["AAB"] == "Pas d'escompte pour paiement anticipé"
    assert dict(notes)["BAR"] == "B2B"
    assert ("REG" in codes) == (case != "platform_fee")
    for role, party in (("SellerTradeParty", doc.seller), ("BuyerTradeParty", doc.buyer)):
        node = root.find(f".//ram:{role}", NS)
        siren = node.find("ram:SpecifiedLegalOrganization/ram:ID", NS)
        assert (siren.text, siren.get("schemeID")) == (party.siren, "0002")
        siret = node.find("ram:GlobalID", NS)
        assert (siret.text, siret.get("schemeID")) == (party.siret, "0009")
        address = node.find("ram:URIUniversalCommunication/ram:URIID", NS)
        assert address.get("schemeID") == "0225" and address.text.startswith(party.siren)
        assert node.findtext("ram:PostalTradeAddress/ram:CityName", namespaces=NS) == party.city
    vat_ids = root.findall(".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS)
    assert [v.text for v in vat_ids] == ([doc.seller.vat_number] if doc.seller.vat_number else [])
    assert text(".//ram:SellerTradeParty/ram:Description") == doc.seller.legal_mention
    assert text(".//ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString") == "20261001"
    assert text(".//ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString") == "20261031"
    assert text(".//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == doc.due_date.strftime("%Y%m%d")


def test_franchise_xml_is_exempt_with_the_franchise_code():
    root = etree.fromstring(cii_xml(samples.franchise_invoice()))
    tax = root.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert tax.findtext("ram:CategoryCode", namespaces=NS) == "E"
    assert tax.findtext("ram:ExemptionReasonCode", namespaces=NS) == "VATEX-FR-FRANCHISE"
    assert tax.findtext("ram:ExemptionReason", namespaces=NS) == "TVA non applicable, art. 293 B du CGI"
    assert {c.text for c in root.findall(".//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode", NS)} == {"E"}
    # Without a VAT number, the seller is identified for tax by its SIREN (BR-E-02).
    assert root.findtext(".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']", namespaces=NS) == "852914373"


def test_vat_xml_pays_by_sepa_transfer_and_states_the_debits_option():
    root = etree.fromstring(cii_xml(samples.vat_invoice()))
    means = root.find(".//ram:SpecifiedTradeSettlementPaymentMeans", NS)
    assert means.findtext("ram:TypeCode", namespaces=NS) == "58"
    assert means.findtext("ram:PayeePartyCreditorFinancialAccount/ram:IBANID", namespaces=NS) == "FR7110278060410002049870195"
    assert root.findtext(".//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == "BC-2026-118"
    assert root.findtext(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:DueDateTypeCode", namespaces=NS) == "5"
    no_option = etree.fromstring(cii_xml(samples.half_day_invoice()))
    assert no_option.find(".//ram:DueDateTypeCode", NS) is None


def test_credit_note_xml_references_the_credited_invoice():
    root = etree.fromstring(cii_xml(samples.credit_note()))
    assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    reference = root.find(".//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument", NS)
    assert reference.findtext("ram:IssuerAssignedID", namespaces=NS) == "SB-2026-0012"
    assert reference.findtext("ram:FormattedIssueDateTime/qdt:DateTimeString", namespaces=NS) == "20261102"
    assert root.find(".//ram:SpecifiedTradeSettlementPaymentMeans", NS) is None  # nothing for the buyer to pay


# --- the PDF: Factur-X PDF/A-3 with the mentions ------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_pdf_is_facturx_pdfa3_with_the_xml_attached(app_ctx, case):
    doc = document(case)
    xml = cii_xml(doc)
    pdf = facturx_pdf(doc)
    name, embedded = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert embedded == xml
    assert validation.failed_asserts(embedded) == []
    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Alternative"]
    assert root["/Lang"] == "fr-FR"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp

    text = pdf_text(pdf)
    issue, due = DATES[case]
    for mention in [*COMMON_MENTIONS, *MENTIONS[case], f"Date d'émission : {issue}", f"Date d'échéance : {due}"]:
        assert mention in text, f"{mention!r} missing from the {case} PDF"
    for mention in ABSENT[case]:
        assert mention not in text, f"{mention!r} should not be on the {case} PDF"


def test_a_long_invoice_runs_over_pages_with_page_numbers(app_ctx):
    doc = samples.half_day_invoice()
    many = tuple(replace(doc.lines[1], description=f"Demi-journée n° {i} : accueil, courrier, relances") for i in range(60))
    pdf = facturx_pdf(replace(doc, lines=many))
    pages = PdfReader(BytesIO(pdf)).pages
    assert len(pages) >= 2
    last = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {last}" in page.extract_text()
    assert "Indemnité forfaitaire pour frais de recouvrement" in pages[-1].extract_text()


def test_legal_strings_come_from_legal_py():
    doc = samples.franchise_invoice()
    assert doc.recovery_indemnity_text == legal.RECOVERY_INDEMNITY_MENTION
    assert doc.discount_text == legal.NO_DISCOUNT_MENTION
    assert legal.late_penalty_mention("12,15 %").startswith("Pénalités de retard au taux annuel de 12,15 %")
    assert legal.mandate_mention("Claire Martin EI") == "Facture émise par OM Partagé au nom et pour le compte de Claire Martin EI"


# --- the checker script ---------------------------------------------------------------------


def test_checker_passes_the_five_documents_and_catches_a_gap(app_ctx, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for case in CASES:
        (good / f"{case}.pdf").write_bytes(facturx_pdf(document(case)))
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "facturx_check.py"), str(good)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == (
        "pdfs 5; failed asserts 0; warnings 0; unreadable 0; numbering problems 0")

    gap = tmp_path / "gap"
    gap.mkdir()
    for number in ("SB-2026-0012", "SB-2026-0014"):  # 0013 missing, both invoices
        (gap / f"{number}.pdf").write_bytes(facturx_pdf(samples.vat_invoice(number)))
    (gap / "not-facturx.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "facturx_check.py"), str(gap)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "gap in numbers for seller 901338525" in run.stdout
    assert run.stdout.strip().splitlines()[-1].endswith("unreadable 1; numbering problems 1")
