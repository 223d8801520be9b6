"""Layer (b): the payments operations end to end against localstripe (a fake Stripe run as a subprocess).

The company saves its card or IBAN the way the payment page does (``methods.start``, then
Stripe.js's confirmation — the ``browser`` fixture —, then ``methods.confirm``), the
charge job sends the payment, and for a SEPA debit that fails after « processing »
localstripe posts its signed ``payment_intent.payment_failed`` event into the running
app's ``/webhooks/stripe``, served by a live server thread.

localstripe has no Connect and ignores idempotency keys: the freelancers here have no
connected account, so no Connect parameter is ever sent.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from marketplace.db import commit, db
from marketplace.errors import DomainError
from marketplace.formatting import money
from marketplace.models.billing import Invoice, InvoiceStatus
from marketplace.models.outbox import OutboundEmail
from marketplace.models.payments import Payment, ProviderEventRecord, Refund
from marketplace.platform.stripe_adapter import StripeGateway
from marketplace.services.payments import collecting, methods, refunds
from marketplace.services.payments import gateway as provider
from tests import factories
from tests.conftest import CHROMIUM, login, make_test_app, wipe
from tests.factories import PASSWORD, AdminFactory, SmeUserFactory
from tests.payments.invoicing import issued_invoice
from tests.payments.support import LOCALSTRIPE_WEBHOOK_SECRET, TEST_KEY, http_call

pytestmark = pytest.mark.localstripe

VISA = "4242424242424242"
DECLINED_WHEN_SAVED = "4000000000000002"
DECLINED_WHEN_CHARGED = "4000000000000341"
IBAN_FAILS_LATER = "DE62370400440532013001"
APP_WEBHOOK = "marketplace-app"
PUBLISHABLE_KEY = "pk_test_51QMarketplacePublishable"


@pytest.fixture(autouse=True)
def empty_localstripe(localstripe_url: str) -> None:
    status, _ = http_call("DELETE", f"{localstripe_url}/_config/data", key=None)
    assert status == 200


@pytest.fixture()
def on_localstripe(localstripe_gateway: StripeGateway) -> Iterator[StripeGateway]:
    """The app's payments go to localstripe (every app of the process: the live server's too)."""
    provider.use(localstripe_gateway)
    yield localstripe_gateway
    provider.use(None)


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@atelier-lumen.test")


def save_method(session, owner, browser, payment_method_id: str):
    """What the payment page does: a SetupIntent, confirmed by Stripe.js in the browser, then kept."""
    setup = methods.start(session, owner.company, owner)
    commit(session)
    status, body = browser.confirm_setup(setup.id, setup.client_secret, payment_method_id)
    assert status == 200, body
    method = methods.confirm(session, owner.company, owner, setup.id)
    commit(session)
    return method


def charged(session, owner, invoice: Invoice) -> Payment:
    payment = collecting.request_charge(session, owner.company, [invoice], owner)
    commit(session)  # the charge job runs after the commit (embedded mode)
    session.refresh(payment)
    session.refresh(invoice)
    return payment


def test_a_company_saves_a_card_then_pays_an_invoice(app_ctx, db_session, owner, on_localstripe, browser):
    invoice = issued_invoice(db_session, owner)
    method = save_method(db_session, owner, browser, browser.card(VISA))
    assert (method.type, method.brand, method.last4, method.status) == ("card", "visa", "4242", "active")
    assert owner.company.stripe_customer_id.startswith("cus_") and method.provider_ref.startswith("pm_")

    payment = charged(db_session, owner, invoice)

    assert payment.status == "succeeded" and payment.provider_ref.startswith("pi_")
    assert invoice.status == InvoiceStatus.PAID.value and invoice.paid_at is not None
    assert on_localstripe.retrieve_payment_intent(payment.provider_ref).amount_cents == invoice.total_ttc_cents
    assert collecting.paid_cents(db_session, invoice) == invoice.total_ttc_cents


def test_a_card_declined_when_saved_is_never_kept(app_ctx, db_session, owner, on_localstripe, browser):
    setup = methods.start(db_session, owner.company, owner)
    commit(db_session)
    status, body = browser.confirm_setup(setup.id, setup.client_secret, browser.card(DECLINED_WHEN_SAVED))
    assert (status, body["error"]["code"]) == (402, "card_declined")
    # The page then posts the SetupIntent's id: the SME is told it did not go through.
    with pytest.raises(DomainError, match="la banque ne l'a pas confirmé"):
        methods.confirm(db_session, owner.company, owner, setup.id)
    assert collecting.active_method(db_session, owner.company_id) is None


def test_a_card_declined_when_charged_leaves_the_invoice_to_pay_and_tells_the_sme(
        app_ctx, db_session, owner, on_localstripe, browser, outbox):
    invoice = issued_invoice(db_session, owner)
    save_method(db_session, owner, browser, browser.card(DECLINED_WHEN_CHARGED))

    payment = charged(db_session, owner, invoice)

    assert (payment.status, payment.failure_code) == ("failed", "card_declined")
    assert payment.failure_reason.startswith("Le paiement a été refusé")
    assert invoice.status == InvoiceStatus.FAILED.value and invoice.status in collecting.PAYABLE
    told = outbox.last_to(owner.email)
    assert told.subject == f"Paiement échoué : facture {invoice.number}" and "Le paiement a été refusé" in told.body_text


def test_a_refund_is_sent_to_stripe_and_recorded(app_ctx, db_session, owner, on_localstripe, browser):
    invoice = issued_invoice(db_session, owner)
    save_method(db_session, owner, browser, browser.card(VISA))
    payment = charged(db_session, owner, invoice)
    assert payment.status == "succeeded"

    refund = refunds.request(db_session, payment, invoice, invoice.total_ttc_cents, AdminFactory(),
                             "Prestation annulée d'un commun accord")
    commit(db_session)  # the refund job runs after the commit
    db_session.refresh(refund)

    assert refund.status == "succeeded" and refund.provider_ref.startswith("re_")
    assert refund.reverse_transfer is False  # no connected account: nothing to reverse
    db_session.refresh(invoice)
    db_session.refresh(payment)
    assert invoice.status == InvoiceStatus.REFUNDED.value and payment.status == "refunded"
    assert on_localstripe.retrieve_refund(refund.provider_ref).amount_cents == invoice.total_ttc_cents
    assert collecting.paid_cents(db_session, invoice) == 0


# --- a SEPA debit that fails after « processing », told by localstripe's webhook to the running app ------------


def point_webhook(localstripe_url: str, base_url: str, *events: str) -> None:
    """Point localstripe's endpoint ``APP_WEBHOOK`` at the app, for ``events`` (it keeps it for its whole life)."""
    status, body = http_call("POST", f"{localstripe_url}/_config/webhooks/{APP_WEBHOOK}", {
        "url": f"{base_url}/webhooks/stripe", "secret": LOCALSTRIPE_WEBHOOK_SECRET,
        **{f"events[{i}]": event for i, event in enumerate(events)}}, key=None)
    assert status == 200, body


