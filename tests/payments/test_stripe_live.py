"""One round trip with Stripe's real test mode, run only when ``STRIPE_LIVE_TEST_KEY`` is set.

    STRIPE_LIVE_TEST_KEY=sk_test_... python -m pytest tests/payments -m stripe_live

It proves what the fakes cannot: the pinned API version and the parameters are
accepted by Stripe, and a replayed idempotency key returns the first object.
"""

from __future__ import annotations

import os
import uuid

import pytest

from marketplace.platform.stripe_adapter import StripeGateway

LIVE_KEY = os.environ.get("STRIPE_LIVE_TEST_KEY", "")

pytestmark = [
    pytest.mark.stripe_live,
    pytest.mark.skipif(not LIVE_KEY, reason="set STRIPE_LIVE_TEST_KEY=sk_test_... to run against Stripe's test mode"),
    # Stripe may attach a Stripe-Notice header to test-mode answers; the SDK turns it into a UserWarning.
    pytest.mark.filterwarnings("ignore::UserWarning:stripe.*"),
]


def test_a_customer_and_a_setup_intent_round_trip():
    assert LIVE_KEY.startswith(("sk_test_", "rk_test_")), "only a test-mode key, never a live one"
    gateway = StripeGateway(LIVE_KEY)
    run = uuid.uuid4().hex[:12]
    try:
        customer = gateway.create_customer(
            f"live-test-{run}@example.org",
            "Test automatique OM Partagé",
            idempotency_key=f"live-test-{run}-customer-v1",
            metadata={"test_run": run},
        )
        replayed = gateway.create_customer(
            f"live-test-{run}@example.org",
            "Test automatique OM Partagé",
            idempotency_key=f"live-test-{run}-customer-v1",
            metadata={"test_run": run},
        )
        setup = gateway.create_setup_intent(
            customer.id, idempotency_key=f"live-test-{run}-setup-1-v1", metadata={"test_run": run}
        )
        read = gateway.retrieve_setup_intent(setup.id)
    finally:
        gateway.close()

    assert customer.id.startswith("cus_") and replayed.id == customer.id
    assert setup.id.startswith("seti_") and setup.client_secret.startswith(f"{setup.id}_secret_")
    assert (read.status, read.customer_id, read.payment_method_id) == ("requires_payment_method", customer.id, None)
