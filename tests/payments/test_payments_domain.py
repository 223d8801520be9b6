"""Payments as the domain sees them: the state machine, the fee arithmetic, webhooks into the real endpoint.

Layer (a) of the README: Stripe answers come from the recording HTTP client (canned JSON
from Stripe's API reference) and webhook bodies are signed with
``stripe.WebhookSignature.generate_signature_header`` and posted to ``/webhooks/stripe``.
"""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
import stripe
from sqlalchemy import func, select

from marketplace.db import commit
from marketplace.errors import DomainError
from marketplace.models.billing import Invoice, InvoiceStatus, IssuerKind
from marketplace.models.payments import (
    Payment,
    PaymentMethod,
    Payout,
    ProviderEventRecord,
)
from marketplace.platform.stripe_adapter import DEFAULT_API_VERSION
from marketplace.services.billing import issuing
from marketplace.services.payments import collecting, payouts
from marketplace.services.payments import gateway as provider
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)
from tests.payments import stripe_responses as answers
from tests.payments.support import WEBHOOK_SECRET

NOVEMBER = date(2026, 11, 1)


@pytest.fixture()
def stripe_gateway(gateway):
    provider.use(gateway)
    yield gateway
    provider.use(None)


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@client.test")


def issued_invoice(db_session, owner, *, connected: bool = False) -> Invoice:
    profile = FreelancerProfileFactory()
    if connected:
        profile.stripe_account_id, profile.stripe_payouts_enabled = answers.ACCOUNT_ID, True
    contract = ContractFactory(mission=MissionFactory(company=owner.company), freelancer=profile,
                               start_date=date(2026, 9, 1), weekdays=["tue"])
    timesheet = reports.open_month(db_session, contract, NOVEMBER)
    reports.save(db_session, timesheet, profile.user, [Declared(date(2026, 11, d), 2) for d in (3, 10, 17, 24)])
    reports.submit(db_session, timesheet, profile.user)
    reports.approve(db_session, timesheet, owner)
    invoice = issuing.issue_month(db_session, contract, NOVEMBER, today=date(2026, 12, 2)).invoice
    commit(db_session)
    return invoice


def save_method(db_session, company, kind="card") -> PaymentMethod:
    company.stripe_customer_id = answers.CUSTOMER_ID
    method = PaymentMethod(company_id=company.id, customer_id=answers.CUSTOMER_ID, provider_ref=answers.PAYMENT_METHOD_ID,
                           type=kind, last4="4242", status="active")
    db_session.add(method)
    db_session.flush()
    return method


def intent(status: str, **extra) -> dict:
    body = {**answers.PAYMENT_INTENT_PLAIN, "status": status}
    body.update(extra)
    return body


def signed(event_type: str, obj: dict, event_id: str) -> tuple[bytes, str]:
    body = json.dumps({"id": event_id, "object": "event", "api_version": DEFAULT_API_VERSION, "created": int(time.time()),
                       "data": {"object": obj}, "livemode": False, "type": event_type}).encode()
    return body, stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET, int(time.time()))


def collecting_payable(db_session, owner) -> list[Invoice]:
    return list(db_session.scalars(select(Invoice).where(Invoice.company_id == owner.company_id,
                                                         Invoice.status.in_(collecting.PAYABLE))))


def post_event(client, body: bytes, header: str):
    return client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header,
                                                               "Content-Type": "application/json"})


# --- charging ------------------------------------------------------------------------------------


