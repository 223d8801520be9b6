"""Step 9: the referees the vetting will contact (two at least)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.errors import DomainError, raise_if_any
from marketplace.models.freelancers import FreelancerProfile, Reference
from marketplace.models.users import User
from marketplace.services.accounts.operations import normalize_email
from marketplace.services.profiles.rules import MAX_REFERENCES
from marketplace.services.profiles.steps import (
    announce_changes,
    one_line,
    own,
    validate_phone,
)


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
        "name": one_line(data.name, 160),
        "company": one_line(data.company, 160),
        "role": one_line(data.role, 160),
        "relationship_label": one_line(data.relationship_label, 160),
        "period": one_line(data.period, 80),
        "is_current_client": bool(data.is_current_client),
    }
    errors: list[DomainError] = []
    for name, message in (
        ("name", "Indiquez le nom de la personne."),
        ("company", "Indiquez son entreprise."),
        ("role", "Indiquez sa fonction."),
        ("relationship_label", "Indiquez votre relation de travail (ex. cliente actuelle, ancien manager)."),
    ):
        if not values[name]:
            errors.append(DomainError(message, name))
    try:
        email = normalize_email(data.email, "email")
    except DomainError as exc:
        errors.append(exc)
        email = None
    if email is not None and email == profile.user.email.lower():
        errors.append(DomainError(
            _l("Une référence doit être une autre personne que vous : indiquez son adresse e-mail."), "email"))
    elif email is not None and any(ref.email.lower() == email for ref in profile.references if ref is not exclude):
        errors.append(DomainError(_l("Vous avez déjà indiqué une référence avec cette adresse e-mail."), "email"))
    values["email"] = email
    try:
        values["phone"] = validate_phone(data.phone or "")
    except DomainError as exc:
        errors.append(exc)
    raise_if_any(errors)
    return values


def add_reference(session: Session, profile: FreelancerProfile, data: ReferenceData, *, actor: User | None = None) -> Reference:
    """Add a referee the vetting will contact."""
    if len(profile.references) >= MAX_REFERENCES:
        raise DomainError(_l("Vous pouvez indiquer %(MAX_REFERENCES)s références au plus.", MAX_REFERENCES=MAX_REFERENCES))
    reference = Reference(**_checked_reference(profile, data))
    profile.references.append(reference)
    session.flush()
    announce_changes(session, profile, {"references"}, actor or profile.user)
    return reference


def update_reference(
    session: Session, profile: FreelancerProfile, reference: Reference, data: ReferenceData, *, actor: User | None = None
) -> Reference:
    """Correct a referee's details."""
    own(profile, reference)
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
    own(profile, reference)
    profile.references.remove(reference)
    session.flush()
    announce_changes(session, profile, {"references"}, actor or profile.user)
