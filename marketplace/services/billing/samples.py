"""Realistic documents for the tests, the benchmarks and the demo: the platform's five kinds of invoice.

Identifiers are valid (Luhn SIREN/SIRET, keyed VAT numbers, checked IBANs) but fictitious.
"""

from __future__ import annotations

from datetime import date, timedelta

from marketplace import legal
from marketplace.services.billing.document import (
    CREDIT_NOTE,
    INVOICE,
    InvoiceDocument,
    InvoiceLine,
    Party,
)

PLATFORM = Party(
    name=f"{legal.PLATFORM_NAME} SAS",
    legal_mention="SAS au capital de 10 000 € – RCS Paris",
    siren="812345676",
    siret="81234567600017",
    vat_number="FR19812345676",
    address_line="10 rue de la Paix",
    postal_code="75002",
    city="Paris",
    email="facturation@om-partage.fr",
    iban="FR7630004000031234567890143",
    bic="BNPAFRPP",
)
FRANCHISE_FREELANCER = Party(
    name="Claire Martin EI",
    legal_mention="Entrepreneur individuel",
    siren="852914373",
    siret="85291437300018",
    vat_number=None,
    address_line="12 rue des Lilas",
    postal_code="69003",
    city="Lyon",
    email="claire.martin@example.org",
    iban="FR1420041010050500013M02606",
    bic="PSSTFRPP",
)
LIABLE_FREELANCER = Party(
    name="Sophie Bernard EI",
    legal_mention="Entrepreneur individuel",
    siren="901338525",
    siret="90133852500016",
    vat_number="FR34901338525",
    address_line="4 allée des Tilleuls",
    postal_code="33000",
    city="Bordeaux",
    email="sophie.bernard@example.org",
    iban="FR7110278060410002049870195",
    bic="CMCIFR2A",
)
SME = Party(
    name="Atelier Dupont & Fils SARL",
    legal_mention="SARL au capital de 8 000 € – RCS Lyon",
    siren="521478966",
    siret="52147896600018",
    vat_number="FR55521478966",
    address_line="3 place Bellecour",
    postal_code="69002",
    city="Lyon",
)
OTHER_SME = Party(
    name="Vignobles Arnaud SAS",
    legal_mention="SAS au capital de 50 000 € – RCS Bordeaux",
    siren="881203459",
    siret="88120345900014",
    vat_number="FR34881203459",
    address_line="18 quai des Chartrons",
    postal_code="33000",
    city="Bordeaux",
)

PERIOD_START = date(2026, 10, 1)
PERIOD_END = date(2026, 10, 31)
ISSUE_DATE = date(2026, 11, 2)
DUE_DATE = ISSUE_DATE + timedelta(days=30)


def _common(**overrides) -> dict:
    values = {
        "type_code": INVOICE,
        "issue_date": ISSUE_DATE,
        "due_date": DUE_DATE,
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "late_penalty_text": legal.late_penalty_mention(),
    }
    values.update(overrides)
    return values


def _on_behalf(seller: Party, *, credit_note: bool = False) -> dict:
    return {
        "issued_on_behalf_by": legal.PLATFORM_NAME,
        "mandate_mention": legal.mandate_mention(seller.name, credit_note=credit_note),
    }


def franchise_invoice(number: str = "CM-2026-0007") -> InvoiceDocument:
    """A freelancer in VAT franchise (art. 293 B): category E, no VAT, 8 days."""
    return InvoiceDocument(
        number=number,
        seller=FRANCHISE_FREELANCER,
        buyer=SME,
        lines=(
            InvoiceLine(
                description="Office management à temps partagé – octobre 2026 (mardis et jeudis)",
                quantity_centi=800, unit_price_cents=45_000, vat_category="E", vat_rate_bp=0,
            ),
        ),
        vat_exemption_reason=legal.VAT_FRANCHISE_MENTION,
        **_on_behalf(FRANCHISE_FREELANCER),
        **_common(),
    )


def vat_invoice(number: str = "SB-2026-0012") -> InvoiceDocument:
    """A VAT-liable freelancer: category S at 20 %, with the debits option, paid by transfer."""
    return InvoiceDocument(
        number=number,
        seller=LIABLE_FREELANCER,
        buyer=OTHER_SME,
        lines=(
            InvoiceLine(
                description="Office management à temps partagé – octobre 2026 (lundis)",
                quantity_centi=400, unit_price_cents=48_000, vat_category="S", vat_rate_bp=2000,
            ),
            InvoiceLine(
                description="Mise en place des outils de facturation",
                quantity_centi=200, unit_price_cents=52_000, vat_category="S", vat_rate_bp=2000,
            ),
        ),
        vat_debits_option=True,
        purchase_order="BC-2026-118",
        **_on_behalf(LIABLE_FREELANCER),
        **_common(),
    )


def half_day_invoice(number: str = "SB-2026-0013") -> InvoiceDocument:
    """Half days: 7,5 days plus 1,5 day at a rate whose per-line rounding matters."""
    return InvoiceDocument(
        number=number,
        seller=LIABLE_FREELANCER,
        buyer=SME,
        lines=(
            InvoiceLine(
                description="Office management à temps partagé – octobre 2026",
                quantity_centi=750, unit_price_cents=45_333, vat_category="S", vat_rate_bp=2000,
            ),
            InvoiceLine(
                description="Clôture mensuelle et relances clients (demi-journées)",
                quantity_centi=150, unit_price_cents=45_333, vat_category="S", vat_rate_bp=2000,
            ),
        ),
        **_on_behalf(LIABLE_FREELANCER),
        **_common(),
    )


def credit_note(number: str = "SB-2026-0014", credited: InvoiceDocument | None = None) -> InvoiceDocument:
    """A credit note (381) for one day of ``credited`` (the VAT invoice by default)."""
    credited = credited or vat_invoice()
    line = credited.lines[0]
    return InvoiceDocument(
        number=number,
        seller=credited.seller,
        buyer=credited.buyer,
        lines=(
            InvoiceLine(
                description=f"Annulation d'une journée non effectuée – facture {credited.number}",
                quantity_centi=100, unit_price_cents=line.unit_price_cents,
                vat_category=line.vat_category, vat_rate_bp=line.vat_rate_bp,
            ),
        ),
        preceding_invoice_number=credited.number,
        preceding_invoice_date=credited.issue_date,
        vat_debits_option=credited.vat_debits_option,
        vat_exemption_reason=credited.vat_exemption_reason,
        **_on_behalf(credited.seller, credit_note=True),
        **_common(type_code=CREDIT_NOTE, issue_date=date(2026, 11, 9), due_date=date(2026, 11, 23)),
    )


def platform_fee_invoice(number: str = "OMP-2026-00042", freelancer: Party = FRANCHISE_FREELANCER) -> InvoiceDocument:
    """The platform's own invoice for its fee, to a freelancer: seller the SAS, 20 % VAT."""
    return InvoiceDocument(
        number=number,
        seller=PLATFORM,
        buyer=freelancer,
        lines=(
            InvoiceLine(
                description=f"Frais de service {legal.PLATFORM_NAME} – octobre 2026 (par journée facturée)",
                quantity_centi=800, unit_price_cents=4_500, vat_category="S", vat_rate_bp=2000,
            ),
        ),
        **_common(due_date=ISSUE_DATE + timedelta(days=15)),
    )


def all_cases() -> dict[str, InvoiceDocument]:
    """The five kinds, by name."""
    return {
        "franchise": franchise_invoice(),
        "vat": vat_invoice(),
        "half_days": half_day_invoice(),
        "credit_note": credit_note(),
        "platform_fee": platform_fee_invoice(),
    }
