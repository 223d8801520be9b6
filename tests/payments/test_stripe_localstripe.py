"""Integration against localstripe, a stateful fake Stripe run as a subprocess.

What localstripe does, read from its source (1.15.10), and what these tests rely on:

* no Connect (no /v1/accounts, account_links, transfers; ``transfer_data``,
  ``application_fee_amount``, ``reverse_transfer`` are refused as unexpected): Connect
  is covered by the request-shape tests only. It also refuses a PaymentIntent's
  ``description``, so these charges go without one;
* idempotency keys are ignored: replays are covered by the request-shape tests;
* card 4000000000000002 is declined when saved (SetupIntent confirmation, 402), not
  when charged; 4000000000000341 saves and is declined when charged off-session, as
  in Stripe's test mode. The decline error names the charge, not the PaymentIntent;
* a SEPA debit with IBAN DE62370400440532013001 stays ``processing``, then fails about
  0.5 s later (``requires_payment_method``, code ``card_declined``) and posts
  ``payment_intent.payment_failed``. Stripe's French failing IBAN
  FR8420041010050500013M02607 is not simulated: it succeeds. Other SEPA debits
  succeed at once instead of staying ``processing`` for days;
* webhooks: ``POST /_config/webhooks/<name>`` (url, secret, events[]) registers an
  endpoint for the life of the process (``DELETE /_config/data`` keeps it); each event
  is posted about 1 s after it happens, signed ``t=<created>,v1=<hmac>`` like Stripe.
"""

from __future__ import annotations

import pytest

from marketplace.platform.stripe_adapter import (
    ChargeStatus,
    InvalidSignature,
    StripeGateway,
)
from tests.payments.support import http_call

pytestmark = pytest.mark.localstripe

VISA = "4242424242424242"
DECLINED_WHEN_SAVED = "4000000000000002"
DECLINED_WHEN_CHARGED = "4000000000000341"
IBAN_OK = "FR1420041010050500013M02606"
IBAN_FAILS_LATER = "DE62370400440532013001"
IBAN_FAILS_LATER_ON_STRIPE_ONLY = "FR8420041010050500013M02607"


@pytest.fixture(autouse=True)
def empty_localstripe(localstripe_url: str) -> None:
    status, _ = http_call("DELETE", f"{localstripe_url}/_config/data", key=None)
    assert status == 200


def saved_method(gateway: StripeGateway, browser, customer_id: str, payment_method_id: str) -> str:
    """Save a payment method the way the payment page does: SetupIntent, confirmed by the browser."""
    setup = gateway.create_setup_intent(customer_id, idempotency_key=f"setup-{payment_method_id}")
    status, body = browser.confirm_setup(setup.id, setup.client_secret, payment_method_id)
    assert status == 200, body
    saved = gateway.retrieve_setup_intent(setup.id)
    assert saved.status == "succeeded"
    return saved.payment_method_id


@pytest.fixture
def customer_id(localstripe_gateway: StripeGateway) -> str:
    return localstripe_gateway.create_customer(
        "direction@acme-conseil.fr", "ACME Conseil", idempotency_key="company-3-customer-v1"
    ).id


def charge(gateway: StripeGateway, customer_id: str, payment_method_id: str, amount_cents: int = 360000):
    return gateway.charge(
        amount_cents,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
        idempotency_key=f"charge-{payment_method_id}",
        metadata={"invoice_id": 7},
    )


def test_a_customer_is_created(localstripe_gateway):
    customer = localstripe_gateway.create_customer(
        "direction@acme-conseil.fr", "ACME Conseil", idempotency_key="company-3-customer-v1", metadata={"company_id": 3}
    )

    assert customer.id.startswith("cus_")
    assert (customer.email, customer.name) == ("direction@acme-conseil.fr", "ACME Conseil")


def test_a_card_is_saved_through_a_confirmed_setup_intent(localstripe_gateway, browser, customer_id):
    setup = localstripe_gateway.create_setup_intent(customer_id, idempotency_key="company-3-setup-1-v1")
    assert (setup.status, setup.customer_id, setup.payment_method_id) == ("requires_payment_method", customer_id, None)
    assert setup.client_secret.startswith(f"{setup.id}_secret_")

    card = browser.card(VISA)
    status, body = browser.confirm_setup(setup.id, setup.client_secret, card)
    assert status == 200, body

    saved = localstripe_gateway.retrieve_setup_intent(setup.id)
    assert (saved.status, saved.payment_method_id) == ("succeeded", card)
    method = localstripe_gateway.retrieve_payment_method(card)
    assert (method.type, method.last4, method.brand) == ("card", "4242", "visa")


def test_a_sepa_mandate_is_saved_through_a_confirmed_setup_intent(localstripe_gateway, browser, customer_id):
    iban = saved_method(localstripe_gateway, browser, customer_id, browser.sepa_debit(IBAN_OK))

    method = localstripe_gateway.retrieve_payment_method(iban)
    assert (method.type, method.last4, method.brand) == ("sepa_debit", "2606", None)


