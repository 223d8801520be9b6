"""Record builders and a small synthetic world for the matcher tests (no database, no Flask)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from marketplace.domain import SKILL_CODES, TOOLS_CATALOGUE, WEEKDAYS, WorkMode
from marketplace.matching.records import FreelancerRecord, MissionRecord
from marketplace.matching.store import ModelStore

DATA = Path(__file__).parent / "data"
PARIS = (48.8566, 2.3522)


def freelancer(**overrides) -> FreelancerRecord:
    """A vetted, available Paris freelancer who fits `mission()`; override what a test needs."""
    base = FreelancerRecord(
        id="f1",
        years_experience=11,
        daily_rate_cents=46_000,
        max_half_days_per_week=6,
        available_weekdays=("mon", "tue", "thu"),
        skills={"finance_procurement": 4, "facilities_workplace": 3, "people_culture": 2},
        work_mode=WorkMode.HYBRID,
        lat=PARIS[0] + 0.05,
        lon=PARIS[1],
        mobility_km=30,
        tools=("Notion", "Payfit"),
        current_client_sectors=("sante",),
        vetted=True,
        bio="J'ai piloté le déménagement de nos bureaux et la gestion des notes de frais.",
        city="Paris",
    )
    return replace(base, **overrides)


def mission(**overrides) -> MissionRecord:
    """A hybrid Paris mission, Tuesday and Thursday, 480 € budget."""
    base = MissionRecord(
        id="m1",
        half_days_per_week=4,
        max_daily_rate_cents=48_000,
        weekdays=("tue", "thu"),
        skills_required={"finance_procurement": 4},
        min_years_experience=7,
        work_mode=WorkMode.HYBRID,
        lat=PARIS[0],
        lon=PARIS[1],
        tools=("Notion", "PayFit", "HubSpot"),
        non_compete=True,
        sector="immobilier",
        description="Nous préparons le transfert de nos locaux et voulons reprendre les notes de frais.",
        city="Paris",
    )
    return replace(base, **overrides)


def world(n_freelancers: int = 300, n_missions: int = 12, seed: int = 7):
    """Random but reproducible freelancers and missions around Paris and Lyon."""
    rng = np.random.default_rng(seed)
    projects = [
        "le déménagement des bureaux",
        "l'onboarding des nouveaux arrivants",
        "les notes de frais",
        "la renégociation des fournisseurs",
        "le séminaire annuel",
        "la pré-paie",
        "la newsletter interne",
        "le flex office",
        "le DUERP",
        "le déploiement du SIRH",
    ]
    cities = [(48.8566, 2.3522), (45.764, 4.8357)]
    modes = list(WorkMode)
    freelancers = []
    for i in range(n_freelancers):
        lat, lon = cities[rng.integers(2)]
        done = rng.choice(len(projects), size=rng.integers(1, 4), replace=False)
        freelancers.append(
            FreelancerRecord(
                id=f"w{i:04d}",
                years_experience=int(rng.integers(1, 20)),
                daily_rate_cents=int(rng.integers(35, 60)) * 1000,
                max_half_days_per_week=int(rng.integers(1, 6)) * 2,
                available_weekdays=tuple(d for d in WEEKDAYS if rng.random() < 0.6),
                skills={c: int(rng.integers(0, 6)) for c in SKILL_CODES},
                work_mode=modes[rng.integers(3)],
                lat=lat + rng.normal(0, 0.2),
                lon=lon + rng.normal(0, 0.2),
                mobility_km=int(rng.choice([10, 20, 50])),
                tools=tuple(rng.choice(TOOLS_CATALOGUE, size=rng.integers(1, 6), replace=False)),
                current_client_sectors=tuple(
                    rng.choice(["sante", "immobilier", "logiciel"], size=rng.integers(0, 2), replace=False)
                ),
                vetted=bool(rng.random() < 0.9),
                bio="J'ai piloté " + " et ".join(projects[j] for j in done) + ".",
            )
        )
    missions = []
    for i in range(n_missions):
        lat, lon = cities[rng.integers(2)]
        half = int(rng.choice([2, 3, 4]))
        asked = rng.choice(len(projects), size=rng.integers(1, 3), replace=False)
        missions.append(
            MissionRecord(
                id=f"wm{i:02d}",
                half_days_per_week=half,
                max_daily_rate_cents=int(rng.choice([420, 480, 550])) * 100,
                weekdays=tuple(
                    sorted(rng.choice(WEEKDAYS, size=-(-half // 2), replace=False), key=WEEKDAYS.index)
                )
                if rng.random() < 0.5
                else (),
                skills_required={
                    str(c): int(rng.integers(2, 5)) for c in rng.choice(SKILL_CODES, size=2, replace=False)
                },
                min_years_experience=int(rng.choice([3, 7])),
                work_mode=modes[rng.integers(3)],
                lat=lat,
                lon=lon,
                tools=tuple(rng.choice(TOOLS_CATALOGUE, size=2, replace=False)),
                non_compete=bool(rng.random() < 0.5),
                sector=str(rng.choice(["sante", "immobilier", "logiciel"])),
                description="Nous cherchons quelqu'un pour " + " et ".join(projects[j] for j in asked) + ".",
            )
        )
    return freelancers, missions


@pytest.fixture(scope="session")
def shipped_model():
    """The model shipped in the package (loaded once)."""
    return ModelStore(None).current


@pytest.fixture
def store(tmp_path) -> ModelStore:
    """A writable store starting from the packaged model."""
    return ModelStore(tmp_path / "models")


@pytest.fixture
def make_freelancer():
    """Builder of freelancer records (see `freelancer`)."""
    return freelancer


@pytest.fixture
def make_mission():
    """Builder of mission records (see `mission`)."""
    return mission


@pytest.fixture
def make_world():
    """Builder of a random reproducible world (see `world`)."""
    return world


@pytest.fixture
def paris() -> tuple[float, float]:
    return PARIS