@pytest.fixture()
def running_app(engine, tmp_path, localstripe_url, on_localstripe) -> Iterator:
    """The app served over HTTP from a thread, configured with localstripe's webhook secret.

    Its data is committed for real (the webhook is handled by the server's thread), then wiped.
    """
    app = make_test_app(engine, tmp_path, STRIPE_SECRET_KEY=TEST_KEY, STRIPE_API_BASE=localstripe_url,
                        STRIPE_WEBHOOK_SECRET=LOCALSTRIPE_WEBHOOK_SECRET, STRIPE_MAX_NETWORK_RETRIES=0,
                        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY, STRIPE_JS_URL=f"{localstripe_url}/js.stripe.com/v3/",
                        WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        with app.app_context():
            factories.CURRENT_SESSION = db.session
            try:
                yield app
            finally:
                factories.CURRENT_SESSION = None
                db.session.remove()
    finally:
        point_webhook(localstripe_url, app.config["BASE_URL"], "marketplace.nothing")  # listens to nothing now
        server.shutdown()
        thread.join(timeout=10)
        with engine.begin() as connection:  # fee invoices point at their invoice (RESTRICT, checked row by row)
            connection.execute(update(Invoice).values(related_invoice_id=None, credited_invoice_id=None))
        wipe(engine)


def wait_for(check, timeout: float = 20):
    """Poll the database (a fresh transaction each time) until ``check()`` is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.remove()
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_sepa_debit_that_fails_late_is_told_by_localstripe_to_the_app_which_puts_the_invoice_back_to_unpaid(
        running_app, browser, localstripe_url):
    session = db.session
    owner = SmeUserFactory(email="compta@atelier-lumen.test")
    invoice = issued_invoice(session, owner)
    invoice_id, number, owner_email = invoice.id, invoice.number, owner.email
    method = save_method(session, owner, browser, browser.sepa_debit(IBAN_FAILS_LATER))
    assert (method.type, method.last4) == ("sepa_debit", "3001")
    # localstripe posts each event about a second after it happens, to every endpoint known by then: let the
    # earlier tests' events go by (SQLite takes one writer at a time), then listen.
    time.sleep(1.5)
    point_webhook(localstripe_url, running_app.config["BASE_URL"], "payment_intent.payment_failed")

    payment = charged(session, owner, invoice)
    assert payment.status == "processing" and invoice.status == InvoiceStatus.PROCESSING.value
    intent_id = payment.provider_ref

    # About a second later localstripe fails the debit and posts the signed event to the app.
    event = wait_for(lambda: db.session.scalar(select(ProviderEventRecord).where(
        ProviderEventRecord.type == "payment_intent.payment_failed", ProviderEventRecord.object_id == intent_id,
        ProviderEventRecord.status == "processed")))
    assert event is not None, "localstripe's payment_intent.payment_failed was not processed by the app"

    failed = db.session.scalar(select(Payment).where(Payment.provider_ref == intent_id))
    assert (failed.status, failed.failure_code) == ("failed", "card_declined")
    assert db.session.get(Invoice, invoice_id).status == InvoiceStatus.FAILED.value  # to pay again
    told = db.session.scalar(select(OutboundEmail).where(OutboundEmail.to_address == owner_email)
                             .order_by(OutboundEmail.id.desc()))
    assert told.subject == f"Paiement échoué : facture {number}"
    db.session.remove()

    # The SME's invoice page says it too, and offers « Payer » again.
    client = running_app.test_client()
    running_app.config["WTF_CSRF_ENABLED"] = False  # the test client posts the log-in form without its token
    login(client, owner_email, PASSWORD)
    page = client.get(f"/entreprise/factures/{invoice_id}").get_data(as_text=True)
    assert "Paiement échoué" in page and "Prélèvement SEPA •••• 3001" in page
    assert db.session.scalar(select(Refund)) is None


# --- the payment method page in a real browser, with localstripe's stand-in for Stripe.js ----------------------


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("MARKETPLACE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.mark.browser
def test_in_a_browser_the_sme_saves_a_card_through_stripe_js_then_pays_an_invoice(running_app, chromium):
    from playwright.sync_api import expect

    owner = SmeUserFactory(email="direction@lumen-navigateur.test")
    invoice = issued_invoice(db.session, owner)
    invoice_id, total, email = invoice.id, invoice.total_ttc_cents, owner.email
    db.session.remove()
    context = chromium.new_context(base_url=running_app.config["BASE_URL"], locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    try:
        page.goto("/compte/connexion")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto("/entreprise/paiement")
        page.get_by_role("button", name="Enregistrer une carte ou un mandat SEPA").click()
        # localstripe's card element: one input per field, named by its placeholder.
        element = page.locator("[data-payment-element]")
        for placeholder, value in (("number", VISA), ("exp_month", "12"), ("exp_year", "34"), ("cvc", "123"),
                                   ("postal_code", "75009")):
            element.get_by_placeholder(placeholder).fill(value)
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(page.locator(".flashes")).to_contain_text("Carte Visa •••• 4242 enregistrée")
        expect(page.locator(".saved-method")).to_contain_text("Carte Visa •••• 4242")

        page.goto(f"/entreprise/factures/{invoice_id}")
        page.get_by_role("button", name=f"Payer {money(total)}").click()
        expect(page.locator(".flashes")).to_contain_text(f"Paiement de {money(total)} reçu")
        expect(page.locator(".payment-history")).to_contain_text("Reçu")
    finally:
        context.close()
    assert refused == []
