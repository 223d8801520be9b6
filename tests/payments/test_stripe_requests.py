"""Request shapes: the exact form parameters and headers the gateway sends Stripe.

The SDK's HTTP client is replaced by one that records each request and answers JSON
written from Stripe's API reference, so Connect (which localstripe lacks) is covered
here: connected accounts, onboarding links, destination charges, transfers, refunds
that reverse the transfer and give back the fee.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import stripe

from marketplace.platform import stripe_adapter
from marketplace.platform.stripe_adapter import (
    DEFAULT_API_VERSION,
    AccountLink,
    AccountStatus,
    ChargeResult,
    ChargeStatus,
    PaymentProviderError,
    PaymentsNotConfigured,
    StripeGateway,
    company_customer_key,
    freelancer_account_key,
    freelancer_account_link_key,
    invoice_charge_key,
    invoice_refund_key,
    invoice_transfer_key,
)
from tests.payments import stripe_responses as answers
from tests.payments.recording import RecordedRequest
from tests.payments.support import TEST_KEY

API = "https://api.stripe.com"


def assert_platform_post(request: RecordedRequest, path: str, idempotency_key: str) -> None:
    """A POST made as the platform, with the caller's key and the pinned version."""
    assert request.method == "POST"
    assert request.url == f"{API}{path}"
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert request.headers["Stripe-Version"] == DEFAULT_API_VERSION
    assert request.headers["Idempotency-Key"] == idempotency_key
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Stripe-Account" not in request.headers


def assert_platform_get(request: RecordedRequest, path: str) -> None:
    assert request.method == "GET"
    assert request.url == f"{API}{path}"
    assert request.body is None
    assert request.headers["Authorization"] == f"Bearer {TEST_KEY}"
    assert request.headers["Stripe-Version"] == DEFAULT_API_VERSION
    assert "Idempotency-Key" not in request.headers
    assert "Stripe-Account" not in request.headers


# --- Connect ----------------------------------------------------------------------


def test_a_freelancer_gets_an_express_account_that_can_receive_transfers(gateway, recording_http):
    recording_http.answer("POST", "/v1/accounts", answers.ACCOUNT_CREATED)

    account = gateway.create_connected_account(
        "claire.martin@example.org",
        idempotency_key=freelancer_account_key(42),
        metadata={"freelancer_id": 42},
    )

    assert_platform_post(recording_http.last, "/v1/accounts", "freelancer-42-account-v1")
    assert recording_http.last.form == {
        "country": "FR",
        "email": "claire.martin@example.org",
        "controller[fees][payer]": "application",
        "controller[losses][payments]": "application",
        "controller[requirement_collection]": "stripe",
        "controller[stripe_dashboard][type]": "express",
        "capabilities[card_payments][requested]": "true",
        "capabilities[transfers][requested]": "true",
        "metadata[freelancer_id]": "42",
    }
    assert account == AccountStatus(
        id=answers.ACCOUNT_ID,
        charges_enabled=False,
        payouts_enabled=False,
        details_submitted=False,
        requirements_due=(
            "business_profile.mcc",
            "business_profile.url",
            "business_type",
            "external_account",
            "tos_acceptance.date",
            "tos_acceptance.ip",
        ),
        disabled_reason="requirements.past_due",
    )


def test_an_onboarding_link_asks_everything_up_front(gateway, recording_http):
    recording_http.answer("POST", "/v1/account_links", answers.ACCOUNT_LINK)

    link = gateway.create_account_link(
        answers.ACCOUNT_ID,
        "https://om-partage.fr/freelance/paiements/stripe?refresh=1",
        "https://om-partage.fr/freelance/paiements/stripe",
        idempotency_key=freelancer_account_link_key(42, "n0nce"),
    )

    assert_platform_post(recording_http.last, "/v1/account_links", "freelancer-42-account-link-n0nce")
    assert recording_http.last.form == {
        "account": answers.ACCOUNT_ID,
        "refresh_url": "https://om-partage.fr/freelance/paiements/stripe?refresh=1",
        "return_url": "https://om-partage.fr/freelance/paiements/stripe",
        "type": "account_onboarding",
        "collection_options[fields]": "eventually_due",
    }
    assert link == AccountLink(
        url=answers.ACCOUNT_LINK["url"],
        expires_at=datetime(2025, 12, 1, 10, 5, tzinfo=UTC),
    )


