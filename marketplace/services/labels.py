"""The operator's vocabulary: what every stored code means, in words (statuses, audit events, objects, roles).

The database stores stable codes (``in_review``, ``vetting.approved``, ``FreelancerProfile``,
``sme``); the pages never show them. Every label is a lazy translation, resolved in the
reader's language when the page renders. A code no table knows yet (a new audit event)
falls back to a readable label, never to the code itself.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.models.billing import INVOICE_STATUS_LABELS
from marketplace.models.contracts import CONTRACT_STATUS_LABELS
from marketplace.models.freelancers import PROFILE_STATUS_LABELS
from marketplace.models.missions import APPLICATION_STATUS_LABELS, MISSION_STATUS_LABELS
from marketplace.models.payments import PAYMENT_STATUS_LABELS
from marketplace.models.privacy import CLOSURE_STATUS_LABELS
from marketplace.models.timesheets import TIMESHEET_STATUS_LABELS


def _lazy(labels: dict) -> dict:
    # The models keep French message ids (marked for extraction where they are defined);
    # wrapping them lazily translates them when shown.
    return {str(code): _l(label) for code, label in labels.items()}


ROLES = {
    "sme": _l("Entreprise"),
    "freelancer": _l("Freelance"),
    "admin": _l("Administration"),
}

STATUSES: dict[str, dict] = {
    "profile": _lazy(PROFILE_STATUS_LABELS),
    "mission": _lazy(MISSION_STATUS_LABELS),
    "application": _lazy(APPLICATION_STATUS_LABELS),
    "contract": _lazy(CONTRACT_STATUS_LABELS),
    "timesheet": _lazy(TIMESHEET_STATUS_LABELS),
    "invoice": _lazy(INVOICE_STATUS_LABELS),
    "payment": _lazy(PAYMENT_STATUS_LABELS),
    "closure": _lazy(CLOSURE_STATUS_LABELS),
    "closure_scope": {"account": _l("compte"), "company": _l("entreprise et son équipe")},
    "job": {
        "pending": _l("En attente"),
        "running": _l("En cours"),
        "done": _l("Terminée"),
        "failed": _l("En échec"),
    },
    "queue": {
        "vetting": _l("Vérification"),
        "contracts": _l("Contrats"),
        "billing": _l("Facturation"),
        "default": _l("Générale"),
    },
    "billing_run": {
        "pending": _l("En attente"),
        "running": _l("En cours"),
        "done": _l("Terminée"),
        "failed": _l("En échec"),
    },
    "billing_item": {
        "issued": _l("émis"),
        "skipped": _l("non facturés"),
        "failed": _l("en échec"),
        "pending": _l("en cours"),
    },
    "provider_event": {
        "received": _l("Reçu"),
        "processed": _l("Traité"),
        "ignored": _l("Ignoré"),
        "failed": _l("En échec"),
    },
}

# The objects an audit entry is about (model class names, as the audit log stores them).
SUBJECTS = {
    "FreelancerProfile": _l("Profil freelance"),
    "User": _l("Compte"),
    "Company": _l("Entreprise"),
    "TeamInvitation": _l("Invitation d'équipe"),
    "Mission": _l("Mission"),
    "MissionVersion": _l("Version de mission"),
    "Application": _l("Candidature"),
    "Contract": _l("Contrat"),
    "ContractVersion": _l("Version de contrat"),
    "ContractSignature": _l("Signature"),
    "SatisfactionSurvey": _l("Enquête de satisfaction"),
    "Timesheet": _l("Compte rendu d'activité"),
    "Invoice": _l("Facture"),
    "BillingRun": _l("Facturation mensuelle"),
    "Payment": _l("Paiement"),
    "PaymentMethod": _l("Moyen de paiement"),
    "Refund": _l("Remboursement"),
    "Payout": _l("Virement au freelance"),
    "BankStatement": _l("Relevé bancaire"),
    "YearlyStatement": _l("Relevé annuel"),
    "Document": _l("Document"),
    "Reference": _l("Référence"),
    "ReferenceRequest": _l("Questionnaire de référence"),
    "JobIntent": _l("Tâche de fond"),
    "AccountClosure": _l("Fermeture de compte"),
    "DataExport": _l("Export de données"),
    "MessageThread": _l("Conversation"),
    "Message": _l("Message"),
}

# Families of audit events (the part before the dot), for the audit log's filter and unknown events.
FAMILIES = {
    "account": _l("Comptes"),
    "admin": _l("Administration"),
    "team": _l("Équipes"),
    "company": _l("Entreprises"),
    "profile": _l("Profils"),
    "vetting": _l("Vérification"),
    "mission": _l("Missions"),
    "application": _l("Candidatures"),
    "contract": _l("Contrats"),
    "timesheet": _l("Comptes rendus d'activité"),
    "invoice": _l("Factures"),
    "payment": _l("Paiements"),
    "payment_method": _l("Moyens de paiement"),
    "refund": _l("Remboursements"),
    "payout": _l("Virements aux freelances"),
    "bank_statement": _l("Relevés bancaires"),
    "yearly_statement": _l("Relevés annuels"),
    "privacy": _l("Données personnelles"),
    "job": _l("Tâches de fond"),
    "message": _l("Messagerie"),
    "document": _l("Documents"),
}

ACTIONS = {
    "account.activated": _l("Compte réactivé"),
    "account.deactivated": _l("Compte désactivé"),
    "account.login": _l("Connexion"),
    "account.logout": _l("Déconnexion"),
    "account.password_changed": _l("Mot de passe modifié"),
    "account.password_reset": _l("Mot de passe réinitialisé"),
    "account.signup": _l("Inscription"),
    "account.updated": _l("Compte modifié"),
    "admin.created": _l("Administrateur créé"),
    "team.invited": _l("Membre invité"),
    "team.invitation_revoked": _l("Invitation retirée"),
    "team.joined": _l("Invitation acceptée"),
    "team.member_removed": _l("Membre retiré"),
    "profile.updated": _l("Profil modifié"),
    "profile.submitted": _l("Profil soumis pour vérification"),
    "profile.document_uploaded": _l("Document déposé"),
    "document.uploaded": _l("Document déposé"),
    "profile.mandate_accepted": _l("Mandat de facturation accepté"),
    "vetting.claimed": _l("Profil pris en charge"),
    "vetting.approved": _l("Profil approuvé"),
    "vetting.rejected": _l("Profil refusé"),
    "vetting.information_requested": _l("Compléments demandés"),
    "vetting.suspended": _l("Profil suspendu"),
    "vetting.reinstated": _l("Suspension levée"),
    "vetting.rechecked": _l("Vérifications relancées"),
    "vetting.document_verified": _l("Attestation URSSAF authentifiée"),
    "vetting.document_rejected": _l("Attestation URSSAF non reconnue"),
    "vetting.expiry_notice": _l("Avis d'échéance envoyé"),
    "vetting.matching_suspended": _l("Retiré du rapprochement (document expiré)"),
    "vetting.matching_restored": _l("Rétabli dans le rapprochement"),
    "vetting.reference_answered": _l("Référence reçue"),
    "vetting.reference_resent": _l("Questionnaire de référence renvoyé"),
    "mission.created": _l("Mission créée"),
    "mission.updated": _l("Mission modifiée"),
    "mission.perimeter_updated": _l("Périmètre modifié"),
    "mission.published": _l("Mission publiée"),
    "mission.closed": _l("Mission fermée"),
    "mission.filled": _l("Mission pourvue"),
    "mission.duplicated": _l("Mission dupliquée"),
    "mission.revised": _l("Mission publiée modifiée"),
    "company.updated": _l("Entreprise modifiée"),
    "application.submitted": _l("Candidature envoyée"),
    "application.shortlisted": _l("Candidature présélectionnée"),
    "application.accepted": _l("Candidature acceptée"),
    "application.declined": _l("Candidature déclinée"),
    "application.closed": _l("Candidature close (mission fermée)"),
    "application.invitation_accepted": _l("Invitation acceptée"),
    "application.invited": _l("Freelance invité"),
    "application.withdrawn": _l("Candidature retirée"),
    "application.invitation_declined": _l("Invitation déclinée"),
    "contract.drafted": _l("Contrat rédigé"),
    "contract.version_proposed": _l("Version de contrat proposée"),
    "contract.version_accepted": _l("Version de contrat acceptée"),
    "contract.signed": _l("Contrat signé"),
    "contract.activated": _l("Contrat en vigueur"),
    "contract.cancelled": _l("Contrat annulé"),
    "contract.weekdays_taken": _l("Jours réservés"),
    "contract.amendment_signed": _l("Avenant signé"),
    "contract.amendment_applied": _l("Avenant appliqué"),
    "contract.amendment_withdrawn": _l("Avenant retiré"),
    "contract.notice_given": _l("Préavis donné"),
    "contract.end_proposed": _l("Fin de contrat proposée"),
    "contract.end_agreed": _l("Fin de contrat acceptée"),
    "contract.end_declined": _l("Fin de contrat refusée"),
    "contract.ended": _l("Contrat terminé"),
    "contract.satisfaction_answered": _l("Enquête de satisfaction remplie"),
    "contract.vigilance_requested": _l("Attestation de vigilance demandée"),
    "timesheet.submitted": _l("Compte rendu envoyé"),
    "timesheet.approved": _l("Compte rendu validé"),
    "timesheet.disputed": _l("Compte rendu contesté"),
    "timesheet.corrected": _l("Compte rendu corrigé"),
    "invoice.issued": _l("Facture émise"),
    "invoice.credited": _l("Avoir émis"),
    "invoice.contested": _l("Facture contestée"),
    "invoice.contest_rejected": _l("Contestation rejetée"),
    "invoice.contest_reissued": _l("Facture réémise après contestation"),
    "invoice.contest_reopened": _l("Contestation rouverte"),
    "payment.requested": _l("Paiement demandé"),
    "payment.succeeded": _l("Paiement reçu"),
    "payment.transfer_recorded": _l("Virement reçu enregistré"),
    "payment_method.saved": _l("Moyen de paiement enregistré"),
    "payment_method.removed": _l("Moyen de paiement retiré"),
    "refund.requested": _l("Remboursement demandé"),
    "payout.account_created": _l("Compte de versement créé"),
    "payout.account_updated": _l("Compte de versement mis à jour"),
    "payout.recorded": _l("Virement au freelance enregistré"),
    "payout.sent": _l("Virement au freelance envoyé"),
    "bank_statement.imported": _l("Relevé bancaire importé"),
    "yearly_statement.issued": _l("Relevé annuel émis"),
    "privacy.export_requested": _l("Export de données demandé"),
    "privacy.closure_requested": _l("Fermeture de compte demandée"),
    "privacy.closure_cancelled": _l("Fermeture de compte annulée"),
    "privacy.erased": _l("Données personnelles effacées"),
    "privacy.erasure_held": _l("Effacement suspendu"),
    "privacy.erasure_resumed": _l("Effacement repris"),
    "job.retried": _l("Tâche relancée"),
}


def role_label(code: str | None) -> str:
    """« Entreprise » for ``sme``."""
    return ROLES.get(code or "", _l("Rôle inconnu"))


def status_label(group: str, code: str | None) -> str:
    """A status of ``group`` (profile, mission, contract, job…) in words; « — » when empty."""
    if not code:
        return "—"
    return STATUSES.get(group, {}).get(code, _l("Autre statut"))


def action_label(code: str | None) -> str:
    """An audit event in words; an event no table knows yet is named by its family."""
    if not code:
        return "—"
    label = ACTIONS.get(code)
    if label is not None:
        return label
    family = FAMILIES.get(code.split(".", 1)[0])
    return _l("%(family)s : autre action", family=family) if family else _l("Autre action")


def subject_label(subject_type: str | None, subject_id: int | None = None) -> str:
    """The object of an audit entry: « Profil freelance n° 48 »."""
    if not subject_type:
        return "—"
    name = SUBJECTS.get(subject_type, _l("Objet"))
    return _l("%(name)s n° %(id)s", name=name, id=subject_id) if subject_id is not None else str(name)
