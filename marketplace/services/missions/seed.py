"""Demo missions, applications and decisions, made through the missions area's operations.

Each company's owner sizes a perimeter, completes and publishes a mission
(:mod:`.posting`); the freelancers the matcher ranks best apply (:mod:`.applications`);
owners shortlist, invite, accept and close (:mod:`.hiring`). pme@demo.test gets a
mission in every status, a scored pipeline and a team; om@demo.test has applied to the
two missions that fit best and is invited to a third. Missions are found again by their
title, so a rerun adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import today, utcnow
from marketplace.domain import TOOLS_CATALOGUE, WEEKDAYS
from marketplace.errors import DomainError
from marketplace.models.companies import Company
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.models.users import User
from marketplace.services.accounts.seed import (
    company_owner_email,
    rng_for,
    user_by_email,
)
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from marketplace.services.missions import applications, hiring, posting, queries, sizing
from marketplace.services.missions.rules import AWAITING_SME
from marketplace.services.profiles.seed import PROJECTS, om_contract_day

MISSION_TITLES = (
    "Office manager 2 jours/semaine",
    "Office manager à temps partagé — services généraux",
    "Office manager — intégration et vie d'équipe",
    "Office manager finance & achats",
    "Office manager pour déménagement et nouveaux locaux",
    "Office manager — structuration des process",
)
GENERAL_MISSIONS = 18
PUBLISHED = 15  # the others stay drafts
NOTES = (
    "Bonjour, votre mission correspond à ce que je fais depuis plusieurs années. Disponible pour en parler.",
    "Bonjour, j'ai structuré l'intégration et les achats de deux PME de votre taille. Je peux commencer à la date prévue.",
    "Votre périmètre ressemble beaucoup à celui de ma cliente actuelle : je serais ravie d'en parler.",
    "Disponible sur les jours demandés, avec l'habitude des équipes qui grandissent vite.",
)
# om@demo.test's Monday at Boréal Logiciels.
CONTRACT_CLIENT = "Boréal Logiciels"
CONTRACT_MISSION = "Office manager — services généraux (contrat en cours)"
# The missions of pme@demo.test, one per status.
SME_MISSIONS = {
    "published": "Office manager à temps partagé — le périmètre type",
    "draft": "Office manager pour notre déménagement",
    "closed": "Office manager — remplacement de congé",
    "filled": "Office manager — services généraux et achats",
}


@dataclass(frozen=True)
class Hire:
    """A mission posted, applied to and accepted, for one of the demo's contract cases."""

    company_index: int
    title: str
    codes: tuple[str, ...]
    weekdays: tuple[str, ...]
    half_days: int
    work_mode: str
    candidates: tuple[int, ...]  # demo freelancer numbers, the first eligible one applies
    accepted_days_ago: int


# The other contract cases (the contracts seed takes each to its stage): a contract om@demo.test
# must sign, one pme@demo.test must sign, one in notice, one under negotiation.
HIRES = {
    "om_to_sign": Hire(1, "Office manager à distance — achats et fournisseurs (mercredi)",
                       ("suppliers", "budget", "expenses"), ("wed",), 2, "remote", (0,), 6),
    "pme_to_sign": Hire(0, "Office manager — préparation du déménagement (vendredi)",
                        ("moves", "spaces", "safety_registers"), ("fri",), 2, "remote", (3, 4, 5, 6, 7, 8), 5),
    "notice": Hire(2, "Office manager — accueil et vie d'équipe", ("onboarding", "events", "internal_comms"),
                   ("mon", "tue"), 4, "remote", (4, 5, 6, 7, 8, 9), 150),
    "negotiating": Hire(3, "Office manager — structuration des process", ("documentation", "tools_stack"),
                        ("thu",), 2, "remote", (2, 6, 7, 8, 9, 5), 3),
    "running": Hire(4, "Office manager — achats et services généraux (mercredi, vendredi)",
                    ("suppliers", "budget", "spaces"), ("wed", "fri"), 4, "remote", (5, 6, 7, 8, 9, 10), 125),
}


OM_FREE_DAYS = {"wed", "fri"}


@dataclass
class DemoMissions:
    missions: list[Mission]
    # Accepted applications the contracts seed takes on, by case: « boreal » and « pme » are
    # om@demo.test's running contracts (Monday; Tuesday and Thursday), the others as HIRES says.
    hires: dict[str, Application]


