"""The editor's steps, what a step saved or refused, and how changes are announced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.errors import DomainError
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.users import User
from marketplace.platform import events
from marketplace.platform.audit import record
from marketplace.platform.identifiers import normalize_phone
from marketplace.services.profiles.rules import VETTED_FIELDS


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    endpoint: str


STEPS: tuple[Step, ...] = (
    Step("presentation", _l("Présentation"), "freelancer.profile_presentation"),
    Step("experience", _l("Expérience"), "freelancer.profile_experience"),
    Step("skills", _l("Compétences et outils"), "freelancer.profile_skills"),
    Step("location", _l("Lieu, mode et tarif"), "freelancer.profile_location"),
    Step("availability", _l("Disponibilités"), "freelancer.profile_availability"),
    Step("business", _l("Entreprise et paiement"), "freelancer.profile_business"),
    Step("mandate", _l("Mandat de facturation"), "freelancer.profile_mandate"),
    Step("documents", _l("Justificatifs"), "freelancer.profile_documents"),
    Step("references", _l("Références"), "freelancer.profile_references"),
)
STEP_BY_CODE = {s.code: s for s in STEPS}

@dataclass
class StepResult:
    """What a step saved (attribute names) and what it refused (one error per field)."""

    changed: set[str] = field(default_factory=set)
    errors: list[DomainError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Edit:
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


def one_line(value: str | None, max_length: int) -> str:
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

def validate_phone(value: str, field: str = "phone") -> str | None:
    """A French or international phone number in E.164 (the platform's one rule); blank gives None."""
    return normalize_phone(value, field)


def own(profile: FreelancerProfile, obj) -> None:
    """Refuse an entry that belongs to another profile (views load through scoped(); jobs, CLI and tests call directly)."""
    if getattr(obj, "profile_id", None) != profile.id:
        raise DomainError(_l("Cet élément n'appartient pas à votre profil."))
