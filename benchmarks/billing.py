"""Bill 10 000 contracts on PostgreSQL with 1 and 2 workers; render Factur-X PDFs per worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python benchmarks/billing.py [--contracts 10000]

Creates a scratch database next to ``DATABASE_URL`` (dropped at the end), fills it with
``--contracts`` signed contracts whose November report is approved, then:

1. **issuing** — approved report → two numbered invoices (the freelancer's and the fee)
   and their CII XML, checked against the XSD — by 1 worker, then (invoices wiped and
   series reset) by 2 workers in parallel, each a separate process taking every other
   contract, exactly as ``billing.bill_contract`` jobs would. Prints the wall time of each.
   Target: under 60 s for all 10 000 with 2 workers.
2. **rendering** — the ``billing.render_pdf`` job body on ``--pdfs`` invoices per worker
   (1 then 2 processes; the process calls ``gc.freeze()`` once loaded, as the billing
   worker does). Prints PDFs per second per worker. Target: at least 15.

The render jobs the issuing records are not dispatched during phase 1 (their intents stay
pending): phase 2 measures them on their own.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from stdnum import luhn  # noqa: E402

NOVEMBER = date(2026, 11, 1)
ISSUE_DAY = date(2026, 12, 2)
TUESDAYS = [date(2026, 11, d) for d in (3, 10, 17, 24)]


def siret(n: int, base: int) -> str:
    siren = f"{base + n:08d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def make_app(url: str, instance: Path):
    os.environ["MARKETPLACE_INSTANCE"] = str(instance)
    from marketplace import create_app

    return create_app({"DATABASE_URL": url, "REDIS_URL": None, "TESTING": True, "INSTANCE_PATH": str(instance)})


def populate(url: str, instance: Path, count: int) -> None:
    """``count`` contracts (each with its own SME and freelancer), November approved."""
    from marketplace.commands import upgrade_database
    from marketplace.db import db
    from marketplace.domain import WeekSlots
    from marketplace.models.companies import Company
    from marketplace.models.contracts import Contract
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.missions import Mission
    from marketplace.models.timesheets import Timesheet, TimesheetEntry
    from marketplace.models.users import User
    from marketplace.services.accounts.seed import make_iban

    app = make_app(url, instance)
    now = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    with app.app_context():
        upgrade_database()
        session = db.session()
        rng = random.Random(7)
        for start in range(0, count, 500):
            batch = range(start, min(count, start + 500))
            for n in batch:
                company = Company(legal_name=f"PME {n}", siret=siret(n, 10_000_000), siren=siret(n, 10_000_000)[:9],
                                  sector="logiciel", headcount=30, address_line=f"{n} rue de Paris", postal_code="75010",
                                  city="Paris")
                owner = User(email=f"pme{n}@bench.test", password_hash="x", role="sme", company=company,
                             company_role="owner", first_name="Claire", last_name=f"Martin{n}")
                user = User(email=f"om{n}@bench.test", password_hash="x", role="freelancer", first_name="Inès",
                            last_name=f"Roux{n}")
                profile = FreelancerProfile(
                    user=user, legal_form="micro", siret=siret(n, 50_000_000), vat_regime="franchise" if n % 3 else "liable",
                    business_name=f"Inès Roux{n}", iban=make_iban(rng), billing_address_line="5 rue des Lilas",
                    billing_postal_code="75011", billing_city="Paris", mandate_accepted_at=now, mandate_version="2026-09",
                    available_slots=WeekSlots.from_days(["tue"]).bits, status="approved", daily_rate_cents=45_000,
                )
                if profile.vat_regime == "liable":
                    siren = int(profile.siret[:9])
                    profile.vat_number = f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren:09d}"
                mission = Mission(company=company, title=f"Mission {n}", half_days_per_week=2, weekdays=["tue"],
                                  work_mode="remote", max_daily_rate_cents=50_000, status="filled")
                contract = Contract(mission=mission, company=company, freelancer=profile, status="active",
                                    title=f"Office manager — mission {n}", half_days_per_week=2, weekdays=["tue"],
                                    slots=["tue-am", "tue-pm"], work_mode="remote", daily_rate_cents=45_000,
                                    start_date=date(2026, 9, 1), activated_at=now, signed_version=1,
                                    kpis=[{"code": "satisfaction", "label": "Satisfaction", "target": "≥ 7/10"}])
                session.add_all([company, owner, user, profile, mission, contract])
                session.add(Timesheet(contract=contract, month=NOVEMBER, status="approved", approved_at=now,
                                      total_half_days=8, entries=[TimesheetEntry(day=d, half_days=2) for d in TUESDAYS]))
            session.commit()
            print(f"  {min(count, start + 500)} contrats créés", end="\r", flush=True)
        print()


def issue_share(url: str, instance: str, workers: int, index: int, ready, go, out) -> None:
    from sqlalchemy import select

    from marketplace.db import commit, db
    from marketplace.models.contracts import Contract
    from marketplace.platform import jobs
    from marketplace.services.billing import issuing

    jobs.dispatch = lambda intent_id, queue: None  # phase 2 renders on its own
    app = make_app(url, Path(instance))
    with app.app_context():
        ids = [i for i in db.session.scalars(select(Contract.id).order_by(Contract.id)) if i % workers == index]
        ready.set()
        go.wait()
        started = time.perf_counter()
        issued = 0
        for contract_id in ids:
            result = issuing.issue_month(db.session, db.session.get(Contract, contract_id), NOVEMBER, today=ISSUE_DAY)
            commit()
            db.session.expunge_all()
            issued += result.issued
        out.put((index, issued, time.perf_counter() - started))


def render_share(url: str, instance: str, workers: int, index: int, pdfs: int, ready, go, out) -> None:
    from sqlalchemy import select

    from marketplace.db import commit, db
    from marketplace.models.billing import Invoice
    from marketplace.services.billing import rendering

    app = make_app(url, Path(instance))
    with app.app_context():
        ids = [i for i in db.session.scalars(select(Invoice.id).where(Invoice.pdf_document_id.is_(None))
                                             .order_by(Invoice.id).limit(pdfs * workers)) if i % workers == index]
        rendering.pdf_bytes(db.session.get(Invoice, ids[0]))  # warm up fonts and stylesheet
        gc.collect()
        gc.freeze()
        ready.set()
        go.wait()
        started = time.perf_counter()
        for invoice_id in ids[1:]:
            rendering.render(db.session, invoice_id)
            commit()
            db.session.expunge_all()
        out.put((index, len(ids) - 1, time.perf_counter() - started))


def parallel(target, workers: int, *args) -> list[tuple[int, int, float]]:
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    readies = [ctx.Event() for _ in range(workers)]
    procs = [ctx.Process(target=target, args=(*args[:2], workers, i, *args[2:], readies[i], go, out))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    for ready in readies:
        ready.wait(600)
    wall = time.perf_counter()
    go.set()
    results = [out.get(timeout=3600) for _ in procs]
    wall = time.perf_counter() - wall
    for proc in procs:
        proc.join()
    return results + [(-1, sum(r[1] for r in results), wall)]


def reset_invoices(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM job_intents"))
        connection.execute(text("DELETE FROM audit_log"))
        connection.execute(text("UPDATE invoices SET credited_invoice_id = NULL, related_invoice_id = NULL"))
        connection.execute(text("DELETE FROM invoice_lines"))
        connection.execute(text("DELETE FROM invoices"))
        connection.execute(text("UPDATE invoice_series SET next_sequence = 1"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--pdfs", type=int, default=60, help="PDFs rendered per worker in phase 2")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL (the scratch database is created beside it).")
    name = f"bench_billing_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    instance = Path(f"/tmp/{name}")
    instance.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Base {name} : création de {args.contracts} contrats…")
        started = time.perf_counter()
        populate(url, instance, args.contracts)
        print(f"  prêts en {time.perf_counter() - started:.0f} s")
        for workers in (1, 2):
            reset_invoices(url)
            results = parallel(issue_share, workers, url, str(instance))
            total = results[-1]
            print(f"émission, {workers} worker(s) : {total[1]} contrats facturés (2 factures chacun) en {total[2]:.1f} s "
                  f"({total[1] / total[2]:.0f} contrats/s)")
        for workers in (1, 2):
            results = parallel(render_share, workers, url, str(instance), args.pdfs)
            per_worker = [count / seconds for _, count, seconds in results[:-1] if seconds]
            print(f"rendu Factur-X, {workers} worker(s) : {sum(per_worker) / len(per_worker):.1f} PDF/s par worker, "
                  f"{results[-1][1] / results[-1][2]:.1f} PDF/s au total")
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
