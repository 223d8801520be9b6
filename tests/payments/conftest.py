"""Fixtures of the payment tests.

* request shapes: a gateway whose SDK HTTP client records requests and answers canned
  JSON (``recording_http``, ``gateway``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.platform.stripe_adapter import StripeGateway
from tests.payments.recording import RecordingHTTPClient

TEST_KEY = "sk_test_51QMarketplaceTestKey"
WEBHOOK_SECRET = "whsec_test_account_endpoint"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect_endpoint"


# --- request shapes -----------------------------------------------------------------


@pytest.fixture
def recording_http() -> RecordingHTTPClient:
    return RecordingHTTPClient()


@pytest.fixture
def gateway(recording_http: RecordingHTTPClient) -> Iterator[StripeGateway]:
    gateway = StripeGateway.from_config(
        {
            "STRIPE_SECRET_KEY": TEST_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_WEBHOOK_SECRET,
            "STRIPE_MAX_NETWORK_RETRIES": 0,
        },
        http_client=recording_http,
    )
    yield gateway
    gateway.close()
