"""A marketplace at scale, in bulk (``marketplace seed``): thousands of consistent rows in seconds.

The demo (:mod:`marketplace.demo`) goes through every operation, one freelancer at a
time: right for forty profiles, far too slow for ten thousand. This module writes the
same kinds of rows with bulk ``INSERT``\\ s (lists of dicts, a few thousand per
statement) from the areas' own vocabulary and rules — the demo's names, cities and
concrete projects, the sizing catalogue's perimeter lines, identifiers valid by Luhn
and MOD 97, the contracts area's drafting of terms from an application
(:func:`~marketplace.services.contracts.negotiation.initial_terms`) — and checks the
invariants the operations would have checked:

* every applicant is vetted, free on the weekdays offered, within reach of an on-site
  or hybrid site and at most 20 % above the budget;
* a freelancer's half day is held by at most one active contract (kept in memory and
  enforced by the database's partial unique index);
* SIRETs and IBANs never repeat, e-mails are numbered after those already seeded, so a
  second run adds a second batch instead of failing;
* every password is the same known one, hashed once (hashing ten thousand times would
  take minutes).

Uploaded documents (scans), contract PDFs, vetting checks and CRAs are not made here:
a seeded contract is active with its signed version, signatures and bookings, and its
PDF shows as « en préparation ». The command then builds a fresh snapshot of the
matcher's indexes, which every process (running or starting) takes within
``CHECK_SECONDS``; see :func:`seed`'s ``settled`` for how the rows are stamped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, selectinload
from stdnum import iban as stdnum_iban
from stdnum import luhn
from werkzeug.security import generate_password_hash

from marketplace.db import today as today_paris
from marketplace.db import utcnow
from marketplace.domain import (
    SECTORS,
    SKILL_CODES,
    SUB_SKILL_LABELS,
    TOOLS_CATALOGUE,
    WEEKDAYS,
    LegalForm,
    Role,
    VatRegime,
    WeekSlots,
    weekdays_needed,
)
from marketplace.geo import communes, great_circle_km
from marketplace.legal import MANDATE_VERSION
from marketplace.models import users as user_model
from marketplace.models.companies import Company
from marketplace.models.contracts import (
    Contract,
    ContractBooking,
    ContractSignature,
    ContractStatus,
    ContractVersion,
    Party,
    VersionKind,
    VersionStatus,
)
from marketplace.models.freelancers import (
    ExperienceEntry,
    FreelancerProfile,
    ProfileStatus,
    Reference,
)
from marketplace.models.missions import (
    DEFAULT_KPIS,
    DEFAULT_SPENDING_THRESHOLD_CENTS,
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
    PerimeterLine,
)
from marketplace.models.users import CompanyRole, User
from marketplace.platform.identifiers import vat_number_for_siren
from marketplace.services.accounts.seed import FIRST_NAMES, LAST_NAMES, STREETS
from marketplace.services.contracts import negotiation
from marketplace.services.contracts.terms import slots_to_week
from marketplace.services.matching.facade import SYNC_MARGIN
from marketplace.services.missions.seed import NOTES
from marketplace.services.missions.sizing import catalogue_line
from marketplace.services.profiles.seed import HEADLINES, PROJECTS

# The one password of every seeded account (shown by the command, written in the README).
SEED_PASSWORD = "graine-om-2026"
# Seeded e-mails: om.<n>@seed.test (freelancers), pme.<n>@seed.test (company owners).
EMAIL_DOMAIN = "seed.test"
FREELANCER_PREFIX = "om."
COMPANY_PREFIX = "pme."
BATCH = 2_000  # rows per INSERT statement

MORE_FIRST_NAMES = (
    "Amandine", "Audrey", "Béatrice", "Charlotte", "Coralie", "Diane", "Estelle", "Fanny", "Florence", "Gaëlle",
    "Jeanne", "Justine", "Laure", "Léna", "Magali", "Maëlle", "Morgane", "Océane", "Perrine", "Rachida",
    "Sabrina", "Solène", "Sylvie", "Tiphaine", "Vanessa", "Yasmina", "Zoé", "Alexandre", "Antoine", "Baptiste",
    "Benoît", "Damien", "Fabien", "Guillaume", "Hugo", "Jérôme", "Loïc", "Olivier", "Rachid", "Yann",
)
MORE_LAST_NAMES = (
    "Barbier", "Boyer", "Brun", "Caron", "Chevalier", "Colin", "Da Silva", "Denis", "Dumas", "Fabre",
    "Gauthier", "Gautier", "Hamon", "Joly", "Lacroix", "Leclerc", "Lemoine", "Marchand", "Masson", "Meunier",
    "Noël", "Ollivier", "Perret", "Picard", "Renaud", "Rey", "Rivière", "Schmitt", "Traoré", "Vidal",
    "Boucher", "Carpentier", "Diallo", "Haddad", "Nguyen", "Poirier", "Renard", "Royer", "Tessier", "Weber",
)
FIRST = FIRST_NAMES + MORE_FIRST_NAMES
LAST = LAST_NAMES + MORE_LAST_NAMES

OPENERS = (
    "Office manager depuis {years} ans, en PME et en start-up.",
    "{years} ans d'expérience en office management et services généraux.",
    "Assistante de direction devenue office manager, {years} ans de métier.",
    "Office manager freelance, {years} ans d'expérience dans des équipes de 15 à 150 personnes.",
    "Après {years} ans en entreprise, j'accompagne des PME à temps partagé.",
    "Office manager et responsable des services généraux, {years} ans d'expérience.",
)
CLOSERS = (
    "J'aime rendre le quotidien des équipes plus simple et mesurable.",
    "Rigueur, discrétion et sens du service.",
    "Je travaille à jours fixes pour deux ou trois entreprises.",
    "Habituée aux environnements qui grandissent vite.",
    "Je laisse derrière moi des process documentés que l'équipe sait faire vivre.",
    "Mon fil rouge : libérer le dirigeant des sujets opérationnels.",
)
ORGANISATIONS = ("Scale-up SaaS", "Cabinet de conseil", "Agence digitale", "PME industrielle", "Groupe de cliniques",
                 "Réseau d'agences immobilières", "Éditeur de logiciels", "Start-up e-commerce")
REFEREE_ROLES = ("Directrice générale", "CEO", "DAF", "Responsable RH", "Fondateur", "Directeur des opérations")
RELATIONSHIPS = ("Cliente actuelle", "Ancien client", "Ancienne manager")
COMPANY_HEADS = ("Atelier", "Cabinet", "Groupe", "Maison", "Studio", "Agence", "Laboratoires", "Éditions",
                 "Transports", "Clinique", "Société", "Compagnie", "Bureau", "Collectif")
COMPANY_NAMES = ("Lumen", "Ardent", "Boréal", "Verdier", "Horizon", "Rive Gauche", "Batiplus", "Lexa", "Pixel",
                 "Novalis", "Céleste", "Azur", "Mistral", "Opale", "Granit", "Sequoia", "Alizé", "Ondine", "Vauban",
                 "Colbert", "Lavoisier", "Garance", "Hélios", "Iris", "Kora", "Marelle", "Nacre", "Orion", "Perle",
                 "Quartz", "Saphir", "Tilleul", "Ulysse", "Vega", "Zénith")
NAF_CODES = {
    "agence_conseil": "7022Z", "batiment": "4120A", "commerce": "4719B", "ecommerce": "4791A", "edtech": "8559A",
    "finance": "6622Z", "immobilier": "6831Z", "industrie": "2562B", "juridique": "6910Z", "logiciel": "5829C",
    "medias": "7311Z", "restauration": "5610A", "sante": "8610Z", "transport_logistique": "5229B",
    "associatif": "9499Z",
}
MISSION_TITLES = (
    "Office manager {days} jours/semaine",
    "Office manager à temps partagé — {focus}",
    "Office manager — {focus}",
    "Office manager freelance pour {focus}",
)
CURRENT_OWNERS = ("Le dirigeant", "L'assistante de direction", "La responsable RH", "Personne", "Le DAF", "")
DECLINE_MESSAGE = "Merci pour votre candidature : nous avons retenu un profil plus proche de notre secteur."
INVITE_MESSAGE = "Votre expérience nous intéresse : seriez-vous disponible pour en parler cette semaine ?"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scale:
    """What to add: counts, the random seed, the accounts' password."""

    freelancers: int
    companies: int
    missions: int  # published missions (filled ones come with the contracts)
    contracts: int = 0
    seed: int = 1
    password: str = SEED_PASSWORD

    @property
    def units(self) -> int:
        """Steps of the progress bar: one per freelancer, company, mission and contract."""
        return self.freelancers + self.companies + self.missions + self.contracts


