"""The freelancer's profile: editor steps, documents, references, completeness, submission.

Each step saves what is valid and reports what is not, field by field, so a
half-finished step is kept and the freelancer only fixes the flagged fields. Once a
profile has been submitted, every change is announced with ``events.profile_updated``
(the vetting re-checks what it reads, the matcher refreshes); documents announce
themselves with ``events.document_uploaded``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import bic as stdnum_bic
from stdnum.exceptions import ValidationError

from marketplace import events
from marketplace.db import today as paris_today
from marketplace.db import utcnow
from marketplace.domain import (
    LANGUAGES,
    SECTORS,
    SKILL_CODES,
    SUB_SKILLS,
    LegalForm,
    VatRegime,
    WorkMode,
    fold,
    normalize_tools,
)
from marketplace.errors import DomainError
from marketplace.geo import find_commune
from marketplace import legal
from marketplace.legal import MANDATE_VERSION
from marketplace.models.documents import DOCUMENT_KIND_LABELS, Document, DocumentKind
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile, ProfileStatus, Reference
from marketplace.models.users import User
from marketplace.services import documents as document_store
from marketplace.services import mail
from marketplace.services.audit import record
from marketplace.services.identifiers import validate_fr_vat, validate_iban, validate_siret

# --- the steps of the editor ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    endpoint: str


STEPS: tuple[Step, ...] = (
    Step("presentation", "Présentation", "freelancer.profile_presentation"),
    Step("experience", "Expérience", "freelancer.profile_experience"),
    Step("skills", "Compétences et outils", "freelancer.profile_skills"),
    Step("location", "Lieu, mode et tarif", "freelancer.profile_location"),
    Step("availability", "Disponibilités", "freelancer.profile_availability"),
    Step("business", "Entreprise et paiement", "freelancer.profile_business"),
    Step("mandate", "Mandat de facturation", "freelancer.profile_mandate"),
    Step("documents", "Justificatifs", "freelancer.profile_documents"),
    Step("references", "Références", "freelancer.profile_references"),
)
STEP_BY_CODE = {s.code: s for s in STEPS}

BIO_MIN_CHARS = 200
MIN_REFERENCES = 2
MAX_REFERENCES = 5
MAX_EXPERIENCES = 15
MAX_TOOLS = 30
DAILY_RATE_MIN_EUROS = 150
DAILY_RATE_MAX_EUROS = 2000
MAX_MOBILITY_KM = 200
EXPIRY_WARNING_DAYS = 30

# What the vetting reads: a change to any of these after submission re-runs its checks.
VETTED_FIELDS = frozenset(
    {
        "first_name", "last_name", "bio", "years_experience", "freelance_years", "experiences",
        "business_name", "legal_form", "siret", "vat_regime", "vat_number", "vat_debits_option",
        "iban", "bic", "billing_address_line", "billing_postal_code", "billing_city", "references",
    }
)

# The documents a profile must hold, in the order the page shows them.
PROFILE_DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.URSSAF_CERTIFICATE,
    DocumentKind.REGISTRATION_PROOF,
    DocumentKind.INSURANCE,
    DocumentKind.IDENTITY,
)


@dataclass
class StepResult:
    """What a step saved (attribute names) and what it refused (one error per field)."""

    changed: set[str] = field(default_factory=set)
    errors: list[DomainError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Edit:
    """Collects the changes and field errors of one step."""

    def __init__(self, profile: FreelancerProfile) -> None:
        self.profile = profile
        self.result = StepResult()

    def set(self, name: str, value: Any, target: Any = None) -> None:
        obj = self.profile if target is None else target
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            self.result.changed.add(name)

    def fail(self, exc: DomainError) -> None:
        self.result.errors.append(exc)


def _text(value: str | None, max_length: int) -> str:
    """A one-line text: inner whitespace collapsed, bounded."""
    return " ".join((value or "").split())[:max_length]


def announce_changes(
    session: Session, profile: FreelancerProfile, changed: Iterable[str], actor: User | None, ip_address: str | None = None
) -> None:
    """Audit changes to vetted data and tell subscribers once the profile was submitted."""
    changed = set(changed)
    if not changed:
        return
    vetted = changed & VETTED_FIELDS
    if vetted:
        record(session, actor, "profile.updated", profile, details={"fields": sorted(vetted)}, ip_address=ip_address)
    # A never-submitted draft is neither vetted nor matched: nobody needs to hear about it.
    if profile.status != ProfileStatus.DRAFT.value or profile.submitted_at is not None:
        events.profile_updated.send(session, profile=profile, fields=changed)


# --- small validators -------------------------------------------------------------------

_PHONE = re.compile(r"^(?:\+33|0033|0)[1-9]\d{8}$|^\+(?!33)\d{8,15}$")


def validate_phone(value: str, field: str = "phone") -> str | None:
    """A French or international phone number, compacted; blank gives None."""
    compact = re.sub(r"[\s.\-()]", "", value or "")
    if not compact:
        return None
    if not _PHONE.match(compact):
        raise DomainError("Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +33 6 12 34 56 78).", field)
    return compact


def _normalize_email(value: str, field: str) -> str:
    from marketplace.services.accounts import normalize_email

    return normalize_email(value, field)


# --- step 1: presentation -------------------------------------------------------------


def save_presentation(
    session: Session,
    profile: FreelancerProfile,
    *,
    first_name: str,
    last_name: str,
    phone: str | None,
    headline: str,
    bio: str,
    languages: Iterable[str],
    actor: User | None = None,
) -> StepResult:
    """Name, phone, headline, bio and working languages."""
    edit = _Edit(profile)
    user = profile.user
    for name, value, label in (("first_name", first_name, "prénom"), ("last_name", last_name, "nom")):
        cleaned = _text(value, 80)
        if cleaned:
            edit.set(name, cleaned, user)
        else:
            edit.fail(DomainError(f"Indiquez votre {label}.", name))
    try:
        edit.set("phone", validate_phone(phone or ""), user)
    except DomainError as exc:
        edit.fail(exc)
    edit.set("headline", _text(headline, 160))
    edit.set("bio", (bio or "").strip()[:5000])
    chosen = list(languages or [])
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown:
        edit.fail(DomainError("Choisissez les langues dans la liste proposée.", "languages"))
    else:
        edit.set("languages", [code for code in LANGUAGES if code in chosen])
    announce_changes(session, profile, edit.result.changed, actor or user)
    return edit.result


# --- step 2: experience ---------------------------------------------------------------


def save_experience_years(
    session: Session, profile: FreelancerProfile, *, years_experience: int | None, freelance_years: int | None,
    actor: User | None = None,
) -> StepResult:
    """Years of experience in office management, of which as a freelancer."""
    edit = _Edit(profile)
    years = years_experience if years_experience is not None else profile.years_experience
    if years_experience is not None:
        if not 0 <= years_experience <= 50:
            edit.fail(DomainError("Indiquez un nombre d'années entre 0 et 50.", "years_experience"))
            years = profile.years_experience
        else:
            edit.set("years_experience", years_experience)
    if freelance_years is not None:
        if freelance_years < 0:
            edit.fail(DomainError("Indiquez un nombre d'années positif.", "freelance_years"))
        elif freelance_years > years:
            edit.fail(DomainError("Vos années en freelance ne peuvent pas dépasser vos années d'expérience.", "freelance_years"))
        else:
            edit.set("freelance_years", freelance_years)
    announce_changes(session, profile, edit.result.changed, actor or profile.user)
    return edit.result


@dataclass
class ExperienceData:
    title: str
    organisation: str
    start_date: date | None
    end_date: date | None = None
    is_freelance: bool = False
    description: str = ""


def _checked_experience(data: ExperienceData) -> ExperienceData:
    title, organisation = _text(data.title, 160), _text(data.organisation, 160)
    if not title:
        raise DomainError("Indiquez l'intitulé du poste.", "title")
    if not organisation:
        raise DomainError("Indiquez l'entreprise ou l'organisation.", "organisation")
    if data.start_date is None:
        raise DomainError("Indiquez le mois de début.", "start_date")
    now = paris_today()
    if data.start_date > now:
        raise DomainError("La date de début ne peut pas être dans le futur.", "start_date")
    if data.end_date is not None:
        if data.end_date < data.start_date:
            raise DomainError("La date de fin précède la date de début.", "end_date")
        if data.end_date > now:
            raise DomainError("La date de fin ne peut pas être dans le futur : laissez-la vide si le poste est en cours.", "end_date")
    return ExperienceData(title, organisation, data.start_date, data.end_date, bool(data.is_freelance), (data.description or "").strip()[:2000])


def add_experience(session: Session, profile: FreelancerProfile, data: ExperienceData, *, actor: User | None = None) -> ExperienceEntry:
    """Add one dated position to the freelancer's history."""
    if len(profile.experiences) >= MAX_EXPERIENCES:
        raise DomainError(f"Vous pouvez indiquer {MAX_EXPERIENCES} postes au plus : gardez les plus significatifs.")
    clean = _checked_experience(data)
    entry = ExperienceEntry(
        title=clean.title, organisation=clean.organisation, start_date=clean.start_date, end_date=clean.end_date,
        is_freelance=clean.is_freelance, description=clean.description,
    )
    profile.experiences.append(entry)
    session.flush()
    announce_changes(session, profile, {"experiences"}, actor or profile.user)
    return entry


