"""The plain, frozen description of an invoice or a credit note, and its totals.

Money is integer cents, quantities are hundredths (``150`` = 1,5 jour) and VAT rates are
basis points (``2000`` = 20 %), so no float ever reaches an amount. Rounding follows
EN16931: each line net is rounded, then VAT is computed once per (category, rate) group
on the sum of that group's line nets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from stdnum import iban as stdnum_iban
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from marketplace import legal

INVOICE = 380
CREDIT_NOTE = 381
NUMBER_PATTERN = re.compile(r"[A-Za-z0-9+\-_/]{1,35}")

VatCategory = Literal["S", "E"]


def div_round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


@dataclass(frozen=True, kw_only=True)
class Party:
    """A seller or a buyer as printed on the invoice."""

    name: str  # as printed, with « EI » for a sole trader: « Claire Martin EI »
    legal_mention: str  # « Entrepreneur individuel », « SAS au capital de 10 000 € – RCS Paris »
    siren: str
    siret: str
    vat_number: str | None
    address_line: str
    postal_code: str
    city: str
    country_code: str = "FR"
    email: str | None = None
    iban: str | None = None  # where this party is paid, when it is the payee
    bic: str | None = None

    def __post_init__(self) -> None:
        # The billing run checks identifiers when they are entered; this catches a bad copy.
        if not stdnum_siren.is_valid(self.siren):
            raise ValueError(f"invalid SIREN {self.siren!r} (9 digits, Luhn)")
        if not (stdnum_siret.is_valid(self.siret) and self.siret.startswith(self.siren)):
            raise ValueError(f"invalid SIRET {self.siret!r} (14 digits starting with the SIREN)")
        if self.vat_number and not (stdnum_tva.is_valid(self.vat_number) and self.vat_number.endswith(self.siren)):
            raise ValueError(f"invalid VAT number {self.vat_number!r} for SIREN {self.siren}")
        if self.iban and not stdnum_iban.is_valid(self.iban):
            raise ValueError(f"invalid IBAN {self.iban!r}")


@dataclass(frozen=True, kw_only=True)
class InvoiceLine:
    """One line: days (hundredths) × daily rate, with its VAT category and rate."""

    description: str
    quantity_centi: int  # 150 = 1,5 jour
    unit_price_cents: int  # daily rate excluding VAT
    vat_category: VatCategory
    vat_rate_bp: int  # 2000 = 20 %
    unit: str = "DAY"  # UN/ECE rec. 20: DAY, or C62 (« unité ») for a flat fee

    def __post_init__(self) -> None:
        if self.unit not in ("DAY", "C62"):
            raise ValueError(f"unsupported unit {self.unit!r}")
        if self.quantity_centi <= 0:
            raise ValueError("quantity must be positive (a credit note is a document type, not a sign)")
        if self.unit_price_cents < 0:
            raise ValueError("unit price must not be negative")
        if self.vat_category == "E" and self.vat_rate_bp != 0:
            raise ValueError("an exempt line (category E) has a 0 % rate")
        if self.vat_category == "S" and self.vat_rate_bp <= 0:
            raise ValueError("a standard-rated line (category S) has a positive rate")
        if self.vat_category not in ("S", "E"):
            raise ValueError(f"unsupported VAT category {self.vat_category!r}")

    @property
    def days(self) -> Decimal:
        """The quantity in days: ``150`` → ``Decimal("1.5")``."""
        return Decimal(self.quantity_centi) / 100

    @property
    def vat_rate(self) -> Decimal:
        """The VAT rate as a fraction: ``2000`` → ``Decimal("0.2")``."""
        return Decimal(self.vat_rate_bp) / 10_000

    @property
    def net_cents(self) -> int:
        """Quantity × unit price, rounded to the cent (EN16931 BT-131)."""
        return div_round_half_up(self.quantity_centi * self.unit_price_cents, 100)


@dataclass(frozen=True)
class VatGroup:
    """One row of the VAT breakdown (EN16931 BG-23)."""

    category: VatCategory
    rate_bp: int
    base_cents: int
    vat_cents: int

    @property
    def vat_rate(self) -> Decimal:
        """The VAT rate as a fraction: ``2000`` → ``Decimal("0.2")``."""
        return Decimal(self.rate_bp) / 10_000


@dataclass(frozen=True)
class Totals:
    """Line nets, VAT breakdown and document totals, all in cents."""

    line_nets: tuple[int, ...]
    groups: tuple[VatGroup, ...]
    ht_cents: int
    vat_cents: int
    ttc_cents: int


def totals(lines: tuple[InvoiceLine, ...] | list[InvoiceLine]) -> Totals:
    """Round each line, then the VAT once per (category, rate) group; TTC = HT + VAT."""
    line_nets = tuple(line.net_cents for line in lines)
    bases: dict[tuple[VatCategory, int], int] = {}
    for line, net in zip(lines, line_nets):
        key = (line.vat_category, line.vat_rate_bp)
        bases[key] = bases.get(key, 0) + net
    groups = tuple(
        VatGroup(category, rate_bp, base, div_round_half_up(base * rate_bp, 10_000))
        # Highest rate first, as printed.
        for (category, rate_bp), base in sorted(bases.items(), key=lambda item: (-item[0][1], item[0][0]))
    )
    ht = sum(group.base_cents for group in groups)
    vat = sum(group.vat_cents for group in groups)
    return Totals(line_nets=line_nets, groups=groups, ht_cents=ht, vat_cents=vat, ttc_cents=ht + vat)


@dataclass(frozen=True, kw_only=True)
class InvoiceDocument:
    """Everything printed on an invoice or credit note and carried by its Factur-X XML."""

    number: str
    type_code: int  # 380 invoice, 381 credit note
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    late_penalty_text: str
    recovery_indemnity_text: str = legal.RECOVERY_INDEMNITY_MENTION
    discount_text: str = legal.NO_DISCOUNT_MENTION
    # The platform's name when it issues the document under the billing mandate.
    issued_on_behalf_by: str | None = None
    mandate_mention: str | None = None
    # Franchise (art. 293 B): « TVA non applicable, art. 293 B du CGI », category E lines.
    vat_exemption_reason: str | None = None
    vat_exemption_code: str = legal.VAT_FRANCHISE_EXEMPTION_CODE
    vat_debits_option: bool = False
    preceding_invoice_number: str | None = None
    preceding_invoice_date: date | None = None
    purchase_order: str | None = None
    payment_reference: str | None = None
    # The account to pay into when it is not the seller's own (Party.iban).
    payee_iban: str | None = None
    payee_bic: str | None = None
    currency: str = "EUR"
    _totals: Totals = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))  # a list would make it mutable
        if not NUMBER_PATTERN.fullmatch(self.number):
            raise ValueError(f"invoice number must be 1-35 characters of [A-Za-z0-9+-_/]: {self.number!r}")
        if self.type_code not in (INVOICE, CREDIT_NOTE):
            raise ValueError(f"type code must be {INVOICE} or {CREDIT_NOTE}")
        if not self.lines:
            raise ValueError("a document has at least one line")
        if self.period_start > self.period_end:
            raise ValueError("the service period ends before it starts")
        if self.due_date < self.issue_date:
            raise ValueError("the due date is before the issue date")
        if self.is_credit_note and not (self.preceding_invoice_number and self.preceding_invoice_date):
            raise ValueError("a credit note references the invoice it credits (number and date)")
        if self.preceding_invoice_number and not NUMBER_PATTERN.fullmatch(self.preceding_invoice_number):
            raise ValueError(f"invalid preceding invoice number: {self.preceding_invoice_number!r}")
        categories = {line.vat_category for line in self.lines}
        if ("E" in categories) != bool(self.vat_exemption_reason):
            raise ValueError("the exemption mention (vat_exemption_reason) goes with exempt lines, and only with them")
        if self.vat_debits_option and "S" not in categories:
            raise ValueError("the debits option concerns taxed lines (category S)")
        if self.issued_on_behalf_by and not self.mandate_mention:
            raise ValueError("a document issued under the billing mandate carries the mandate mention")
        # Computed once: the document is frozen, and the template and the XML both need it.
        object.__setattr__(self, "_totals", totals(self.lines))

    @property
    def is_credit_note(self) -> bool:
        """True for a credit note (type 381)."""
        return self.type_code == CREDIT_NOTE

    @property
    def totals(self) -> Totals:
        """The document's totals (see :func:`totals`)."""
        return self._totals

    @property
    def payment_iban(self) -> str | None:
        """The IBAN to pay into: the explicit payee account, else the seller's."""
        return self.payee_iban or self.seller.iban

    @property
    def payment_bic(self) -> str | None:
        """The BIC going with :attr:`payment_iban`."""
        return self.payee_bic if self.payee_iban else self.seller.bic
