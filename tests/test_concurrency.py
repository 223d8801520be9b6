"""Invariants under two concurrent transactions, on PostgreSQL: each is a constraint or a row lock.

These tests commit for real from two threads (two connections) and wipe the database
afterwards. On SQLite they are skipped (CI runs them on PostgreSQL, where they must run).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import commit, db, rollback
from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.contracts import Contract, ContractBooking, ContractStatus
from marketplace.models.missions import Application, ApplicationStatus
from marketplace.models.outbox import JobIntent
from marketplace.platform import jobs
from tests.conftest import REQUIRE_SERVICES, make_test_app, wipe


@pytest.fixture()
def pg_app(engine, tmp_path):
    """An app committing for real on PostgreSQL; the rows are wiped afterwards."""
    if engine.dialect.name != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("MARKETPLACE_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("two concurrent transactions need PostgreSQL (CI runs these tests on it)")
    app = make_test_app(engine, tmp_path)
    yield app
    wipe(engine)


def race(app, *work: Callable[[Session], object]) -> list[object]:
    """Run each ``work(session)`` in its own thread and transaction, started together; results or errors."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int) -> None:
        with app.app_context(), db.isolated_session() as session:
            barrier.wait()
            try:
                results[index] = work[index](session)
                commit(session)
            except Exception as exc:  # noqa: BLE001 - the test inspects what each side met
                rollback(session)
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def committed_applications(app, count: int = 2):
    """A published mission with ``count`` applications, committed; returns (owner id, mission id, application ids)."""
    from tests import factories

    with app.app_context():
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            owner = factories.SmeUserFactory()
            mission = factories.MissionFactory(company=owner.company)
            ids = [factories.ApplicationFactory(mission=mission).id for _ in range(count)]
            session.commit()
            return owner.id, mission.id, ids
        finally:
            factories.CURRENT_SESSION = None


def test_two_members_accepting_two_applications_at_once_accept_one(pg_app):
    from marketplace.models.users import User
    from marketplace.services.missions import hiring

    owner_id, mission_id, (first, second) = committed_applications(pg_app)

    def accept(application_id: int):
        def work(session: Session):
            return hiring.accept(session, session.get(Application, application_id), session.get(User, owner_id))
        return work

    results = race(pg_app, accept(first), accept(second))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), results
    assert "déjà retenu" in errors[0].message or "vient de retenir" in errors[0].message
    with pg_app.app_context():
        accepted = db.session.scalars(select(Application).where(
            Application.mission_id == mission_id, Application.status == ApplicationStatus.ACCEPTED.value)).all()
        assert len(accepted) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "application.accepted")) == 1


def test_eight_clicks_on_one_application_accept_it_once(pg_app):
    from marketplace.models.users import User
    from marketplace.services.missions import hiring

    owner_id, _, (application_id,) = committed_applications(pg_app, count=1)

    def work(session: Session):
        return hiring.accept(session, session.get(Application, application_id), session.get(User, owner_id))

    results = race(pg_app, *[work] * 8)
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, Exception))
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "application.accepted")) == 1


def test_the_database_itself_refuses_a_second_accepted_application(pg_app):
    """Even code that forgot the lock cannot accept two: the partial unique index says no."""
    _, mission_id, (first, second) = committed_applications(pg_app)

    def force(application_id: int):
        def work(session: Session):
            session.execute(text("UPDATE applications SET status = 'accepted' WHERE id = :id"), {"id": application_id})
        return work

    results = race(pg_app, force(first), force(second))
    assert sum(1 for r in results if isinstance(r, IntegrityError)) == 1, results


def test_two_transactions_recording_the_same_job_key_make_one_intent(pg_app, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: None)  # stay pending: only the rows matter

    def record(session: Session):
        return jobs.enqueue(session, "tests.write_audit", "once", dedupe_key="profile:42").id

    results = race(pg_app, record, record)
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0] == results[1]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobIntent).where(
            JobIntent.dedupe_key == "profile:42")) == 1


# --- contracts: one booking per half day, one activation per contract ------------------------


