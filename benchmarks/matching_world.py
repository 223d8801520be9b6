"""Synthetic marketplaces in a database, for the matcher's process-level benchmarks.

`build(url, profiles=N, missions=M)` fills an empty database with N approved freelancer
profiles (a user, a bio and one past experience each) and M published missions of 50
companies, from `synthetic`. Rows are written with SQLAlchemy Core in batches: 100 000
profiles take a minute. Every row was last changed two days ago, as in a marketplace
that has been running for a while (a sync reads again only what changes after).
"""

from __future__ import annotations

from datetime import date, timedelta

import synthetic
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from marketplace.db import Base, make_engine, utcnow
from marketplace.domain import SKILL_CODES, WEEKDAYS, WeekSlots

PASSWORD = "bench-password"
BATCH = 5000
COMPANIES = 50


def schema_tag() -> str:
    """A short digest of the tables, columns and indexes: a database kept by a benchmark is rebuilt when it changes."""
    import hashlib

    import marketplace.models  # noqa: F401  (every table)

    spec = sorted((t.name, c.name, str(c.type)) for t in Base.metadata.sorted_tables for c in t.columns)
    spec += sorted((t.name, str(i.name)) for t in Base.metadata.sorted_tables for i in t.indexes)
    return hashlib.sha256(repr(spec).encode()).hexdigest()[:8]


def _batches(rows, size=BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def build(url: str, *, profiles: int, missions: int, seed: int = 0, open_profile: bool = True) -> dict:
    """Fill the (empty) database at ``url``; returns the login of one freelancer and ids."""
    import marketplace.models  # noqa: F401  (every table)

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    t = Base.metadata.tables
    then = utcnow() - timedelta(days=2)
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    records = synthetic.freelancers(profiles, seed=seed)
    with engine.begin() as conn:
        for chunk_start, chunk in enumerate(_batches(records)):
            base = chunk_start * BATCH
            conn.execute(insert(t["users"]), [
                {"id": base + i + 1, "email": f"f{base + i}@bench.test", "password_hash": password,
                 "role": "freelancer", "first_name": "Prénom", "last_name": f"Nom{base + i}",
                 "created_at": then, "updated_at": then}
                for i in range(len(chunk))
            ])
            rows = []
            for i, rec in enumerate(chunk):
                days = WEEKDAYS if open_profile and base + i == 0 else rec.available_weekdays
                row = {
                    "id": base + i + 1, "user_id": base + i + 1, "headline": "Office manager",
                    "bio": rec.bio, "years_experience": rec.years_experience,
                    "daily_rate_cents": 40_000 if open_profile and base + i == 0 else rec.daily_rate_cents,
                    "work_mode": "hybrid" if open_profile and base + i == 0 else rec.work_mode.value,
                    "city": rec.city, "latitude": rec.lat, "longitude": rec.lon,
                    "mobility_km": 1000 if open_profile and base + i == 0 else rec.mobility_km,
                    "tools": list(rec.tools), "client_sectors": list(rec.current_client_sectors),
                    "available_slots": WeekSlots.from_days(days).bits,
                    "status": "approved" if rec.vetted or base + i == 0 else "submitted",
                    "created_at": then, "updated_at": then,
                }
                for code in SKILL_CODES:
                    row[f"skill_{code}"] = rec.level(code)
                rows.append(row)
            conn.execute(insert(t["freelancer_profiles"]), rows)
            conn.execute(insert(t["experience_entries"]), [
                {"profile_id": base + i + 1, "title": "Office manager", "organisation": "PME",
                 "start_date": date(2018, 1, 1), "end_date": date(2022, 1, 1),
                 "description": f"Chargée de {synthetic.PROJECTS[(base + i) % len(synthetic.PROJECTS)]} "
                                "et de l'accueil des nouveaux arrivants.",
                 "created_at": then, "updated_at": then}
                for i in range(len(chunk))
            ])
        add_missions(conn, missions, seed=seed + 1, then=then)
    engine.dispose()
    return {"email": "f0@bench.test", "password": PASSWORD, "profile_id": 1}


def add_missions(conn, n: int, *, seed: int = 1, then=None) -> None:
    """``n`` published missions of ``COMPANIES`` companies (created if missing), one task each."""
    t = Base.metadata.tables
    then = then or utcnow() - timedelta(days=2)
    if conn.execute(t["companies"].select().limit(1)).first() is None:
        conn.execute(insert(t["companies"]), [
            {"id": c + 1, "legal_name": f"PME {c}", "siren": f"{100000000 + c}", "siret": f"{10000000000000 + c}",
             "sector": synthetic.SECTORS[c % len(synthetic.SECTORS)], "headcount": 20 + c, "city": "Paris",
             "created_at": then, "updated_at": then}
            for c in range(COMPANIES)
        ])
    records = synthetic.missions(n, seed=seed)
    for chunk_start, chunk in enumerate(_batches(records)):
        base = chunk_start * BATCH
        rows = []
        for i, rec in enumerate(chunk):
            row = {
                "id": base + i + 1, "company_id": (base + i) % COMPANIES + 1,
                "title": f"Office manager #{base + i}", "description": rec.description,
                "half_days_per_week": rec.half_days_per_week, "weekdays": list(rec.weekdays),
                "work_mode": rec.work_mode.value, "onsite_days_per_week": 1, "site_city": rec.city,
                "site_latitude": rec.lat, "site_longitude": rec.lon, "start_date": date.today() + timedelta(days=30),
                "max_daily_rate_cents": rec.max_daily_rate_cents,
                "min_years_experience": rec.min_years_experience, "tools": list(rec.tools),
                "non_compete": rec.non_compete, "status": "published",
                "published_at": then + timedelta(seconds=base + i), "created_at": then, "updated_at": then,
            }
            for code in SKILL_CODES:
                row[f"min_{code}"] = rec.skills_required.get(code, 0)
            rows.append(row)
        conn.execute(insert(t["missions"]), rows)
        conn.execute(insert(t["perimeter_lines"]), [
            {"mission_id": base + i + 1, "position": 0, "task": "Accueil et standard", "minutes_per_month": 600}
            for i in range(len(chunk))
        ])
