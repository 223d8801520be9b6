"""The retention schedule, in one place: for each kind of data, why it is kept and for how long.

The privacy policy (``/legal/confidentialite``) and the operator's register of processing
activities (``/admin/confidentialite``) are both rendered from :data:`SCHEDULE`; the
erasure job and the purge read their durations from it too, so the page says what the
code does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.models.privacy import RetainedKind

# Days between a closure request and the erasure (``ACCOUNT_CLOSURE_GRACE_DAYS`` overrides).
DEFAULT_GRACE_DAYS = 30
# Days an export archive, and the e-mailed link to it, stays available (``DATA_EXPORT_DAYS`` overrides).
DEFAULT_EXPORT_DAYS = 7
EXPORT_SALT = "privacy-export"

# What replaces an erased account's name, and the matching suspension of a closing profile.
ERASED_NAME = "Compte supprimé"
CLOSING_REASON = "Compte en cours de fermeture"
ERASED_REASON = "Compte supprimé"

# Audit actions that are connection logs (kept 1 year, erased with the account), not decisions.
LOG_ACTIONS = ("account.login", "account.logout", "account.password_changed", "account.password_reset")


@dataclass(frozen=True)
class Period:
    """A retention duration, counted from a start date."""

    years: int = 0
    months: int = 0
    days: int = 0
    # Accounting documents run from the end of the financial year (taken as the calendar year).
    from_year_end: bool = False

    def until(self, start: date) -> date:
        """The last day the record is kept when its clock starts on ``start``."""
        if self.from_year_end:
            start = date(start.year, 12, 31)
        month_index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)


@dataclass(frozen=True)
class Retention:
    """One line of the schedule: what data, why, on what legal basis, for how long, seen by whom."""

    key: str
    data: str
    purpose: str
    basis: str
    duration: str
    audience: str
    period: Period | None = None  # None: as long as the account lives, erased at its closure
    kept_on_erasure: bool = False


SCHEDULE: tuple[Retention, ...] = (
    Retention(
        "account", "Compte : nom, prénom, e-mail, téléphone, mot de passe (haché), langue",
        "Accès à la plateforme, échanges liés aux missions", "Exécution du contrat (CGU)",
        "Tant que le compte est ouvert ; effacé à l'issue du délai de grâce après la fermeture",
        "La personne, les administrateurs"),
    Retention(
        "profile", "Profil freelance : présentation, expériences, compétences, outils, ville, TJM, disponibilités",
        "Mise en relation avec les entreprises", "Exécution du contrat (CGU)",
        "Tant que le compte est ouvert ; effacé à la fermeture",
        "La personne, les entreprises (profils vérifiés), les administrateurs"),
    Retention(
        "company", "Entreprise : raison sociale, SIRET, adresse, contact de facturation, équipe, missions",
        "Publication des missions, facturation", "Exécution du contrat (CGU)",
        "Tant que le compte entreprise est ouvert ; contact de facturation et équipe effacés à la fermeture",
        "Les membres de l'entreprise, les freelances (missions publiées), les administrateurs"),
    Retention(
        "business_identity", "Identité professionnelle : SIRET, numéro de TVA, adresse de facturation, IBAN",
        "Factures émises sous mandat, reversements, déclarations de l'opérateur (art. 242 bis CGI, DAC7)",
        "Obligation légale ; exécution du contrat",
        "Tant que le compte est ouvert ; l'IBAN est effacé à la fermeture, les mentions figurant sur les "
        "factures sont conservées avec elles", "La personne, les administrateurs"),
    Retention(
        "vetting_documents",
        "Justificatifs de vérification : pièce d'identité, Kbis ou RNE, assurance, attestation URSSAF",
        "Vérification des profils", "Intérêt légitime (sécurité des entreprises clientes)",
        "Tant que le compte est ouvert ; 6 mois après un refus de vérification ; effacés à la fermeture",
        "La personne, les administrateurs", Period(months=6)),
    Retention(
        RetainedKind.VIGILANCE_CERTIFICATE.value, "Attestation de vigilance URSSAF remise pour un contrat",
        "Preuve de l'obligation de vigilance du client (art. L8222-1 et D8222-5 du code du travail)",
        "Obligation légale", "5 ans après la fin du contrat", "Les deux parties, les administrateurs",
        Period(years=5), kept_on_erasure=True),
    Retention(
        "references", "Référents (nom, e-mail, téléphone) et leurs réponses au questionnaire",
        "Vérification des profils", "Intérêt légitime",
        "2 ans après la réponse ; effacés à la fermeture du compte", "Les administrateurs", Period(years=2)),
    Retention(
        RetainedKind.VETTING_AUDIT.value, "Décisions de vérification (journal d'audit : qui, quand, pourquoi)",
        "Preuve des décisions en cas de contestation", "Intérêt légitime ; prescription (art. 2224 du code civil)",
        "5 ans après la décision", "Les administrateurs", Period(years=5), kept_on_erasure=True),
    Retention(
        "applications", "Candidatures : message, TJM proposé, jours proposés, décision",
        "Mise en relation", "Exécution du contrat (CGU)",
        "Tant que le compte est ouvert ; effacées à la fermeture du compte freelance",
        "Le freelance, l'entreprise de la mission"),
    Retention(
        RetainedKind.CONTRACT.value,
        "Contrats signés : versions, signatures (nom, date, adresse IP) et PDF scellés",
        "Preuve du contrat ; pièces justificatives des factures",
        "Obligation légale (art. L123-22 du code de commerce)", "10 ans après la fin du contrat",
        "Les deux parties, les administrateurs", Period(years=10), kept_on_erasure=True),
    Retention(
        RetainedKind.SIGNED_DOCUMENT.value, "PDF des contrats, des factures et des relevés annuels",
        "Conservation des pièces comptables dans leur forme d'origine", "Obligation légale",
        "Aussi longtemps que la pièce qu'ils portent (10 ans)", "Les deux parties, les administrateurs",
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.TIMESHEET.value, "Comptes rendus d'activité (CRA) : jours travaillés, validation",
        "Justificatif des factures", "Obligation légale (art. L123-22 du code de commerce)",
        "10 ans après la fin de l'exercice du mois déclaré", "Les deux parties, les administrateurs",
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.INVOICE.value,
        "Factures et avoirs avec leurs mentions légales (vendeur, acheteur figés à l'émission) et PDF Factur-X",
        "Obligations comptables et fiscales", "Obligation légale (art. L123-22 du code de commerce, art. 289 CGI)",
        "10 ans à compter de la clôture de l'exercice d'émission", "Les deux parties, les administrateurs",
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.PAYMENT.value, "Paiements, remboursements et reversements aux freelances",
        "Obligations comptables", "Obligation légale (art. L123-22 du code de commerce)",
        "10 ans à compter de la clôture de l'exercice", "Les parties concernées, les administrateurs",
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.YEARLY_STATEMENT.value, "Relevés annuels des sommes perçues par chaque freelance",
        "Obligation d'information de l'opérateur (art. 242 bis CGI)",
        "Obligation légale (art. L102 B du livre des procédures fiscales)", "6 ans après l'année du relevé",
        "Le freelance, les administrateurs", Period(years=6, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.BILLING_MANDATE.value, "Acceptation du mandat de facturation (date, version, adresse IP)",
        "Preuve du mandat sous lequel les factures sont émises (art. 289-I-2 CGI)", "Obligation légale",
        "10 ans après la dernière facture émise sous le mandat", "Les administrateurs",
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        "logs", "Journaux de connexion (date, adresse IP) et e-mails envoyés par la plateforme",
        "Sécurité des comptes, détection de fraude, preuve d'envoi", "Intérêt légitime",
        "1 an", "Les administrateurs", Period(years=1)),
    Retention(
        "exports", "Archives d'export de vos données", "Droit d'accès et à la portabilité (art. 15 et 20 RGPD)",
        "Obligation légale", f"{DEFAULT_EXPORT_DAYS} jours", "La personne seule", Period(days=DEFAULT_EXPORT_DAYS)),
    Retention(
        "closures", "Demandes de fermeture de compte et leur suivi (sans données d'identité)",
        "Preuve de l'effacement", "Obligation légale (art. 5.2 RGPD, responsabilité)",
        "5 ans après l'effacement", "Les administrateurs"),
)

BY_KEY = {row.key: row for row in SCHEDULE}


def period(key: str) -> Period:
    """The retention period of a schedule line (KeyError for a line kept as long as the account)."""
    found = BY_KEY[key].period
    if found is None:
        raise KeyError(key)
    return found


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    lifetime: str


# Every cookie the site sets: nothing else (no analytics, no advertising, no third party), so no consent
# banner is needed (CNIL: cookies strictly necessary to a service the user asked for).
COOKIES: tuple[Cookie, ...] = (
    Cookie("session", "Votre connexion, le jeton anti-falsification des formulaires (CSRF), la langue choisie "
           "et les messages affichés après une action", "Jusqu'à la fermeture du navigateur"),
    Cookie("remember_token", "« Rester connecté sur cet appareil », seulement si vous cochez la case à la connexion",
           "365 jours, ou jusqu'à la déconnexion"),
)
COOKIE_NAMES = frozenset(cookie.name for cookie in COOKIES)
