"""Step 4: city (from the bundled communes table), mobility, work mode, TJM and client sectors."""

from __future__ import annotations

from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.domain import SECTORS, WorkMode
from marketplace.errors import DomainError
from marketplace.formatting import euros
from marketplace.geo import find_commune
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.services.profiles.rules import (
    DAILY_RATE_MAX_CENTS,
    DAILY_RATE_MIN_CENTS,
    MAX_MOBILITY_KM,
)
from marketplace.services.profiles.steps import Edit, StepResult, announce_changes


def save_location(
    session: Session,
    profile: FreelancerProfile,
    *,
    city: str,
    mobility_km: int | None,
    work_mode: str | None,
    daily_rate_cents: int | None,
    client_sectors: Iterable[str],
    actor: User | None = None,
) -> StepResult:
    """City (from the bundled communes table), mobility, work mode, TJM and client sectors."""
    edit = Edit(profile)
    if not (city or "").strip():
        for name, value in (("city", ""), ("latitude", None), ("longitude", None)):
            edit.set(name, value)
    else:
        commune = find_commune(city.strip())
        if commune is None:
            edit.fail(DomainError(_l("Ville inconnue : choisissez une commune dans la liste proposée."), "city"))
        else:
            edit.set("city", commune.name)
            edit.set("latitude", commune.latitude)
            edit.set("longitude", commune.longitude)
    if mobility_km is not None:
        if not 0 <= mobility_km <= MAX_MOBILITY_KM:
            edit.fail(DomainError(_l("Indiquez un rayon entre 0 et %(MAX_MOBILITY_KM)s km.", MAX_MOBILITY_KM=MAX_MOBILITY_KM), "mobility_km"))
        else:
            edit.set("mobility_km", mobility_km)
    if work_mode:
        if work_mode not in WorkMode.values():
            edit.fail(DomainError(_l("Choisissez un mode de travail dans la liste."), "work_mode"))
        else:
            edit.set("work_mode", work_mode)
    if daily_rate_cents is None:
        edit.set("daily_rate_cents", None)
    elif not DAILY_RATE_MIN_CENTS <= daily_rate_cents <= DAILY_RATE_MAX_CENTS:
        edit.fail(DomainError(
            _l("Le TJM doit être compris entre %(amount)s et %(amount2)s HT.", amount=euros(DAILY_RATE_MIN_CENTS), amount2=euros(DAILY_RATE_MAX_CENTS)),
            "daily_rate",
        ))
    else:
        edit.set("daily_rate_cents", daily_rate_cents)
    sectors = list(client_sectors or [])
    if any(code not in SECTORS for code in sectors):
        edit.fail(DomainError(_l("Choisissez les secteurs dans la liste proposée."), "client_sectors"))
    else:
        edit.set("client_sectors", [code for code in SECTORS if code in sectors])
    announce_changes(session, profile, edit.result.changed, actor or profile.user)
    return edit.result