@dataclass
class SeedReport:
    freelancers: int = 0
    approved: int = 0
    companies: int = 0
    missions: int = 0
    filled: int = 0
    applications: int = 0
    contracts: int = 0
    bookings: int = 0
    first_freelancer: str = ""
    first_company: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return (f"{self.freelancers} office managers (dont {self.approved} vérifiés), {self.companies} entreprises, "
                f"{self.missions} missions publiées, {self.filled} pourvues, {self.applications} candidatures, "
                f"{self.contracts} contrats en cours ({self.bookings} demi-journées réservées)")


def freelancer_email(number: int) -> str:
    return f"{FREELANCER_PREFIX}{number}@{EMAIL_DOMAIN}"


def company_email(number: int) -> str:
    return f"{COMPANY_PREFIX}{number}@{EMAIL_DOMAIN}"


# --- identifiers that never repeat ------------------------------------------------------------


def _siren(number: int, salt: int) -> str:
    """The ``number``-th SIREN of a series: an affine bijection of 10 000 000–99 999 999, plus the Luhn key."""
    body = f"{10_000_000 + (number * 7_919 + salt) % 90_000_000:08d}"
    return body + luhn.calc_check_digit(body)


def _siret(siren: str, establishment: int) -> str:
    body = siren + f"{establishment:04d}"
    return body + luhn.calc_check_digit(body)


def _iban(number: int) -> str:
    """A French IBAN (bank 30004) whose account number is ``number``: MOD 97 key and RIB key valid."""
    bank, branch, account = "30004", f"{number % 100_000:05d}", f"{number:011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban


# --- places --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str
    latitude: float
    longitude: float


def _places(count: int = 400) -> tuple[list[_Place], list[float]]:
    """The most populated communes and their cumulative weights, population^0.6 (Paris often, Vannes sometimes)."""
    top = communes()[:count]
    return ([_Place(c.name, c.latitude, c.longitude) for c in top],
            list(itertools.accumulate(c.population ** 0.6 for c in top)))