def update_experience(
    session: Session, profile: FreelancerProfile, entry: ExperienceEntry, data: ExperienceData, *, actor: User | None = None
) -> ExperienceEntry:
    """Correct one position of the history."""
    _own(profile, entry)
    clean = _checked_experience(data)
    for name in ("title", "organisation", "start_date", "end_date", "is_freelance", "description"):
        setattr(entry, name, getattr(clean, name))
    session.flush()
    announce_changes(session, profile, {"experiences"}, actor or profile.user)
    return entry


def delete_experience(session: Session, profile: FreelancerProfile, entry: ExperienceEntry, *, actor: User | None = None) -> None:
    """Remove one position of the history."""
    _own(profile, entry)
    profile.experiences.remove(entry)
    session.flush()
    announce_changes(session, profile, {"experiences"}, actor or profile.user)


def dated_years(profile: FreelancerProfile) -> float:
    """Years covered by the dated positions (overlaps counted once)."""
    now = paris_today()
    spans = sorted((e.start_date, e.end_date or now) for e in profile.experiences)
    total_days, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_end is not None:
                total_days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total_days += (current_end - current_start).days
    return round(total_days / 365.25, 1)


def _own(profile: FreelancerProfile, obj) -> None:
    # Views load through scoped(); this guards direct callers (jobs, CLI, tests).
    if getattr(obj, "profile_id", None) != profile.id:
        raise DomainError("Cet élément n'appartient pas à votre profil.")


