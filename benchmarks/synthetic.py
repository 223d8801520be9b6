"""Synthetic freelancers and missions for the speed benchmark (seeded, French-looking)."""

from __future__ import annotations

import numpy as np

from marketplace.domain import SKILL_CODES, TOOLS_CATALOGUE, WEEKDAYS, WorkMode
from marketplace.matching.records import FreelancerRecord, MissionRecord

CITIES = [
    ("Paris", 48.8566, 2.3522),
    ("Lyon", 45.764, 4.8357),
    ("Marseille", 43.2965, 5.3698),
    ("Lille", 50.6292, 3.0573),
    ("Nantes", 47.2184, -1.5536),
    ("Bordeaux", 44.8378, -0.5792),
    ("Toulouse", 43.6047, 1.4442),
    ("Rennes", 48.1173, -1.6778),
    ("Boulogne-Billancourt", 48.8397, 2.2399),
]
PROJECTS = [
    "le déménagement de nos bureaux",
    "l'intégration des nouvelles recrues",
    "les départs de salariés",
    "la refonte des notes de frais",
    "la renégociation des prestataires",
    "le suivi budgétaire",
    "la pré-paie et les absences",
    "le séminaire annuel",
    "le passage au flex office",
    "le document unique et les registres de sécurité",
    "la rédaction des procédures",
    "l'inventaire des licences SaaS",
    "la newsletter interne",
    "l'accueil et le standard",
    "les réunions d'équipe et leurs comptes rendus",
    "le plan de continuité d'activité",
    "le déploiement du SIRH",
    "les contrats d'assurance",
    "le parc informatique",
]
SECTORS = ["logiciel", "sante", "immobilier", "industrie", "ecommerce", "agence_conseil", "finance"]
MODES = [WorkMode.ONSITE, WorkMode.HYBRID, WorkMode.REMOTE]


def freelancers(n: int, seed: int = 0) -> list[FreelancerRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        city, lat, lon = CITIES[rng.integers(len(CITIES))]
        done = rng.choice(len(PROJECTS), size=rng.integers(1, 6), replace=False)
        years = int(rng.integers(2, 20))
        bio = (
            f"Office manager depuis {years} ans, basée à {city}. J'ai piloté "
            + ", ".join(PROJECTS[j] for j in done)
            + f". Profil n°{i}, rigoureuse et autonome."
        )
        out.append(
            FreelancerRecord(
                id=f"s{i:06d}",
                years_experience=years,
                daily_rate_cents=int(rng.integers(30, 65)) * 1000,
                max_half_days_per_week=int(rng.integers(1, 6)) * 2,
                available_weekdays=tuple(d for d in WEEKDAYS if rng.random() < 0.6),
                skills={c: int(rng.integers(0, 6)) for c in SKILL_CODES},
                work_mode=MODES[rng.integers(3)],
                lat=lat + rng.normal(0, 0.1),
                lon=lon + rng.normal(0, 0.1),
                mobility_km=int(rng.choice([10, 20, 30, 50, 80])),
                tools=tuple(rng.choice(TOOLS_CATALOGUE, size=rng.integers(2, 7), replace=False)),
                current_client_sectors=tuple(rng.choice(SECTORS, size=rng.integers(0, 3), replace=False)),
                vetted=bool(rng.random() < 0.85),
                bio=bio,
                city=city,
            )
        )
    return out


def missions(n: int, seed: int = 1) -> list[MissionRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        city, lat, lon = CITIES[rng.integers(len(CITIES))]
        asked = rng.choice(len(PROJECTS), size=rng.integers(1, 4), replace=False)
        half = int(rng.choice([2, 3, 4, 6]))
        named = rng.random() < 0.5
        out.append(
            MissionRecord(
                id=f"sm{i:04d}",
                half_days_per_week=half,
                max_daily_rate_cents=int(rng.choice([400, 450, 480, 550])) * 100,
                weekdays=tuple(
                    sorted(rng.choice(WEEKDAYS, size=-(-half // 2), replace=False), key=WEEKDAYS.index)
                )
                if named
                else (),
                skills_required={
                    c: int(rng.integers(2, 6))
                    for c in rng.choice(SKILL_CODES, size=rng.integers(1, 3), replace=False)
                },
                min_years_experience=int(rng.choice([3, 5, 7, 10])),
                work_mode=MODES[rng.integers(3)],
                lat=lat,
                lon=lon,
                tools=tuple(rng.choice(TOOLS_CATALOGUE, size=rng.integers(0, 3), replace=False)),
                non_compete=bool(rng.random() < 0.5),
                sector=str(rng.choice(SECTORS)),
                description="Nous cherchons une office manager pour "
                + ", ".join(PROJECTS[j] for j in asked)
                + ".",
                city=city,
            )
        )
    return out
