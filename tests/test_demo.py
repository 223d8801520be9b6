"""``marketplace demo``: a realistic, idempotent demo with stable logins."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from marketplace.cli import DEMO_LOGINS, main
from marketplace.models import Application, Company, FreelancerProfile, Mission
from marketplace.platform.identifiers import validate_iban, validate_siret


def summary(output: str) -> str:
    return next((line.split(" : ", 1)[1] for line in output.splitlines() if "Base de démonstration prête" in line), "")


def test_demo_seeds_once_and_every_login_reaches_its_dashboard(demo_instance, tmp_path, monkeypatch):
    folder, first = demo_instance  # ``marketplace demo --no-serve``, run once for the whole suite
    assert "pme@demo.test" in first and "demo-admin" in first
    # Running it again (on a copy) migrates and completes, duplicating nothing.
    shutil.copytree(folder, tmp_path / "again")
    monkeypatch.setenv("DATABASE_URL", "postgresql://should-not-be-used/x")
    second = CliRunner().invoke(main, ["demo", "--no-serve", "--instance", str(tmp_path / "again")])
    assert second.exit_code == 0, second.output
    assert summary(first) == summary(second.output) != ""

    engine = create_engine(f"sqlite:///{tmp_path / 'again' / 'marketplace.sqlite'}")
    with Session(engine) as session:
        def count(model):
            return session.scalar(select(func.count()).select_from(model))

        assert count(Company) >= 10 and count(FreelancerProfile) >= 40
        assert count(Mission) >= 15 and count(Application) >= 10
        sizes = {c.headcount for c in session.scalars(select(Company))}
        assert min(sizes) < 25 and max(sizes) > 80
        assert len({c.sector for c in session.scalars(select(Company))}) >= 8
        for profile in session.scalars(select(FreelancerProfile)):
            validate_siret(profile.siret)
            validate_iban(profile.iban)
        for company in session.scalars(select(Company)):
            validate_siret(company.siret)
        assert len({p.daily_rate_cents for p in session.scalars(select(FreelancerProfile))}) >= 5
    engine.dispose()


def test_every_demo_login_reaches_its_dashboard(demo_client):
    expected = {"pme": "/entreprise/", "om": "/freelance/", "admin": "/admin/"}
    for _label, email, password in DEMO_LOGINS:
        response = demo_client.post("/compte/connexion", data={"email": email, "password": password},
                                    follow_redirects=True)
        assert response.request.path == expected[email.split("@")[0].rstrip("2")], email
        demo_client.post("/compte/deconnexion")