# --- step 3: skills and tools ---------------------------------------------------------


def save_skills(
    session: Session,
    profile: FreelancerProfile,
    *,
    levels: dict[str, int | None],
    sub_skills: Iterable[str],
    tools: Iterable[str],
    actor: User | None = None,
) -> StepResult:
    """Level 0–5 per dimension, the sub-skills ticked, and the tools (normalised)."""
    edit = _Edit(profile)
    for code in SKILL_CODES:
        level = levels.get(code)
        if level is None:
            continue
        if not 0 <= level <= 5:
            edit.fail(DomainError("Choisissez un niveau entre 0 et 5.", f"level_{code}"))
        else:
            edit.set(f"skill_{code}", level)
    ticked = list(sub_skills or [])
    if any(code not in SUB_SKILLS for code in ticked):
        edit.fail(DomainError("Choisissez les compétences dans la liste proposée.", "sub_skills"))
    else:
        ordered = [code for dim in SUB_SKILLS.values() for code, _ in dim.sub_skills]
        edit.set("sub_skills", [code for code in dict.fromkeys(ordered) if code in ticked])
    cleaned = normalize_tools(t for t in tools or [] if t and t.strip())
    if any(len(t) > 40 for t in cleaned):
        edit.fail(DomainError("Le nom d'un outil ne peut pas dépasser 40 caractères.", "other_tools"))
    elif len(cleaned) > MAX_TOOLS:
        edit.fail(DomainError(f"Indiquez {MAX_TOOLS} outils au plus.", "other_tools"))
    else:
        edit.set("tools", cleaned)
    announce_changes(session, profile, edit.result.changed, actor or profile.user)
    return edit.result


