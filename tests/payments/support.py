"""Helpers of the payment tests: test keys, and the localstripe side (HTTP calls,
what Stripe.js does in the browser, a webhook endpoint)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

TEST_KEY = "sk_test_51QMarketplaceTestKey"
WEBHOOK_SECRET = "whsec_test_account_endpoint"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect_endpoint"
LOCALSTRIPE_WEBHOOK_SECRET = "whsec_test_localstripe"


def http_call(
    method: str, url: str, data: dict[str, str] | None = None, key: str | None = TEST_KEY
) -> tuple[int, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text.strip() else {}
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"{}")


class Browser:
    """What Stripe.js does in the payer's browser (card and IBAN entry, SetupIntent
    confirmation), sent straight to localstripe; the platform's code never does this."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def card(self, number: str) -> str:
        status, body = http_call(
            "POST",
            f"{self.base_url}/v1/payment_methods",
            {
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        assert status == 200, body
        return body["id"]

    def sepa_debit(self, iban: str) -> str:
        status, body = http_call(
            "POST",
            f"{self.base_url}/v1/payment_methods",
            {
                "type": "sepa_debit",
                "sepa_debit[iban]": iban,
                "billing_details[name]": "ACME Conseil",
                "billing_details[email]": "direction@acme-conseil.fr",
            },
        )
        assert status == 200, body
        return body["id"]

    def confirm_setup(self, setup_intent_id: str, client_secret: str, payment_method_id: str) -> tuple[int, dict]:
        return http_call(
            "POST",
            f"{self.base_url}/v1/setup_intents/{setup_intent_id}/confirm",
            {"payment_method": payment_method_id, "client_secret": client_secret},
        )


@dataclass(frozen=True)
class Delivery:
    signature: str | None
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookInbox:
    """A local HTTP endpoint localstripe posts its signed events to."""

    def __init__(self) -> None:
        self._deliveries: list[Delivery] = []
        self._arrived = threading.Condition()

    def receive(self, delivery: Delivery) -> None:
        with self._arrived:
            self._deliveries.append(delivery)
            self._arrived.notify_all()

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 15) -> Delivery:
        """The first delivery whose event matches, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self._deliveries:
                    if match(delivery.event):
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(d.event["type"], d.event["data"]["object"].get("id")) for d in self._deliveries]
                    raise AssertionError(f"no matching event within {timeout} s; received {seen}")
                self._arrived.wait(left)
