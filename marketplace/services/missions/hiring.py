"""The SME's decisions on applications: shortlist, invite, decline with a message, accept.

Each decision changes the application's status, is written to the audit log, sends
``events.application_status_changed(application=, old=, new=)`` and e-mails the
freelancer. Accepting records the decision and tells both sides; it books no weekday
(the signed contract does that, in a later step). Scores come only from the matching
facade (``marketplace.services.matching``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString, gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from marketplace import i18n
from marketplace.db import utcnow
from marketplace.errors import DomainError
from marketplace.formatting import PARIS, euros
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.models.users import CompanyRole, User
from marketplace.platform import events, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.contracts import bookings
from marketplace.services.matching import bands
from marketplace.services.matching import facade as matching
from marketplace.services.missions.rules import (
    AWAITING_SME,
    DIGEST_AFTER,
    DIGEST_TEMPLATE,
    MAX_MESSAGE_LENGTH,
    OPEN_STATUSES,
)


@dataclass(frozen=True)
class Applicant:
    """An application as the SME sees it: the live score and its reasons, or why it no longer fits."""

    application: Application
    result: matching.MatchResult | None
    ineligible: tuple[str, ...]
    frozen: bool

    @property
    def score(self) -> int | None:
        if self.frozen:
            return self.application.score
        return self.result.score if self.result else None

    @property
    def reasons(self) -> list[dict]:
        if self.frozen or self.result is None:
            return list(self.application.score_breakdown or [])
        return self.result.breakdown()

    @property
    def band(self) -> bands.Band | None:
        """The calibrated band shown instead of the score (the frozen one for decided applications)."""
        if not self.frozen and self.result is not None:
            return self.result.band
        return bands.band_for(bands.grade_from_score(self.score))

    def chart(self) -> list[bands.BreakdownRow]:
        """The reasons as rows of a small chart."""
        return bands.breakdown(self.reasons)


def applicant(session: Session, application: Application) -> Applicant:
    """Score an application now; decided ones keep the snapshot taken at the decision."""
    return _scored(session, application.mission, [application])[0]


def applicants(session: Session, mission: Mission) -> list[Applicant]:
    """Every application to ``mission``: open ones best first, then the decided ones."""
    rows = session.scalars(
        select(Application).where(Application.mission_id == mission.id)
        .options(selectinload(Application.freelancer).options(
            joinedload(FreelancerProfile.user), selectinload(FreelancerProfile.experiences)))
        .order_by(Application.created_at)
    ).all()
    return sorted(_scored(session, mission, rows), key=_display_rank)


def _scored(session: Session, mission: Mission, rows: list[Application]) -> list[Applicant]:
    """The applications of one mission scored together (one query for bookings, one pass of the matcher)."""
    open_rows = [a for a in rows if a.status in OPEN_STATUSES]
    booked = bookings.booked_slots(session, [a.freelancer_id for a in open_rows])
    reasons = {a.id: matching.eligibility(mission, a.freelancer, booked[a.freelancer_id]) for a in open_rows}
    # On the application's own terms (its proposed rate and weekdays), not the profile's.
    scores = matching.score_applications(session, mission, [a for a in open_rows if not reasons[a.id]])
    result = []
    for application in rows:
        if application.status not in OPEN_STATUSES:
            result.append(Applicant(application, None, (), True))
        elif reasons[application.id]:
            result.append(Applicant(application, None, tuple(reasons[application.id]), False))
        else:
            result.append(Applicant(application, scores[application.id], (), False))
    return result


def _display_rank(item: Applicant) -> tuple[int, int, int]:
    status = item.application.status
    if status == ApplicationStatus.ACCEPTED.value:
        group = 0
    elif status in AWAITING_SME:
        group = 2 if item.ineligible else 1
    elif status == ApplicationStatus.INVITED.value:
        group = 3
    else:  # declined, withdrawn, closed
        group = 4
    shortlisted = 0 if status == ApplicationStatus.SHORTLISTED.value else 1
    return group, shortlisted, -(item.score or 0)


def lock_mission(session: Session, mission_id: int) -> Mission:
    """The mission, locked until the end of the transaction (decisions on it are serialised)."""
    return session.execute(
        select(Mission).where(Mission.id == mission_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _require_published(mission: Mission) -> None:
    if mission.status != MissionStatus.PUBLISHED.value:
        raise DomainError(_l("La mission n'est pas publiée : elle ne reçoit plus de décisions sur les candidatures."))


def sme_recipients(mission: Mission, actor: User | None) -> list[User]:
    people = [u for u in mission.company.members if u.active and u.company_role == CompanyRole.OWNER.value]
    if actor is not None and actor.company_id == mission.company_id and actor.active:
        people.append(actor)
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.id, person)
    return list(unique.values())


def _change(
    session: Session, application: Application, actor: User | None, new: ApplicationStatus, action: str,
    *, message: str | None = None, now: datetime | None = None,
) -> str:
    old = application.status
    now = now or utcnow()
    application.status = new.value
    application.decided_at = now
    application.decided_by_id = actor.id if actor is not None else None
    if message is not None:
        application.sme_message = message
    session.flush()
    record(session, actor, f"application.{action}", application, reason=message, at=now, details={
        "mission_id": application.mission_id, "freelancer_id": application.freelancer_id, "old": old, "new": new.value,
    })
    events.application_status_changed.send(session, application=application, old=old, new=new.value, actor=actor, at=now)
    return old


def _mail_freelancer(session: Session, application: Application, template: str, subject: str, **context) -> None:
    user = application.freelancer.user
    mail.send(
        session, to=user.email, subject=subject, template=template, user_id=user.id,
        application=application, mission=application.mission, company=application.mission.company,
        freelancer=application.freelancer, dashboard_url=external_url("freelancer.dashboard"), **context,
    )


def shortlist(session: Session, application: Application, actor: User) -> Application:
    """Applied → shortlisted; the freelancer is told their application is being considered."""
    _require_published(application.mission)
    if application.status != ApplicationStatus.APPLIED.value:
        raise DomainError(_l("Seule une candidature reçue peut être présélectionnée."))
    _change(session, application, actor, ApplicationStatus.SHORTLISTED, "shortlisted")
    _mail_freelancer(session, application, "sme_application_shortlisted",
                     _l("Votre candidature est présélectionnée : %(title)s", title=application.mission.title))
    return application


def invite(session: Session, mission: Mission, profile: FreelancerProfile, actor: User, message: str = "") -> Application:
    """Invite a recommended freelancer to apply: an ``invited`` application, e-mailed to them."""
    _require_published(mission)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise DomainError(_l("2 000 caractères au plus."), "message")
    existing = session.scalar(
        select(Application).where(Application.mission_id == mission.id, Application.freelancer_id == profile.id)
    )
    if existing is not None:
        raise DomainError(_l("%(display_name)s a déjà candidaté ou été invité à cette mission.", display_name=profile.display_name))
    reasons = matching.eligibility(mission, profile, bookings.booked_slots(session, [profile.id])[profile.id])
    if reasons:
        raise DomainError("Ce profil ne peut pas prendre cette mission : " + " ; ".join(reasons) + ".")
    # Ids, not relationships: the row joins the mission's collection only once it exists.
    application = Application(
        mission_id=mission.id, freelancer_id=profile.id, source="invited", status=ApplicationStatus.INVITED.value,
        note="", offered_weekdays=[], sme_message=message or None,
        decided_at=utcnow(), decided_by_id=actor.id,
    )
    try:
        with session.begin_nested():  # the freelancer may have applied a moment ago
            session.add(application)
            session.flush()
    except IntegrityError as exc:
        raise DomainError(_l("%(display_name)s a déjà candidaté ou été invité à cette mission.", display_name=profile.display_name)) from exc
    matching.snapshot_application(session, application)
    record(session, actor, "application.invited", application, reason=message or None, details={
        "mission_id": mission.id, "freelancer_id": profile.id, "score": application.score,
    })
    events.application_status_changed.send(session, application=application, old=None, new=application.status)
    _mail_freelancer(session, application, "sme_application_invited",
                     _l("%(company)s vous invite à candidater : %(title)s", company=mission.company.legal_name,
                        title=mission.title),
                     message=message, rhythm=rhythm(mission))
    return application


def decline(session: Session, application: Application, actor: User | None, message: str) -> Application:
    """Decline an application (or withdraw an invitation) with a message to the freelancer."""
    message = (message or "").strip()
    if not message:
        raise DomainError(_l("Écrivez un mot au freelance : il le recevra par e-mail."), "message")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise DomainError(_l("2 000 caractères au plus."), "message")
    if application.status not in OPEN_STATUSES:
        raise DomainError(_l("Cette candidature a déjà reçu une réponse."))
    _change(session, application, actor, ApplicationStatus.DECLINED, "declined", message=message)
    _mail_freelancer(session, application, "sme_application_declined",
                     _l("Réponse à votre candidature : %(title)s", title=application.mission.title), message=message)
    return application


def accept(session: Session, application: Application, actor: User, now: datetime | None = None) -> Application:
    """Record the choice of this freelancer and tell both sides; the contract is drafted, nothing is booked yet.

    Decisions on one mission are serialised by a row lock on the mission, and a partial
    unique index keeps one accepted application per mission: of two SME members
    accepting at once, one wins and the other is told who was chosen.
    """
    mission = lock_mission(session, application.mission_id)
    session.refresh(application)  # the status as the winner of the lock left it
    _require_published(mission)
    if application.status == ApplicationStatus.INVITED.value:
        raise DomainError(_l("Ce freelance n'a pas encore répondu à votre invitation : attendez sa candidature."))
    taken = session.scalar(
        select(Application).where(
            Application.mission_id == mission.id, Application.status == ApplicationStatus.ACCEPTED.value
        )
    )
    if taken is not None:
        raise DomainError(_l("Vous avez déjà retenu %(display_name)s pour cette mission.", display_name=taken.freelancer.display_name))
    if application.status not in AWAITING_SME:
        raise DomainError(_l("Cette candidature a déjà reçu une réponse."))
    profile = application.freelancer
    reasons = matching.eligibility(mission, profile, bookings.booked_slots(session, [profile.id])[profile.id])
    if reasons:
        raise DomainError(f"{profile.display_name} ne peut plus prendre cette mission : " + " ; ".join(reasons) + ".")
    matching.snapshot_application(session, application)  # the score as it stood when chosen
    try:
        with session.begin_nested():
            _change(session, application, actor, ApplicationStatus.ACCEPTED, "accepted", now=now)
    except IntegrityError as exc:  # another transaction accepted someone a moment ago
        raise DomainError(_l("Un autre membre de votre équipe vient de retenir un freelance pour cette mission.")) from exc
    agreed = rhythm(mission, application.offered_weekdays)
    _mail_freelancer(session, application, "sme_application_accepted",
                     _l("%(company)s a retenu votre candidature : %(title)s", company=mission.company.legal_name,
                        title=mission.title), rhythm=agreed,
                     contracts_url=external_url("freelancer.contracts"))
    for person in sme_recipients(mission, actor):
        mail.send(
            session, to=person.email, subject=_l("Vous avez retenu %(name)s : %(title)s", name=profile.display_name, title=mission.title),
            template="sme_application_accepted_company", user_id=person.id, person=person, actor=actor,
            application=application, mission=mission, freelancer=profile, rhythm=agreed,
            mission_url=external_url("sme.mission", mission_id=mission.id),
            contracts_url=external_url("sme.contracts"),
        )
    return application


def close_open_applications(session: Session, mission: Mission, actor: User | None, message: str) -> int:
    """Tell every open application that ``mission`` closed or was filled.

    Their status becomes ``closed``, not ``declined``: the SME judged the mission, not
    these freelancers, and the matcher learns from declines.
    """
    rows = session.scalars(
        select(Application).where(Application.mission_id == mission.id, Application.status.in_(OPEN_STATUSES))
    ).all()
    for application in rows:
        _change(session, application, actor, ApplicationStatus.CLOSED, "closed", message=message)
        _mail_freelancer(session, application, "sme_application_closed",
                         _l("Mission close : %(title)s", title=mission.title), message=message)
    return len(rows)


def rhythm(mission: Mission, offered: list[str] | None = None) -> LazyString:
    """« 2 jours par semaine (mardi et jeudi), TJM jusqu'à 480 € », worded when shown (an e-mail: in its recipient's language)."""
    days = list(mission.weekdays or offered or [])
    half_days, budget = mission.half_days_per_week, mission.max_daily_rate_cents

    def text() -> str:
        return gettext(
            "%(volume)s par semaine (%(weekdays)s), TJM jusqu'à %(rate)s", volume=i18n.days(half_days / 2),
            weekdays=i18n.weekdays(days) if days else gettext("jours à convenir"), rate=euros(budget),
        )

    return LazyString(text)


# --- reminders --------------------------------------------------------------------

def _start_of_paris_day(now: datetime) -> datetime:
    local = now.astimezone(PARIS)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def send_waiting_digests(session: Session, now: datetime | None = None) -> int:
    """E-mail each SME owner the applications waiting for a decision for two days or more.

    One digest per owner and Paris day at most: a second run the same day sends nothing.
    """
    from marketplace.models.outbox import OutboundEmail

    now = now or utcnow()
    day_start = _start_of_paris_day(now)
    rows = session.execute(
        select(Mission, func.count(Application.id))
        .join(Application, Application.mission_id == Mission.id)
        .where(
            Mission.status == MissionStatus.PUBLISHED.value,
            Application.status.in_(AWAITING_SME),
            Application.updated_at <= now - DIGEST_AFTER,
        )
        .group_by(Mission.id)
        .order_by(Mission.company_id, Mission.id)
    ).all()
    by_company: dict[int, list[tuple[Mission, int]]] = {}
    for mission, count in rows:
        by_company.setdefault(mission.company_id, []).append((mission, count))
    sent = 0
    for items in by_company.values():
        company = items[0][0].company
        for owner in (u for u in company.members if u.active and u.company_role == CompanyRole.OWNER.value):
            already = session.scalar(
                select(OutboundEmail.id).where(
                    OutboundEmail.template == DIGEST_TEMPLATE, OutboundEmail.user_id == owner.id,
                    OutboundEmail.created_at >= day_start,
                )
            )
            if already is not None:
                continue
            total = sum(count for _, count in items)
            mail.send(
                session, to=owner.email, template=DIGEST_TEMPLATE, user_id=owner.id,
                subject=lazy_ngettext("%(num)s candidature en attente de votre réponse",
                                      "%(num)s candidatures en attente de votre réponse", total),
                person=owner, company=company, total=total,
                items=[(m, c, external_url("sme.mission_applications", mission_id=m.id)) for m, c in items],
            )
            sent += 1
    return sent
