"""The access matrix, generated from the URL map: every route that takes an object id, for every kind of visitor.

Each route is requested as an anonymous visitor, as the object's owner, as a user of the
same role in another tenant, as the other role, and as an operator, on the seeded demo
(rolled back after each route). A route that takes an id and is missing from ``ROUTES``
fails the test: a new route states who may reach it before it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pytest
from sqlalchemy import select

from marketplace.models.billing import Invoice
from marketplace.models.companies import TeamInvitation
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.documents import Document
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Application, Mission, MissionStatus
from marketplace.models.outbox import JobIntent
from marketplace.models.payments import BankLine, BankStatement, Payout
from marketplace.models.privacy import AccountClosure
from marketplace.models.timesheets import Timesheet
from marketplace.models.users import User
from marketplace.models.vetting import ReferenceRequest
from tests.conftest import login

PASSWORDS = {"pme@demo.test": "demo-pme", "pme2@demo.test": "demo-pme", "om@demo.test": "demo-om",
             "om2@demo.test": "demo-om", "admin@demo.test": "demo-admin"}
LOGIN = 302  # HTML pages send an anonymous visitor to the log-in form
ELSEWHERE = 302  # ... and a visitor of another role to their own dashboard


@dataclass
class World:
    """The demo's objects of tenant A (pme@ and om@demo.test), looked up once per route."""

    session: object

    def user(self, email: str) -> User:
        return self.session.scalar(select(User).where(User.email == email))

    @property
    def company(self):
        return self.user("pme@demo.test").company

    @property
    def om(self) -> FreelancerProfile:
        return self.user("om@demo.test").freelancer_profile

    def mission(self, status: str = MissionStatus.PUBLISHED.value) -> Mission:
        return self.session.scalar(select(Mission).where(Mission.company_id == self.company.id, Mission.status == status)
                                   .order_by(Mission.id))

    def application(self) -> Application:
        return self.session.scalar(select(Application).join(Application.mission)
                                   .where(Mission.company_id == self.company.id).order_by(Application.id))

    def om_application(self) -> Application:
        return self.session.scalar(select(Application).where(Application.freelancer_id == self.om.id)
                                   .order_by(Application.id))

    def om_document(self) -> Document:
        return self.session.scalar(select(Document).where(Document.profile_id == self.om.id,
                                                          Document.content_type == "application/pdf"))

    def invitation(self) -> TeamInvitation:
        return self.session.scalar(select(TeamInvitation).where(TeamInvitation.company_id == self.company.id,
                                                                TeamInvitation.accepted_at.is_(None)))

    def contract(self) -> Contract:
        """The demo's contract between pme@ and om@demo.test (a running one first)."""
        return self.session.scalar(select(Contract).where(Contract.company_id == self.company.id,
                                                          Contract.freelancer_id == self.om.id)
                                   .order_by((Contract.status == ContractStatus.ACTIVE.value).desc(), Contract.id))

    def timesheet(self) -> Timesheet:
        """A report of the demo's pme@/om@ contract."""
        return self.session.scalar(select(Timesheet).where(Timesheet.contract_id == self.contract().id)
                                   .order_by(Timesheet.month.desc()))

    def invoice(self) -> Invoice:
        """An invoice issued in om@demo.test's name to pme@demo.test's company."""
        return self.session.scalar(select(Invoice).where(Invoice.company_id == self.company.id,
                                                         Invoice.freelancer_id == self.om.id).order_by(Invoice.id))

    def bank_line(self) -> BankLine:
        """An unmatched line of a bank statement (the demo imports none: one is made, rolled back with the test)."""
        found = self.session.scalar(select(BankLine).where(BankLine.status == "unmatched").order_by(BankLine.id))
        if found is None:
            statement = BankStatement(filename="matrice.csv", format="csv", sha256="0" * 64)
            found = BankLine(statement=statement, fingerprint="matrix-line", booking_date=date(2026, 12, 1),
                             amount_cents=1_000, label="VIR SEPA", reference="", status="unmatched")
            self.session.add(found)
            self.session.flush()
        return found

    def payout(self) -> Payout:
        """A payout waiting for the operator's transfer, on om@demo.test's invoice (made if the demo has none)."""
        found = self.session.scalar(select(Payout).where(Payout.status == "pending").order_by(Payout.id))
        if found is None:
            invoice = self.invoice()
            found = Payout(freelancer_id=self.om.id, invoice_id=invoice.id, amount_cents=1_000, fee_cents=0,
                           idempotency_key="matrix-payout", status="pending")
            self.session.add(found)
            self.session.flush()
        return found

    def approved_profile(self) -> FreelancerProfile:
        return self.session.scalar(select(FreelancerProfile).where(FreelancerProfile.status == "approved",
                                                                   FreelancerProfile.id != self.om.id)
                                   .order_by(FreelancerProfile.id))