# --- the plan, drawn in memory ---------------------------------------------------------------------


@dataclass
class _Freelancer:
    number: int
    user: dict
    profile: dict
    status: str
    slots: int
    rate: int
    years: int
    work_mode: str
    place: _Place
    mobility: int
    projects: list[tuple]
    id: int = 0
    user_id: int = 0
    booked: int = 0


@dataclass
class _Company:
    number: int
    row: dict
    owner: dict
    place: _Place
    id: int = 0
    owner_id: int = 0


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def _bio(rng: random.Random, years: int, projects: list[tuple]) -> str:
    done = ", ".join(p[2] for p in projects[:-1]) + (" et " if len(projects) > 1 else "") + projects[-1][2]
    text = f"{rng.choice(OPENERS).format(years=years)} J'ai notamment {done}. {rng.choice(CLOSERS)}"
    if len(text) < 200:  # the editor asks for 200 characters at least
        text += " Je documente ce que je mets en place pour que l'équipe garde la main après mon passage."
    return text


def _weekly_grid(rng: random.Random) -> int:
    """2 to 5 whole weekdays, sometimes one more morning."""
    days = sorted(rng.sample(range(5), rng.choice((2, 2, 3, 3, 3, 4, 4, 5))))
    bits = WeekSlots.from_days([WEEKDAYS[d] for d in days]).bits
    others = [d for d in range(5) if d not in days]
    if others and rng.random() < 0.2:
        bits |= WeekSlots.bit(WEEKDAYS[rng.choice(others)], "am")
    return bits