def parse_tools(text: str) -> list[str]:
    """Tools typed as free text, separated by commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


# --- step 4: place, work mode, rate, sectors ------------------------------------------


def save_location(
    session: Session,
    profile: FreelancerProfile,
    *,
    city: str,
    mobility_km: int | None,
    work_mode: str | None,
    daily_rate_euros: int | None,
    client_sectors: Iterable[str],
    actor: User | None = None,
) -> StepResult:
    """City (from the bundled communes table), mobility, work mode, TJM and client sectors."""
    edit = _Edit(profile)
    if not (city or "").strip():
        for name, value in (("city", ""), ("latitude", None), ("longitude", None)):
            edit.set(name, value)
    else:
        commune = find_commune(city.strip())
        if commune is None:
            edit.fail(DomainError("Ville inconnue : choisissez une commune dans la liste proposée.", "city"))
        else:
            edit.set("city", commune.name)
            edit.set("latitude", commune.latitude)
            edit.set("longitude", commune.longitude)
    if mobility_km is not None:
        if not 0 <= mobility_km <= MAX_MOBILITY_KM:
            edit.fail(DomainError(f"Indiquez un rayon entre 0 et {MAX_MOBILITY_KM} km.", "mobility_km"))
        else:
            edit.set("mobility_km", mobility_km)
    if work_mode:
        if work_mode not in WorkMode.values():
            edit.fail(DomainError("Choisissez un mode de travail dans la liste.", "work_mode"))
        else:
            edit.set("work_mode", work_mode)
    if daily_rate_euros is None:
        edit.set("daily_rate_cents", None)
    elif not DAILY_RATE_MIN_EUROS <= daily_rate_euros <= DAILY_RATE_MAX_EUROS:
        edit.fail(DomainError(
            f"Le TJM doit être compris entre {DAILY_RATE_MIN_EUROS} € et {DAILY_RATE_MAX_EUROS:,} € HT.".replace(",", "\u00a0"),
            "daily_rate",
        ))
    else:
        edit.set("daily_rate_cents", daily_rate_euros * 100)
    sectors = list(client_sectors or [])
    if any(code not in SECTORS for code in sectors):
        edit.fail(DomainError("Choisissez les secteurs dans la liste proposée.", "client_sectors"))
    else:
        edit.set("client_sectors", [code for code in SECTORS if code in sectors])
    announce_changes(session, profile, edit.result.changed, actor or profile.user)
    return edit.result


# --- step 6: business identity --------------------------------------------------------


@dataclass
class BusinessData:
    business_name: str = ""
    legal_form: str | None = None
    siret: str = ""
    vat_regime: str | None = None
    vat_number: str = ""
    vat_debits_option: bool = False
    iban: str = ""
    bic: str = ""
    billing_address_line: str = ""
    billing_postal_code: str = ""
    billing_city: str = ""
    off_platform_turnover_euros: int | None = None


def save_business(
    session: Session, profile: FreelancerProfile, data: BusinessData, *, actor: User | None = None,
    ip_address: str | None = None,
) -> StepResult:
    """Legal form, SIRET, VAT regime and number (key checked against the SIREN), IBAN, billing address."""
    edit = _Edit(profile)
    previous_iban = profile.iban
    edit.set("business_name", _text(data.business_name, 200))

    if not data.legal_form:
        edit.set("legal_form", None)
    elif data.legal_form not in LegalForm.values():
        edit.fail(DomainError("Choisissez une forme juridique dans la liste.", "legal_form"))
    else:
        edit.set("legal_form", data.legal_form)

    siret = profile.siret
    if not (data.siret or "").strip():
        edit.set("siret", None)
        siret = None
    else:
        try:
            siret = validate_siret(data.siret)
            edit.set("siret", siret)
        except DomainError as exc:
            edit.fail(exc)

    regime = data.vat_regime or None
    if regime is not None and regime not in VatRegime.values():
        edit.fail(DomainError("Choisissez un régime de TVA.", "vat_regime"))
        regime = profile.vat_regime
    else:
        edit.set("vat_regime", regime)
    if regime == VatRegime.LIABLE.value:
        if not (data.vat_number or "").strip():
            edit.set("vat_number", None)
        else:
            try:
                edit.set("vat_number", validate_fr_vat(data.vat_number, siret[:9] if siret else None))
            except DomainError as exc:
                edit.fail(exc)
        edit.set("vat_debits_option", bool(data.vat_debits_option))
    else:
        # Under the franchise the invoices carry the art. 293 B mention and no VAT number.
        edit.set("vat_number", None)
        edit.set("vat_debits_option", False)

    if not (data.iban or "").strip():
        edit.set("iban", None)
    else:
        try:
            edit.set("iban", validate_iban(data.iban))
        except DomainError as exc:
            edit.fail(exc)
    bic = "".join((data.bic or "").split()).upper()
    if not bic:
        edit.set("bic", None)
    else:
        try:
            edit.set("bic", stdnum_bic.validate(bic))
        except ValidationError:
            edit.fail(DomainError("Ce BIC n'est pas valide (8 ou 11 caractères, ex. BNPAFRPP).", "bic"))

    edit.set("billing_address_line", _text(data.billing_address_line, 200))
    postal_code = "".join((data.billing_postal_code or "").split())
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        edit.fail(DomainError("Le code postal doit comporter 5 chiffres.", "billing_postal_code"))
    else:
        edit.set("billing_postal_code", postal_code)
    edit.set("billing_city", _text(data.billing_city, 120))
    if data.off_platform_turnover_euros is not None:
        if data.off_platform_turnover_euros < 0:
            edit.fail(DomainError("Indiquez un montant positif.", "off_platform_turnover"))
        else:
            edit.set("off_platform_turnover_cents", data.off_platform_turnover_euros * 100)

    user = actor or profile.user
    announce_changes(session, profile, edit.result.changed, user, ip_address)
    if "iban" in edit.result.changed and previous_iban:
        # Payouts follow the IBAN: a change is told to the account holder, whoever made it.
        mail.send(
            session, to=profile.user.email, subject="Vos coordonnées bancaires ont été modifiées",
            template="iban_changed", user_id=profile.user_id, profile=profile, changed_at=utcnow(),
        )
    return edit.result


# --- step 7: billing mandate ----------------------------------------------------------


def mandate_is_current(profile: FreelancerProfile) -> bool:
    return profile.mandate_accepted_at is not None and profile.mandate_version == MANDATE_VERSION


def accept_mandate(
    session: Session, profile: FreelancerProfile, *, actor: User | None = None, ip_address: str | None = None
) -> FreelancerProfile:
    """Record the acceptance of the current billing mandate: when, which version, from where."""
    if mandate_is_current(profile):
        return profile
    profile.mandate_accepted_at = utcnow()
    profile.mandate_version = MANDATE_VERSION
    profile.mandate_ip = ip_address
    record(
        session, actor or profile.user, "profile.mandate_accepted", profile,
        details={"version": MANDATE_VERSION}, ip_address=ip_address,
    )
    announce_changes(session, profile, {"mandate_version"}, actor or profile.user, ip_address)
    return profile


# --- step 8: documents ----------------------------------------------------------------


def current_documents(session: Session, profile: FreelancerProfile) -> dict[str, Document]:
    """The profile's live document of each kind (superseded uploads are kept aside)."""
    return document_store.live_for_profile(session, profile.id, PROFILE_DOCUMENT_KINDS)