@dataclass(frozen=True)
class Route:
    """Who owns the object behind the ids, and what each visitor gets."""

    owner: str  # e-mail of the owner (or the operator for the console)
    args: Callable[[World], dict[str, int]]
    tenant: str | None = None  # same role, another tenant (None: no such visitor, e.g. the console)
    others: tuple[str, ...] = ()  # the other roles
    expect: dict[str, int | tuple[int, ...]] = field(default_factory=dict)


SME = dict(tenant="pme2@demo.test", others=("om@demo.test", "admin@demo.test"))
FREELANCER = dict(tenant="om2@demo.test", others=("pme@demo.test", "admin@demo.test"))
CONSOLE = dict(others=("pme@demo.test", "om@demo.test"))
ADMIN = "admin@demo.test"

ROUTES: dict[str, Route] = {
    # --- the SME's missions, applications and team ---------------------------------------------
    "sme.mission": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME),
    "sme.mission_applications": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME),
    "sme.mission_close": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME),
    "sme.mission_edit": Route("pme@demo.test", lambda w: {"mission_id": w.mission("draft").id}, **SME),
    "sme.mission_perimeter": Route("pme@demo.test", lambda w: {"mission_id": w.mission("draft").id}, **SME),
    "sme.mission_fill": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME),
    "sme.mission_publish": Route("pme@demo.test", lambda w: {"mission_id": w.mission("draft").id}, **SME),
    "sme.mission_preview": Route("pme@demo.test", lambda w: {"mission_id": w.mission("draft").id}, **SME),
    "sme.mission_duplicate": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME),
    "sme.mission_invite": Route("pme@demo.test", lambda w: {"mission_id": w.mission().id,
                                                            "profile_id": w.approved_profile().id}, **SME),
    "sme.application": Route("pme@demo.test", lambda w: {"application_id": w.application().id}, **SME),
    "sme.application_accept": Route("pme@demo.test", lambda w: {"application_id": w.application().id}, **SME),
    "sme.application_decline": Route("pme@demo.test", lambda w: {"application_id": w.application().id}, **SME),
    "sme.application_shortlist": Route("pme@demo.test", lambda w: {"application_id": w.application().id}, **SME),
    "sme.team_revoke": Route("pme@demo.test", lambda w: {"invitation_id": w.invitation().id}, **SME),
    "sme.team_remove": Route("pme@demo.test", lambda w: {"user_id": w.user("equipe@demo.test").id}, **SME),
    # A vetted profile is open to every SME (before any invitation), to no other role.
    "sme.freelancer_profile": Route("pme@demo.test", lambda w: {"profile_id": w.approved_profile().id}, **SME,
                                    expect={"tenant": 200}),
    # --- messages: the two parties of an application or a contract ------------------------------
    "sme.application_messages": Route("pme@demo.test", lambda w: {"application_id": w.application().id}, **SME),
    "sme.contract_messages": Route("pme@demo.test", lambda w: {"contract_id": w.contract().id}, **SME),
    "freelancer.application_messages": Route("om@demo.test", lambda w: {"application_id": w.om_application().id},
                                             **FREELANCER),
    "freelancer.contract_messages": Route("om@demo.test", lambda w: {"contract_id": w.contract().id}, **FREELANCER),
    "api.mission_recommendations": Route(
        "pme@demo.test", lambda w: {"mission_id": w.mission().id}, **SME,
        expect={"anonymous": 401, "others": 403}),
    # --- the freelancer's profile and applications ----------------------------------------------
    "freelancer.experience_edit": Route("om@demo.test", lambda w: {"entry_id": w.om.experiences[0].id}, **FREELANCER),
    "freelancer.experience_delete": Route("om@demo.test", lambda w: {"entry_id": w.om.experiences[0].id}, **FREELANCER),
    "freelancer.reference_edit": Route("om@demo.test", lambda w: {"reference_id": w.om.references[0].id}, **FREELANCER),
    "freelancer.reference_delete": Route("om@demo.test", lambda w: {"reference_id": w.om.references[0].id},
                                         **FREELANCER),
    "freelancer.application_withdraw": Route("om@demo.test", lambda w: {"application_id": w.om_application().id},
                                             **FREELANCER),
    # A published mission is open to every freelancer: the other one reads it too.
    "freelancer.mission": Route("om@demo.test", lambda w: {"mission_id": w.mission().id}, **FREELANCER,
                                expect={"tenant": 200}),
    # --- files: their owner, and the operators ---------------------------------------------------
    "public.document_file": Route("om@demo.test", lambda w: {"document_id": w.om_document().id},
                                  tenant="om2@demo.test", others=("pme@demo.test",),
                                  expect={"others": 404, "admin": 200}),
    "public.document_preview": Route("om@demo.test", lambda w: {"document_id": w.om_document().id, "page": 0},
                                     tenant="om2@demo.test", others=("pme@demo.test",),
                                     expect={"others": 404, "admin": 200}),
    # --- contracts: each party through its own area, the operator read-only -------------------------
    **{f"sme.{name}": Route("pme@demo.test", lambda w: {"contract_id": w.contract().id}, **SME) for name in (
        "contract", "contract_edit", "contract_accept", "contract_sign", "contract_versions", "contract_cancel",
        "contract_withdraw_amendment", "contract_notice", "contract_end", "contract_end_answer", "contract_survey",
        "contract_vigilance", "contract_vigilance_request")},
    **{f"freelancer.{name}": Route("om@demo.test", lambda w: {"contract_id": w.contract().id}, **FREELANCER)
       for name in ("contract", "contract_edit", "contract_accept", "contract_sign", "contract_versions",
                    "contract_cancel", "contract_withdraw_amendment", "contract_notice", "contract_end",
                    "contract_end_answer")},
    "admin.contract": Route(ADMIN, lambda w: {"contract_id": w.contract().id}, **CONSOLE),
    # --- activity reports and invoices: the two parties, and the operators ------------------------------
    **{f"sme.{name}": Route("pme@demo.test", lambda w: {"timesheet_id": w.timesheet().id}, **SME)
       for name in ("timesheet", "timesheet_approve", "timesheet_dispute")},
    **{f"freelancer.{name}": Route("om@demo.test", lambda w: {"timesheet_id": w.timesheet().id}, **FREELANCER)
       for name in ("timesheet", "timesheet_save")},
    **{f"sme.{name}": Route("pme@demo.test", lambda w: {"invoice_id": w.invoice().id}, **SME)
       for name in ("invoice", "invoice_pay")},
    **{f"freelancer.{name}": Route("om@demo.test", lambda w: {"invoice_id": w.invoice().id}, **FREELANCER)
       for name in ("invoice", "invoice_contest")},
    **{f"admin.{name}": Route(ADMIN, lambda w: {"timesheet_id": w.timesheet().id}, **CONSOLE)
       for name in ("timesheet", "timesheet_correct")},
    **{f"admin.{name}": Route(ADMIN, lambda w: {"invoice_id": w.invoice().id}, **CONSOLE)
       for name in ("invoice", "invoice_credit", "invoice_resolve")},
    # --- payments in the console: bank lines to decide, payouts to send ---------------------------------
    "admin.payment_line_decide": Route(ADMIN, lambda w: {"line_id": w.bank_line().id}, **CONSOLE),
    "admin.payment_payout_sent": Route(ADMIN, lambda w: {"payout_id": w.payout().id}, **CONSOLE),
    # --- the operator's console -----------------------------------------------------------------
    "admin.toggle_user": Route(ADMIN, lambda w: {"user_id": w.user("pme2@demo.test").id}, **CONSOLE),
    "admin.retry_job": Route(ADMIN, lambda w: {"intent_id": w.session.scalar(select(JobIntent.id).limit(1))}, **CONSOLE),
    "admin.vetting_profile": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_approve": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_request_information": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_claim": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_reinstate": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_reject": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_recheck": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_suspend": Route(ADMIN, lambda w: {"profile_id": w.om.id}, **CONSOLE),
    "admin.vetting_verify_document": Route(ADMIN, lambda w: {"document_id": w.om_document().id}, **CONSOLE),
    "admin.vetting_resend_reference": Route(
        ADMIN, lambda w: {"request_id": w.session.scalar(select(ReferenceRequest.id).limit(1))}, **CONSOLE),
    # --- privacy: the demo's programmed erasure (depart@demo.test), held and resumed by the operator ---
    **{f"admin.{name}": Route(ADMIN, lambda w: {"closure_id": w.session.scalar(select(AccountClosure.id).limit(1))},
                              **CONSOLE) for name in ("privacy_hold", "privacy_resume")},
}