def test_an_onboarded_account_reads_as_enabled_with_nothing_due(gateway, recording_http):
    recording_http.answer("GET", f"/v1/accounts/{answers.ACCOUNT_ID}", answers.ACCOUNT_ENABLED)

    account = gateway.retrieve_account(answers.ACCOUNT_ID)

    assert_platform_get(recording_http.last, f"/v1/accounts/{answers.ACCOUNT_ID}")
    assert account == AccountStatus(
        id=answers.ACCOUNT_ID,
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        requirements_due=(),
        disabled_reason=None,
    )


def test_a_destination_charge_sends_the_net_to_the_freelancer_and_keeps_the_fee(gateway, recording_http):
    recording_http.answer("POST", "/v1/payment_intents", answers.PAYMENT_INTENT_DESTINATION)

    result = gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        description="Facture F42-2026-0007",
        idempotency_key=invoice_charge_key(7),
        metadata={"invoice_id": 7},
        destination_account=answers.ACCOUNT_ID,
        application_fee_cents=54000,
    )

    assert_platform_post(recording_http.last, "/v1/payment_intents", "inv-7-charge-v1")
    assert recording_http.last.form == {
        "amount": "360000",
        "currency": "eur",
        "customer": answers.CUSTOMER_ID,
        "payment_method": answers.PAYMENT_METHOD_ID,
        "payment_method_types[0]": "card",
        "payment_method_types[1]": "sepa_debit",
        "confirm": "true",
        "off_session": "true",
        "description": "Facture F42-2026-0007",
        "transfer_data[destination]": answers.ACCOUNT_ID,
        "application_fee_amount": "54000",
        "metadata[invoice_id]": "7",
    }
    assert result == ChargeResult(
        id=answers.PAYMENT_INTENT_ID,
        status=ChargeStatus.SUCCEEDED,
        amount_cents=360000,
        failure_code=None,
        failure_message=None,
        latest_charge=answers.CHARGE_ID,
        provider_status="succeeded",
    )


def test_on_behalf_of_makes_the_freelancer_the_settlement_merchant(gateway, recording_http):
    recording_http.answer("POST", "/v1/payment_intents", answers.PAYMENT_INTENT_DESTINATION)

    gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        idempotency_key=invoice_charge_key(7),
        destination_account=answers.ACCOUNT_ID,
        application_fee_cents=54000,
        on_behalf_of=True,
    )

    assert recording_http.last.form["on_behalf_of"] == answers.ACCOUNT_ID
    assert recording_http.last.form["transfer_data[destination]"] == answers.ACCOUNT_ID


def test_a_charge_without_destination_sends_no_connect_parameter(gateway, recording_http):
    recording_http.answer("POST", "/v1/payment_intents", answers.PAYMENT_INTENT_PLAIN)

    gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        idempotency_key=invoice_charge_key(7),
        method_types=("card",),
    )

    assert recording_http.last.form == {
        "amount": "360000",
        "currency": "eur",
        "customer": answers.CUSTOMER_ID,
        "payment_method": answers.PAYMENT_METHOD_ID,
        "payment_method_types[0]": "card",
        "confirm": "true",
        "off_session": "true",
    }


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"application_fee_cents": 100}, "destination_account"),
        ({"on_behalf_of": True}, "destination_account"),
        ({"destination_account": "acct_1", "application_fee_cents": 360001}, "exceeds"),
        ({"off_session": True, "confirm": False}, "confirm"),
    ],
)
def test_inconsistent_charge_arguments_are_refused_before_any_request(gateway, recording_http, arguments, message):
    with pytest.raises(ValueError, match=message):
        gateway.charge(
            360000,
            customer_id=answers.CUSTOMER_ID,
            payment_method_id=answers.PAYMENT_METHOD_ID,
            idempotency_key=invoice_charge_key(7),
            **arguments,
        )
    assert recording_http.requests == []