def _draw_freelancer(rng: random.Random, number: int, places, weights, now: datetime, password_hash: str,
                     ) -> _Freelancer:
    first, last = _name(rng)
    roll = rng.random()
    status = (ProfileStatus.APPROVED if roll < 0.74 else ProfileStatus.SUBMITTED if roll < 0.82
              else ProfileStatus.IN_REVIEW if roll < 0.86 else ProfileStatus.DRAFT if roll < 0.97
              else ProfileStatus.REJECTED).value
    years = rng.choice((4, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 12, 12, 13, 14, 15, 16, 18, 20))
    freelance_years = rng.randrange(1, min(years - 1, 8))
    projects = rng.sample(PROJECTS, rng.randrange(2, 5))
    levels = {code: rng.randrange(1, 4) for code in SKILL_CODES}
    for project in projects:
        levels[project[0]] = min(5, levels[project[0]] + rng.randrange(1, 3))
    sub_skills = {p[1] for p in projects} | set(rng.sample(sorted(SUB_SKILL_LABELS), rng.randrange(0, 4)))
    place = rng.choices(places, cum_weights=weights)[0]
    work_mode = rng.choice(("hybrid", "hybrid", "hybrid", "onsite", "remote"))
    mobility = rng.choice((10, 20, 20, 30, 30, 50))
    rate = max(300, min(800, int(rng.gauss(470, 55) // 10 * 10))) * 100
    slots = _weekly_grid(rng)
    draft = status == ProfileStatus.DRAFT.value
    legal_form = rng.choice((LegalForm.MICRO, LegalForm.MICRO, LegalForm.MICRO, LegalForm.EI, LegalForm.EURL,
                             LegalForm.SASU, LegalForm.PORTAGE))
    liable = legal_form not in (LegalForm.MICRO, LegalForm.PORTAGE) or rng.random() < 0.25
    siren = _siren(number, 3_141_592)
    created = now - timedelta(days=rng.randrange(20, 700), minutes=rng.randrange(0, 1440))
    submitted = None if draft else min(now - timedelta(days=1), created + timedelta(days=rng.randrange(1, 20)))
    decided = (submitted + timedelta(hours=rng.randrange(6, 120))
               if status in (ProfileStatus.APPROVED.value, ProfileStatus.REJECTED.value) else None)
    company_form = legal_form in (LegalForm.EURL, LegalForm.SASU)
    user = {
        "email": freelancer_email(number), "password_hash": password_hash, "role": Role.FREELANCER.value,
        "first_name": first, "last_name": last, "phone": f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
        f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}", "locale": "fr", "active": True,
        "login_nonce": f"{rng.getrandbits(64):016x}", "company_id": None, "company_role": None,
        "created_at": created, "updated_at": now, "last_login_at": None,
    }
    profile = {
        "headline": rng.choice(HEADLINES), "bio": _bio(rng, years, projects), "years_experience": years,
        "freelance_years": freelance_years, **{f"skill_{code}": level for code, level in levels.items()},
        "sub_skills": sorted(sub_skills), "tools": sorted(rng.sample(TOOLS_CATALOGUE, rng.randrange(3, 8))),
        "languages": ["fr", "en"] if rng.random() < 0.7 else ["fr"] + (["es"] if rng.random() < 0.2 else []),
        "city": place.name, "postal_code": "", "commune_code": None, "latitude": place.latitude,
        "longitude": place.longitude, "mobility_km": mobility, "work_mode": work_mode, "daily_rate_cents": rate,
        "available_slots": slots,
        "client_sectors": rng.sample(sorted(NAF_CODES), rng.randrange(0, 3)),
        "business_name": "" if draft else (f"{first} {last} EI" if legal_form in (LegalForm.MICRO, LegalForm.EI)
                                           else f"{last.upper()} Office Services"),
        "legal_form": None if draft else legal_form.value,
        "siret": None if draft else _siret(siren, 1 + number % 9),
        "vat_regime": None if draft else (VatRegime.LIABLE if liable else VatRegime.FRANCHISE).value,
        "vat_number": vat_number_for_siren(siren) if liable and not draft else None,
        "vat_debits_option": False, "iban": None if draft else _iban(number), "bic": None,
        "billing_address_line": "" if draft else f"{rng.randrange(1, 120)} rue {rng.choice(STREETS)}",
        "billing_postal_code": "", "billing_city": "" if draft else place.name,
        "off_platform_turnover_cents": 0,
        "share_capital_cents": (1_000_00 if legal_form == LegalForm.EURL else 5_000_00) if company_form and not draft
        else None,
        "rcs_city": place.name if company_form and not draft else None,
        "stripe_account_id": None, "stripe_payouts_enabled": False, "stripe_requirements": [],
        "mandate_accepted_at": None if draft else submitted, "mandate_version": None if draft else MANDATE_VERSION,
        "mandate_ip": None, "status": status,
        "status_reason": ("Les références n'ont pas confirmé les missions décrites."
                          if status == ProfileStatus.REJECTED.value else None),
        "submitted_at": submitted, "decided_at": decided, "matching_suspended_reason": None, "badges": [],
        "vetting_score": rng.randrange(70, 99) if status == ProfileStatus.APPROVED.value else None,
        "created_at": created, "updated_at": now,
    }
    return _Freelancer(number, user, profile, status, slots, rate, years, work_mode, place, mobility, projects)


def _history(rng: random.Random, f: _Freelancer, today: date, now: datetime) -> tuple[list[dict], list[dict]]:
    """Two dated positions (salaried, then freelance) and two referees."""
    if f.status == ProfileStatus.DRAFT.value:
        return [], []
    freelance_start = date(today.year - f.profile["freelance_years"], 1 + f.number % 12, 1)
    started = date(today.year - f.years, 1 + (f.number * 5) % 12, 1)
    started = min(started, freelance_start - timedelta(days=400))
    positions = [
        {"profile_id": f.id, "title": "Office manager", "organisation": rng.choice(ORGANISATIONS),
         "start_date": started, "end_date": freelance_start - timedelta(days=1), "is_freelance": False,
         "description": f.projects[0][2][:1].upper() + f.projects[0][2][1:] + ".", "created_at": now,
         "updated_at": now},
        {"profile_id": f.id, "title": "Office manager freelance", "organisation": "Indépendante",
         "start_date": freelance_start, "end_date": None, "is_freelance": True,
         "description": "Missions à temps partagé pour des PME de 15 à 80 personnes.", "created_at": now,
         "updated_at": now},
    ]
    referees = []
    for n in range(2):
        first, last = _name(rng)
        referees.append({
            "profile_id": f.id, "name": f"{first} {last}",
            "company": f"{rng.choice(COMPANY_HEADS)} {rng.choice(COMPANY_NAMES)}",
            "role": rng.choice(REFEREE_ROLES), "email": f"reference.{f.number}.{n + 1}@client.{EMAIL_DOMAIN}",
            "phone": None, "relationship": rng.choice(RELATIONSHIPS), "is_current_client": n == 0,
            "period": f"depuis {today.year - rng.randrange(1, 5)}", "extra": {}, "created_at": now, "updated_at": now,
        })
    return positions, referees


def _draw_company(rng: random.Random, number: int, places, weights, now: datetime, password_hash: str,
                  taken_sirets: set[str]) -> _Company:
    sector = rng.choice(sorted(NAF_CODES))
    headcount = rng.choice((10, 12, 15, 18, 22, 25, 28, 32, 35, 40, 45, 50, 55, 62, 70, 80, 90, 105, 120))
    place = rng.choices(places, cum_weights=weights)[0]
    salt, siret = 0, ""
    while not siret or siret in taken_sirets:  # the demo's twelve SIRETs are random: step over them
        siren = _siren(number + salt * 1_000_003, 2_718_281)
        siret = _siret(siren, 1 + number % 50)
        salt += 1
    taken_sirets.add(siret)
    first, last = _name(rng)
    created = now - timedelta(days=rng.randrange(30, 900))
    name = f"{rng.choice(COMPANY_HEADS)} {rng.choice(COMPANY_NAMES)}"
    row = {
        "legal_name": f"{name} {place.name}" if rng.random() < 0.5 else f"{name} {number}",
        "siren": siret[:9], "siret": siret, "vat_number": vat_number_for_siren(siret[:9]),
        "naf_code": NAF_CODES[sector], "sector": sector, "headcount": headcount,
        "address_line": f"{rng.randrange(1, 200)} rue {rng.choice(STREETS)}", "postal_code": "", "city": place.name,
        "commune_code": None, "latitude": place.latitude, "longitude": place.longitude,
        "billing_email": company_email(number), "billing_contact_name": f"{first} {last}", "stripe_customer_id": None,
        "description": f"{SECTORS[sector]} — {headcount} personnes à {place.name}.", "created_at": created,
        "updated_at": now,
    }
    owner = {
        "email": company_email(number), "password_hash": password_hash, "role": Role.SME.value,
        "first_name": first, "last_name": last, "phone": None, "locale": "fr", "active": True,
        "login_nonce": f"{rng.getrandbits(64):016x}", "company_role": CompanyRole.OWNER.value,
        "created_at": created, "updated_at": now, "last_login_at": None,
    }
    return _Company(number, row, owner, place)


def _half_days_for(rng: random.Random, headcount: int) -> int:
    """The headcount table of the sizing: 10–25 → 1 to 1,5 day; 25–50 → 2; 50–80 → 2,5 to 3; 80+ → 3 to 4."""
    if headcount < 25:
        return rng.choice((2, 3))
    if headcount < 50:
        return 4
    if headcount < 80:
        return rng.choice((5, 6))
    return rng.choice((6, 7, 8))


def _draw_mission(rng: random.Random, company: _Company, now: datetime, today: date, *, status: str,
                  weekdays: list[str] | None = None, half_days: int | None = None) -> tuple[dict, list[dict]]:
    projects = rng.sample(PROJECTS, rng.randrange(2, 4))
    half_days = half_days or _half_days_for(rng, company.row["headcount"])
    days = weekdays_needed(half_days)
    if weekdays is None:
        weekdays = [WEEKDAYS[d] for d in sorted(rng.sample(range(5), days))] if rng.random() < 0.75 else []
    work_mode = rng.choice(("hybrid", "hybrid", "onsite", "remote"))
    onsite = {"remote": 0, "onsite": days}.get(work_mode, rng.randrange(1, days + 1))
    focus = projects[0][3]
    title = rng.choice(MISSION_TITLES).format(days=f"{half_days / 2:g}".replace(".", ","), focus=focus)
    row = company.row
    description = (
        f"{row['legal_name']}, {row['headcount']} personnes à {row['city']}. Nous cherchons un office manager "
        f"expérimenté pour {', '.join(p[3] for p in projects)}. Vous serez l'interlocuteur des équipes et du "
        "dirigeant, avec une autonomie sur les dépenses courantes."
    )
    published = now - timedelta(days=rng.randrange(0, 45), minutes=rng.randrange(0, 1440))
    filled = status == MissionStatus.FILLED.value
    mission = {
        "company_id": company.id, "created_by_id": company.owner_id, "title": title[:160],
        "description": description, "half_days_per_week": half_days, "weekdays": weekdays, "work_mode": work_mode,
        "onsite_days_per_week": onsite, "site_city": row["city"], "site_latitude": row["latitude"],
        "site_longitude": row["longitude"],
        "start_date": today - timedelta(days=rng.randrange(20, 240)) if filled
        else today + timedelta(days=rng.randrange(10, 60)),
        "max_daily_rate_cents": rng.choice((420, 450, 480, 500, 520, 550, 600)) * 100,
        "min_years_experience": rng.choice((3, 5, 5, 7, 7, 8, 10)),
        **{f"min_{code}": 0 for code in SKILL_CODES},
        "tools": sorted(rng.sample(TOOLS_CATALOGUE, rng.randrange(1, 4))),
        "non_compete": False if filled else rng.random() < 0.25,
        "spending_threshold_cents": DEFAULT_SPENDING_THRESHOLD_CENTS, "kpis": [dict(k) for k in DEFAULT_KPIS],
        "status": status, "close_reason": None, "published_at": published,
        "closed_at": now - timedelta(days=rng.randrange(1, 20)) if filled else None,
        "created_at": published - timedelta(days=rng.randrange(0, 5)), "updated_at": now,
    }
    for project in projects:
        key = f"min_{project[0]}"
        mission[key] = max(mission[key], rng.choice((3, 3, 4)))
    lines = []
    for position, project in enumerate(projects):
        line = catalogue_line(project[1], criticality=4 if position == 0 else rng.choice((2, 3, 3, 4)))
        lines.append({"position": position, "task": line.task, "dimension": line.dimension,
                      "catalogue_code": line.catalogue_code, "minutes_per_month": line.minutes_per_month,
                      "criticality": line.criticality, "current_owner": rng.choice(CURRENT_OWNERS)})
    return mission, lines


# --- eligibility, as the matcher's hard constraints read it ----------------------------------------


def _free_days(f: _Freelancer) -> list[str]:
    return WeekSlots(f.slots & ~f.booked & WeekSlots.FULL).full_days()


def _fits(f: _Freelancer, mission: dict, sector: str) -> list[str] | None:
    """The weekdays ``f`` offers for ``mission``, or None when a hard constraint excludes the pair.

    The matcher's hard constraints (``marketplace.matching.constraints``), plus the
    minimum years an SME would expect of its applicants.
    """
    if f.rate * 100 > mission["max_daily_rate_cents"] * 120 or f.years < mission["min_years_experience"]:
        return None
    if mission["non_compete"] and sector in f.profile["client_sectors"]:
        return None
    if WeekSlots(f.slots & ~f.booked & WeekSlots.FULL).half_days() < mission["half_days_per_week"]:
        return None
    if mission["work_mode"] != "remote":
        if f.work_mode == "remote":
            return None
        distance = great_circle_km(f.place.latitude, f.place.longitude, mission["site_latitude"],
                                   mission["site_longitude"])
        if distance > f.mobility:
            return None
    free = _free_days(f)
    if mission["weekdays"]:
        return list(mission["weekdays"]) if set(mission["weekdays"]) <= set(free) else None
    needed = weekdays_needed(mission["half_days_per_week"])
    return free[:needed] if len(free) >= needed else None


class _Pool:
    """Vetted freelancers by place, to find candidates near a site without scanning everyone."""

    def __init__(self, freelancers: list[_Freelancer]) -> None:
        self.all = [f for f in freelancers if f.status == ProfileStatus.APPROVED.value]
        self.by_place: dict[str, list[_Freelancer]] = {}
        for f in self.all:
            self.by_place.setdefault(f.place.name, []).append(f)

    def candidates(self, rng: random.Random, mission: dict, sector: str, wanted: int, tries: int = 60) -> list[tuple]:
        local = self.by_place.get(mission["site_city"], [])
        source = self.all if mission["work_mode"] == "remote" or not local else local
        found, seen = [], set()
        for _ in range(min(tries, 3 * len(source))):
            f = rng.choice(source)
            if f.id in seen:
                continue
            seen.add(f.id)
            offered = _fits(f, mission, sector)
            if offered is not None:
                found.append((f, offered))
                if len(found) == wanted:
                    break
        return found


# --- writing ---------------------------------------------------------------------------------------


def _insert(session: Session, table, rows: list[dict], returning=None) -> list[int]:
    """INSERT ``rows`` BATCH at a time; the new ids in the rows' order when ``returning`` is given.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows sent
    with them: a plain ``executemany`` (pipelined by psycopg) is several times faster
    than ``INSERT … RETURNING`` over thousands of rows, whose long statements psycopg
    parses in Python.
    """
    ids: list[int] = []
    if returning is not None and session.get_bind().dialect.name == "postgresql" and rows:
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                  {"table": table.name, "column": returning.name})
        ids = list(session.scalars(text("SELECT nextval(:sequence) FROM generate_series(1, :n)"),
                                   {"sequence": sequence, "n": len(rows)}))
        for row, new_id in zip(rows, ids):
            row[returning.name] = new_id
        returning = None
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if returning is None:
            session.execute(insert(table), chunk)
        else:
            result = session.execute(insert(table).returning(returning, sort_by_parameter_order=True), chunk)
            ids.extend(result.scalars().all())
    return ids


def _next_number(session: Session, prefix: str) -> int:
    """One past the highest number among e-mails ``<prefix><n>@seed.test`` already in the database."""
    emails = session.scalars(select(User.email).where(User.email.like(f"{prefix}%@{EMAIL_DOMAIN}")))
    numbers = [int(e[len(prefix):].split("@", 1)[0]) for e in emails
               if e[len(prefix):].split("@", 1)[0].isdigit()]
    return max(numbers, default=0) + 1


def seed(session: Session, scale: Scale, progress: Progress | None = None, *, settled: bool = False) -> SeedReport:
    """Add ``scale``'s freelancers, companies, missions, applications and contracts; flushes, never commits.

    ``settled``: stamp the rows as changed a little before the matcher's sync margin,
    for a caller that builds an index snapshot right after (which every process takes
    within ``CHECK_SECONDS``). Otherwise they are stamped now, and each running process
    re-reads them at its next query — for the next few minutes, on every query.
    """
    tick = progress or (lambda n: None)
    started = time.perf_counter()
    report = SeedReport()
    now, today = utcnow() - (SYNC_MARGIN + timedelta(minutes=1) if settled else timedelta()), today_paris()
    password_hash = generate_password_hash(scale.password, method=user_model.PASSWORD_HASH_METHOD)
    first_f, first_c = _next_number(session, FREELANCER_PREFIX), _next_number(session, COMPANY_PREFIX)
    rng = random.Random(f"seed-{scale.seed}-{first_f}-{first_c}")
    places, weights = _places()

    def lap(name: str, since: float) -> float:
        report.timings[name] = round(time.perf_counter() - since, 2)
        return time.perf_counter()

    # Freelancers: accounts, profiles, positions, referees.
    mark = time.perf_counter()
    freelancers = [_draw_freelancer(rng, first_f + i, places, weights, now, password_hash)
                   for i in range(scale.freelancers)]
    for start in range(0, len(freelancers), BATCH):
        chunk = freelancers[start : start + BATCH]
        user_ids = _insert(session, User.__table__, [f.user for f in chunk], User.__table__.c.id)
        for f, user_id in zip(chunk, user_ids):
            f.user_id = f.profile["user_id"] = user_id
        profile_ids = _insert(session, FreelancerProfile.__table__, [f.profile for f in chunk],
                              FreelancerProfile.__table__.c.id)
        positions, referees = [], []
        for f, profile_id in zip(chunk, profile_ids):
            f.id = profile_id
            done, named = _history(rng, f, today, now)
            positions += done
            referees += named
        _insert(session, ExperienceEntry.__table__, positions)
        _insert(session, Reference.__table__, referees)
        tick(len(chunk))
    mark = lap("freelancers", mark)

    # Companies and their owners.
    taken = set(session.scalars(select(Company.siret)))
    companies = [_draw_company(rng, first_c + i, places, weights, now, password_hash, taken)
                 for i in range(scale.companies)]
    company_ids = _insert(session, Company.__table__, [c.row for c in companies], Company.__table__.c.id)
    for c, company_id in zip(companies, company_ids):
        c.id = c.owner["company_id"] = company_id
    owner_ids = _insert(session, User.__table__, [c.owner for c in companies], User.__table__.c.id)
    for c, owner_id in zip(companies, owner_ids):
        c.owner_id = owner_id
    tick(len(companies))
    mark = lap("companies", mark)

    pool = _Pool(freelancers)
    # Contracts first: their half days are then taken for the applications drawn after them.
    if scale.contracts and companies and pool.all:
        _contracts(session, rng, scale.contracts, companies, pool, now, today, report, tick)
        mark = lap("contracts", mark)

    # Published missions, their perimeters and their applicants.
    if companies:
        owners = [rng.choice(companies) for _ in range(scale.missions)]
        drawn = [(*_draw_mission(rng, company, now, today, status=MissionStatus.PUBLISHED.value), company)
                 for company in owners]
        for start in range(0, len(drawn), BATCH):
            chunk = drawn[start : start + BATCH]
            ids = _insert(session, Mission.__table__, [m for m, _, _ in chunk], Mission.__table__.c.id)
            lines, applications = [], []
            for (mission, perimeter, company), mission_id in zip(chunk, ids):
                lines += [{**line, "mission_id": mission_id} for line in perimeter]
                applications += _applications(rng, pool, mission, company.row["sector"], mission_id, now)
            _insert(session, PerimeterLine.__table__, lines)
            _insert(session, Application.__table__, applications)
            report.applications += len(applications)
            tick(len(chunk))
        report.missions = len(drawn)
        lap("missions", mark)

    session.flush()
    report.freelancers, report.companies = len(freelancers), len(companies)
    report.approved = len(pool.all)
    report.first_freelancer = freelancer_email(first_f) if freelancers else ""
    report.first_company = company_email(first_c) if companies else ""
    report.seconds = time.perf_counter() - started
    return report


def _applications(rng: random.Random, pool: _Pool, mission: dict, sector: str, mission_id: int,
                  now: datetime) -> list[dict]:
    """0 to 5 vetted freelancers who fit apply; the SME has shortlisted, invited or declined some."""
    wanted = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5))
    rows = []
    for f, offered in pool.candidates(rng, mission, sector, wanted) if wanted else ():
        roll = rng.random()
        status = (ApplicationStatus.APPLIED if roll < 0.6 else ApplicationStatus.SHORTLISTED if roll < 0.8
                  else ApplicationStatus.INVITED if roll < 0.9 else ApplicationStatus.WITHDRAWN if roll < 0.95
                  else ApplicationStatus.DECLINED).value
        invited = status == ApplicationStatus.INVITED.value
        decided = status in (ApplicationStatus.SHORTLISTED.value, ApplicationStatus.DECLINED.value)
        at = min(now, mission["published_at"] + timedelta(hours=rng.randrange(2, 24 * 10)))
        rows.append(_application_row(
            mission_id, f, status=status, source="invited" if invited else "applied",
            note="" if invited else rng.choice(NOTES),
            rate=None if invited else min(f.rate, mission["max_daily_rate_cents"]),
            weekdays=[] if invited else offered,
            sme_message=INVITE_MESSAGE if invited else DECLINE_MESSAGE if status == "declined" else None,
            decided_at=at + timedelta(days=1) if decided else None, decided_by=mission["created_by_id"] if decided
            else None, at=at, now=now,
        ))
    return rows


