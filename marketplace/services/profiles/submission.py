"""Completeness of a profile, its submission to vetting, and what its status means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import today as paris_today
from marketplace.db import utcnow
from marketplace.domain import SKILL_CODES, VatRegime
from marketplace.errors import DomainError
from marketplace.formatting import PARIS
from marketplace.i18n import Later
from marketplace.legal import MANDATE_VERSION
from marketplace.models.documents import DOCUMENT_KIND_LABELS
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.users import User
from marketplace.platform import events, mail
from marketplace.platform.audit import record
from marketplace.services.profiles.documents import current_documents
from marketplace.services.profiles.mandate import mandate_is_current
from marketplace.services.profiles.rules import (
    BIO_MIN_CHARS,
    COMPANY_LEGAL_FORMS,
    MIN_REFERENCES,
    PROFILE_DOCUMENT_KINDS,
)
from marketplace.services.profiles.steps import STEPS, Step


@dataclass(frozen=True)
class Requirement:
    """One condition of a complete profile; ``label`` says what to do when it is missing."""

    step: str
    label: str
    done: bool


@dataclass(frozen=True)
class Completeness:
    requirements: tuple[Requirement, ...]

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.done]

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> int:
        done = sum(1 for r in self.requirements if r.done)
        return round(100 * done / len(self.requirements))

    def step_done(self, step: str) -> bool:
        return all(r.done for r in self.requirements if r.step == step)

    def missing_for(self, step: str) -> list[Requirement]:
        return [r for r in self.missing if r.step == step]

    def first_incomplete_step(self) -> Step | None:
        for step in STEPS:
            if not self.step_done(step.code):
                return step
        return None


def _lower_first(label: str) -> str:
    text = i18n.translate(label)
    return text[:1].lower() + text[1:]


def completeness(session: Session, profile: FreelancerProfile, on: date | None = None) -> Completeness:
    """What a profile holds and what it still lacks before it can be submitted."""
    now = on or paris_today()
    reqs: list[Requirement] = []

    def need(step: str, done: bool, label: str) -> None:
        reqs.append(Requirement(step, label, bool(done)))

    bio_length = len((profile.bio or "").strip())
    need("presentation", profile.headline.strip(), _l("Indiquez un titre de profil"))
    need(
        "presentation", bio_length >= BIO_MIN_CHARS,
        _l("Présentez votre parcours en au moins %(min)s caractères (actuellement %(count)s)", min=BIO_MIN_CHARS,
           count=bio_length) if bio_length else _l("Présentez votre parcours en au moins %(min)s caractères",
                                                     min=BIO_MIN_CHARS),
    )
    need("presentation", profile.languages, _l("Indiquez au moins une langue de travail"))
    need("experience", profile.years_experience > 0, _l("Indiquez vos années d'expérience"))
    need("experience", profile.experiences, _l("Ajoutez au moins un poste daté à votre parcours"))
    need("skills", any(profile.skill(c) > 0 for c in SKILL_CODES), _l("Indiquez votre niveau dans les cinq dimensions"))
    need("skills", profile.sub_skills, _l("Cochez les compétences que vous pratiquez"))
    need("skills", profile.tools, _l("Indiquez au moins un outil que vous maîtrisez"))
    need("location", profile.city and profile.latitude is not None, _l("Indiquez votre ville"))
    need("location", profile.daily_rate_cents, _l("Indiquez votre taux journalier (TJM)"))
    need("availability", profile.slots.half_days() >= 2, _l("Indiquez au moins une journée de disponibilité dans votre semaine type"))
    need("business", profile.business_name.strip(), _l("Indiquez le nom sous lequel vous facturez"))
    need("business", profile.legal_form, _l("Choisissez votre forme juridique"))
    need("business", profile.siret, _l("Renseignez votre SIRET"))
    need("business", profile.vat_regime, _l("Choisissez votre régime de TVA"))
    if profile.vat_regime == VatRegime.LIABLE.value:
        need("business", profile.vat_number, _l("Renseignez votre numéro de TVA intracommunautaire"))
        if profile.vat_number and profile.siret:
            need("business", profile.vat_number[4:] == profile.siret[:9], _l("Corrigez votre numéro de TVA : il ne correspond pas à votre SIRET"))
    need("business", profile.iban, _l("Renseignez l'IBAN du compte qui recevra vos paiements"))
    need(
        "business",
        profile.billing_address_line.strip() and profile.billing_postal_code and profile.billing_city.strip(),
        _l("Renseignez votre adresse de facturation"),
    )
    if profile.legal_form in COMPANY_LEGAL_FORMS:
        need("business", profile.share_capital_cents and (profile.rcs_city or "").strip(),
             _l("Indiquez le capital social et la ville du RCS de votre société : ils figurent sur vos factures"))
    if profile.mandate_accepted_at is not None and profile.mandate_version != MANDATE_VERSION:
        need("mandate", False, _l("Acceptez la nouvelle version du mandat de facturation"))
    else:
        need("mandate", mandate_is_current(profile), _l("Acceptez le mandat de facturation"))
    docs = current_documents(session, profile)
    for kind in PROFILE_DOCUMENT_KINDS:
        doc = docs.get(kind.value)
        label = DOCUMENT_KIND_LABELS[kind]
        if doc is None:
            need("documents", False, _l("Déposez : %(document)s", document=Later(_lower_first, label)))
        elif doc.expires_on is not None and doc.expires_on <= now:
            need("documents", False, _l("Remplacez votre document expiré : %(document)s",
                                        document=Later(_lower_first, label)))
        else:
            need("documents", True, _l(label))
    count = len(profile.references)
    need(
        "references", count >= MIN_REFERENCES,
        _l("Ajoutez au moins %(min)s références de clients ou managers (%(count)s/%(min)s)", min=MIN_REFERENCES,
           count=count),
    )
    return Completeness(tuple(reqs))


_SUBMIT_REFUSALS = {
    ProfileStatus.SUBMITTED.value: _l("Votre profil a déjà été soumis : il est en attente de vérification."),
    ProfileStatus.IN_REVIEW.value: _l("Votre profil est en cours de vérification."),
    ProfileStatus.APPROVED.value: _l("Votre profil est déjà vérifié."),
    ProfileStatus.REJECTED.value: _l("Votre profil n'a pas été retenu : contactez l'équipe si votre situation a changé."),
    ProfileStatus.SUSPENDED.value: _l("Votre profil est suspendu : contactez l'équipe pour le réactiver."),
}


def submit(
    session: Session, profile: FreelancerProfile, *, actor: User | None = None, ip_address: str | None = None,
    now: datetime | None = None,
) -> FreelancerProfile:
    """Send a complete draft profile to vetting (status ``submitted``); ``now`` dates it (demo history)."""
    if profile.status != ProfileStatus.DRAFT.value:
        raise DomainError(_SUBMIT_REFUSALS.get(profile.status, _l("Ce profil ne peut pas être soumis.")))
    check = completeness(session, profile, on=now.astimezone(PARIS).date() if now else None)
    if not check.is_complete:
        missing = check.missing
        shown = Later(lambda: " ; ".join(i18n.label_lower(r.label) for r in missing[:3]))
        if len(missing) > 3:
            raise DomainError(lazy_ngettext("Votre profil n'est pas encore complet : %(missing)s (et %(num)s autre point).",
                                            "Votre profil n'est pas encore complet : %(missing)s (et %(num)s autres points).",
                                            len(missing) - 3, missing=shown))
        raise DomainError(_l("Votre profil n'est pas encore complet : %(missing)s.", missing=shown))
    old = profile.status
    resubmission = profile.submitted_at is not None
    profile.status = ProfileStatus.SUBMITTED.value
    profile.submitted_at = now or utcnow()
    # The reason belonged to the previous decision ("information requested"); it is in the audit log.
    previous_reason, profile.status_reason = profile.status_reason, None
    session.flush()
    record(
        session, actor or profile.user, "profile.submitted", profile,
        details={"resubmission": resubmission, "previous_reason": previous_reason} if resubmission else {},
        ip_address=ip_address, at=now,
    )
    events.profile_submitted.send(session, profile=profile)
    events.profile_status_changed.send(session, profile=profile, old=old, new=profile.status)
    mail.send(
        session, to=profile.user.email, subject=_l("Votre profil a été soumis pour vérification"),
        template="profile_submitted", user_id=profile.user_id, profile=profile, resubmission=resubmission,
    )
    return profile


def status_explanation(profile: FreelancerProfile) -> str:
    """What the profile's status means for the freelancer, in French."""
    status = profile.status
    if status == ProfileStatus.DRAFT.value:
        if profile.submitted_at is not None:
            return _l("L'équipe de vérification vous demande des compléments : corrigez votre profil puis soumettez-le à nouveau.")
        return _l("Complétez votre profil puis soumettez-le à vérification pour pouvoir candidater aux missions.")
    return {
        ProfileStatus.SUBMITTED.value: _l("Votre profil est soumis : l'équipe va vérifier votre SIRET, vos justificatifs et contacter vos références."),
        ProfileStatus.IN_REVIEW.value: _l("Votre profil est en cours de vérification par l'équipe."),
        ProfileStatus.APPROVED.value: _l("Votre profil est vérifié : vous pouvez candidater aux missions qui vous correspondent."),
        ProfileStatus.REJECTED.value: _l("Votre profil n'a pas été retenu lors de la vérification."),
        ProfileStatus.SUSPENDED.value: _l("Votre profil est suspendu : vous ne pouvez plus candidater pour le moment."),
    }.get(status, "")
