"""Step 2: years of experience and the dated positions of the career."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.db import today as paris_today
from marketplace.errors import DomainError, raise_if_any
from marketplace.models.freelancers import ExperienceEntry, FreelancerProfile
from marketplace.models.users import User
from marketplace.services.profiles.rules import MAX_EXPERIENCES
from marketplace.services.profiles.steps import (
    Edit,
    StepResult,
    announce_changes,
    one_line,
    own,
)


def save_experience_years(
    session: Session, profile: FreelancerProfile, *, years_experience: int | None, freelance_years: int | None,
    actor: User | None = None,
) -> StepResult:
    """Years of experience in office management, of which as a freelancer."""
    edit = Edit(profile)
    years = years_experience if years_experience is not None else profile.years_experience
    if years_experience is not None:
        if not 0 <= years_experience <= 50:
            edit.fail(DomainError(_l("Indiquez un nombre d'années entre 0 et 50."), "years_experience"))
            years = profile.years_experience
        else:
            edit.set("years_experience", years_experience)
    if freelance_years is not None:
        if freelance_years < 0:
            edit.fail(DomainError(_l("Indiquez un nombre d'années positif."), "freelance_years"))
        elif freelance_years > years:
            edit.fail(DomainError(_l("Vos années en freelance ne peuvent pas dépasser vos années d'expérience."), "freelance_years"))
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
    """The position cleaned; every wrong field refused at once (InvalidInput)."""
    errors: list[DomainError] = []
    title, organisation = one_line(data.title, 160), one_line(data.organisation, 160)
    if not title:
        errors.append(DomainError(_l("Indiquez l'intitulé du poste."), "title"))
    if not organisation:
        errors.append(DomainError(_l("Indiquez l'entreprise ou l'organisation."), "organisation"))
    now = paris_today()
    if data.start_date is None:
        errors.append(DomainError(_l("Indiquez le mois de début."), "start_date"))
    elif data.start_date > now:
        errors.append(DomainError(_l("La date de début ne peut pas être dans le futur."), "start_date"))
    if data.end_date is not None:
        if data.start_date is not None and data.end_date < data.start_date:
            errors.append(DomainError(_l("La date de fin précède la date de début."), "end_date"))
        elif data.end_date > now:
            errors.append(DomainError(
                _l("La date de fin ne peut pas être dans le futur : laissez-la vide si le poste est en cours."), "end_date"))
    raise_if_any(errors)
    return ExperienceData(title, organisation, data.start_date, data.end_date, bool(data.is_freelance),
                          (data.description or "").strip()[:2000])


def add_experience(session: Session, profile: FreelancerProfile, data: ExperienceData, *, actor: User | None = None) -> ExperienceEntry:
    """Add one dated position to the freelancer's history."""
    if len(profile.experiences) >= MAX_EXPERIENCES:
        raise DomainError(_l("Vous pouvez indiquer %(MAX_EXPERIENCES)s postes au plus : gardez les plus significatifs.", MAX_EXPERIENCES=MAX_EXPERIENCES))
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
    own(profile, entry)
    clean = _checked_experience(data)
    for name in ("title", "organisation", "start_date", "end_date", "is_freelance", "description"):
        setattr(entry, name, getattr(clean, name))
    session.flush()
    announce_changes(session, profile, {"experiences"}, actor or profile.user)
    return entry


def delete_experience(session: Session, profile: FreelancerProfile, entry: ExperienceEntry, *, actor: User | None = None) -> None:
    """Remove one position of the history."""
    own(profile, entry)
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
