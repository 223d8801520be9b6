"""Fixtures of the payment tests, in three layers.

* request shapes: a gateway whose SDK HTTP client records requests and answers canned
  JSON (``recording_http``, ``gateway``);
* integration: a localstripe server started once per session as a subprocess
  (``localstripe_url``), a gateway pointed at it, what Stripe.js would do in the
  payer's browser (``browser``), and a webhook receiver it posts signed events to
  (``webhook_inbox``). localstripe is GPL: it runs as its own process, never imported;
* live: ``tests/payments/test_stripe_live.py`` reads ``STRIPE_LIVE_TEST_KEY`` itself.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marketplace.platform.stripe_adapter import StripeGateway
from tests.local_servers import free_port, serving
from tests.payments.recording import RecordingHTTPClient
from tests.payments.support import (
    CONNECT_WEBHOOK_SECRET,
    LOCALSTRIPE_WEBHOOK_SECRET,
    TEST_KEY,
    WEBHOOK_SECRET,
    Browser,
    Delivery,
    WebhookInbox,
    http_call,
)

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


# --- localstripe ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a localstripe server run for the session, on a free local port."""
    if importlib.util.find_spec("localstripe") is None:
        pytest.fail("localstripe is missing: pip install -e '.[test]'")
    port = free_port()
    # --from-scratch: never load the state another run left in /tmp/localstripe.pickle.
    with serving("localstripe", [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
                 tmp_path_factory.mktemp("localstripe"), f"http://127.0.0.1:{port}", _answering) as url:
        yield url


def _answering(url: str) -> bool:
    try:
        return http_call("GET", f"{url}/v1/customers?limit=1")[0] == 200
    except OSError:
        return False


@pytest.fixture
def localstripe_gateway(localstripe_url: str) -> Iterator[StripeGateway]:
    gateway = StripeGateway.from_config(
        {
            "STRIPE_SECRET_KEY": TEST_KEY,
            "STRIPE_API_BASE": localstripe_url,
            "STRIPE_WEBHOOK_SECRET": LOCALSTRIPE_WEBHOOK_SECRET,
            "STRIPE_MAX_NETWORK_RETRIES": 0,
        }
    )
    yield gateway
    gateway.close()


@pytest.fixture
def browser(localstripe_url: str) -> Browser:
    return Browser(localstripe_url)


@pytest.fixture(scope="session")
def webhook_inbox(localstripe_url: str) -> Iterator[WebhookInbox]:
    """Registered once: localstripe keeps webhooks across ``DELETE /_config/data``."""
    inbox = WebhookInbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            inbox.receive(Delivery(self.headers.get("Stripe-Signature"), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, body = http_call(
            "POST",
            f"{localstripe_url}/_config/webhooks/marketplace-tests",
            {
                "url": f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe",
                "secret": LOCALSTRIPE_WEBHOOK_SECRET,
                "events[0]": "payment_intent.succeeded",
                "events[1]": "payment_intent.payment_failed",
            },
            key=None,
        )
        assert status == 200, body
        yield inbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
