"""Matching, as the rest of the application sees it: one facade over the matcher.

Pages, the API and jobs call only the functions of this module:

* :func:`eligibility` — the French reasons a freelancer cannot take a mission ([] = eligible);
* :func:`score_pair` — one pair's score (0–100) and explained breakdown, or None;
* :func:`rank_freelancers` — the best eligible freelancers for a mission;
* :func:`rank_missions` — the published missions that fit a freelancer;
* :func:`snapshot_application` — freeze an application's score and breakdown.

The hard constraints are those of DESIGN.md (vetted, enough free days, named weekdays
free, within reach for on-site/hybrid work, no non-compete conflict, rate at most
20 % above budget). Scores and explanations are in :class:`MatchResult`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.domain import (
    SKILL_LABELS,
    SUB_SKILL_LABELS,
    WeekSlots,
    WorkMode,
    fold,
)
from marketplace.formatting import euros, weekdays_fr
from marketplace.geo import great_circle_km
from marketplace.models.contracts import ContractBooking
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.missions import Application, Mission, MissionStatus

RATE_TOLERANCE_PERCENT = 20

# What a mission text may ask for and a bio may show, by sub-skill code. Folded stems.
NEED_KEYWORDS: dict[str, tuple[str, ...]] = {
    "moves": ("demenag", "emmenag", "transfert des locaux", "nouveaux locaux", "changement de bureau", "relocalis"),
    "onboarding": ("onboarding", "integration des nouveaux", "parcours d'integration", "accueil des nouveaux", "arrivee"),
    "offboarding": ("offboarding", "depart", "sortie"),
    "expenses": ("note de frais", "notes de frais", "frais professionnels"),
    "suppliers": ("fournisseur", "achat", "prestataire", "appel d'offre"),
    "budget": ("budget",),
    "cost_optimisation": ("optimis", "reduction des couts", "economie"),
    "payroll_prep": ("paie", "variables de paie", "pre-paie"),
    "events": ("evenement", "seminaire", "afterwork", "team building"),
    "engagement": ("qualite de vie", "qvt", "qvct", "engagement", "bien-etre"),
    "culture": ("culture", "valeurs"),
    "flex_office": ("flex office", "flex-office", "bureaux partages"),
    "spaces": ("amenagement", "espaces de travail", "locaux"),
    "safety_registers": ("registre", "securite", "duerp", "conformite"),
    "documentation": ("procedure", "documentation", "documenter"),
    "process_mapping": ("processus", "process"),
    "tools_stack": ("outil", "saas", "abonnement", "logiciel"),
    "coordination": ("coordination", "coordonner"),
    "internal_comms": ("communication interne", "newsletter", "intranet"),
    "rituals": ("rituel", "reunion d'equipe", "all hands"),
    "crisis": ("crise", "continuite"),
}


@dataclass(frozen=True)
class Reason:
    """One line of a score's breakdown, in French."""

    kind: str
    label: str
    positive: bool
    points: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "positive": self.positive, "points": round(self.points, 1)}


@dataclass(frozen=True)
class MatchResult:
    """An eligible pair's score (0–100) with the reasons behind it."""

    mission_id: int
    profile_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def positives(self) -> list[Reason]:
        return [r for r in self.reasons if r.positive]

    @property
    def negatives(self) -> list[Reason]:
        return [r for r in self.reasons if not r.positive]

    def breakdown(self) -> list[dict[str, Any]]:
        """The reasons as JSON-ready dicts (stored on applications)."""
        return [r.to_dict() for r in self.reasons]


def booked_slots(session: Session, profile_ids: Iterable[int]) -> dict[int, WeekSlots]:
    """Half-day slots held by active contracts, per freelancer."""
    ids = list(profile_ids)
    result: dict[int, WeekSlots] = {pid: WeekSlots() for pid in ids}
    if not ids:
        return result
    rows = session.execute(
        select(ContractBooking.freelancer_id, ContractBooking.weekday, ContractBooking.half).where(
            ContractBooking.active.is_(True), ContractBooking.freelancer_id.in_(ids)
        )
    )
    for profile_id, weekday, half in rows:
        result[profile_id] = result[profile_id] | WeekSlots.from_pairs([(weekday, half)])
    return result