@pytest.mark.parametrize("amount", [0, -100, 12.5, True, "3600"])
def test_amounts_are_positive_integer_cents(gateway, recording_http, amount):
    with pytest.raises((TypeError, ValueError)):
        gateway.charge(
            amount,
            customer_id=answers.CUSTOMER_ID,
            payment_method_id=answers.PAYMENT_METHOD_ID,
            idempotency_key=invoice_charge_key(7),
        )
    assert recording_http.requests == []


def test_a_transfer_ties_the_payout_to_the_charge(gateway, recording_http):
    recording_http.answer("POST", "/v1/transfers", answers.TRANSFER)

    transfer = gateway.create_transfer(
        306000,
        answers.ACCOUNT_ID,
        idempotency_key=invoice_transfer_key(7),
        transfer_group="invoice-7",
        source_transaction=answers.CHARGE_ID,
        metadata={"invoice_id": 7},
    )

    assert_platform_post(recording_http.last, "/v1/transfers", "inv-7-transfer-v1")
    assert recording_http.last.form == {
        "amount": "306000",
        "currency": "eur",
        "destination": answers.ACCOUNT_ID,
        "transfer_group": "invoice-7",
        "source_transaction": answers.CHARGE_ID,
        "metadata[invoice_id]": "7",
    }
    assert (transfer.id, transfer.amount_cents, transfer.destination, transfer.reversed) == (
        "tr_1QInv7aBcDeFgHi",
        306000,
        answers.ACCOUNT_ID,
        False,
    )


def test_a_refund_takes_back_the_transfer_and_gives_back_the_fee(gateway, recording_http):
    recording_http.answer("POST", "/v1/refunds", answers.REFUND_REVERSED)

    refund = gateway.refund(
        answers.PAYMENT_INTENT_ID,
        120000,
        reverse_transfer=True,
        refund_application_fee=True,
        idempotency_key=invoice_refund_key(7, 1),
        metadata={"invoice_id": 7, "credit_note": "AV42-2026-0001"},
    )

    assert_platform_post(recording_http.last, "/v1/refunds", "inv-7-refund-1-v1")
    assert recording_http.last.form == {
        "payment_intent": answers.PAYMENT_INTENT_ID,
        "amount": "120000",
        "reverse_transfer": "true",
        "refund_application_fee": "true",
        "metadata[invoice_id]": "7",
        "metadata[credit_note]": "AV42-2026-0001",
    }
    assert (refund.id, refund.status, refund.amount_cents, refund.payment_intent_id, refund.transfer_reversal) == (
        "re_3QInv7aBcDeFgHi1",
        "succeeded",
        120000,
        answers.PAYMENT_INTENT_ID,
        "trr_1QInv7aBcDeFgHi",
    )


def test_a_full_refund_of_a_plain_charge_sends_neither_amount_nor_connect_flags(gateway, recording_http):
    recording_http.answer("POST", "/v1/refunds", answers.REFUND_PLAIN)

    refund = gateway.refund(
        answers.PAYMENT_INTENT_ID,
        None,
        reverse_transfer=False,
        refund_application_fee=False,
        idempotency_key=invoice_refund_key(7, 1),
    )

    assert recording_http.last.form == {"payment_intent": answers.PAYMENT_INTENT_ID}
    assert refund.amount_cents == 360000


# --- customers, saved payment methods -------------------------------------------------