def upload_document(
    session: Session,
    profile: FreelancerProfile,
    *,
    kind: str,
    stream: BinaryIO,
    filename: str,
    issued_on: date | None = None,
    expires_on: date | None = None,
    security_code: str | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
) -> Document:
    """Check the dates and code a document kind needs, then store it (sniffed, bounded, private)."""
    if kind not in {k.value for k in PROFILE_DOCUMENT_KINDS}:
        raise DomainError("Type de justificatif inconnu.", "kind")
    now = paris_today()
    if issued_on is not None and issued_on > now:
        raise DomainError("La date d'émission ne peut pas être dans le futur.", "issued_on")
    code = None
    if kind == DocumentKind.URSSAF_CERTIFICATE.value:
        if issued_on is None:
            raise DomainError("Indiquez la date d'émission de l'attestation.", "issued_on")
        expires_on = legal.urssaf_expiry(issued_on)
        if expires_on < now:
            raise DomainError(
                "Cette attestation a plus de 6 mois : téléchargez-en une récente sur votre espace URSSAF.", "issued_on"
            )
        code = "".join((security_code or "").split()).upper()
        if not code:
            raise DomainError("Indiquez le code de sécurité imprimé sur l'attestation.", "security_code")
        if not re.fullmatch(r"[A-Z0-9]{10,20}", code):
            raise DomainError("Le code de sécurité se compose de lettres et de chiffres (15 caractères en général).", "security_code")
    elif kind == DocumentKind.INSURANCE.value:
        if expires_on is None:
            raise DomainError("Indiquez la date de fin de validité de l'attestation d'assurance.", "expires_on")
    if expires_on is not None and expires_on <= now:
        raise DomainError("Ce document a déjà expiré : envoyez un document en cours de validité.", "expires_on")
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        raise DomainError("La date d'expiration précède la date d'émission.", "expires_on")
    document = document_store.store_upload(
        session, owner=profile.user, kind=kind, stream=stream, filename=filename, profile_id=profile.id,
        issued_on=issued_on, expires_on=expires_on, security_code=code,
    )
    record(
        session, actor or profile.user, "document.uploaded", document,
        details={"kind": kind, "profile_id": profile.id}, ip_address=ip_address,
    )
    return document