def routes_with_ids(app) -> dict[str, tuple[str, ...]]:
    """Every endpoint whose URL takes an integer id, with its methods."""
    found = {}
    for rule in app.url_map.iter_rules():
        if any(type(c).__name__ == "BoundedIntConverter" for c in rule._converters.values()):
            found[rule.endpoint] = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def test_every_route_taking_an_id_has_its_row_in_the_matrix(demo_app):
    assert set(routes_with_ids(demo_app)) == set(ROUTES)


def request_as(demo_app, email: str | None, method: str, url: str) -> int:
    client = demo_app.test_client()
    if email is not None:
        assert login(client, email, PASSWORDS[email]).status_code == 200
    response = client.open(url, method=method, data={})
    return response.status_code


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_each_visitor_gets_what_the_matrix_says(demo_app, demo_session, endpoint):
    from flask import url_for

    route = ROUTES[endpoint]
    world = World(demo_session)
    methods = routes_with_ids(demo_app)[endpoint]
    method = "GET" if "GET" in methods else "POST"
    with demo_app.test_request_context():
        url = url_for(endpoint, **route.args(world))
    expected = {"anonymous": LOGIN, "tenant": 404, "others": ELSEWHERE, **route.expect}
    cells = [("anonymous", None, expected["anonymous"])]
    if route.tenant:
        cells.append(("tenant", route.tenant, expected["tenant"]))
    for other in route.others:
        cells.append(("admin" if other == ADMIN else "others", other,
                      expected.get("admin", expected["others"]) if other == ADMIN else expected["others"]))
    for cell, email, status in cells:
        got = request_as(demo_app, email, method, url)
        assert got == status, f"{endpoint} as {cell} ({email}): {got}, expected {status}"
    # The owner last (a POST may act): reached, never refused nor broken.
    got = request_as(demo_app, route.owner, method, url)
    allowed = (200,) if method == "GET" else (200, 302, 400, 422)
    assert got in allowed, f"{endpoint} as its owner: {got}"