def test_a_company_becomes_a_french_speaking_customer(gateway, recording_http):
    recording_http.answer("POST", "/v1/customers", answers.CUSTOMER)

    customer = gateway.create_customer(
        "direction@acme-conseil.fr",
        "ACME Conseil",
        idempotency_key=company_customer_key(3),
        metadata={"company_id": 3},
    )

    assert_platform_post(recording_http.last, "/v1/customers", "company-3-customer-v1")
    assert recording_http.last.form == {
        "email": "direction@acme-conseil.fr",
        "name": "ACME Conseil",
        "preferred_locales[0]": "fr",
        "metadata[company_id]": "3",
    }
    assert (customer.id, customer.email, customer.name) == (
        answers.CUSTOMER_ID,
        "direction@acme-conseil.fr",
        "ACME Conseil",
    )


def test_a_setup_intent_saves_a_card_or_mandate_for_off_session_charges(gateway, recording_http):
    recording_http.answer("POST", "/v1/setup_intents", answers.SETUP_INTENT)
    recording_http.answer("GET", "/v1/setup_intents/seti_1QSetup3aBcDeFgH", answers.SETUP_INTENT_SUCCEEDED)
    recording_http.answer("GET", "/v1/payment_methods/pm_1QSepa3aBcDeFgHi", answers.SEPA_PAYMENT_METHOD)

    setup = gateway.create_setup_intent(
        answers.CUSTOMER_ID, idempotency_key="company-3-setup-1-v1", metadata={"company_id": 3}
    )
    assert_platform_post(recording_http.last, "/v1/setup_intents", "company-3-setup-1-v1")
    assert recording_http.last.form == {
        "customer": answers.CUSTOMER_ID,
        "usage": "off_session",
        "payment_method_types[0]": "card",
        "payment_method_types[1]": "sepa_debit",
        "metadata[company_id]": "3",
    }
    assert (setup.status, setup.client_secret, setup.payment_method_id) == (
        "requires_payment_method",
        answers.SETUP_INTENT["client_secret"],
        None,
    )

    done = gateway.retrieve_setup_intent(setup.id)
    assert_platform_get(recording_http.last, "/v1/setup_intents/seti_1QSetup3aBcDeFgH")
    assert (done.status, done.payment_method_id, done.customer_id) == (
        "succeeded",
        "pm_1QSepa3aBcDeFgHi",
        answers.CUSTOMER_ID,
    )

    method = gateway.retrieve_payment_method(done.payment_method_id)
    assert (method.type, method.last4, method.brand, method.customer_id) == (
        "sepa_debit",
        "2606",
        None,
        answers.CUSTOMER_ID,
    )


# --- declines and errors -----------------------------------------------------------


def test_a_declined_card_is_a_failed_result_in_french_not_an_exception(gateway, recording_http):
    recording_http.answer("POST", "/v1/payment_intents", answers.CARD_DECLINED, status=402)

    result = gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        idempotency_key=invoice_charge_key(7),
        destination_account=answers.ACCOUNT_ID,
        application_fee_cents=54000,
    )

    assert result == ChargeResult(
        id="pi_3QDecl7aBcDeFgHi",
        status=ChargeStatus.FAILED,
        amount_cents=360000,
        failure_code="insufficient_funds",
        failure_message="Provision insuffisante : le paiement a été refusé.",
        latest_charge="ch_3QDecl7aBcDeFgHi",
        provider_status="requires_payment_method",
    )


def test_a_decline_naming_only_the_charge_finds_its_payment_intent(gateway, recording_http):
    recording_http.answer("POST", "/v1/payment_intents", answers.CARD_DECLINED_CHARGE_ONLY, status=402)
    recording_http.answer("GET", "/v1/charges/ch_3QDecl7aBcDeFgHi", answers.DECLINED_CHARGE)

    result = gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        idempotency_key=invoice_charge_key(7),
    )

    assert (result.id, result.status, result.failure_code) == (
        "pi_3QDecl7aBcDeFgHi",
        ChargeStatus.FAILED,
        "card_declined",
    )
    assert result.failure_message.startswith("Le paiement a été refusé")