@dataclass(frozen=True)
class ExpiringDocument:
    document: Document
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        return DOCUMENT_KIND_LABELS[DocumentKind(self.document.kind)]


def expiring_documents(
    session: Session, profile: FreelancerProfile, within_days: int = EXPIRY_WARNING_DAYS, on: date | None = None
) -> list[ExpiringDocument]:
    """Live documents expired or expiring within ``within_days``, soonest first."""
    now = on or paris_today()
    soon = [
        ExpiringDocument(doc, (doc.expires_on - now).days)
        for doc in current_documents(session, profile).values()
        if doc.expires_on is not None and (doc.expires_on - now).days <= within_days
    ]
    return sorted(soon, key=lambda e: e.days_left)


# --- step 9: references ---------------------------------------------------------------


@dataclass
class ReferenceData:
    name: str
    company: str
    role: str
    email: str
    relationship_label: str
    phone: str = ""
    is_current_client: bool = False
    period: str = ""


def _checked_reference(profile: FreelancerProfile, data: ReferenceData, exclude: Reference | None = None) -> dict[str, Any]:
    values = {
        "name": _text(data.name, 160),
        "company": _text(data.company, 160),
        "role": _text(data.role, 160),
        "relationship_label": _text(data.relationship_label, 160),
        "period": _text(data.period, 80),
        "is_current_client": bool(data.is_current_client),
    }
    for name, message in (
        ("name", "Indiquez le nom de la personne."),
        ("company", "Indiquez son entreprise."),
        ("role", "Indiquez sa fonction."),
        ("relationship_label", "Indiquez votre relation de travail (ex. cliente actuelle, ancien manager)."),
    ):
        if not values[name]:
            raise DomainError(message, name)
    email = _normalize_email(data.email, "email")
    if email == profile.user.email.lower():
        raise DomainError("Une référence doit être une autre personne que vous : indiquez son adresse e-mail.", "email")
    if any(ref.email.lower() == email for ref in profile.references if ref is not exclude):
        raise DomainError("Vous avez déjà indiqué une référence avec cette adresse e-mail.", "email")
    values["email"] = email
    values["phone"] = validate_phone(data.phone or "")
    return values


def add_reference(session: Session, profile: FreelancerProfile, data: ReferenceData, *, actor: User | None = None) -> Reference:
    """Add a referee the vetting will contact."""
    if len(profile.references) >= MAX_REFERENCES:
        raise DomainError(f"Vous pouvez indiquer {MAX_REFERENCES} références au plus.")
    reference = Reference(**_checked_reference(profile, data))
    profile.references.append(reference)
    session.flush()
    announce_changes(session, profile, {"references"}, actor or profile.user)
    return reference