def test_a_card_declined_when_saved_never_becomes_a_saved_method(localstripe_gateway, browser, customer_id):
    setup = localstripe_gateway.create_setup_intent(customer_id, idempotency_key="company-3-setup-1-v1")

    status, body = browser.confirm_setup(setup.id, setup.client_secret, browser.card(DECLINED_WHEN_SAVED))

    assert (status, body["error"]["code"]) == (402, "card_declined")
    assert localstripe_gateway.retrieve_setup_intent(setup.id).status != "succeeded"


def test_an_off_session_card_payment_succeeds(localstripe_gateway, browser, customer_id):
    card = saved_method(localstripe_gateway, browser, customer_id, browser.card(VISA))

    result = charge(localstripe_gateway, customer_id, card)

    assert (result.status, result.amount_cents, result.failure_code) == (ChargeStatus.SUCCEEDED, 360000, None)
    assert result.id.startswith("pi_") and result.latest_charge.startswith("ch_")
    assert localstripe_gateway.retrieve_payment_intent(result.id).status is ChargeStatus.SUCCEEDED


def test_an_off_session_card_payment_declined_is_a_failed_result(localstripe_gateway, browser, customer_id):
    card = saved_method(localstripe_gateway, browser, customer_id, browser.card(DECLINED_WHEN_CHARGED))

    result = charge(localstripe_gateway, customer_id, card)

    assert (result.status, result.failure_code) == (ChargeStatus.FAILED, "card_declined")
    assert result.failure_message.startswith("Le paiement a été refusé")
    assert result.id.startswith("pi_")
    again = localstripe_gateway.retrieve_payment_intent(result.id)
    assert (again.status, again.failure_code) == (ChargeStatus.FAILED, "card_declined")


def test_a_payment_is_partly_refunded(localstripe_gateway, browser, customer_id):
    card = saved_method(localstripe_gateway, browser, customer_id, browser.card(VISA))
    paid = charge(localstripe_gateway, customer_id, card)

    refund = localstripe_gateway.refund(
        paid.id,
        120000,
        reverse_transfer=False,
        refund_application_fee=False,
        idempotency_key="inv-7-refund-1-v1",
        metadata={"credit_note": "AV42-2026-0001"},
    )

    assert (refund.status, refund.amount_cents, refund.payment_intent_id) == ("succeeded", 120000, paid.id)
    assert refund.id.startswith("re_")


def test_a_signed_payment_intent_succeeded_event_arrives_and_verifies(
    localstripe_gateway, browser, customer_id, webhook_inbox
):
    card = saved_method(localstripe_gateway, browser, customer_id, browser.card(VISA))
    paid = charge(localstripe_gateway, customer_id, card)

    delivery = webhook_inbox.wait_for(
        lambda e: e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == paid.id
    )

    assert delivery.signature.startswith("t=")
    event = localstripe_gateway.parse_event(delivery.body, delivery.signature)
    assert (event.type, event.object_type, event.object_id) == ("payment_intent.succeeded", "payment_intent", paid.id)
    assert event.data["amount"] == 360000
    assert event.data["metadata"] == {"invoice_id": "7"}
    with pytest.raises(InvalidSignature):
        localstripe_gateway.parse_event(delivery.body.replace(b"360000", b"100"), delivery.signature)


def test_a_sepa_debit_succeeds(localstripe_gateway, browser, customer_id, webhook_inbox):
    iban = saved_method(localstripe_gateway, browser, customer_id, browser.sepa_debit(IBAN_OK))

    result = charge(localstripe_gateway, customer_id, iban)

    # Stripe keeps a SEPA debit processing for days; localstripe settles it at once.
    assert result.status in (ChargeStatus.PROCESSING, ChargeStatus.SUCCEEDED)
    webhook_inbox.wait_for(lambda e: e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == result.id)
    assert localstripe_gateway.retrieve_payment_intent(result.id).status is ChargeStatus.SUCCEEDED


def test_a_sepa_debit_that_fails_later_is_processing_then_failed_by_webhook(
    localstripe_gateway, browser, customer_id, webhook_inbox
):
    iban = saved_method(localstripe_gateway, browser, customer_id, browser.sepa_debit(IBAN_FAILS_LATER))

    result = charge(localstripe_gateway, customer_id, iban)
    assert (result.status, result.failure_code) == (ChargeStatus.PROCESSING, None)

    delivery = webhook_inbox.wait_for(
        lambda e: e["type"] == "payment_intent.payment_failed" and e["data"]["object"]["id"] == result.id
    )
    event = localstripe_gateway.parse_event(delivery.body, delivery.signature)
    assert (event.type, event.object_id) == ("payment_intent.payment_failed", result.id)
    assert event.data["last_payment_error"]["code"] == "card_declined"
    failed = localstripe_gateway.retrieve_payment_intent(result.id)
    assert (failed.status, failed.failure_code, failed.provider_status) == (
        ChargeStatus.FAILED,
        "card_declined",
        "requires_payment_method",
    )


def test_localstripe_does_not_simulate_stripes_failing_french_iban(localstripe_gateway, browser, customer_id):
    # In Stripe's test mode this IBAN fails after processing; use IBAN_FAILS_LATER here.
    iban = saved_method(localstripe_gateway, browser, customer_id, browser.sepa_debit(IBAN_FAILS_LATER_ON_STRIPE_ONLY))

    assert charge(localstripe_gateway, customer_id, iban).status is ChargeStatus.SUCCEEDED