def test_a_connected_freelancers_invoice_is_a_destination_charge_keyed_by_the_invoice(
        app_ctx, db_session, owner, stripe_gateway, recording_http):
    invoice = issued_invoice(db_session, owner, connected=True)
    save_method(db_session, owner.company)
    fee = collecting.fee_cents(db_session, invoice)
    recording_http.answer("POST", "/v1/payment_intents", intent("succeeded", amount=invoice.total_ttc_cents))
    payment = collecting.request_charge(db_session, owner.company, [invoice], owner)
    commit(db_session)  # the charge job runs after the commit (embedded mode)
    sent = recording_http.last
    assert sent.headers["Idempotency-Key"] == f"inv-{invoice.id}-charge-v1"
    assert sent.form["transfer_data[destination]"] == answers.ACCOUNT_ID
    assert int(sent.form["application_fee_amount"]) == fee and int(sent.form["amount"]) == invoice.total_ttc_cents
    assert "Stripe-Account" not in sent.headers
    db_session.refresh(payment)
    assert payment.status == "succeeded" and invoice.status == InvoiceStatus.PAID.value
    payout = db_session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
    assert payout.provider == "stripe" and payout.status == "succeeded"
    assert payout.amount_cents == invoice.total_ttc_cents - fee  # collected − fee = paid out
    fee_invoice = db_session.scalar(select(Invoice).where(Invoice.related_invoice_id == invoice.id))
    assert fee_invoice.status == "paid"


def test_a_declined_card_leaves_the_invoice_to_pay_and_tells_the_sme(
        app_ctx, db_session, owner, stripe_gateway, recording_http, outbox):
    invoice = issued_invoice(db_session, owner)
    save_method(db_session, owner.company)
    recording_http.answer("POST", "/v1/payment_intents", answers.CARD_DECLINED, status=402)
    payment = collecting.request_charge(db_session, owner.company, [invoice], owner)
    commit(db_session)
    db_session.refresh(payment)
    assert payment.status == "failed" and invoice.status == InvoiceStatus.FAILED.value
    assert "refusé" in outbox.last_to(owner.email).body_text
    assert db_session.scalar(select(func.count()).select_from(Payout)) == 0
    # A new attempt takes the next key (Stripe replays a decline for 24 h under the same one).
    recording_http._answers.clear()
    recording_http.answer("POST", "/v1/payment_intents", intent("succeeded", amount=invoice.total_ttc_cents))
    collecting.request_charge(db_session, owner.company, [invoice], owner)
    commit(db_session)
    assert recording_http.last.headers["Idempotency-Key"] == f"inv-{invoice.id}-charge-v2"
    assert invoice.status == "paid"


def test_a_freelancer_cannot_trigger_a_charge(app_ctx, db_session, owner):
    invoice = issued_invoice(db_session, owner)
    other = SmeUserFactory()
    with pytest.raises(DomainError, match="ne vous est pas adressée"):
        collecting.request_charge(db_session, other.company, [invoice], other)


# --- webhooks -----------------------------------------------------------------------------------


def processing_payment(db_session, owner, recording_http) -> tuple[Invoice, Payment]:
    invoice = issued_invoice(db_session, owner)
    save_method(db_session, owner.company, "sepa_debit")
    recording_http.answer("POST", "/v1/payment_intents", answers.SEPA_PAYMENT_INTENT_PROCESSING)
    payment = collecting.request_charge(db_session, owner.company, [invoice], owner)
    commit(db_session)
    db_session.refresh(payment)
    assert payment.status == "processing" and invoice.status == InvoiceStatus.PROCESSING.value
    return invoice, payment


def test_a_webhook_delivered_ten_times_pays_the_invoice_once_and_records_one_payout(
        client, app_ctx, db_session, owner, stripe_gateway, recording_http):
    invoice, payment = processing_payment(db_session, owner, recording_http)
    succeeded = {**answers.SEPA_PAYMENT_INTENT_PROCESSING, "status": "succeeded"}
    recording_http.answer("GET", f"/v1/payment_intents/{payment.provider_ref}", succeeded)
    body, header = signed("payment_intent.succeeded", succeeded, "evt_1PaidTenTimes")
    for _ in range(10):
        assert post_event(client, body, header).status_code == 200
    db_session.refresh(payment)
    db_session.refresh(invoice)
    assert payment.status == "succeeded" and invoice.status == "paid"
    assert db_session.scalar(select(func.count()).select_from(ProviderEventRecord)) == 1
    assert db_session.scalar(select(func.count()).select_from(Payout).where(Payout.invoice_id == invoice.id)) == 1
    gets = [r for r in recording_http.requests if r.method == "GET"]
    assert len(gets) == 1  # processed once, from Stripe's own copy of the PaymentIntent