def update_reference(
    session: Session, profile: FreelancerProfile, reference: Reference, data: ReferenceData, *, actor: User | None = None
) -> Reference:
    """Correct a referee's details."""
    _own(profile, reference)
    values = _checked_reference(profile, data, exclude=reference)
    changed = False
    for name, value in values.items():
        if getattr(reference, name) != value:
            setattr(reference, name, value)
            changed = True
    session.flush()
    if changed:
        announce_changes(session, profile, {"references"}, actor or profile.user)
    return reference


def delete_reference(session: Session, profile: FreelancerProfile, reference: Reference, *, actor: User | None = None) -> None:
    """Remove a referee."""
    _own(profile, reference)
    profile.references.remove(reference)
    session.flush()
    announce_changes(session, profile, {"references"}, actor or profile.user)


# --- completeness and submission ------------------------------------------------------


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


def completeness(session: Session, profile: FreelancerProfile, on: date | None = None) -> Completeness:
    """What a profile holds and what it still lacks before it can be submitted."""
    now = on or paris_today()
    reqs: list[Requirement] = []

    def need(step: str, done: bool, label: str) -> None:
        reqs.append(Requirement(step, label, bool(done)))

    bio_length = len((profile.bio or "").strip())
    need("presentation", profile.headline.strip(), "Indiquez un titre de profil")
    need(
        "presentation", bio_length >= BIO_MIN_CHARS,
        f"Présentez votre parcours en au moins {BIO_MIN_CHARS} caractères"
        + (f" (actuellement {bio_length})" if bio_length else ""),
    )
    need("presentation", profile.languages, "Indiquez au moins une langue de travail")
    need("experience", profile.years_experience > 0, "Indiquez vos années d'expérience")
    need("experience", profile.experiences, "Ajoutez au moins un poste daté à votre parcours")
    need("skills", any(profile.skill(c) > 0 for c in SKILL_CODES), "Indiquez votre niveau dans les cinq dimensions")
    need("skills", profile.sub_skills, "Cochez les compétences que vous pratiquez")
    need("skills", profile.tools, "Indiquez au moins un outil que vous maîtrisez")
    need("location", profile.city and profile.latitude is not None, "Indiquez votre ville")
    need("location", profile.daily_rate_cents, "Indiquez votre taux journalier (TJM)")
    need("availability", profile.slots.half_days() >= 2, "Indiquez au moins une journée de disponibilité dans votre semaine type")
    need("business", profile.business_name.strip(), "Indiquez le nom sous lequel vous facturez")
    need("business", profile.legal_form, "Choisissez votre forme juridique")
    need("business", profile.siret, "Renseignez votre SIRET")
    need("business", profile.vat_regime, "Choisissez votre régime de TVA")
    if profile.vat_regime == VatRegime.LIABLE.value:
        need("business", profile.vat_number, "Renseignez votre numéro de TVA intracommunautaire")
        if profile.vat_number and profile.siret:
            need("business", profile.vat_number[4:] == profile.siret[:9], "Corrigez votre numéro de TVA : il ne correspond pas à votre SIRET")
    need("business", profile.iban, "Renseignez l'IBAN du compte qui recevra vos paiements")
    need(
        "business",
        profile.billing_address_line.strip() and profile.billing_postal_code and profile.billing_city.strip(),
        "Renseignez votre adresse de facturation",
    )
    if profile.mandate_accepted_at is not None and profile.mandate_version != MANDATE_VERSION:
        need("mandate", False, "Acceptez la nouvelle version du mandat de facturation")
    else:
        need("mandate", mandate_is_current(profile), "Acceptez le mandat de facturation")
    docs = current_documents(session, profile)
    for kind in PROFILE_DOCUMENT_KINDS:
        doc = docs.get(kind.value)
        label = DOCUMENT_KIND_LABELS[kind]
        if doc is None:
            need("documents", False, f"Déposez : {label[0].lower() + label[1:]}")
        elif doc.expires_on is not None and doc.expires_on <= now:
            need("documents", False, f"Remplacez votre document expiré : {label[0].lower() + label[1:]}")
        else:
            need("documents", True, label)
    count = len(profile.references)
    need(
        "references", count >= MIN_REFERENCES,
        f"Ajoutez au moins {MIN_REFERENCES} références de clients ou managers ({count}/{MIN_REFERENCES})",
    )
    return Completeness(tuple(reqs))