def seed(session: Session, companies: list[Company], profiles: list[FreelancerProfile]) -> DemoMissions:
    """Missions of every company, the applications the matcher's best fits sent, the SME and freelancer journeys."""
    missions = [_general_mission(session, companies, index) for index in range(GENERAL_MISSIONS)]
    for mission in missions[:10]:
        _applications(session, mission)
    hires: dict[str, Application] = {}
    hires["boreal"] = _contract_mission(session, profiles[0])
    hires["pme"] = _sme_journey(session, companies[0], profiles[0])
    for case, hire in HIRES.items():
        hires[case] = _hire(session, companies, profiles, hire)
    _freelancer_journey(session, profiles[0], companies[0])
    session.flush()
    return DemoMissions(missions, {case: a for case, a in hires.items() if a is not None})


def _contract_mission(session: Session, om: FreelancerProfile) -> Application | None:
    """Boréal Logiciels hires om@demo.test one weekday a week: posted, applied to, accepted, filled."""
    if om.status != ProfileStatus.APPROVED.value:
        return None
    client = session.scalar(select(Company).where(Company.legal_name == CONTRACT_CLIENT))
    mission = find(session, client, CONTRACT_MISSION)
    if mission is None:
        owner = owner_of(session, client)
        mission = post(
            session, client, owner, CONTRACT_MISSION, ("suppliers", "spaces", "budget"), weekdays=[om_contract_day()],
            half_days=2, start_in_days=1, budget_cents=max(om.daily_rate_cents or 45_000, 45_000),
            description="Services généraux et achats, un jour par semaine, pour une équipe de 45 personnes.",
        )
        application = apply(session, om, mission,
                            "Bonjour, les services généraux et les achats sont mon quotidien depuis dix ans.")
        if application is None:
            return None
        hiring.accept(session, application, owner, now=utcnow() - timedelta(days=130))
        posting.mark_filled(session, mission, owner)
    return queries.accepted_application(session, mission.id)


def _hire(session: Session, companies: list[Company], profiles: list[FreelancerProfile], hire: Hire) -> Application | None:
    """Post the case's mission; its first eligible candidate applies and is accepted."""
    company = companies[hire.company_index]
    mission = find(session, company, hire.title)
    if mission is None:
        owner = owner_of(session, company)
        mission = post(session, company, owner, hire.title, hire.codes, weekdays=list(hire.weekdays),
                       half_days=hire.half_days, start_in_days=14, work_mode=hire.work_mode, budget_cents=55_000,
                       min_years=5, levels={})
        for number in hire.candidates:
            profile = profiles[number] if number < len(profiles) else None
            if profile is None or profile.status != ProfileStatus.APPROVED.value:
                continue
            application = apply(session, profile, mission, rng_for("hire", hire.title).choice(NOTES))
            if application is not None:
                hiring.accept(session, application, owner, now=utcnow() - timedelta(days=hire.accepted_days_ago))
                posting.mark_filled(session, mission, owner)
                break
    return queries.accepted_application(session, mission.id)


def owner_of(session: Session, company: Company) -> User:
    index = [c.id for c in session.scalars(select(Company).order_by(Company.id))].index(company.id)
    owner = user_by_email(session, company_owner_email(index))
    return owner if owner is not None and owner.company_id == company.id else company.members[0]


def find(session: Session, company: Company, title: str) -> Mission | None:
    return session.scalar(select(Mission).where(Mission.company_id == company.id, Mission.title == title))


def post(
    session: Session, company: Company, owner: User, title: str, codes: tuple[str, ...], *, weekdays: list[str],
    half_days: int, start_in_days: int, budget_cents: int = 48_000, work_mode: str = "hybrid",
    min_years: int = 7, tools: list[str] | None = None, non_compete: bool = False, description: str | None = None,
    levels: dict[str, int] | None = None, publish: bool = True,
) -> Mission:
    """A mission as an owner posts it: perimeter, then the form, then « Publier »."""
    lines = [sizing.catalogue_line(code, criticality=4 if n == 0 else 3) for n, code in enumerate(codes)]
    mission = posting.create_draft(session, company, owner, lines, signals=("director_ops", "onboarding_lost"))
    data = posting.data_from_mission(mission)
    data.title = title
    if description:
        data.description = description
    data.half_days_per_week = half_days
    data.flexible_weekdays = not weekdays
    data.weekdays = weekdays
    data.work_mode = work_mode
    data.start_date = today() + timedelta(days=start_in_days)
    data.max_daily_rate_cents = budget_cents
    data.min_years_experience = min_years
    data.tools = tools if tools is not None else ["Notion", "Slack", "PayFit"]
    data.non_compete = non_compete
    for code, level in (levels or {}).items():
        data.levels[code] = max(data.levels.get(code, 0), level)
    posting.update(session, mission, owner, data, today())
    if publish:
        posting.publish(session, mission, owner, today())
    return mission


