"""Limits of the profile editor and the fields the vetting reads."""

from __future__ import annotations

from marketplace.models.documents import DocumentKind

BIO_MIN_CHARS = 200
MIN_REFERENCES = 2
MAX_REFERENCES = 5
MAX_EXPERIENCES = 15
MAX_TOOLS = 30
DAILY_RATE_MIN_CENTS = 15_000
DAILY_RATE_MAX_CENTS = 200_000
# Turnover made outside the platform (franchise thresholds): bounded to a plausible yearly figure.
MAX_OFF_PLATFORM_TURNOVER_CENTS = 100_000_000
MAX_SHARE_CAPITAL_CENTS = 100_000_000_00  # 100 M€
# Legal forms whose invoices show the share capital and the RCS city (companies).
COMPANY_LEGAL_FORMS = ("eurl", "sasu")
MAX_MOBILITY_KM = 200
EXPIRY_WARNING_DAYS = 30

# What the vetting reads: a change to any of these after submission re-runs its checks.
VETTED_FIELDS = frozenset(
    {
        "first_name", "last_name", "bio", "years_experience", "freelance_years", "experiences",
        "business_name", "legal_form", "siret", "vat_regime", "vat_number", "vat_debits_option",
        "iban", "bic", "billing_address_line", "billing_postal_code", "billing_city", "references",
        "share_capital_cents", "rcs_city",
    }
)

# The documents a profile must hold, in the order the page shows them.
PROFILE_DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.URSSAF_CERTIFICATE,
    DocumentKind.REGISTRATION_PROOF,
    DocumentKind.INSURANCE,
    DocumentKind.IDENTITY,
)
