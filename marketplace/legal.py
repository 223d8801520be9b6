"""Legal strings and their versions, kept in one place (LEGAL.md).

VAT law moves from the CGI to the CIBS on 1 September 2026 and the CGI references stay
tolerated until 31 December 2027: when a text changes, change it here and bump its
version, so every acceptance records exactly which wording was agreed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.domain import add_months

PLATFORM_NAME = "OM Partagé"

# --- URSSAF vigilance (art. L.8222-1 du Code du travail) -------------------------------

# An "attestation de vigilance" must be less than 6 months old.
URSSAF_VALIDITY_MONTHS = 6


def urssaf_expiry(issued_on: date) -> date:
    """The last day an attestation issued on ``issued_on`` is less than 6 months old."""
    return add_months(issued_on, URSSAF_VALIDITY_MONTHS) - timedelta(days=1)

# --- VAT mentions ---------------------------------------------------------------------

VAT_FRANCHISE_MENTION = "TVA non applicable, art. 293 B du CGI"
VAT_DEBITS_MENTION = "Option pour le paiement de la taxe d'après les débits"

# --- Billing mandate (art. 289-I-2 du CGI) -------------------------------------------

# Bump the version whenever the text below changes: freelancers who accepted an older
# version are asked to accept the new one before their profile counts as complete.
MANDATE_VERSION = "2026-09"
# Days the freelancer has to contest an invoice issued in their name.
MANDATE_CONTEST_DAYS = 15
MANDATE_TITLE = "Mandat de facturation"


@dataclass(frozen=True)
class MandateClause:
    title: str
    text: str


def mandate_clauses(contest_days: int = MANDATE_CONTEST_DAYS) -> tuple[MandateClause, ...]:
    """The clauses of the billing mandate the freelancer accepts, in French."""
    return (
        MandateClause(
            "Objet",
            f"Vous (le « mandant ») donnez mandat à {PLATFORM_NAME} (le « mandataire ») d'établir et "
            "d'émettre en votre nom et pour votre compte les factures, et le cas échéant les avoirs, "
            "relatifs aux prestations de services que vous réalisez pour les entreprises clientes "
            "rencontrées sur la plateforme, conformément à l'article 289-I-2 du Code général des impôts.",
        ),
        MandateClause(
            "Opérations couvertes",
            "Le mandat couvre les prestations exécutées dans le cadre des contrats signés sur la plateforme. "
            "Chaque facture est établie mensuellement à partir du compte rendu d'activité (CRA) validé "
            "par le client : jours et demi-journées travaillés, taux journalier convenu au contrat. "
            "Elle porte la mention « Facture émise par " + PLATFORM_NAME + " au nom et pour le compte de » "
            "suivie de votre identité.",
        ),
        MandateClause(
            "Durée",
            "Le mandat prend effet à la date de son acceptation et vaut pour une durée indéterminée. "
            "Vous pouvez le révoquer à tout moment depuis votre espace ou par écrit ; la révocation "
            "prend effet pour les factures non encore émises et suspend la facturation de vos contrats "
            "en cours jusqu'à ce qu'un autre mode de facturation soit convenu.",
        ),
        MandateClause(
            "Responsabilité de la TVA",
            "Vous conservez l'entière responsabilité de vos obligations en matière de facturation et "
            "de TVA, notamment le choix de votre régime (franchise en base ou assujettissement), la "
            "déclaration et le paiement de la taxe. Vous vous engagez à signaler sans délai tout "
            "changement de situation (régime, numéro de TVA, franchissement de seuil).",
        ),
        MandateClause(
            "Contestation",
            f"Une copie de chaque facture émise en votre nom est mise à votre disposition dès son "
            f"émission. Vous disposez de {contest_days} jours à compter de cette mise à disposition pour "
            "la contester ; passé ce délai, elle est réputée acceptée. Une facture contestée à bon droit "
            "est annulée par un avoir et réémise.",
        ),
        MandateClause(
            "Numérotation et conservation",
            "Les factures émises en votre nom suivent une séquence de numérotation propre, continue et "
            "sans rupture. Elles sont conservées par la plateforme et vous restent accessibles depuis "
            "votre espace.",
        ),
    )

# --- Invoice mentions (art. L441-9 du Code de commerce, art. 242 nonies A de l'annexe II au CGI)

INVOICE_OPERATION_CATEGORY = "Prestation de services"
# Code of the franchise in the e-invoice (EN16931 BT-121, VATEX list).
VAT_FRANCHISE_EXEMPTION_CODE = "VATEX-FR-FRANCHISE"
# Art. D441-5 du Code de commerce: a fixed 40 € per late invoice, on top of the penalties.
RECOVERY_INDEMNITY_CENTS = 4000
RECOVERY_INDEMNITY_MENTION = "Indemnité forfaitaire pour frais de recouvrement : 40 €"
NO_DISCOUNT_MENTION = "Pas d'escompte pour paiement anticipé"
# The ECB rate changes every half-year (unconfirmed values): the billing run passes the
# rate it applies; without one the mention states the rule itself, which is valid too.
LATE_PENALTY_RULE = "taux de refinancement de la BCE majoré de 10 points"


def late_penalty_mention(annual_rate_percent: str | None = None) -> str:
    """The late-penalty mention, with the applied annual rate (« 12,15 % ») when known."""
    rate = f"au taux annuel de {annual_rate_percent}" if annual_rate_percent else f"au {LATE_PENALTY_RULE}"
    return f"Pénalités de retard {rate}, exigibles sans rappel dès le lendemain de la date d'échéance"


def mandate_mention(seller_name: str, *, credit_note: bool = False) -> str:
    """The mention an invoice (or credit note) issued under the billing mandate must carry."""
    document = "Avoir émis" if credit_note else "Facture émise"
    return f"{document} par {PLATFORM_NAME} au nom et pour le compte de {seller_name}"
