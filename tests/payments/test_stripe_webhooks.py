"""Webhook signatures: a body signed with the endpoint's secret is read, anything else refused."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import stripe

from marketplace.platform.stripe_adapter import (
    DEFAULT_API_VERSION,
    InvalidEvent,
    InvalidSignature,
    PaymentsNotConfigured,
    ProviderEvent,
    StripeGateway,
)
from tests.payments import stripe_responses as answers
from tests.payments.support import CONNECT_WEBHOOK_SECRET, TEST_KEY, WEBHOOK_SECRET


def event_body(event_type: str, obj: dict, *, created: int | None = None, account: str | None = None) -> bytes:
    event = {
        "id": "evt_3QInv7aBcDeFgHi0",
        "object": "event",
        "api_version": DEFAULT_API_VERSION,
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": "req_test0001", "idempotency_key": "inv-7-charge-v1"},
        "type": event_type,
    }
    if account:
        event["account"] = account
    return json.dumps(event, indent=2).encode()


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp)


def test_a_signed_event_is_read_into_plain_values(gateway):
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION, created=1764583260)

    event = gateway.parse_event(body, sign(body))

    assert event == ProviderEvent(
        id="evt_3QInv7aBcDeFgHi0",
        type="payment_intent.succeeded",
        object_id=answers.PAYMENT_INTENT_ID,
        object_type="payment_intent",
        created=datetime(2025, 12, 1, 10, 1, tzinfo=UTC),
        data=answers.PAYMENT_INTENT_DESTINATION,
        account=None,
        livemode=False,
    )


def test_an_event_of_the_connect_endpoint_is_signed_with_its_own_secret(gateway):
    body = event_body("account.updated", answers.ACCOUNT_ENABLED, account=answers.ACCOUNT_ID)

    event = gateway.parse_event(body, sign(body, CONNECT_WEBHOOK_SECRET))

    assert (event.type, event.object_id, event.account) == ("account.updated", answers.ACCOUNT_ID, answers.ACCOUNT_ID)
    assert event.data["charges_enabled"] is True


def test_a_tampered_body_is_refused(gateway):
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION)
    header = sign(body)

    with pytest.raises(InvalidSignature):
        gateway.parse_event(body.replace(b"360000", b"1"), header)


def test_a_body_signed_with_another_secret_is_refused(gateway):
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION)

    with pytest.raises(InvalidSignature):
        gateway.parse_event(body, sign(body, "whsec_someone_else"))


def test_a_replayed_event_older_than_five_minutes_is_refused(gateway):
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION)

    with pytest.raises(InvalidSignature, match="tolerance"):
        gateway.parse_event(body, sign(body, timestamp=int(time.time()) - 301))


@pytest.mark.parametrize("header", [None, "", "garbage", "t=notanumber,v1=abc", "t=1764583200"])
def test_a_missing_or_malformed_header_is_refused(gateway, header):
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION)

    with pytest.raises(InvalidSignature):
        gateway.parse_event(body, header)


def test_a_signed_body_that_is_not_an_event_is_refused(gateway):
    body = b'{"hello": "world"}'

    with pytest.raises(InvalidEvent):
        gateway.parse_event(body, sign(body))


def test_without_a_webhook_secret_no_event_is_accepted():
    gateway = StripeGateway(TEST_KEY)
    body = event_body("payment_intent.succeeded", answers.PAYMENT_INTENT_DESTINATION)

    with pytest.raises(PaymentsNotConfigured):
        gateway.parse_event(body, sign(body))
    gateway.close()