def test_a_sepa_debit_rejected_later_reads_as_failed(gateway, recording_http):
    recording_http.answer(
        "GET", f"/v1/payment_intents/{answers.PAYMENT_INTENT_ID}", answers.SEPA_PAYMENT_INTENT_PROCESSING
    )
    recording_http.answer("GET", f"/v1/payment_intents/{answers.PAYMENT_INTENT_ID}", answers.SEPA_PAYMENT_INTENT_FAILED)

    processing = gateway.retrieve_payment_intent(answers.PAYMENT_INTENT_ID)
    failed = gateway.retrieve_payment_intent(answers.PAYMENT_INTENT_ID)

    assert (processing.status, processing.failure_code) == (ChargeStatus.PROCESSING, None)
    assert (failed.status, failed.failure_code, failed.provider_status) == (
        ChargeStatus.FAILED,
        "insufficient_funds",
        "requires_payment_method",
    )


def test_a_wrong_key_raises_a_permanent_provider_error(gateway, recording_http):
    recording_http.answer("POST", "/v1/customers", answers.AUTHENTICATION_FAILED, status=401)

    with pytest.raises(PaymentProviderError) as raised:
        gateway.create_customer("a@example.org", "A", idempotency_key=company_customer_key(3))

    assert (raised.value.http_status, raised.value.transient, raised.value.code) == (401, False, "authentication_error")
    assert raised.value.request_id == "req_test0001"


def test_a_network_failure_raises_a_transient_provider_error(gateway, recording_http):
    recording_http.fail("POST", "/v1/payment_intents", stripe.APIConnectionError("connection reset"))

    with pytest.raises(PaymentProviderError) as raised:
        gateway.charge(
            360000,
            customer_id=answers.CUSTOMER_ID,
            payment_method_id=answers.PAYMENT_METHOD_ID,
            idempotency_key=invoice_charge_key(7),
        )

    assert (raised.value.transient, raised.value.code) == (True, "network_error")


def test_a_stripe_outage_is_transient_and_a_reused_key_is_not(gateway, recording_http):
    recording_http.answer("POST", "/v1/transfers", answers.API_ERROR, status=500)
    recording_http.answer("POST", "/v1/payment_intents", answers.IDEMPOTENCY_ERROR, status=400)

    with pytest.raises(PaymentProviderError) as outage:
        gateway.create_transfer(306000, answers.ACCOUNT_ID, idempotency_key=invoice_transfer_key(7))
    with pytest.raises(PaymentProviderError) as reused:
        gateway.charge(
            100,
            customer_id=answers.CUSTOMER_ID,
            payment_method_id=answers.PAYMENT_METHOD_ID,
            idempotency_key=invoice_charge_key(7),
        )

    assert (outage.value.http_status, outage.value.transient) == (500, True)
    assert (reused.value.code, reused.value.transient) == ("idempotency_error", False)


def test_the_sdk_retries_a_failed_post_with_the_same_idempotency_key(recording_http):
    gateway = StripeGateway(TEST_KEY, max_network_retries=2, http_client=recording_http)
    recording_http.fail("POST", "/v1/payment_intents", stripe.APIConnectionError("timed out", should_retry=True))
    recording_http.answer("POST", "/v1/payment_intents", answers.API_ERROR, status=500)
    recording_http.answer("POST", "/v1/payment_intents", answers.PAYMENT_INTENT_DESTINATION)

    result = gateway.charge(
        360000,
        customer_id=answers.CUSTOMER_ID,
        payment_method_id=answers.PAYMENT_METHOD_ID,
        idempotency_key=invoice_charge_key(7),
    )

    assert result.status is ChargeStatus.SUCCEEDED
    assert [r.headers["Idempotency-Key"] for r in recording_http.requests] == ["inv-7-charge-v1"] * 3


# --- every POST, configuration --------------------------------------------------------


