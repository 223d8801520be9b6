"""Legal strings and their versions, kept in one place (LEGAL.md).

VAT law moves from the CGI to the CIBS on 1 September 2026 and the CGI references stay
tolerated until 31 December 2027: when a text changes, change it here and bump its
version, so every acceptance records exactly which wording was agreed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from marketplace.domain import add_months
from marketplace.formatting import de

PLATFORM_NAME = "OM Partagé"

# --- URSSAF vigilance (art. L.8222-1 du Code du travail) -------------------------------

# An "attestation de vigilance" must be less than 6 months old.
URSSAF_VALIDITY_MONTHS = 6


def urssaf_expiry(issued_on: date) -> date:
    """The last day an attestation issued on ``issued_on`` is less than 6 months old."""
    return add_months(issued_on, URSSAF_VALIDITY_MONTHS) - timedelta(days=1)


# The client must hold a recent attestation when a contract is worth this much, excluding
# VAT, over its whole term (art. D.8222-5 du Code du travail), then every 6 months.
VIGILANCE_THRESHOLD_CENTS = 500_000
# An open-ended contract is reckoned over this many weeks (half a year).
OPEN_ENDED_WEEKS = 26


def contract_value_cents(daily_rate_cents: int, half_days_per_week: int, start: date, end: date | None) -> int:
    """Expected value HT: TJM × days a week × weeks until the end date (26 weeks when open-ended)."""
    if end is None:
        weeks = OPEN_ENDED_WEEKS
    else:
        weeks = max(1, -(-((end - start).days + 1) // 7))  # started weeks count
    return daily_rate_cents * half_days_per_week * weeks // 2


def vigilance_required(value_cents: int) -> bool:
    return value_cents >= VIGILANCE_THRESHOLD_CENTS


# --- Contracts that stay a service, not disguised employment ---------------------------

# Phrases that signal a relationship of subordination (imposed hours, hierarchy,
# exclusivity, sanctions, the client's tools and address). A contract's free text is
# checked against them and its author is told why before sending. Patterns are matched
# on the text lower-cased and without accents.
REQUALIFICATION_SIGNALS: tuple[tuple[str, str], ...] = (
    (r"sous l.?autorite", "« sous l'autorité de » décrit un lien de subordination : le freelance organise "
                         "lui-même son travail. Parlez d'un interlocuteur ou d'un référent."),
    (r"sous la (direction|responsabilite|supervision)", "Un freelance n'est pas placé sous la direction d'un "
                                                        "salarié : nommez plutôt un interlocuteur."),
    (r"rattache(e)? (hierarchiquement|au|a la|a l)", "Un rattachement hiérarchique est un signe de salariat "
                                                    "déguisé : le freelance n'a pas de place dans l'organigramme."),
    (r"\bhierarchi", "Le freelance ne s'insère pas dans la hiérarchie du client."),
    (r"horaires? (imposes?|fixes?|de travail|obligatoires?)|de \d{1,2} ?h ?\d{0,2} a \d{1,2} ?h",
     "Des horaires imposés sont un signe de salariat : le contrat fixe un rythme (des jours convenus), "
     "pas des heures de présence."),
    (r"pointage|pointer|badger", "Le contrôle des heures de présence est un signe de salariat."),
    (r"exclusi(f|ve|vement|vite)", "L'exclusivité est interdite : le freelance reste libre de travailler pour "
                                   "d'autres clients (la non-concurrence se limite aux concurrents directs)."),
    (r"sanction|avertissement|mise a pied|disciplin", "Un client ne sanctionne pas un prestataire : prévoyez "
                                                     "plutôt les indicateurs et la résiliation."),
    (r"adresse (e-?mail|mail|electronique) (de|a) l.?entreprise|@(?:[a-z0-9-]+\.)?(?:entreprise|societe)\b|"
     r"boite mail (de|a) l.?entreprise",
     "Une adresse e-mail de l'entreprise donne au freelance l'apparence d'un salarié : il utilise la sienne."),
    (r"(materiel|ordinateur|telephone) (fourni|mis a disposition)", "Le freelance travaille avec son propre "
                                                                    "matériel ; un accès aux outils partagés suffit."),
    (r"entretien annuel|evaluation annuelle|objectifs individuels", "L'entretien annuel relève du salariat : "
                                                                   "le suivi passe par les indicateurs du contrat."),
    (r"conges? payes?|demande de conges?|autorisation d.?absence", "Un freelance ne demande pas de congés : il "
                                                                   "prévient de ses absences."),
    (r"ne (peut|pourra) (pas )?refuser|obligation d.?accepter", "Le freelance garde le droit de refuser une tâche "
                                                               "hors du périmètre convenu."),
    (r"subordination|lien de subordination", "Le contrat ne peut décrire aucun lien de subordination."),
)

# --- VAT ---------------------------------------------------------------------------------

VAT_STANDARD_RATE_BP = 2000  # 20 %
# Franchise en base (art. 293 B du CGI), services: franchise in year N if turnover N-1 ≤
# 37 500 € and turnover N ≤ 41 250 €; above 41 250 € during N, VAT is due from the invoice
# that crosses it.
FRANCHISE_THRESHOLD_CENTS = 3_750_000
FRANCHISE_MAJOR_THRESHOLD_CENTS = 4_125_000

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


# Rates of the first of January (first half-year) and of the first of July (second half),
# in percent (unconfirmed values: parameters, to be checked against the Banque de France
# publication each half-year). The penalty is the ECB rate + 10 points, never below
# three times the legal interest rate for professionals.
ECB_REFINANCING_RATES: dict[date, Decimal] = {
    date(2025, 1, 1): Decimal("3.15"),
    date(2025, 7, 1): Decimal("2.15"),
    date(2026, 1, 1): Decimal("2.15"),
    date(2026, 7, 1): Decimal("2.15"),
}
LEGAL_INTEREST_RATES: dict[date, Decimal] = {
    date(2025, 1, 1): Decimal("3.71"),
    date(2025, 7, 1): Decimal("2.76"),
    date(2026, 1, 1): Decimal("2.62"),
    date(2026, 7, 1): Decimal("2.62"),
}
LATE_PENALTY_MARGIN = Decimal("10")


def _rate_of_half_year(rates: dict[date, Decimal], day: date) -> Decimal | None:
    start = date(day.year, 1 if day.month <= 6 else 7, 1)
    return rates.get(start)


def late_penalty_rate(day: date) -> Decimal | None:
    """The late-penalty annual rate (percent) for invoices issued on ``day``; None when not published yet."""
    ecb = _rate_of_half_year(ECB_REFINANCING_RATES, day)
    if ecb is None:
        return None
    floor = _rate_of_half_year(LEGAL_INTEREST_RATES, day)
    rate = ecb + LATE_PENALTY_MARGIN
    return max(rate, 3 * floor) if floor is not None else rate


def late_penalty_mention_on(day: date) -> str:
    """The mention for an invoice issued on ``day``, with its rate when known (« 12,15 % »)."""
    rate = late_penalty_rate(day)
    return late_penalty_mention(f"{rate:.2f} %".replace(".", ",") if rate is not None else None)


def late_penalty_mention(annual_rate_percent: str | None = None) -> str:
    """The late-penalty mention, with the applied annual rate (« 12,15 % ») when known."""
    rate = f"au taux annuel de {annual_rate_percent}" if annual_rate_percent else f"au {LATE_PENALTY_RULE}"
    return f"Pénalités de retard {rate}, exigibles sans rappel dès le lendemain de la date d'échéance"


def mandate_mention(seller_name: str, *, credit_note: bool = False) -> str:
    """The mention an invoice (or credit note) issued under the billing mandate must carry."""
    document = "Avoir émis" if credit_note else "Facture émise"
    return f"{document} par {PLATFORM_NAME} au nom et pour le compte {de(seller_name)}"
