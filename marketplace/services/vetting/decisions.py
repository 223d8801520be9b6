"""The operator's decisions on a profile, each audited and announced.

claim → ``in_review``; approve → ``approved`` (+ badges); reject → ``rejected`` (reason
e-mailed); request more information → back to ``draft`` with what is missing
(e-mailed); suspend → ``suspended`` (reason e-mailed); reinstate → ``approved``.
Every decision sets ``decided_at``, writes the audit log (who, when, what, why, IP)
and sends ``events.profile_status_changed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import today as paris_today
from marketplace.db import utcnow
from marketplace.domain import N_
from marketplace.errors import DomainError, raise_if_any
from marketplace.i18n import Later
from marketplace.models.documents import Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.users import User
from marketplace.models.vetting import CheckKind, CheckStatus, VettingCheck
from marketplace.platform import events, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.vetting import expiry, scheduling
from marketplace.services.vetting.checks import CHECK_LABELS, STATUS_LABELS

BADGE_LABELS = {
    "verified": "Vérifié",
    "references_checked": "Références vérifiées",
    "documents_checked": "Documents vérifiés",
}
# What a badge promises an SME, and the check rows that must back it.
BADGE_REQUIREMENTS = {
    "references_checked": (CheckKind.REFERENCES,),
    "documents_checked": (CheckKind.URSSAF_CERTIFICATE, CheckKind.REGISTRATION_PROOF, CheckKind.INSURANCE),
}
MISSING_ITEMS = {
    "urssaf": "Une attestation de vigilance URSSAF de moins de 6 mois (avec son code de sécurité)",
    "registration": "Un justificatif d'immatriculation : extrait Kbis, extrait RNE ou avis de situation INSEE",
    "insurance": "Une attestation d'assurance responsabilité civile professionnelle en cours de validité",
    "identity": "Une pièce d'identité en cours de validité",
    "references": "Deux références joignables (clients actuels ou récents), avec leur adresse e-mail professionnelle",
    "siret": "Un SIRET valide, celui de votre activité",
    "vat": "Votre numéro de TVA intracommunautaire (ou la confirmation de la franchise en base)",
    "iban": "Un IBAN valide, au nom de votre activité",
    "experience": "Les dates de vos expériences, cohérentes avec vos années d'expérience déclarées",
    "bio": "Une présentation rédigée par vous, décrivant vos missions concrètes",
}
DECISION_ACTIONS = ("vetting.approved", "vetting.rejected", "vetting.information_requested")


def _profile(session: Session, profile_id: int) -> FreelancerProfile:
    profile = session.get(FreelancerProfile, profile_id, with_for_update=True)
    if profile is None:
        raise DomainError(_l("Profil introuvable."))
    return profile


def _require(profile: FreelancerProfile, allowed: tuple[ProfileStatus, ...], action: str) -> None:
    """``action`` is a lazy « Impossible de … » message taking the profile's status."""
    if profile.status not in {s.value for s in allowed}:
        raise DomainError(_l(action, status=Later(i18n.translate, profile.status_label)))


def _waited_hours(profile: FreelancerProfile, now: datetime) -> float | None:
    if profile.submitted_at is None:
        return None
    return round((now - profile.submitted_at).total_seconds() / 3600, 2)