def _application_row(mission_id: int, f: _Freelancer, *, status: str, source: str, note: str, rate: int | None,
                     weekdays: list[str], sme_message: str | None, decided_at, decided_by, at, now) -> dict:
    return {
        "mission_id": mission_id, "freelancer_id": f.id, "source": source, "note": note,
        "proposed_rate_cents": rate, "offered_weekdays": weekdays, "status": status, "score": None,
        "score_breakdown": [], "sme_message": sme_message, "decided_at": decided_at, "decided_by_id": decided_by,
        "created_at": at, "updated_at": now,
    }


def _contracts(session: Session, rng: random.Random, count: int, companies: list[_Company], pool: _Pool,
               now: datetime, today: date, report: SeedReport, tick: Progress) -> None:
    """``count`` filled missions, each with its accepted application and an active contract holding its days."""
    hires: list[tuple[_Company, _Freelancer, dict, list[dict], list[str]]] = []
    for _ in range(count):
        company = rng.choice(companies)
        for _attempt in range(50):
            f = rng.choice(pool.all)
            free = _free_days(f)
            if free:
                break
        else:
            break  # every vetted freelancer's week is full
        days = sorted(rng.sample(free, min(len(free), rng.choice((1, 1, 2)))), key=WEEKDAYS.index)
        half_days = 2 * len(days) - (1 if len(days) == 2 and rng.random() < 0.3 else 0)
        mission, lines = _draw_mission(rng, company, now, today, status=MissionStatus.FILLED.value,
                                       weekdays=days, half_days=half_days)
        mission["work_mode"], mission["onsite_days_per_week"] = "remote", 0  # whatever the distance
        mission["max_daily_rate_cents"] = max(mission["max_daily_rate_cents"], f.rate)
        f.booked |= WeekSlots.from_days(days).bits  # taken at once: the next draws see it
        hires.append((company, f, mission, lines, days))
    if not hires:
        return
    mission_ids = _insert(session, Mission.__table__, [h[2] for h in hires], Mission.__table__.c.id)
    lines, applications = [], []
    for (company, f, mission, perimeter, days), mission_id in zip(hires, mission_ids):
        lines += [{**line, "mission_id": mission_id} for line in perimeter]
        accepted = mission["closed_at"] - timedelta(days=1)
        applications.append(_application_row(
            mission_id, f, status=ApplicationStatus.ACCEPTED.value, source="applied", note=rng.choice(NOTES),
            rate=min(f.rate, mission["max_daily_rate_cents"]), weekdays=days, sme_message=None,
            decided_at=accepted, decided_by=company.owner_id, at=accepted - timedelta(days=3), now=now,
        ))
    _insert(session, PerimeterLine.__table__, lines)
    application_ids = _insert(session, Application.__table__, applications, Application.__table__.c.id)
    session.flush()

    # The contracts area drafts the terms from the application, as at acceptance.
    loaded = {a.id: a for a in session.scalars(
        select(Application).where(Application.id.in_(application_ids)).options(
            selectinload(Application.mission).selectinload(Mission.perimeter),
            selectinload(Application.mission).selectinload(Mission.company),
            selectinload(Application.freelancer),
        ))}
    fee = negotiation.fee_bp()
    drafts = []
    for (company, f, mission, _lines, _days), application_id in zip(hires, application_ids):
        signed_on = mission["start_date"] - timedelta(days=rng.randrange(3, 15))
        terms = replace(negotiation.initial_terms(session, loaded[application_id], signed_on),
                        start_date=mission["start_date"])
        holder = Contract()  # transient: the area's own mapping of terms onto columns
        terms.apply_to(holder)
        signed_at = datetime.combine(signed_on, datetime.min.time(), now.tzinfo) + timedelta(hours=15)
        content = terms.to_content()
        drafts.append((company, f, application_id, terms, content, signed_at, {
            "mission_id": loaded[application_id].mission_id, "application_id": application_id,
            "company_id": company.id, "freelancer_id": f.id, "status": ContractStatus.ACTIVE.value, "version": 1,
            "signed_version": 1, **{c: getattr(holder, c) for c in _TERM_COLUMNS}, "platform_fee_bp": fee,
            "document_hash": _content_hash(content), "document_id": None, "activated_at": signed_at,
            "ended_at": None, "end_reason": None, "blocked_reason": None, "end_kind": None,
            "end_requested_by": None, "end_requested_at": None, "end_proposed_date": None,
            "vigilance_document_id": None, "vigilance_requested_at": None,
            "created_at": signed_at - timedelta(days=3), "updated_at": now,
        }))
    contract_ids = _insert(session, Contract.__table__, [d[-1] for d in drafts], Contract.__table__.c.id)
    versions, signatures, bookings = [], [], []
    for (company, f, _app, terms, content, signed_at, row), contract_id in zip(drafts, contract_ids):
        versions.append({
            "contract_id": contract_id, "number": 1, "kind": VersionKind.INITIAL.value,
            "status": VersionStatus.SIGNED.value, "content": content, "note": "", "proposed_by": "platform",
            "created_at": row["created_at"], "created_by_id": None,
            "sme_accepted_at": signed_at - timedelta(days=1), "freelancer_accepted_at": signed_at - timedelta(days=1),
            "effective_from": terms.start_date, "applied_at": None, "document_id": None,
            "document_hash": row["document_hash"], "sealed_document_id": None, "closed_reason": None,
        })
        for party, signer, name, hour in ((Party.FREELANCER, f.user_id, f.user, 2),
                                          (Party.SME, company.owner_id, company.owner, 4)):
            signatures.append({
                "contract_id": contract_id, "version_number": 1, "party": party.value, "signer_id": signer,
                "signer_name": f"{name['first_name']} {name['last_name']}",
                "signed_at": signed_at - timedelta(hours=hour), "ip_address": None, "user_agent": None,
                "document_hash": row["document_hash"], "read_and_approved": True,
            })
        for weekday, half in slots_to_week(terms.slots).pairs():
            bookings.append({"contract_id": contract_id, "freelancer_id": f.id, "weekday": weekday, "half": half,
                             "active": True, "starts_on": terms.start_date, "released_on": None})
    _insert(session, ContractVersion.__table__, versions)
    _insert(session, ContractSignature.__table__, signatures)
    _insert(session, ContractBooking.__table__, bookings)
    report.contracts = report.filled = len(contract_ids)
    report.bookings = len(bookings)
    tick(len(contract_ids))


_TERM_COLUMNS = ("title", "objectives", "in_scope", "out_of_scope", "half_days_per_week", "weekdays", "slots",
                 "work_mode", "onsite_days_per_week", "spending_threshold_cents", "kpis", "daily_rate_cents",
                 "payment_terms_days", "notice_months", "non_compete", "start_date", "end_date")


def _content_hash(content: dict) -> str:
    """What the signatures point at: the signed version's terms (no PDF is rendered for seeded contracts)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def refresh_statistics(engine) -> None:
    """Have PostgreSQL's planner count the rows just added (autovacuum would, minutes later).

    Until then it plans the first queries for the nearly empty tables it last saw: a
    sort of every published mission where an index scan of twenty would do.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def seeded_counts(session: Session) -> dict[str, int]:
    """How many seeded accounts the database holds, by kind (for the command's summary)."""
    def count(prefix: str) -> int:
        return session.scalar(select(func.count()).select_from(User).where(
            User.email.like(f"{prefix}%@{EMAIL_DOMAIN}")))
    return {"freelancers": count(FREELANCER_PREFIX), "companies": count(COMPANY_PREFIX)}