def _general_mission(session: Session, companies: list[Company], index: int) -> Mission:
    rng = rng_for("mission", index)
    company = companies[index % len(companies)]
    title = MISSION_TITLES[index % len(MISSION_TITLES)]
    if index >= len(companies):
        title = f"{title} (2e mission)"
    existing = find(session, company, title)
    if existing is not None:
        return existing
    projects = rng.sample(PROJECTS, rng.randrange(2, 4))
    half_days = rng.choice((2, 3, 4, 4, 4, 6))
    days = -(-half_days // 2)
    weekdays = [WEEKDAYS[d] for d in sorted(rng.sample(range(5), days))] if rng.random() < 0.75 else []
    description = (
        f"{company.legal_name}, {company.headcount} personnes à {company.city}. "
        "Nous cherchons un office manager expérimenté pour " + ", ".join(p[3] for p in projects)
        + ". Vous serez l'interlocuteur des équipes et du dirigeant, avec une autonomie sur les dépenses courantes."
    )
    return post(
        session, company, owner_of(session, company), title, tuple(p[1] for p in projects), weekdays=weekdays,
        half_days=half_days, start_in_days=rng.randrange(10, 60), work_mode=rng.choice(("hybrid", "hybrid", "onsite", "remote")),
        budget_cents=rng.choice((420, 450, 480, 500, 550)) * 100, min_years=rng.choice((5, 7, 7, 8, 10)),
        tools=rng.sample(TOOLS_CATALOGUE, 2), non_compete=rng.random() < 0.3, description=description,
        levels={p[0]: rng.choice((3, 3, 4)) for p in projects}, publish=index < PUBLISHED,
    )


def offer(session: Session, profile: FreelancerProfile, mission: Mission) -> list[str]:
    """The weekdays an applicant offers: the mission's own, or as many free ones as it needs."""
    free = bookings.free_slots(profile, bookings.booked_slots(session, [profile.id])[profile.id]).full_days()
    return list(mission.weekdays) or free[: applications.required_days(mission)]


def apply(session: Session, profile: FreelancerProfile, mission: Mission, note: str, *, below_cents: int = 0):
    """Apply as the freelancer would (at their rate, or ``below_cents`` under it, within the budget); None when refused."""
    rate = min(profile.daily_rate_cents or mission.max_daily_rate_cents, mission.max_daily_rate_cents) - below_cents
    try:
        with session.begin_nested():
            return applications.apply(session, profile, mission, applications.ApplyData(
                note=note, proposed_rate_cents=rate, weekdays=offer(session, profile, mission)))
    except DomainError:
        return None  # not eligible after all (a weekday booked meanwhile…): the demo moves on


def _applications(session: Session, mission: Mission) -> None:
    if mission.status != MissionStatus.PUBLISHED.value or queries.application_counts(session, mission.id):
        return
    rng = rng_for("applications", mission.title, mission.company_id)
    ranked = [r.profile_id for r in matching.rank_freelancers(session, mission, 8)]
    owner = owner_of(session, mission.company)
    for position, profile_id in enumerate(rng.sample(ranked, min(3, len(ranked)))):
        application = apply(session, session.get(FreelancerProfile, profile_id), mission, rng.choice(NOTES))
        if application is not None and position == 0 and rng.random() < 0.5:
            hiring.shortlist(session, application, owner)


def _sme_journey(session: Session, company: Company, om: FreelancerProfile) -> Application | None:
    """Missions in every status, scored applications and decisions for pme@demo.test; the accepted om@demo.test."""
    owner = user_by_email(session, company_owner_email(0))
    member = user_by_email(session, "equipe@demo.test") or owner
    rng = rng_for("sme-journey", company.id)
    if find(session, company, SME_MISSIONS["published"]) is None:
        published = post(session, company, owner, SME_MISSIONS["published"], sizing.FIELD_EXAMPLE_TASKS,
                         weekdays=["tue", "thu"], half_days=4, start_in_days=21)
        ranked = [session.get(FreelancerProfile, r.profile_id) for r in matching.rank_freelancers(session, published, 7)
                  if r.profile_id != om.id]  # om@demo.test works for them already
        # The best match has not applied yet: the mission page recommends inviting her. The second
        # applicant proposes 10 € under their usual rate: the SME reads the match on that rate.
        applied = [a for a in (apply(session, p, published, rng.choice(NOTES), below_cents=1_000 * n)
                               for n, p in enumerate(ranked[1:3])) if a]
        if applied:
            hiring.shortlist(session, applied[0], owner)
        if len(ranked) > 3:
            hiring.invite(session, published, ranked[3], owner,
                          "Votre expérience des achats nous intéresse : seriez-vous disponible les mardis et jeudis ?")
        # Edited once published: a higher budget is a material change, so the applicants are
        # e-mailed what changed and the mission keeps its two versions.
        data = posting.data_from_mission(published)
        data.max_daily_rate_cents += 2_000
        posting.update(session, published, owner, data, today())
    if find(session, company, SME_MISSIONS["draft"]) is None:
        post(session, company, owner, SME_MISSIONS["draft"], ("moves", "spaces", "suppliers", "safety_registers"),
             weekdays=[], half_days=3, start_in_days=45, publish=False)
    if find(session, company, SME_MISSIONS["closed"]) is None:
        closed = post(session, company, owner, SME_MISSIONS["closed"], ("onboarding", "events"), weekdays=["mon"],
                      half_days=2, start_in_days=14)
        posting.close(session, closed, member, "hired_elsewhere", "Une collaboratrice reprend le poste en interne.")
    filled = find(session, company, SME_MISSIONS["filled"])
    if filled is None:
        # om@demo.test's Tuesday and Thursday: she applies with the best-ranked, and is chosen.
        filled = post(session, company, owner, SME_MISSIONS["filled"], ("suppliers", "budget", "expenses", "spaces"),
                      weekdays=["tue", "thu"], half_days=4, start_in_days=30)
        ranked = [session.get(FreelancerProfile, r.profile_id) for r in matching.rank_freelancers(session, filled, 3)
                  if r.profile_id != om.id]
        chosen = apply(session, om, filled, "Bonjour, les achats et les services généraux sont mon quotidien : "
                                            "je serais ravie de travailler avec vous les mardis et jeudis.")
        for profile in ranked[:1]:
            apply(session, profile, filled, rng.choice(NOTES))
        if chosen is not None:
            hiring.accept(session, chosen, owner, now=utcnow() - timedelta(days=100))
            posting.mark_filled(session, filled, owner)
    return queries.accepted_application(session, filled.id)


def _freelancer_journey(session: Session, om: FreelancerProfile, inviter: Company) -> None:
    """om@demo.test has applications (one shortlisted) to the missions that fit best, and an invitation."""
    if om.status != ProfileStatus.APPROVED.value:
        return
    mine = {a.mission_id: a for a in queries.freelancer_applications(session, om.id)}
    # Her Monday, Tuesday and Thursday are (about to be) booked: she looks at Wednesday, Friday or flexible days.
    published = [m for m in session.scalars(select(Mission).where(Mission.status == MissionStatus.PUBLISHED.value))
                 if set(m.weekdays or []) <= OM_FREE_DAYS]
    ranked = [r.mission_id for r in matching.rank_missions(session, om, missions=published)]
    waiting = [a for a in mine.values() if a.status in AWAITING_SME]
    for mission in [m for m in published if m.id in ranked[:4] and m.id not in mine][: max(0, 2 - len(waiting))]:
        application = apply(session, om, mission,
                            "Bonjour, j'ai mené des missions très proches en PME : je serais ravie d'en parler.")
        if application is not None:
            mine[mission.id] = application
            waiting.append(application)
    if waiting and not any(a.status == ApplicationStatus.SHORTLISTED.value for a in waiting):
        hiring.shortlist(session, waiting[-1], owner_of(session, waiting[-1].mission.company))
    if not any(a.source == "invited" for a in mine.values()):
        candidates = [m for m in published if m.company_id == inviter.id and m.id not in mine]
        candidates += [m for m in published if m.id in ranked and m.id not in mine]
        for mission in candidates:
            try:
                with session.begin_nested():
                    hiring.invite(session, mission, om, owner_of(session, mission.company),
                                  "Votre expérience nous intéresse : seriez-vous disponible pour en parler cette semaine ?")
                break
            except DomainError:
                continue
