"""Vetting thresholds, delays and lists, kept in one place so they can be tuned."""

from __future__ import annotations

from marketplace.models.documents import DocumentKind

# Documents whose expiry suspends matching eligibility once passed.
REQUIRED_EXPIRING_DOCUMENTS: tuple[DocumentKind, ...] = (DocumentKind.URSSAF_CERTIFICATE, DocumentKind.INSURANCE)
# Documents the vetting reads, in the order the console shows them.
VETTED_DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind.URSSAF_CERTIFICATE,
    DocumentKind.REGISTRATION_PROOF,
    DocumentKind.INSURANCE,
    DocumentKind.IDENTITY,
)
# Expiry notices: 30 days ahead, 7 days ahead, then on expiry (0).
EXPIRY_NOTICE_DAYS: tuple[int, ...] = (30, 7, 0)
EXPIRY_WINDOW_DAYS = 30
# Smallest image side (pixels) under which a scan is unlikely to be legible.
MIN_IMAGE_SIDE_PX = 400

# References: at least two verifiable referees (DESIGN.md, "Seniority").
MIN_REFERENCES = 2
REFERENCE_LINK_DAYS = 14
REFERENCE_REMINDER_DAYS: tuple[int, ...] = (3, 7)
# Below this average rating (1–5) an answer deserves a closer look.
REFERENCE_MIN_AVERAGE = 3.0
# The freelancer's IPs are looked up over this many days of their audited activity.
FREELANCER_IP_LOOKBACK_DAYS = 365

# Fraud: TF-IDF cosine similarity (word unigrams and bigrams) of two bios above which
# one is taken for a copy of the other: a bio copied with a few words changed scores
# 0.7–0.95, two bios written independently stay under 0.5.
BIO_SIMILARITY_THRESHOLD = 0.7
# Bios shorter than this (characters) say too little to compare.
BIO_MIN_LENGTH = 80
# Declared years of experience may exceed the dated positions by this much (warning above
# the first, failure above the second).
EXPERIENCE_WARNING_YEARS = 1.0
EXPERIENCE_FAILURE_YEARS = 2.0
# An e-mail local part reduced to its letters must be this long to be compared
# ("jean.dupont1" and "jeandupont2" match; "lea1" and "lea2" say nothing).
EMAIL_PATTERN_MIN_LETTERS = 6
# Checks whose result depends on other profiles are refreshed this often.
DUPLICATES_RECHECK_DAYS = 30

# Countries whose IBANs SEPA transfers reach (EU/EEA and the SEPA members outside it).
SEPA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH GB MC SM VA AD".split()
)
# Public webmail domains: sharing one is not a sign that two people are linked.
WEBMAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.fr yahoo.com hotmail.fr hotmail.com outlook.fr outlook.com
    live.fr live.com msn.com icloud.com me.com orange.fr wanadoo.fr free.fr sfr.fr neuf.fr
    laposte.net bbox.fr aol.com protonmail.com proton.me gmx.fr gmx.com""".split()
)

# Weights of the vetting score (sum 100); a warning counts half, a failure nothing.
SCORE_WEIGHTS: dict[str, int] = {
    "siret": 10,
    "vat_number": 5,
    "iban": 5,
    "legal_form": 5,
    "urssaf_certificate": 15,
    "registration_proof": 10,
    "insurance": 10,
    "identity": 5,
    "references": 20,
    "duplicates": 10,
    "experience": 5,
}