def agreed_contracts(app, companies: int, weekdays=("tue",)):
    """``companies`` SMEs each with an agreed contract, PDF rendered, for one freelancer on ``weekdays``.

    The freelancer has signed each already; returns (freelancer user id, [(owner id, contract id)]).
    """
    from marketplace.domain import WeekSlots
    from marketplace.services.contracts import documents, negotiation, signing
    from marketplace.services.missions import hiring
    from tests import factories

    with app.app_context():
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            om = factories.FreelancerProfileFactory(user__first_name="Inès", user__last_name="Roux",
                                                    available_slots=WeekSlots.from_days(list(weekdays)).bits)
            factories.upload_document(om, "urssaf_certificate", factories.sample_pdf("Attestation"),
                                      issued_on=factories.today())
            pairs = []
            for n in range(companies):
                owner = factories.SmeUserFactory(first_name="Dirigeant", last_name=f"Numéro{n}")
                mission = factories.MissionFactory(company=owner.company, weekdays=list(weekdays),
                                                   half_days_per_week=2 * len(weekdays))
                application = factories.ApplicationFactory(mission=mission, freelancer=om,
                                                           offered_weekdays=list(weekdays))
                hiring.accept(session, application, owner)
                contract = session.scalar(select(Contract).where(Contract.application_id == application.id))
                for actor in (owner, om.user):
                    negotiation.accept(session, contract, actor, contract.latest_version.number)
                documents.render_version(session, contract.latest_version.id)
                version = contract.latest_version
                signing.sign(session, contract, om.user, signing.SignatureData(
                    "Inès Roux", True, version.document_hash, "203.0.113.1", "tests"))
                pairs.append((owner.id, contract.id))
            session.commit()
            return om.user.id, pairs
        finally:
            factories.CURRENT_SESSION = None


def sign_as(user_id: int, contract_id: int, name: str):
    from marketplace.models.users import User
    from marketplace.services.contracts import signing

    def work(session: Session):
        contract = session.get(Contract, contract_id)
        version = signing.awaiting_signature(contract)
        return signing.sign(session, contract, session.get(User, user_id),
                            signing.SignatureData(name, True, version.document_hash, "203.0.113.2", "tests"))
    return work


def test_two_companies_signing_for_the_same_tuesday_at_once_one_wins(pg_app):
    _, [(owner_a, contract_a), (owner_b, contract_b)] = agreed_contracts(pg_app, 2)
    results = race(pg_app, sign_as(owner_a, contract_a, "Dirigeant Numéro0"),
                   sign_as(owner_b, contract_b, "Dirigeant Numéro1"))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(bool(r.conflict) for r in results) == [False, True], results
    with pg_app.app_context():
        contracts = {c.id: c for c in db.session.scalars(select(Contract))}
        statuses = sorted(c.status for c in contracts.values())
        assert statuses == [ContractStatus.ACTIVE.value, ContractStatus.DRAFT.value]
        loser = next(c for c in contracts.values() if c.status == ContractStatus.DRAFT.value)
        assert "n'est plus disponible le mardi" in loser.blocked_reason
        rows = db.session.scalars(select(ContractBooking).where(ContractBooking.active.is_(True))).all()
        assert {b.contract_id for b in rows} == {next(c.id for c in contracts.values() if c.status == "active")}
        assert len(rows) == 2


def test_both_parties_signing_the_same_contract_at_once_start_it_once(pg_app):
    from marketplace.models.users import User
    from marketplace.services.contracts import documents, negotiation
    from tests import factories

    with pg_app.app_context():  # a contract agreed, nobody signed yet
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            from marketplace.services.missions import hiring

            om = factories.FreelancerProfileFactory(user__first_name="Inès", user__last_name="Roux")
            factories.upload_document(om, "urssaf_certificate", factories.sample_pdf("Attestation"),
                                      issued_on=factories.today())
            owner = factories.SmeUserFactory(first_name="Claire", last_name="Martin")
            application = factories.ApplicationFactory(mission=factories.MissionFactory(company=owner.company),
                                                       freelancer=om)
            hiring.accept(session, application, owner)
            contract = session.scalar(select(Contract).where(Contract.application_id == application.id))
            for actor in (owner, om.user):
                negotiation.accept(session, contract, actor, 1)
            documents.render_version(session, contract.latest_version.id)
            session.commit()
            ids = (owner.id, om.user.id, contract.id)
        finally:
            factories.CURRENT_SESSION = None
    owner_id, om_id, contract_id = ids
    results = race(pg_app, sign_as(owner_id, contract_id, "Claire Martin"), sign_as(om_id, contract_id, "Inès Roux"))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.completed for r in results) == [False, True]  # the second to get the lock starts it
    with pg_app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract.status == ContractStatus.ACTIVE.value and len(contract.signatures) == 2
        assert db.session.scalar(select(func.count()).select_from(ContractBooking)) == 4
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "contract.activated")) == 1
        assert db.session.get(User, om_id) is not None