def test_a_late_sepa_failure_after_processing_puts_the_invoice_back_to_unpaid(
        client, app_ctx, db_session, owner, stripe_gateway, recording_http, outbox):
    invoice, payment = processing_payment(db_session, owner, recording_http)
    recording_http.answer("GET", f"/v1/payment_intents/{payment.provider_ref}", answers.SEPA_PAYMENT_INTENT_FAILED)
    body, header = signed("payment_intent.payment_failed", answers.SEPA_PAYMENT_INTENT_FAILED, "evt_1SepaFailed")
    assert post_event(client, body, header).status_code == 200
    db_session.refresh(invoice)
    assert invoice.status == InvoiceStatus.FAILED.value and invoice in collecting_payable(db_session, owner)
    assert outbox.last_to(owner.email).subject.startswith("Paiement échoué")


def test_a_bad_signature_is_refused_with_400_and_nothing_is_stored(client, db_session, stripe_gateway):
    body, header = signed("payment_intent.succeeded", intent("succeeded"), "evt_1Forged")
    response = post_event(client, body, header.replace("v1=", "v1=00"))
    assert response.status_code == 400
    assert post_event(client, body, "").status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ProviderEventRecord)) == 0


def test_an_event_that_goes_backwards_changes_nothing(app_ctx, db_session, owner, stripe_gateway, recording_http):
    invoice, payment = processing_payment(db_session, owner, recording_http)
    assert collecting.apply(db_session, payment, collecting.PaymentStatus.SUCCEEDED)
    assert not collecting.apply(db_session, payment, collecting.PaymentStatus.PROCESSING)  # a late « processing »
    assert invoice.status == "paid"


# --- transfers and the fee arithmetic --------------------------------------------------------------


def test_a_transfer_pays_the_freelancer_the_invoice_minus_the_fee_once_an_operator_sends_it(
        app_ctx, db_session, owner):
    invoice = issued_invoice(db_session, owner)
    fee = collecting.fee_cents(db_session, invoice)
    with pytest.raises(DomainError, match="ne correspond pas"):
        collecting.record_transfer(db_session, [invoice], 1, invoice.number)
    collecting.record_transfer(db_session, [invoice], invoice.total_ttc_cents, invoice.number)
    payout = db_session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
    assert payout.provider == "transfer" and payout.status == "pending"
    assert payout.amount_cents + fee == invoice.total_ttc_cents
    with pytest.raises(DomainError):
        payouts.mark_sent(db_session, payout, owner, "VIR-1")
    payouts.mark_sent(db_session, payout, AdminFactory(), "VIR-2026-12-001")
    assert payout.status == "sent"


def test_the_fee_arithmetic_holds_for_every_invoice_of_the_demo(demo_app, demo_session):
    with demo_app.app_context():
        invoices = demo_session.scalars(select(Invoice).where(Invoice.issuer_kind == IssuerKind.FREELANCER.value,
                                                              Invoice.kind == "invoice")).all()
        assert invoices
        for invoice in invoices:
            fee = collecting.fee_cents(demo_session, invoice)
            assert 0 < fee < invoice.total_ttc_cents
            if invoice.status in collecting.PAYABLE:
                collecting.record_transfer(demo_session, [invoice], invoice.total_ttc_cents, invoice.number)
            payout = demo_session.scalar(select(Payout).where(Payout.invoice_id == invoice.id))
            assert payout is not None and payout.amount_cents + payout.fee_cents == invoice.total_ttc_cents
            assert payout.fee_cents == fee


def test_only_the_parties_and_admins_see_a_payment(client, app_ctx, db_session, owner):
    invoice = issued_invoice(db_session, owner)
    collecting.record_transfer(db_session, [invoice], invoice.total_ttc_cents, invoice.number)
    commit(db_session)
    other = SmeUserFactory(email="autre@pme.test")
    login(client, other.email, PASSWORD)
    assert client.get(f"/entreprise/factures/{invoice.id}").status_code == 404
