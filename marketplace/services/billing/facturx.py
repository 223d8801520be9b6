"""Factur-X: the CII XML (EN16931 profile) of a document, and its PDF/A-3 with the XML embedded.

The XML is built by the factur-x package's own generator (``facturx.generate_cii_xml``),
from a dict keyed by EN16931 business terms (BT-1, BG-4…), and checked against the XSD as
it is built. What the French e-invoicing rules (BR-FR) add on top of EN16931 is set here:
billing framework S1 (services), SIREN (scheme 0002) and SIRET (0009) of both parties,
electronic addresses (scheme 0225) starting with the SIREN, the PMD/PMT/AAB notes once
each and the BAR note « B2B ».
"""

from __future__ import annotations

from typing import Any

from marketplace import legal
from marketplace.formatting import date_fr
from marketplace.services.billing.document import InvoiceDocument, Party

LEVEL = "en16931"
# BT-23, billing framework of the French reform: S1 = services, invoice to be paid.
BILLING_FRAMEWORK = "S1"
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"
ELECTRONIC_ADDRESS_SCHEME = "0225"  # French directory (annuaire) address, starts with the SIREN
DAY_UNIT = "DAY"
SEPA_CREDIT_TRANSFER = "58"


def _amount(cents: int) -> str:
    """Cents as a CII amount: ``123456`` → ``"1234.56"`` (exact, no float)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def _quantity(centi: int) -> str:
    """Hundredths of a day as a CII quantity: ``750`` → ``"7.50"``."""
    return _amount(centi)


def _percent(rate_bp: int) -> str:
    """Basis points as a CII percentage: ``2000`` → ``"20.00"``."""
    return _amount(rate_bp)


def _party(party: Party, *, seller: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": party.name,
        "identifiers": {SIRET_SCHEME: party.siret},  # BT-29 / BT-46
        "legal_identifier": party.siren,  # BT-30 / BT-47
        "legal_identifier_schemeid": SIREN_SCHEME,
        "addr_l1": party.address_line,
        "postcode": party.postal_code,
        "city": party.city,
        "country_code": party.country_code,
        "einvoicing_addr": party.siren,  # BT-34 / BT-49
        "einvoicing_addr_schemeid": ELECTRONIC_ADDRESS_SCHEME,
    }
    if party.vat_number:
        data["vat_identifier"] = party.vat_number
    if seller:
        data["legal_info"] = party.legal_mention  # BT-33: legal form, capital, RCS
        if not party.vat_number:
            # BR-E-02: an exempt invoice names a seller tax identifier; a French business
            # in franchise without a VAT number is identified for tax by its SIREN.
            data["tax_identifier"] = party.siren
    if party.email:
        data["contacts"] = [{"email": party.email}]
    return data


def payment_terms(doc: InvoiceDocument) -> str:
    """BT-20: the payment terms as printed, ending with the due date."""
    if doc.is_credit_note:
        return (f"Avoir sur la facture n° {doc.preceding_invoice_number} ; "
                f"remboursement au plus tard le {date_fr(doc.due_date)}")
    days = (doc.due_date - doc.issue_date).days
    term = f"à {days} jours" if days else "à réception"
    return f"Paiement par virement {term}, au plus tard le {date_fr(doc.due_date)}"


def data_dict(doc: InvoiceDocument) -> dict[str, Any]:
    """The EN16931 business terms of a document, as ``facturx.generate_cii_xml`` takes them."""
    t = doc.totals
    notes = [
        {"BT-21": "PMD", "BT-22": doc.late_penalty_text},
        {"BT-21": "PMT", "BT-22": doc.recovery_indemnity_text},
        {"BT-21": "AAB", "BT-22": doc.discount_text},
        {"BT-21": "BAR", "BT-22": "B2B"},
    ]
    if doc.mandate_mention:
        notes.append({"BT-21": "REG", "BT-22": doc.mandate_mention})
    data: dict[str, Any] = {
        "BT-1": doc.number,
        "BT-2": doc.issue_date,
        "BT-3": str(doc.type_code),
        "BT-5": doc.currency,
        "BT-9": doc.due_date,
        "BT-20": payment_terms(doc),
        "BT-23": BILLING_FRAMEWORK,
        # BT-72, when the service was completed: the end of the period. It also keeps the
        # delivery block non-empty, which the generator would otherwise emit as xsi:nil.
        "BT-72": doc.period_end,
        "BT-73": doc.period_start,
        "BT-74": doc.period_end,
        "BG-1": notes,
        "BG-4": _party(doc.seller, seller=True),
        "BG-7": _party(doc.buyer, seller=False),
        "BG-25": [
            {
                "BT-126": str(index),
                "BT-153": line.description,
                "BT-129": _quantity(line.quantity_centi),
                "BT-130": line.unit,
                "BT-146": _amount(line.unit_price_cents),
                "BT-131": _amount(net),
                "BT-151": line.vat_category,
                "BT-152": _percent(line.vat_rate_bp),
            }
            for index, (line, net) in enumerate(zip(doc.lines, t.line_nets), start=1)
        ],
        "BG-23": [
            {
                "BT-116": _amount(group.base_cents),
                "BT-117": _amount(group.vat_cents),
                "BT-118": group.category,
                "BT-119": _percent(group.rate_bp),
                **(
                    {"BT-120": doc.vat_exemption_reason, "BT-121": doc.vat_exemption_code}
                    if group.category == "E"
                    else {}
                ),
            }
            for group in t.groups
        ],
        "BT-106": _amount(t.ht_cents),
        "BT-109": _amount(t.ht_cents),
        "BT-110": _amount(t.vat_cents),
        "BT-112": _amount(t.ttc_cents),
        "BT-115": _amount(t.ttc_cents),
    }
    if doc.vat_debits_option and any(group.category == "S" for group in t.groups):
        data["BT-8"] = "invoice"  # VAT due on the invoice date: the debits option
    if doc.purchase_order:
        data["BT-13"] = doc.purchase_order
    if doc.preceding_invoice_number:
        data["BG-3"] = [{"BT-25": doc.preceding_invoice_number, "BT-26": doc.preceding_invoice_date}]
    # A credit note is not paid by the buyer: no account to pay into.
    if doc.payment_iban and not doc.is_credit_note:
        data["BT-81"] = SEPA_CREDIT_TRANSFER
        data["BT-84"] = doc.payment_iban.replace(" ", "")
        if doc.payment_bic:
            data["BT-86"] = doc.payment_bic
        data["BT-83"] = doc.payment_reference or doc.number
    elif doc.payment_reference:
        data["BT-83"] = doc.payment_reference
    return data


def cii_xml(doc: InvoiceDocument) -> bytes:
    """The document's CII XML, EN16931 profile, checked against the XSD."""
    from facturx import generate_cii_xml

    # No schematron here: the package would post the XML to a Saxon server (network);
    # validation.failed_asserts runs the same XSLTs locally.
    return generate_cii_xml(data_dict(doc), level=LEVEL, check_xsd=True, check_schematron=False)


