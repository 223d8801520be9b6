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

from marketplace.domain import N_
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
        "account", N_("Compte : nom, prénom, e-mail, téléphone, mot de passe (haché), langue"),
        N_("Accès à la plateforme, échanges liés aux missions"), N_("Exécution du contrat (CGU)"),
        N_("Tant que le compte est ouvert ; effacé à l'issue du délai de grâce après la fermeture"),
        N_("La personne, les administrateurs")),
    Retention(
        "profile", N_("Profil freelance : présentation, expériences, compétences, outils, ville, TJM, disponibilités"),
        N_("Mise en relation avec les entreprises"), N_("Exécution du contrat (CGU)"),
        N_("Tant que le compte est ouvert ; effacé à la fermeture"),
        N_("La personne, les entreprises (profils vérifiés), les administrateurs")),
    Retention(
        "company", N_("Entreprise : raison sociale, SIRET, adresse, contact de facturation, équipe, missions"),
        N_("Publication des missions, facturation"), N_("Exécution du contrat (CGU)"),
        N_("Tant que le compte entreprise est ouvert ; contact de facturation et équipe effacés à la fermeture"),
        N_("Les membres de l'entreprise, les freelances (missions publiées), les administrateurs")),
    Retention(
        "business_identity", N_("Identité professionnelle : SIRET, numéro de TVA, adresse de facturation, IBAN"),
        N_("Factures émises sous mandat, reversements, déclarations de l'opérateur (art. 242 bis CGI, DAC7)"),
        N_("Obligation légale ; exécution du contrat"),
        N_("Tant que le compte est ouvert ; l'IBAN est effacé à la fermeture, les mentions figurant sur les "
        "factures sont conservées avec elles"), N_("La personne, les administrateurs")),
    Retention(
        "vetting_documents",
        N_("Justificatifs de vérification : pièce d'identité, Kbis ou RNE, assurance, attestation URSSAF"),
        N_("Vérification des profils"), N_("Intérêt légitime (sécurité des entreprises clientes)"),
        N_("Tant que le compte est ouvert ; 6 mois après un refus de vérification ; effacés à la fermeture"),
        N_("La personne, les administrateurs"), Period(months=6)),
    Retention(
        RetainedKind.VIGILANCE_CERTIFICATE.value, N_("Attestation de vigilance URSSAF remise pour un contrat"),
        N_("Preuve de l'obligation de vigilance du client (art. L8222-1 et D8222-5 du code du travail)"),
        N_("Obligation légale"), N_("5 ans après la fin du contrat"), N_("Les deux parties, les administrateurs"),
        Period(years=5), kept_on_erasure=True),
    Retention(
        "references", N_("Référents (nom, e-mail, téléphone) et leurs réponses au questionnaire"),
        N_("Vérification des profils"), N_("Intérêt légitime"),
        N_("2 ans après la réponse ; effacés à la fermeture du compte"), N_("Les administrateurs"), Period(years=2)),
    Retention(
        RetainedKind.VETTING_AUDIT.value, N_("Décisions de vérification (journal d'audit : qui, quand, pourquoi)"),
        N_("Preuve des décisions en cas de contestation"), N_("Intérêt légitime ; prescription (art. 2224 du code civil)"),
        N_("5 ans après la décision"), N_("Les administrateurs"), Period(years=5), kept_on_erasure=True),
    Retention(
        "applications", N_("Candidatures : message, TJM proposé, jours proposés, décision"),
        N_("Mise en relation"), N_("Exécution du contrat (CGU)"),
        N_("Tant que le compte est ouvert ; effacées à la fermeture du compte freelance"),
        N_("Le freelance, l'entreprise de la mission")),
    Retention(
        "messages", N_("Messages échangés entre une entreprise et un freelance (candidature, puis contrat)"),
        N_("Mise en relation et suivi des missions"), N_("Exécution du contrat (CGU)"),
        N_("Tant que les comptes sont ouverts ; les messages d'une personne sont effacés à la fermeture de son compte "
        "(la conversation de l'autre partie garde leur place, sans leur contenu)"),
        N_("Les deux parties de la conversation")),
    Retention(
        RetainedKind.CONTRACT.value,
        N_("Contrats signés : versions, signatures (nom, date, adresse IP) et PDF scellés"),
        N_("Preuve du contrat ; pièces justificatives des factures"),
        N_("Obligation légale (art. L123-22 du code de commerce)"), N_("10 ans après la fin du contrat"),
        N_("Les deux parties, les administrateurs"), Period(years=10), kept_on_erasure=True),
    Retention(
        RetainedKind.SIGNED_DOCUMENT.value, N_("PDF des contrats, des factures et des relevés annuels"),
        N_("Conservation des pièces comptables dans leur forme d'origine"), N_("Obligation légale"),
        N_("Aussi longtemps que la pièce qu'ils portent (10 ans)"), N_("Les deux parties, les administrateurs"),
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.TIMESHEET.value, N_("Comptes rendus d'activité (CRA) : jours travaillés, validation"),
        N_("Justificatif des factures"), N_("Obligation légale (art. L123-22 du code de commerce)"),
        N_("10 ans après la fin de l'exercice du mois déclaré"), N_("Les deux parties, les administrateurs"),
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.INVOICE.value,
        N_("Factures et avoirs avec leurs mentions légales (vendeur, acheteur figés à l'émission) et PDF Factur-X"),
        N_("Obligations comptables et fiscales"), N_("Obligation légale (art. L123-22 du code de commerce, art. 289 CGI)"),
        N_("10 ans à compter de la clôture de l'exercice d'émission"), N_("Les deux parties, les administrateurs"),
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.PAYMENT.value, N_("Paiements, remboursements et reversements aux freelances"),
        N_("Obligations comptables"), N_("Obligation légale (art. L123-22 du code de commerce)"),
        N_("10 ans à compter de la clôture de l'exercice"), N_("Les parties concernées, les administrateurs"),
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.YEARLY_STATEMENT.value, N_("Relevés annuels des sommes perçues par chaque freelance"),
        N_("Obligation d'information de l'opérateur (art. 242 bis CGI)"),
        N_("Obligation légale (art. L102 B du livre des procédures fiscales)"), N_("6 ans après l'année du relevé"),
        N_("Le freelance, les administrateurs"), Period(years=6, from_year_end=True), kept_on_erasure=True),
    Retention(
        RetainedKind.BILLING_MANDATE.value, N_("Acceptation du mandat de facturation (date, version, adresse IP)"),
        N_("Preuve du mandat sous lequel les factures sont émises (art. 289-I-2 CGI)"), N_("Obligation légale"),
        N_("10 ans après la dernière facture émise sous le mandat"), N_("Les administrateurs"),
        Period(years=10, from_year_end=True), kept_on_erasure=True),
    Retention(
        "logs", N_("Journaux de connexion (date, adresse IP) et e-mails envoyés par la plateforme"),
        N_("Sécurité des comptes, détection de fraude, preuve d'envoi"), N_("Intérêt légitime"),
        N_("1 an"), N_("Les administrateurs"), Period(years=1)),
    Retention(
        "exports", N_("Archives d'export de vos données"), N_("Droit d'accès et à la portabilité (art. 15 et 20 RGPD)"),
        N_("Obligation légale"), f"{DEFAULT_EXPORT_DAYS} jours", N_("La personne seule"), Period(days=DEFAULT_EXPORT_DAYS)),
    Retention(
        "closures", N_("Demandes de fermeture de compte et leur suivi (sans données d'identité)"),
        N_("Preuve de l'effacement"), N_("Obligation légale (art. 5.2 RGPD, responsabilité)"),
        N_("5 ans après l'effacement"), N_("Les administrateurs")),
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
    Cookie("session", N_("Votre connexion, le jeton anti-falsification des formulaires (CSRF), la langue choisie "
           "et les messages affichés après une action"), N_("Jusqu'à la fermeture du navigateur")),
    Cookie("remember_token", N_("« Rester connecté sur cet appareil », seulement si vous cochez la case à la connexion"),
           N_("365 jours, ou jusqu'à la déconnexion")),
)
COOKIE_NAMES = frozenset(cookie.name for cookie in COOKIES)