def free_slots(profile: FreelancerProfile, booked: WeekSlots) -> WeekSlots:
    """What the freelancer offers and no active contract holds."""
    return profile.slots - booked


def needed_days(mission: Mission) -> int:
    return math.ceil(mission.half_days_per_week / 2)


def eligibility(mission: Mission, profile: FreelancerProfile, booked: WeekSlots) -> list[str]:
    """The French reasons ``profile`` cannot take ``mission``; empty when eligible."""
    reasons: list[str] = []
    if profile.status != ProfileStatus.APPROVED.value:
        reasons.append("Profil non vérifié")
    elif profile.matching_suspended_reason:
        reasons.append(f"Profil suspendu du rapprochement : {profile.matching_suspended_reason}")
    free = free_slots(profile, booked)
    if free.half_days() < mission.half_days_per_week:
        reasons.append("Pas assez de jours libres dans la semaine")
    free_days = free.full_days()
    if mission.weekdays:
        missing = [d for d in mission.weekdays if d not in free_days]
        if missing:
            reasons.append(f"Pas libre le {weekdays_fr(missing)}")
    elif len(free_days) < needed_days(mission):
        reasons.append("Pas assez de jours entiers libres")
    if mission.work_mode in (WorkMode.ONSITE.value, WorkMode.HYBRID.value):
        if profile.work_mode == WorkMode.REMOTE.value:
            reasons.append("Ne travaille qu'à distance")
        elif None in (profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude):
            reasons.append("Localisation inconnue")
        else:
            distance = great_circle_km(profile.latitude, profile.longitude, mission.site_latitude, mission.site_longitude)
            if distance > profile.mobility_km:
                reasons.append(f"Site à {distance:.0f} km pour une mobilité de {profile.mobility_km} km")
    if mission.non_compete and mission.company.sector in (profile.client_sectors or []):
        reasons.append("Clause de non-concurrence : déjà client dans ce secteur")
    if profile.daily_rate_cents is None:
        reasons.append("TJM non renseigné")
    elif profile.daily_rate_cents * 100 > mission.max_daily_rate_cents * (100 + RATE_TOLERANCE_PERCENT):
        reasons.append("TJM plus de 20 % au-dessus du budget")
    return reasons


def needs_in(text: str) -> set[str]:
    """Sub-skill codes a French text mentions (accents and case ignored)."""
    folded = fold(text)
    return {code for code, words in NEED_KEYWORDS.items() if any(w in folded for w in words)}


def mission_needs(mission: Mission) -> set[str]:
    asked = needs_in(f"{mission.title} {mission.description}")
    asked |= {line.catalogue_code for line in mission.perimeter if line.catalogue_code}
    asked |= needs_in(" ".join(line.task for line in mission.perimeter))
    return asked


def profile_shows(profile: FreelancerProfile) -> set[str]:
    shown = needs_in(profile.bio) | set(profile.sub_skills or [])
    shown |= needs_in(" ".join(e.description for e in profile.experiences))
    return shown


