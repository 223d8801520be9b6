"""The freelancer's side of an application: apply (or answer an invitation), withdraw.

Only approved freelancers, not suspended from matching, may apply. The weekdays
offered must be free in their week and fit the mission: its named weekdays exactly,
or as many weekdays as its volume needs when the mission is flexible. Every status
change is announced with ``events.application_status_changed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.domain import WEEKDAY_LABELS, WEEKDAYS, weekdays_needed
from marketplace.errors import DomainError, NotFound, raise_if_any
from marketplace.formatting import euros
from marketplace.i18n import Later
from marketplace.matching.constraints import (
    RATE_TOLERANCE_PERCENT,
    rate_within_tolerance,
)
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.models.users import User
from marketplace.platform import events
from marketplace.platform.audit import record
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from marketplace.services.missions.rules import (
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    REAPPLICABLE,
    WITHDRAWABLE,
)


def why_cannot_apply(profile: FreelancerProfile) -> str | None:
    """Why this freelancer may not apply at all (French), or None when they may."""
    status = profile.status
    if status == ProfileStatus.APPROVED.value:
        if profile.matching_suspended_reason:
            return (
                f"Vos candidatures sont suspendues : {profile.matching_suspended_reason}. "
                "Mettez à jour vos justificatifs pour les rétablir."
            )
        return None
    if status == ProfileStatus.DRAFT.value:
        if profile.submitted_at is not None:
            return (
                "L'équipe de vérification attend des compléments sur votre profil : corrigez-le et soumettez-le "
                "à nouveau. Vous pourrez candidater une fois votre profil vérifié."
            )
        return "Seuls les profils vérifiés peuvent candidater : complétez votre profil et soumettez-le à vérification."
    if status in (ProfileStatus.SUBMITTED.value, ProfileStatus.IN_REVIEW.value):
        return "Votre profil est en cours de vérification : vous pourrez candidater dès qu'il sera validé."
    if status == ProfileStatus.REJECTED.value:
        return "Votre profil n'a pas été retenu lors de la vérification : vous ne pouvez pas candidater."
    return "Votre profil est suspendu : vous ne pouvez pas candidater pour le moment."


def visible_mission(session: Session, profile: FreelancerProfile, mission_id: int) -> Mission:
    """A mission this freelancer may read: published, or filled when they applied to it."""
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise NotFound()
    if mission.status == MissionStatus.PUBLISHED.value:
        return mission
    if mission.status == MissionStatus.FILLED.value and application_for(session, profile, mission) is not None:
        return mission
    raise NotFound()


def application_for(session: Session, profile: FreelancerProfile, mission: Mission) -> Application | None:
    return session.scalar(
        select(Application).where(Application.mission_id == mission.id, Application.freelancer_id == profile.id)
    )


def days_with_article(codes: Iterable[str]) -> str:
    """``["tue", "thu"]`` → ``le mardi et le jeudi``."""
    labels = [f"le {WEEKDAY_LABELS[d]}" for d in WEEKDAYS if d in set(codes)]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]


def required_days(mission: Mission) -> int:
    """How many weekdays an application must offer (1.5 days a week takes two weekdays)."""
    return len(mission.weekdays) if mission.weekdays else weekdays_needed(mission.half_days_per_week)


def default_weekdays(session: Session, profile: FreelancerProfile, mission: Mission) -> list[str]:
    """The weekdays to pre-select: the mission's that are free, or the first free ones."""
    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    free = bookings.free_slots(profile, booked).full_days()
    if mission.weekdays:
        return [d for d in WEEKDAYS if d in mission.weekdays and d in free]
    return free[: required_days(mission)]


def unavailable_mission_days(session: Session, profile: FreelancerProfile, mission: Mission) -> dict[str, str]:
    """The mission's named weekdays this freelancer cannot offer: weekday → "booked" or "not_offered"."""
    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    blocked = {}
    for day in mission.weekdays or []:
        if booked.has(day, "am") or booked.has(day, "pm"):
            blocked[day] = "booked"
        elif not (profile.slots.has(day, "am") and profile.slots.has(day, "pm")):
            blocked[day] = "not_offered"
    return blocked


def check_weekdays(session: Session, profile: FreelancerProfile, mission: Mission, weekdays: Iterable[str]) -> list[str]:
    """The offered weekdays in week order, if they fit the mission and the freelancer's week."""
    chosen = set(weekdays or [])
    if chosen - set(WEEKDAYS):
        raise DomainError(_l("Choisissez des jours du lundi au vendredi."), "weekdays")
    days = [d for d in WEEKDAYS if d in chosen]
    if mission.weekdays:
        if set(days) != set(mission.weekdays):
            raise DomainError(
                _l("Cette mission se déroule %(days)s : proposez exactement ces jours.",
                   days=Later(i18n.weekdays_with_article, mission.weekdays)), "weekdays"
            )
    else:
        needed = required_days(mission)
        if len(days) != needed:
            raise DomainError(
                lazy_ngettext("Cette mission demande %(days)s par semaine : proposez %(num)s jour (vous en proposez %(count)s).",
                              "Cette mission demande %(days)s par semaine : proposez %(num)s jours (vous en proposez %(count)s).",
                              needed, days=Later(i18n.days, mission.days_per_week), count=len(days)),
                "weekdays",
            )
    booked = bookings.booked_slots(session, [profile.id])[profile.id]
    holders = bookings.booked_by(session, profile.id) if booked else {}
    for day in days:
        for half in ("am", "pm"):
            if booked.has(day, half):
                raise DomainError(
                    _l("Le %(day)s est déjà réservé par votre contrat avec %(client)s : il ne peut pas être proposé une seconde fois.",
                       day=Later(i18n.weekday, day), client=holders.get((day, half)) or _l("un client")),
                    "weekdays",
                )
        if not (profile.slots.has(day, "am") and profile.slots.has(day, "pm")):
            raise DomainError(
                _l("Vous n'avez pas indiqué le %(day)s en journée entière dans vos disponibilités : ajoutez-le d'abord à votre semaine type.",
                   day=Later(i18n.weekday, day)),
                "weekdays",
            )
    return days


