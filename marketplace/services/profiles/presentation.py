"""Step 1: name, phone, headline, bio and working languages."""

from __future__ import annotations

from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.domain import LANGUAGES
from marketplace.errors import DomainError
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.services.profiles.steps import (
    Edit,
    StepResult,
    announce_changes,
    one_line,
    validate_phone,
)


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
    edit = Edit(profile)
    user = profile.user
    for name, value, label in (("first_name", first_name, "prénom"), ("last_name", last_name, "nom")):
        cleaned = one_line(value, 80)
        if cleaned:
            edit.set(name, cleaned, user)
        else:
            edit.fail(DomainError(_l("Indiquez votre %(label)s.", label=label), name))
    try:
        edit.set("phone", validate_phone(phone or ""), user)
    except DomainError as exc:
        edit.fail(exc)
    edit.set("headline", one_line(headline, 160))
    edit.set("bio", (bio or "").strip()[:5000])
    chosen = list(languages or [])
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown:
        edit.fail(DomainError(_l("Choisissez les langues dans la liste proposée."), "languages"))
    else:
        edit.set("languages", [code for code in LANGUAGES if code in chosen])
    announce_changes(session, profile, edit.result.changed, actor or user)
    return edit.result