def _transition(
    session: Session, admin: User, profile: FreelancerProfile, new: ProfileStatus, action: str, *,
    reason: str | None, ip_address: str | None, details: dict | None = None, decision: bool = True,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    old = profile.status
    profile.status = new.value
    entry_details = {"old": old, "new": new.value, **(details or {})}
    if decision:
        profile.decided_at = now
        entry_details["waited_hours"] = _waited_hours(profile, now)
    record(session, admin, action, profile, reason=reason, details=entry_details, ip_address=ip_address, at=now)
    session.flush()
    events.profile_status_changed.send(session, profile=profile, old=old, new=new.value)


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if len(text) < 5:
        raise DomainError(message, field)
    return text


def claim(
    session: Session, admin: User, profile_id: int, *, ip_address: str | None, now: datetime | None = None
) -> FreelancerProfile:
    """Take a submitted profile in review (the queue shows who holds it)."""
    profile = _profile(session, profile_id)
    if profile.status == ProfileStatus.IN_REVIEW.value:
        record(session, admin, "vetting.claimed", profile, details={"old": profile.status, "new": profile.status},
               ip_address=ip_address)
        return profile
    _require(profile, (ProfileStatus.SUBMITTED,), N_("Impossible de prendre en charge un profil au statut « %(status)s »."))
    _transition(session, admin, profile, ProfileStatus.IN_REVIEW, "vetting.claimed", reason=None,
                ip_address=ip_address, decision=False, now=now)
    return profile


def check_rows(session: Session, profile_id: int) -> dict[str, VettingCheck]:
    """The summary rows (subject "") of a profile, by kind."""
    rows = session.scalars(
        select(VettingCheck).where(VettingCheck.profile_id == profile_id, VettingCheck.subject == "")
    )
    return {row.kind: row for row in rows}


def badge_allowed(rows: dict[str, VettingCheck], badge: str) -> bool:
    """Whether the checks back a badge (every required check passed)."""
    return all(
        rows.get(kind.value) is not None and rows[kind.value].status == CheckStatus.PASSED.value
        for kind in BADGE_REQUIREMENTS.get(badge, ())
    )


def suggested_badges(session: Session, profile_id: int) -> list[str]:
    rows = check_rows(session, profile_id)
    return [badge for badge in BADGE_LABELS if badge_allowed(rows, badge)]


def unresolved_checks(session: Session, profile_id: int) -> list[str]:
    """Labels of the checks failed, in error or not yet run."""
    rows = check_rows(session, profile_id)
    bad = (CheckStatus.FAILED.value, CheckStatus.ERROR.value, CheckStatus.PENDING.value, CheckStatus.RUNNING.value)
    return [CHECK_LABELS[kind] for kind, row in rows.items() if row.status in bad]


@dataclass(frozen=True)
class OpenWarning:
    """One check an approval must answer for: its label and status (French message ids), the referee it is about."""

    label: str
    status: str
    subject: str = ""

    def __str__(self) -> str:
        """The line in French, as the audit log and the error messages keep it."""
        label = f"{self.label} ({self.subject})" if self.subject else self.label
        return f"{label} : {self.status.lower()}"


def open_warning_items(session: Session, profile_id: int) -> list[OpenWarning]:
    """What an approval must answer for: every check not « Conforme » (references to examine, fraud
    and duplicate signals, files reused, checks failed or not yet run), one each."""
    order = {kind: index for index, kind in enumerate(CHECK_LABELS)}
    rows = session.scalars(select(VettingCheck).where(VettingCheck.profile_id == profile_id)).all()
    reference_names = {str(ref.id): ref.name for ref in session.get(FreelancerProfile, profile_id).references}
    return [
        OpenWarning(CHECK_LABELS[row.kind], STATUS_LABELS[row.status],
                    reference_names.get(row.subject, row.subject) if row.subject else "")
        for row in sorted(rows, key=lambda r: (order.get(r.kind, 99), r.subject != "", r.subject))
        if row.status != CheckStatus.PASSED.value
    ]


def open_warnings(session: Session, profile_id: int) -> list[str]:
    """:func:`open_warning_items` as French lines, one each."""
    return [str(warning) for warning in open_warning_items(session, profile_id)]


def approve(
    session: Session, admin: User, profile_id: int, *, badges: list[str], note: str | None, ip_address: str | None,
    confirmed: bool = False, now: datetime | None = None,
) -> FreelancerProfile:
    """Approve: the freelancer becomes eligible for matching, with the badges the checks back.

    With a warning open, the operator writes why and ticks an explicit confirmation;
    both go into the audit entry. Without any, approval is one click.
    """
    profile = _profile(session, profile_id)
    _require(profile, (ProfileStatus.SUBMITTED, ProfileStatus.IN_REVIEW), N_("Impossible d'approuver un profil au statut « %(status)s »."))
    note = (note or "").strip() or None
    unresolved = unresolved_checks(session, profile.id)
    warnings = open_warnings(session, profile.id)
    rows = check_rows(session, profile.id)
    errors = []
    if any(b not in BADGE_LABELS for b in badges):
        errors.append(DomainError(_l("Badge inconnu."), "badges"))
    else:
        errors += [
            DomainError(_l("Le badge « %(BADGE_LABELS)s » demande que les vérifications correspondantes soient conformes.", BADGE_LABELS=BADGE_LABELS[badge]), "badges")
            for badge in badges if not badge_allowed(rows, badge)
        ][:1]
    if warnings:
        if not note or len(note) < 5:
            opened = "Une alerte est ouverte" if len(warnings) == 1 else f"{len(warnings)} alertes sont ouvertes"
            errors.append(DomainError(
                _l("%(opened)s (%(join)s) : écrivez pourquoi vous approuvez malgré tout.", opened=opened, join=' ; '.join(warnings)), "note",
            ))
        if not confirmed:
            errors.append(DomainError(
                _l("Cochez la confirmation : vous approuvez ce profil en connaissance des alertes ouvertes."), "confirm",
            ))
    raise_if_any(errors)
    profile.badges = list(dict.fromkeys(["verified", *badges]))
    profile.status_reason = None
    _transition(session, admin, profile, ProfileStatus.APPROVED, "vetting.approved", reason=note, ip_address=ip_address,
                details={"badges": profile.badges, "score": profile.vetting_score, "unresolved": unresolved,
                         "warnings": warnings, "confirmed_despite_warnings": bool(warnings)}, now=now)
    expiry.refresh_matching_suspension(session, profile, paris_today())
    mail.send(session, to=profile.user.email, subject=_l("Votre profil est vérifié"), template="vetting_approved",
              user_id=profile.user_id, profile=profile, badges=[BADGE_LABELS[b] for b in profile.badges])
    return profile


def reject(
    session: Session, admin: User, profile_id: int, *, reason: str, ip_address: str | None, now: datetime | None = None
) -> FreelancerProfile:
    """Reject with a reason, e-mailed to the freelancer in French."""
    profile = _profile(session, profile_id)
    _require(profile, (ProfileStatus.SUBMITTED, ProfileStatus.IN_REVIEW, ProfileStatus.SUSPENDED), N_("Impossible de refuser un profil au statut « %(status)s »."))
    reason = _required_text(reason, "reason", _l("Indiquez la raison du refus : elle est envoyée au freelance."))
    profile.status_reason = reason
    profile.badges = []
    _transition(session, admin, profile, ProfileStatus.REJECTED, "vetting.rejected", reason=reason, ip_address=ip_address,
                now=now)
    mail.send(session, to=profile.user.email, subject=_l("Votre profil n'a pas été retenu"), template="vetting_rejected",
              user_id=profile.user_id, profile=profile, reason=reason)
    return profile


def request_information(
    session: Session, admin: User, profile_id: int, *, missing: list[str], details: str | None, ip_address: str | None
) -> FreelancerProfile:
    """Send the profile back to draft with the list of what is missing (e-mailed)."""
    profile = _profile(session, profile_id)
    _require(profile, (ProfileStatus.SUBMITTED, ProfileStatus.IN_REVIEW, ProfileStatus.SUSPENDED), N_("Impossible de demander des compléments pour un profil au statut « %(status)s »."))
    unknown = [m for m in missing if m not in MISSING_ITEMS]
    if unknown:
        raise DomainError(_l("Élément demandé inconnu."), "missing")
    details = (details or "").strip()
    if not missing and not details:
        raise DomainError(_l("Cochez au moins un élément manquant ou précisez votre demande."), "missing")
    items = [MISSING_ITEMS[m] for m in missing]
    lines = ["Éléments à compléter :", *[f"- {item}" for item in items]]
    if details:
        lines.append(details)
    profile.status_reason = "\n".join(lines)
    _transition(session, admin, profile, ProfileStatus.DRAFT, "vetting.information_requested", reason=profile.status_reason,
                ip_address=ip_address, details={"missing": missing})
    mail.send(session, to=profile.user.email, subject=_l("Votre profil : quelques éléments à compléter"),
              template="vetting_information_requested", user_id=profile.user_id, profile=profile, items=items,
              details=details, link=external_url("freelancer.dashboard"))
    return profile


def suspend(session: Session, admin: User, profile_id: int, *, reason: str, ip_address: str | None) -> FreelancerProfile:
    """Suspend an approved profile (removed from every match), with a reason e-mailed."""
    profile = _profile(session, profile_id)
    _require(profile, (ProfileStatus.APPROVED,), N_("Impossible de suspendre un profil au statut « %(status)s »."))
    reason = _required_text(reason, "reason", _l("Indiquez la raison de la suspension : elle est envoyée au freelance."))
    profile.status_reason = reason
    _transition(session, admin, profile, ProfileStatus.SUSPENDED, "vetting.suspended", reason=reason, ip_address=ip_address)
    mail.send(session, to=profile.user.email, subject=_l("Votre profil est suspendu"), template="vetting_suspended",
              user_id=profile.user_id, profile=profile, reason=reason)
    return profile


def reinstate(session: Session, admin: User, profile_id: int, *, note: str | None, ip_address: str | None) -> FreelancerProfile:
    """Lift a suspension: the profile is approved again."""
    profile = _profile(session, profile_id)
    _require(profile, (ProfileStatus.SUSPENDED,), N_("Impossible de réactiver un profil au statut « %(status)s »."))
    note = _required_text(note, "note", _l("Indiquez pourquoi la suspension est levée."))
    profile.status_reason = None
    _transition(session, admin, profile, ProfileStatus.APPROVED, "vetting.reinstated", reason=note, ip_address=ip_address,
                decision=False)
    expiry.refresh_matching_suspension(session, profile, paris_today())
    mail.send(session, to=profile.user.email, subject=_l("Votre profil est de nouveau actif"), template="vetting_reinstated",
              user_id=profile.user_id, profile=profile)
    return profile


def verify_document(
    session: Session, admin: User, document_id: int, *, authentic: bool, note: str | None, ip_address: str | None,
    now: datetime | None = None,
) -> Document:
    """Record the URSSAF security-code verification of an attestation (proof kept in the note)."""
    document = session.get(Document, document_id, with_for_update=True)
    if document is None or document.profile_id is None:
        raise DomainError(_l("Document introuvable."))
    if document.kind != DocumentKind.URSSAF_CERTIFICATE.value:
        raise DomainError(_l("Seule une attestation de vigilance URSSAF se vérifie par son code de sécurité."))
    note = _required_text(
        note, "verification_note",
        _l("Notez le résultat de la vérification (par exemple « Attestation authentique, vérifiée sur urssaf.fr »)."),
    )
    document.verified_by_id = admin.id
    document.verification_note = note
    # verified_at stays empty when the URSSAF did not recognise the code: the check then fails.
    document.verified_at = (now or utcnow()) if authentic else None
    profile = session.get(FreelancerProfile, document.profile_id)
    record(session, admin, "vetting.document_verified" if authentic else "vetting.document_rejected", document,
           reason=note, details={"profile_id": profile.id, "security_code": document.security_code}, ip_address=ip_address,
           at=now)
    scheduling.schedule(session, profile, ["documents"])
    return document


def recheck(session: Session, admin: User | None, profile_id: int, *, ip_address: str | None) -> list[str]:
    """Run every check of a profile again."""
    profile = _profile(session, profile_id)
    groups = scheduling.schedule(session, profile, force=True)
    record(session, admin, "vetting.rechecked", profile, details={"groups": groups}, ip_address=ip_address)
    return groups


