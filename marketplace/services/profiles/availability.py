"""The freelancer's week: half days offered Monday–Friday, and those contracts hold.

``FreelancerProfile.available_slots`` is what the freelancer offers. A slot booked by an
active contract stays offered (it is taken, not withdrawn) and cannot be removed
while the contract runs; the matcher sees ``offered − booked`` as free.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.domain import HALF_LABELS, HALVES, WEEKDAYS, WeekSlots
from marketplace.errors import DomainError
from marketplace.formatting import days_fr
from marketplace.i18n import Later
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.services.contracts.bookings import booked_by, booked_slots
from marketplace.services.profiles.steps import StepResult, announce_changes


@dataclass(frozen=True)
class Slot:
    weekday: str
    half: str
    offered: bool
    booked_by: str | None  # the client's name when an active contract holds the slot

    @property
    def key(self) -> str:
        return f"{self.weekday}-{self.half}"

    @property
    def label(self) -> str:
        """« mardi matin » / « Tuesday morning », in the reader's language."""
        return f"{i18n.weekday(self.weekday)} {i18n.translate(HALF_LABELS[self.half])}"


@dataclass(frozen=True)
class Week:
    """The grid of one freelancer's week, with the figures derived from it."""

    offered: WeekSlots
    booked: WeekSlots
    rows: tuple[tuple[Slot, ...], ...]  # one row per half (morning, afternoon), five slots each

    @property
    def free(self) -> WeekSlots:
        return self.offered - self.booked

    @property
    def max_days_per_week(self) -> float:
        """The most days a week the freelancer can work, from the half days offered."""
        return self.offered.half_days() / 2

    @property
    def free_days_per_week(self) -> float:
        return self.free.half_days() / 2

    @property
    def summary(self) -> str:
        if not self.offered:
            return "Aucune disponibilité indiquée"
        text = f"Jusqu'à {days_fr(self.max_days_per_week)} par semaine"
        if self.booked:
            booked = self.booked.half_days() / 2
            text += f", dont {days_fr(booked)} déjà réservé" + ("s" if booked >= 2 else "")
            text += f" : {days_fr(self.free_days_per_week)} libre" + ("s" if self.free_days_per_week >= 2 else "")
        return text


def slot_key(weekday: str, half: str) -> str:
    return f"{weekday}-{half}"


def parse_slots(keys) -> WeekSlots:
    """``["tue-am", "tue-pm"]`` → WeekSlots; unknown keys are refused."""
    pairs = []
    for key in keys or []:
        weekday, _, half = str(key).partition("-")
        if weekday not in WEEKDAYS or half not in HALVES:
            raise DomainError(_l("Demi-journée inconnue."), "slots")
        pairs.append((weekday, half))
    return WeekSlots.from_pairs(pairs)


def week(session: Session, profile: FreelancerProfile) -> Week:
    """The freelancer's week: offered, booked (with the client) and free half days."""
    booked = booked_slots(session, [profile.id])[profile.id]
    names = booked_by(session, profile.id) if booked else {}
    offered = profile.slots | booked
    rows = tuple(
        tuple(
            Slot(day, half, offered.has(day, half), names.get((day, half)) if booked.has(day, half) else None)
            for day in WEEKDAYS
        )
        for half in HALVES
    )
    return Week(offered=offered, booked=booked, rows=rows)


def set_offered(
    session: Session, profile: FreelancerProfile, slots: WeekSlots, *, actor: User | None = None
) -> StepResult:
    """Replace the half days offered; those booked by an active contract cannot be removed."""
    booked = booked_slots(session, [profile.id])[profile.id]
    removed = booked - slots
    if removed:
        names = booked_by(session, profile.id)
        day, half = removed.pairs()[0]
        client = names.get((day, half)) or _l("un client")
        raise DomainError(
            _l("Le %(day)s %(half)s est réservé par votre contrat avec %(client)s : il ne peut pas être retiré de votre semaine tant que le contrat est en cours.",
               day=Later(i18n.weekday, day), half=Later(i18n.translate, HALF_LABELS[half]), client=client),
            "slots",
        )
    result = StepResult()
    if profile.available_slots != slots.bits:
        profile.available_slots = slots.bits
        result.changed.add("available_slots")
    announce_changes(session, profile, result.changed, actor or profile.user)
    return result