def test_every_post_carries_the_callers_key_and_none_acts_for_a_connected_account(gateway, recording_http):
    recording_http.answer("POST", "/v1/customers", answers.CUSTOMER)
    recording_http.answer("POST", "/v1/setup_intents", answers.SETUP_INTENT)
    recording_http.answer("POST", "/v1/payment_intents", answers.PAYMENT_INTENT_DESTINATION)
    recording_http.answer("POST", "/v1/refunds", answers.REFUND_REVERSED)
    recording_http.answer("POST", "/v1/accounts", answers.ACCOUNT_CREATED)
    recording_http.answer("POST", "/v1/account_links", answers.ACCOUNT_LINK)
    recording_http.answer("POST", "/v1/transfers", answers.TRANSFER)

    gateway.create_customer("a@example.org", "A", idempotency_key="k-customer")
    gateway.create_setup_intent(answers.CUSTOMER_ID, idempotency_key="k-setup")
    gateway.charge(100, customer_id=answers.CUSTOMER_ID, payment_method_id="pm_1", idempotency_key="k-charge")
    gateway.refund("pi_1", None, reverse_transfer=True, refund_application_fee=False, idempotency_key="k-refund")
    gateway.create_connected_account("b@example.org", idempotency_key="k-account")
    gateway.create_account_link(answers.ACCOUNT_ID, "https://x/r", "https://x/d", idempotency_key="k-link")
    gateway.create_transfer(100, answers.ACCOUNT_ID, idempotency_key="k-transfer")

    posts = [r for r in recording_http.requests if r.method == "POST"]
    assert [r.headers["Idempotency-Key"] for r in posts] == [
        "k-customer",
        "k-setup",
        "k-charge",
        "k-refund",
        "k-account",
        "k-link",
        "k-transfer",
    ]
    assert not any("Stripe-Account" in r.headers for r in recording_http.requests)
    # Telemetry is off: no id from ~/.config/stripe, no timings of earlier requests.
    assert not any("telemetry_id" in r.headers["X-Stripe-Client-User-Agent"] for r in recording_http.requests)
    assert not any("X-Stripe-Client-Telemetry" in r.headers for r in recording_http.requests)


@pytest.mark.parametrize("key", ["", "   ", None, "x" * 256])
def test_a_post_without_a_usable_key_is_refused_before_any_request(gateway, recording_http, key):
    with pytest.raises(ValueError, match="idempotency key"):
        gateway.create_customer("a@example.org", "A", idempotency_key=key)
    assert recording_http.requests == []


def test_the_pinned_api_version_is_the_one_the_sdk_is_generated_for():
    # When this fails after an SDK upgrade, read Stripe's changelog for the new
    # version, then move DEFAULT_API_VERSION on purpose.
    assert DEFAULT_API_VERSION == stripe.api_version


def test_from_config_reads_the_api_base_and_version_and_requires_a_key(recording_http):
    recording_http.answer("GET", "/v1/accounts/acct_1", answers.ACCOUNT_ENABLED)
    gateway = StripeGateway.from_config(
        {
            "STRIPE_SECRET_KEY": TEST_KEY,
            "STRIPE_API_BASE": "http://127.0.0.1:12111/",
            "STRIPE_API_VERSION": "2025-09-30.clover",
        },
        http_client=recording_http,
    )

    gateway.retrieve_account("acct_1")

    assert recording_http.last.url == "http://127.0.0.1:12111/v1/accounts/acct_1"
    assert recording_http.last.headers["Stripe-Version"] == "2025-09-30.clover"
    with pytest.raises(PaymentsNotConfigured):
        StripeGateway.from_config({"STRIPE_SECRET_KEY": None})


def test_idempotency_keys_follow_the_domain_convention():
    assert stripe_adapter.invoice_charge_key(7) == "inv-7-charge-v1"
    assert stripe_adapter.invoice_charge_key(7, attempt=2) == "inv-7-charge-v2"
    assert stripe_adapter.invoice_refund_key(7, 2) == "inv-7-refund-2-v1"
    assert stripe_adapter.company_customer_key(3) == "company-3-customer-v1"
    assert stripe_adapter.company_setup_key(3, 4) == "company-3-setup-4-v1"
    assert stripe_adapter.freelancer_account_key(42) == "freelancer-42-account-v1"
    assert stripe_adapter.invoice_transfer_key(7) == "inv-7-transfer-v1"