def pdf_metadata(doc: InvoiceDocument) -> dict[str, str]:
    """French metadata of the PDF (the package would write English ones)."""
    kind, issued = ("Avoir", "émis") if doc.is_credit_note else ("Facture", "émise")
    return {
        "author": doc.seller.name,
        "keywords": f"Factur-X, {kind}",
        "title": f"{doc.seller.name} : {kind} {doc.number}",
        "subject": f"{kind} {doc.number} du {date_fr(doc.issue_date)} {issued} par {doc.seller.name}",
    }


def template_context(doc: InvoiceDocument) -> dict[str, Any]:
    """What the invoice template needs beyond the document itself."""
    return {
        "doc": doc,
        "totals": doc.totals,
        "platform_name": legal.PLATFORM_NAME,
        "operation_category": legal.INVOICE_OPERATION_CATEGORY,
        "vat_debits_mention": legal.VAT_DEBITS_MENTION,
        "payment_terms": payment_terms(doc),
    }


def facturx_pdf(
    doc: InvoiceDocument,
    html_template: str = "billing/invoice_pdf.html",
    *,
    css_template: str = "billing/invoice_pdf.css",
    xml: bytes | None = None,
) -> bytes:
    """The Factur-X PDF/A-3 of a document: the rendered template with its XML embedded."""
    import facturx
    from flask import current_app

    from marketplace.platform.pdf import html_to_pdf, render_document_template

    xml = xml if xml is not None else cii_xml(doc)
    html = render_document_template(html_template, **template_context(doc))
    # The stylesheet is static: read as is, and parsed once per process by html_to_pdf.
    css, _, _ = current_app.jinja_env.loader.get_source(current_app.jinja_env, css_template)
    pdf = html_to_pdf(html, pdf_variant="pdf/a-3b", stylesheet=css)
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        lang="fr-FR",
        check_xsd=False,  # cii_xml has just checked it
        pdf_metadata=pdf_metadata(doc),
        afrelationship="alternative",  # the XML is the same invoice in another form
    )

