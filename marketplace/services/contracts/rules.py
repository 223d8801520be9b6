"""Constants of the contracts area: defaults of a new draft, bounds of each clause, labels."""

from __future__ import annotations

from datetime import timedelta

# What the freelancer does not take on, pre-filled in every draft (editable): payroll,
# accounting and strategic recruitment stay with their owners.
DEFAULT_OUT_OF_SCOPE = (
    "Paie et déclarations sociales (le freelance prépare les éléments variables, il ne produit pas la paie).\n"
    "Comptabilité et écritures comptables.\n"
    "Recrutement stratégique (postes de direction, choix des candidats)."
)
DEFAULT_PAYMENT_TERMS_DAYS = 30
# Monthly invoices are periodic: never more than 45 days from the invoice date (LEGAL.md).
MAX_PAYMENT_TERMS_DAYS = 45
NOTICE_MONTHS = 1

MAX_TITLE = 160
MAX_LONG_TEXT = 5_000
MAX_NOTE = 2_000
MAX_KPIS = 8
MAX_KPI_TEXT = 160
MIN_DAILY_RATE_CENTS = 10_000       # 100 €
MAX_DAILY_RATE_CENTS = 300_000      # 3 000 €
MAX_SPENDING_THRESHOLD_CENTS = 10_000_000  # 100 000 €
# A contract starts within the year and runs five years at most.
MAX_START_AHEAD = timedelta(days=366)
MAX_DURATION = timedelta(days=5 * 366)

# The signature must be typed as the signer's account shows it (accents and case aside).
SIGNATURE_STATEMENT = "Lu et approuvé"

# Quarterly satisfaction: KPI status an SME gives each quarter.
KPI_STATUSES = {
    "met": "Atteint",
    "partly": "En partie",
    "missed": "Pas atteint",
}
MAX_SURVEY_COMMENT = 2_000
# A freelancer's average satisfaction is shown to SMEs from this many answers on.
SATISFACTION_MIN_ANSWERS = 3

# Ask the freelancer for a fresh vigilance certificate this long before the current one expires.
VIGILANCE_NOTICE = timedelta(days=30)
# And again, at most this often, while none arrives.
VIGILANCE_REMINDER_EVERY = timedelta(days=14)

# The clauses in the order the contract, its form and its diffs show them.
CLAUSE_LABELS: dict[str, str] = {
    "title": "Intitulé de la mission",
    "objectives": "Objectifs",
    "in_scope": "Dans le périmètre",
    "out_of_scope": "Hors périmètre",
    "slots": "Jours et demi-journées",
    "half_days_per_week": "Volume hebdomadaire",
    "work_mode": "Mode de travail",
    "onsite_days_per_week": "Jours sur site par semaine",
    "spending_threshold_cents": "Délégation de dépenses (par dépense)",
    "kpis": "Indicateurs de réussite",
    "daily_rate_cents": "Taux journalier (TJM HT)",
    "payment_terms_days": "Délai de paiement",
    "notice_months": "Préavis",
    "non_compete": "Clause de non-concurrence",
    "start_date": "Date de début",
    "end_date": "Date de fin",
    "effective_from": "Date d'effet de l'avenant",
}
# Free-text clauses checked against the signals of disguised employment.
FREE_TEXT_CLAUSES = ("title", "objectives", "in_scope", "out_of_scope")