def _check_rate(mission: Mission, rate_cents: int | None) -> int:
    if rate_cents is None or rate_cents <= 0:
        raise DomainError(_l("Indiquez le TJM que vous proposez."), "proposed_rate")
    # The matcher's own tolerance, so an application is never refused by a rule it does not apply.
    ceiling = mission.max_daily_rate_cents * (100 + RATE_TOLERANCE_PERCENT) // 100
    if not rate_within_tolerance(rate_cents, mission.max_daily_rate_cents):
        raise DomainError(
            _l("Ce TJM dépasse de plus de %(RATE_TOLERANCE_PERCENT)s %% le budget de la mission (%(amount)s par jour) : proposez au plus %(amount2)s.", RATE_TOLERANCE_PERCENT=RATE_TOLERANCE_PERCENT, amount=euros(mission.max_daily_rate_cents), amount2=euros(ceiling)),
            "proposed_rate",
        )
    return rate_cents


def _set_status(session: Session, application: Application, new: str) -> None:
    old = application.status if application.id is not None else None
    application.status = new
    session.flush()
    events.application_status_changed.send(session, application=application, old=old, new=new)


@dataclass
class ApplyData:
    note: str
    proposed_rate_cents: int | None
    weekdays: list[str]


def apply(
    session: Session,
    profile: FreelancerProfile,
    mission: Mission,
    data: ApplyData,
    *,
    actor: User | None = None,
    ip_address: str | None = None,
) -> Application:
    """Apply to a published mission, or answer the SME's invitation to it."""
    refusal = why_cannot_apply(profile)
    if refusal:
        raise DomainError(refusal)
    if mission.status != MissionStatus.PUBLISHED.value:
        raise DomainError(_l("Cette mission n'accepte plus de candidatures."))
    existing = application_for(session, profile, mission)
    if existing is not None and existing.status not in REAPPLICABLE:
        raise DomainError(_l("Vous avez déjà candidaté à cette mission (statut : %(status)s).",
                             status=Later(i18n.label_lower, existing.status_label)))
    errors: list[DomainError] = []
    note = (data.note or "").strip()
    if len(note) < NOTE_MIN_CHARS:
        errors.append(DomainError(
            _l("Présentez en quelques lignes ce que vous apporteriez à cette mission (%(NOTE_MIN_CHARS)s caractères au moins).", NOTE_MIN_CHARS=NOTE_MIN_CHARS),
            "note",
        ))
    elif len(note) > NOTE_MAX_CHARS:
        errors.append(DomainError(_l("Votre message ne peut pas dépasser %(NOTE_MAX_CHARS)s caractères.", NOTE_MAX_CHARS=NOTE_MAX_CHARS), "note"))
    # Every field is judged in one pass, so the freelancer sees each problem at once.
    rate = days = None
    try:
        rate = _check_rate(mission, data.proposed_rate_cents)
    except DomainError as exc:
        errors.extend(exc.errors)
    try:
        days = check_weekdays(session, profile, mission, data.weekdays)
    except DomainError as exc:
        errors.extend(exc.errors)
    raise_if_any(errors)

    answering_invitation = existing is not None and existing.status == ApplicationStatus.INVITED.value
    # By ids: a relationship assignment would put it in mission.applications before it is in the session.
    application = existing or Application(mission_id=mission.id, freelancer_id=profile.id, source="applied")
    application.note = note
    application.proposed_rate_cents = rate
    application.offered_weekdays = days
    if existing is None:
        application.status = ApplicationStatus.APPLIED.value
        try:
            with session.begin_nested():
                session.add(application)
                session.flush()
        except IntegrityError as exc:  # a double submission raced us to the unique constraint
            raise DomainError(_l("Vous avez déjà candidaté à cette mission.")) from exc
        events.application_status_changed.send(session, application=application, old=None, new=application.status)
    else:
        _set_status(session, application, ApplicationStatus.APPLIED.value)
    matching.snapshot_application(session, application)
    record(
        session, actor or profile.user,
        "application.invitation_accepted" if answering_invitation else "application.submitted",
        application, details={"mission_id": mission.id, "weekdays": days, "rate_cents": rate}, ip_address=ip_address,
    )
    return application


def withdraw(
    session: Session, profile: FreelancerProfile, application: Application, *, actor: User | None = None,
    ip_address: str | None = None,
) -> Application:
    """Withdraw a pending application, or decline an invitation."""
    if application.freelancer_id != profile.id:
        raise NotFound()
    if application.status == ApplicationStatus.INVITED.value:
        action = "application.invitation_declined"
    elif application.status in WITHDRAWABLE:
        action = "application.withdrawn"
    else:
        raise DomainError(
            _l("Cette candidature ne peut plus être retirée (statut : %(status)s).",
               status=Later(i18n.label_lower, application.status_label))
        )
    _set_status(session, application, ApplicationStatus.WITHDRAWN.value)
    record(session, actor or profile.user, action, application, details={"mission_id": application.mission_id}, ip_address=ip_address)
    return application