def test_the_database_itself_refuses_two_active_bookings_of_one_half_day(pg_app):
    _, [(_, contract_a), (_, contract_b)] = agreed_contracts(pg_app, 2)
    with pg_app.app_context():
        freelancer_id = db.session.get(Contract, contract_a).freelancer_id

    def book(contract_id: int):
        def work(session: Session):
            session.add(ContractBooking(contract_id=contract_id, freelancer_id=freelancer_id, weekday="tue", half="am"))
            session.flush()
        return work

    results = race(pg_app, book(contract_a), book(contract_b))
    assert sum(1 for r in results if isinstance(r, IntegrityError)) == 1, results


# --- billing: one invoice per contract and month, gapless numbers ------------------------------


def approved_months(app, contracts: int, same_freelancer: bool = True) -> list[int]:
    """``contracts`` contracts (of one freelancer) with November 2026 approved; their ids."""
    from datetime import date

    from marketplace.services.timesheets import reports
    from marketplace.services.timesheets.reports import Declared
    from tests import factories

    with app.app_context():
        session = db.session()
        factories.CURRENT_SESSION = db.session
        try:
            profile = factories.FreelancerProfileFactory()
            ids = []
            for n in range(contracts):
                owner = factories.SmeUserFactory()
                contract = factories.ContractFactory(
                    mission=factories.MissionFactory(company=owner.company),
                    freelancer=profile if same_freelancer else factories.FreelancerProfileFactory(),
                    start_date=date(2026, 9, 1), weekdays=["tue"], booked=[])  # billing only: no bookings
                timesheet = reports.open_month(session, contract, date(2026, 11, 1))
                reports.save(session, timesheet, contract.freelancer.user,
                             [Declared(date(2026, 11, d), 2) for d in (3, 10, 17, 24)])
                reports.submit(session, timesheet, contract.freelancer.user)
                reports.approve(session, timesheet, owner)
                ids.append(contract.id)
            session.commit()
            return ids
        finally:
            factories.CURRENT_SESSION = None


def issue_work(contract_id: int):
    from datetime import date

    from marketplace.models.contracts import Contract
    from marketplace.services.billing import issuing

    def work(session: Session):
        return issuing.issue_month(session, session.get(Contract, contract_id), date(2026, 11, 1),
                                   today=date(2026, 12, 2))
    return work


def test_two_workers_billing_the_same_month_issue_it_once_and_consume_no_number(pg_app):
    from marketplace.models.billing import Invoice

    [contract_id] = approved_months(pg_app, 1)
    results = race(pg_app, issue_work(contract_id), issue_work(contract_id), issue_work(contract_id))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(1 for r in results if r.issued) == 1, results
    with pg_app.app_context():
        numbers = sorted(db.session.scalars(select(Invoice.number)))
        assert {n.rsplit("-", 1)[1] for n in numbers} == {"00001", "000001"}  # F…-00001, OMP-…-000001
    # The next month of another contract takes the next numbers: none was burnt by the losers.
    [other] = approved_months(pg_app, 1)
    with pg_app.app_context():

        issued = issue_work(other)(db.session())
        commit()
        assert issued.fee_invoice.number.endswith("-000002")


def test_workers_billing_one_freelancers_contracts_at_once_take_consecutive_numbers(pg_app):
    from marketplace.models.billing import Invoice, InvoiceSeries

    ids = approved_months(pg_app, 4)
    results = race(pg_app, *[issue_work(i) for i in ids])
    assert all(not isinstance(r, Exception) and r.issued for r in results), results
    with pg_app.app_context():
        for series in db.session.scalars(select(InvoiceSeries)):
            sequences = sorted(db.session.scalars(select(Invoice.sequence).where(Invoice.series_id == series.id)))
            assert sequences == [1, 2, 3, 4], (series.prefix, sequences)
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 8
