"""``marketplace seed``: a bulk marketplace that is consistent where a user would notice."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select
from stdnum import iban
from stdnum.fr import siret

from marketplace.domain import WeekSlots
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.matching import MatcherSnapshot
from marketplace.models.missions import (
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
)
from marketplace.models.users import User
from marketplace.services import seeding
from tests.conftest import login

SMALL = ["seed", "--freelancers", "200", "--companies", "40", "--missions", "60", "--contracts", "20", "--seed", "7"]


@pytest.fixture()
def seeded(runner, db_session):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    return result.output


def seeded_users(session, prefix: str) -> list[User]:
    return list(session.scalars(select(User).where(User.email.like(f"{prefix}%@{seeding.EMAIL_DOMAIN}"))))


def test_seed_adds_the_world_it_announces(seeded, db_session):
    assert "200 office managers" in seeded and "40 entreprises" in seeded and "20 contrats en cours" in seeded
    assert re.search(r"Durée totale : \d+\.\d s", seeded)
    assert f"mot de passe « {seeding.SEED_PASSWORD} »" in seeded
    assert len(seeded_users(db_session, seeding.FREELANCER_PREFIX)) == 200
    owners = seeded_users(db_session, seeding.COMPANY_PREFIX)
    assert len(owners) == 40 and all(o.company_id and o.company_role == "owner" for o in owners)
    published = db_session.scalars(select(Mission).where(Mission.status == MissionStatus.PUBLISHED.value)).all()
    assert len(published) == 60
    # Every mission belongs to a company that exists, with its site, perimeter and owner.
    company_ids = set(db_session.scalars(select(Company.id)))
    for mission in published:
        assert mission.company_id in company_ids and mission.perimeter and mission.site_latitude is not None
        assert mission.created_by.company_id == mission.company_id
    # A snapshot of the matcher's index was built for the processes that start next.
    assert db_session.scalar(select(func.count()).select_from(MatcherSnapshot)) >= 1


def test_seeded_identifiers_are_valid_and_distinct(seeded, db_session):
    sirets = list(db_session.scalars(select(Company.siret)))
    assert all(siret.is_valid(s) for s in sirets) and len(set(sirets)) == len(sirets)
    profiles = db_session.scalars(select(FreelancerProfile).where(FreelancerProfile.siret.is_not(None))).all()
    assert all(siret.is_valid(p.siret) for p in profiles)
    ibans = [p.iban for p in profiles]
    assert all(iban.is_valid(i) for i in ibans) and len(set(ibans)) == len(ibans)
    statuses = Counter(p.status for p in db_session.scalars(select(FreelancerProfile)))
    assert statuses[ProfileStatus.APPROVED.value] > 100 and statuses[ProfileStatus.DRAFT.value] > 0
    assert statuses[ProfileStatus.SUBMITTED.value] + statuses[ProfileStatus.IN_REVIEW.value] > 0


def test_contracts_hold_their_half_days_without_collision(seeded, db_session):
    contracts = db_session.scalars(select(Contract).where(Contract.status == ContractStatus.ACTIVE.value)).all()
    assert len(contracts) == 20
    active = db_session.scalars(select(ContractBooking).where(ContractBooking.active.is_(True))).all()
    slots = Counter((b.freelancer_id, b.weekday, b.half) for b in active)
    assert slots and max(slots.values()) == 1  # one contract per freelancer's half day
    for contract in contracts:
        held = {f"{b.weekday}-{b.half}" for b in contract.bookings if b.active}
        assert held == set(contract.slots) and contract.half_days_per_week == len(held)
        # Only weekdays the freelancer offers are booked; the mission is filled by this hire.
        assert WeekSlots.from_pairs((b.weekday, b.half) for b in contract.bookings) - contract.freelancer.slots \
            == WeekSlots()
        assert contract.mission.status == MissionStatus.FILLED.value
        assert contract.application.status == ApplicationStatus.ACCEPTED.value
        assert {s.party for s in contract.signatures} == {"sme", "freelancer"}
    # Applicants are vetted and offer weekdays no contract holds.
    booked = {(fid, day) for fid, day, _ in slots}
    for application in db_session.scalars(select(Application).where(Application.status == "applied")):
        assert application.freelancer.status == ProfileStatus.APPROVED.value
        assert not {(application.freelancer_id, d) for d in application.offered_weekdays} & booked


def test_seeded_accounts_log_in_and_see_their_pages(seeded, client, db_session):
    # A vetted freelancer who applied somewhere: « missions pour vous » ranks missions for her.
    applicant = db_session.scalar(
        select(User).join(FreelancerProfile).join(Application, Application.freelancer_id == FreelancerProfile.id)
        .where(Application.status == "applied", User.email.like(f"%@{seeding.EMAIL_DOMAIN}")).limit(1))
    assert login(client, applicant.email, seeding.SEED_PASSWORD).status_code == 200
    page = client.get("/freelance/missions")
    assert page.status_code == 200
    assert re.search(rb'href="/freelance/missions/\d+"', page.data)
    assert client.get("/freelance/candidatures").status_code == 200
    client.post("/compte/deconnexion")

    # An SME owner's remote mission: recommended freelancers come with their reasons.
    mission = db_session.scalar(select(Mission).where(
        Mission.status == MissionStatus.PUBLISHED.value, Mission.work_mode == "remote").order_by(Mission.id).limit(1))
    owner = db_session.get(User, mission.created_by_id)
    assert login(client, owner.email, seeding.SEED_PASSWORD).status_code == 200
    assert client.get("/entreprise/").status_code == 200
    page = client.get(f"/entreprise/missions/{mission.id}")
    assert page.status_code == 200 and b"recommended-item" in page.data
    assert client.get(f"/entreprise/missions/{mission.id}/candidatures").status_code == 200
    contract = db_session.scalar(select(Contract).limit(1))
    client.post("/compte/deconnexion")
    assert login(client, db_session.get(Company, contract.company_id).billing_email, seeding.SEED_PASSWORD)
    assert client.get(f"/entreprise/contrats/{contract.id}").status_code == 200
    # A wrong password is still refused.
    client.post("/compte/deconnexion")
    login(client, owner.email, "pas-le-bon-mot-de-passe")
    assert client.get("/entreprise/").status_code in (302, 401)


def test_a_second_run_adds_a_second_batch(seeded, runner, db_session):
    again = runner.invoke(args=["seed", "--freelancers", "30", "--companies", "5", "--missions", "4",
                                "--contracts", "3", "--seed", "7", "--no-snapshot"])
    assert again.exit_code == 0, again.output
    assert "om.201@seed.test" in again.output and "pme.41@seed.test" in again.output
    assert len(seeded_users(db_session, seeding.FREELANCER_PREFIX)) == 230
    assert len(seeded_users(db_session, seeding.COMPANY_PREFIX)) == 45
    assert db_session.scalar(select(func.count()).select_from(Contract)) == 23


def test_the_demo_logins_are_left_alone(runner, db_session):
    from tests import factories

    demo = factories.UserFactory(email="pme@demo.test")
    before = demo.password_hash
    result = runner.invoke(args=["seed", "--freelancers", "5", "--companies", "2", "--missions", "2",
                                 "--no-snapshot"])
    assert result.exit_code == 0, result.output
    db_session.refresh(demo)
    assert demo.password_hash == before
    assert not db_session.scalars(select(User).where(User.email.like("%@demo.test"), User.id != demo.id)).all()


def test_the_bare_liveness_endpoint_answers_without_the_database(app, client, monkeypatch):
    def no_database(*_args, **_kwargs):
        raise AssertionError("the liveness probe must not touch the database")

    monkeypatch.setattr(app.extensions["marketplace.db"].session, "execute", no_database)
    answer = client.get("/healthz/live")
    assert answer.status_code == 200 and answer.data == b"ok"