def _score(mission: Mission, profile: FreelancerProfile, booked: WeekSlots, you: bool) -> MatchResult:
    reasons: list[Reason] = []
    total = 0.0

    # Skills (35): each required dimension, capped at the level asked.
    required = mission.required_skills
    if required:
        ratios = []
        prefix = "Vos compétences" if you else "Compétences"
        for code, level in required.items():
            have = profile.skill(code)
            ratio = min(have / level, 1.0)
            ratios.append(ratio)
            label = f"{prefix} {SKILL_LABELS[code].lower()} {have}/5 pour {level} demandé{'s' if level > 1 else ''}"
            reasons.append(Reason("skills", label, have >= level, 35 * ratio / len(required)))
        total += 35 * sum(ratios) / len(ratios)
    else:
        total += 35 * min(sum(profile.skills.values()) / 15, 1.0)

    # Experience (15)
    years, minimum = profile.years_experience, mission.min_years_experience
    part = 1.0 if years >= minimum else years / max(minimum, 1)
    total += 15 * part
    reasons.append(Reason("experience", f"{years} ans d'expérience" + (f" ({minimum} demandés)" if minimum else ""), years >= minimum, 15 * part))

    # Projects already led (20)
    asked = mission_needs(mission)
    if asked:
        shown = profile_shows(profile) & asked
        part = len(shown) / len(asked)
        total += 20 * part
        if shown:
            labels = ", ".join(SUB_SKILL_LABELS[c].lower() for c in sorted(shown))
            reasons.append(Reason("projects", f"Déjà mené : {labels}", True, 20 * part))
        missing = asked - shown
        if missing:
            labels = ", ".join(SUB_SKILL_LABELS[c].lower() for c in sorted(missing))
            reasons.append(Reason("projects", f"Pas encore d'expérience visible en {labels}", False, 0))
    else:
        total += 10

    # Availability (10)
    free_days = free_slots(profile, booked).full_days()
    days = mission.weekdays or free_days[: needed_days(mission)]
    total += 10
    reasons.append(Reason("availability", f"Disponible {weekdays_fr(days)}", True, 10))

    # Tools (8)
    if mission.tools:
        common = sorted(set(mission.tools) & set(profile.tools or []))
        part = len(common) / len(mission.tools)
        total += 8 * part
        if common:
            reasons.append(Reason("tools", f"Outils : {', '.join(common)}", True, 8 * part))
        if part < 1:
            rest = sorted(set(mission.tools) - set(common))
            reasons.append(Reason("tools", f"Outils non maîtrisés : {', '.join(rest)}", False, 0))
    else:
        total += 8

    # Rate against budget (7)
    rate, budget = profile.daily_rate_cents or 0, mission.max_daily_rate_cents
    part = 1.0 if rate <= budget else max(0.0, 1 - (rate - budget) / (budget * RATE_TOLERANCE_PERCENT / 100))
    total += 7 * part
    reasons.append(Reason("rate", f"TJM {euros(rate)} pour {euros(budget)} de budget", rate <= budget, 7 * part))

    # Work mode (5)
    same = profile.work_mode == mission.work_mode or profile.work_mode == WorkMode.HYBRID.value
    total += 5 if same else 2.5

    return MatchResult(mission.id, profile.id, max(0, min(100, round(total))), tuple(reasons))


def score_pair(session: Session, mission: Mission, profile: FreelancerProfile, *, for_freelancer: bool = False) -> MatchResult | None:
    """The pair's score and breakdown, or None when a hard constraint excludes it."""
    booked = booked_slots(session, [profile.id])[profile.id]
    if eligibility(mission, profile, booked):
        return None
    return _score(mission, profile, booked, for_freelancer)


def rank_freelancers(session: Session, mission: Mission, k: int = 20, exclude_ids: Iterable[int] = ()) -> list[MatchResult]:
    """The ``k`` best eligible freelancers for ``mission``, best first."""
    excluded = set(exclude_ids)
    profiles = [
        p
        for p in session.scalars(
            select(FreelancerProfile).where(
                FreelancerProfile.status == ProfileStatus.APPROVED.value,
                FreelancerProfile.matching_suspended_reason.is_(None),
            )
        )
        if p.id not in excluded
    ]
    booked = booked_slots(session, [p.id for p in profiles])
    results = [_score(mission, p, booked[p.id], False) for p in profiles if not eligibility(mission, p, booked[p.id])]
    results.sort(key=lambda r: (-r.score, r.profile_id))
    return results[:k]


def rank_missions(
    session: Session, profile: FreelancerProfile, k: int = 50, missions: Iterable[Mission] | None = None
) -> list[MatchResult]:
    """The published missions ``profile`` can take, best first."""
    if missions is None:
        missions = session.scalars(select(Mission).where(Mission.status == MissionStatus.PUBLISHED.value))
    booked = booked_slots(session, [profile.id])[profile.id]
    results = [_score(m, profile, booked, True) for m in missions if not eligibility(m, profile, booked)]
    results.sort(key=lambda r: (-r.score, r.mission_id))
    return results[:k]


def snapshot_application(session: Session, application: Application) -> MatchResult | None:
    """Store the application's current score and breakdown on it (None if ineligible)."""
    result = score_pair(session, application.mission, application.freelancer)
    application.score = result.score if result else None
    application.score_breakdown = result.breakdown() if result else []
    return result


__all__ = [
    "MatchResult", "Reason", "booked_slots", "eligibility", "free_slots", "needs_in",
    "rank_freelancers", "rank_missions", "score_pair", "snapshot_application",
]