_SUBMIT_REFUSALS = {
    ProfileStatus.SUBMITTED.value: "Votre profil a déjà été soumis : il est en attente de vérification.",
    ProfileStatus.IN_REVIEW.value: "Votre profil est en cours de vérification.",
    ProfileStatus.APPROVED.value: "Votre profil est déjà vérifié.",
    ProfileStatus.REJECTED.value: "Votre profil n'a pas été retenu : contactez l'équipe si votre situation a changé.",
    ProfileStatus.SUSPENDED.value: "Votre profil est suspendu : contactez l'équipe pour le réactiver.",
}


def submit(
    session: Session, profile: FreelancerProfile, *, actor: User | None = None, ip_address: str | None = None
) -> FreelancerProfile:
    """Send a complete draft profile to vetting (status ``submitted``)."""
    if profile.status != ProfileStatus.DRAFT.value:
        raise DomainError(_SUBMIT_REFUSALS.get(profile.status, "Ce profil ne peut pas être soumis."))
    check = completeness(session, profile)
    if not check.is_complete:
        missing = check.missing
        more = f" (et {len(missing) - 3} autre(s) point(s))" if len(missing) > 3 else ""
        raise DomainError(
            "Votre profil n'est pas encore complet : " + " ; ".join(r.label.lower() for r in missing[:3]) + more + "."
        )
    old = profile.status
    resubmission = profile.submitted_at is not None
    profile.status = ProfileStatus.SUBMITTED.value
    profile.submitted_at = utcnow()
    # The reason belonged to the previous decision ("information requested"); it is in the audit log.
    previous_reason, profile.status_reason = profile.status_reason, None
    session.flush()
    record(
        session, actor or profile.user, "profile.submitted", profile,
        details={"resubmission": resubmission, "previous_reason": previous_reason} if resubmission else {},
        ip_address=ip_address,
    )
    events.profile_submitted.send(session, profile=profile)
    events.profile_status_changed.send(session, profile=profile, old=old, new=profile.status)
    mail.send(
        session, to=profile.user.email, subject="Votre profil a été soumis pour vérification",
        template="profile_submitted", user_id=profile.user_id, profile=profile, resubmission=resubmission,
    )
    return profile


def status_explanation(profile: FreelancerProfile) -> str:
    """What the profile's status means for the freelancer, in French."""
    status = profile.status
    if status == ProfileStatus.DRAFT.value:
        if profile.submitted_at is not None:
            return "L'équipe de vérification vous demande des compléments : corrigez votre profil puis soumettez-le à nouveau."
        return "Complétez votre profil puis soumettez-le à vérification pour pouvoir candidater aux missions."
    return {
        ProfileStatus.SUBMITTED.value: "Votre profil est soumis : l'équipe va vérifier votre SIRET, vos justificatifs et contacter vos références.",
        ProfileStatus.IN_REVIEW.value: "Votre profil est en cours de vérification par l'équipe.",
        ProfileStatus.APPROVED.value: "Votre profil est vérifié : vous pouvez candidater aux missions qui vous correspondent.",
        ProfileStatus.REJECTED.value: "Votre profil n'a pas été retenu lors de la vérification.",
        ProfileStatus.SUSPENDED.value: "Votre profil est suspendu : vous ne pouvez plus candidater pour le moment.",
    }.get(status, "")


def tool_suggestions(profile: FreelancerProfile) -> list[str]:
    """The free (non-catalogue) tools of a profile, as typed in the "other tools" field."""
    from marketplace.domain import TOOLS_CATALOGUE

    catalogue = {fold(t) for t in TOOLS_CATALOGUE}
    return [t for t in profile.tools or [] if fold(t) not in catalogue]
