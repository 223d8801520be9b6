"""Stripe behind a small interface of plain values: the only module that imports ``stripe``.

Money flow: destination charges. The platform charges the SME's saved card or SEPA
mandate off-session; with ``destination_account`` Stripe moves the amount minus
``application_fee_cents`` to the freelancer's connected account
(``transfer_data[destination]`` + ``application_fee_amount``).

Every call is made as the platform, so no request carries a ``Stripe-Account`` header:
that header is for objects living on a connected account (direct charges, the
account's own customers or payouts), which this marketplace does not create. A
connected account is created, linked and read by the platform with its own key.

Idempotency: every POST carries an ``Idempotency-Key`` given by the caller and derived
from the domain object (the ``*_key`` helpers below), so a job run twice charges,
refunds or creates once. Stripe keeps a key for 24 hours and replays the first answer,
declines included: a new attempt after a decline takes the next key (``-v2``).

Errors: a declined charge is a :class:`ChargeResult` with status ``failed``; anything
else the provider refuses or cannot answer raises :class:`PaymentProviderError`, whose
``transient`` says whether retrying the same call later may succeed.

Imports only the standard library and ``stripe``: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import stripe

# Pinned: the version the installed SDK (stripe 16.1.0) is generated for. Changing it
# is a deliberate upgrade; a test fails when the SDK moves to another version.
DEFAULT_API_VERSION = "2026-10-28.endive"
DEFAULT_METHOD_TYPES = ("card", "sepa_debit")
DEFAULT_TIMEOUT_SECONDS = 30
# Safe because every POST carries the caller's key: a retry replays, never repeats.
DEFAULT_MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300
MAX_IDEMPOTENCY_KEY_LENGTH = 255

# The SDK otherwise writes an id under ~/.config/stripe and reports request timings.
stripe.enable_telemetry = False


# --- idempotency keys -------------------------------------------------------------


def company_customer_key(company_id: int) -> str:
    """Key of the one Stripe customer of a company."""
    return f"company-{company_id}-customer-v1"


def company_setup_key(company_id: int, number: int) -> str:
    """Key of a company's ``number``-th request to save a payment method."""
    return f"company-{company_id}-setup-{number}-v1"


def freelancer_account_key(freelancer_id: int) -> str:
    """Key of the one connected account of a freelancer."""
    return f"freelancer-{freelancer_id}-account-v1"


def freelancer_account_link_key(freelancer_id: int, nonce: str) -> str:
    """Key of one onboarding link; links are single-use, so each needs a fresh nonce."""
    return f"freelancer-{freelancer_id}-account-link-{nonce}"


def invoice_charge_key(invoice_id: int, attempt: int = 1) -> str:
    """Key of the ``attempt``-th charge of an invoice (a decline is replayed for 24 h)."""
    return f"inv-{invoice_id}-charge-v{attempt}"


def invoice_refund_key(invoice_id: int, number: int, attempt: int = 1) -> str:
    """Key of the ``number``-th refund of an invoice."""
    return f"inv-{invoice_id}-refund-{number}-v{attempt}"


def invoice_transfer_key(invoice_id: int, attempt: int = 1) -> str:
    """Key of a separate transfer of an invoice's net amount to the freelancer."""
    return f"inv-{invoice_id}-transfer-v{attempt}"


# --- errors -----------------------------------------------------------------------


class PaymentProviderError(Exception):
    """Stripe refused the call or could not be reached; ``transient`` means retry later."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        transient: bool = False,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.transient = transient
        self.request_id = request_id


class PaymentsNotConfigured(PaymentProviderError):
    """A setting the call needs (secret key, webhook secret) is missing."""


class InvalidEvent(ValueError):
    """A webhook body that is not a Stripe event we can read."""


class InvalidSignature(InvalidEvent):
    """A webhook whose signature does not match, or whose timestamp is too old."""


# --- results ----------------------------------------------------------------------


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PROCESSING = "processing"  # SEPA debit under way: the outcome comes by webhook
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"  # the payer must authenticate on-session
    CANCELED = "canceled"
    PENDING = "pending"  # created, not yet attempted


@dataclass(frozen=True)
class CustomerRef:
    id: str
    email: str | None
    name: str | None


@dataclass(frozen=True)
class SetupIntentResult:
    id: str
    client_secret: str | None
    status: str
    customer_id: str | None
    payment_method_id: str | None


@dataclass(frozen=True)
class PaymentMethodInfo:
    id: str
    type: str
    last4: str | None
    brand: str | None  # card brand; None for a SEPA debit
    customer_id: str | None


@dataclass(frozen=True)
class ChargeResult:
    id: str
    status: ChargeStatus
    amount_cents: int
    failure_code: str | None
    failure_message: str | None  # French, for the payer
    latest_charge: str | None
    provider_status: str | None = None  # Stripe's own PaymentIntent status


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # pending | requires_action | succeeded | failed | canceled
    amount_cents: int
    payment_intent_id: str | None
    failure_reason: str | None
    transfer_reversal: str | None


@dataclass(frozen=True)
class AccountStatus:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements_due: tuple[str, ...]
    disabled_reason: str | None = None


@dataclass(frozen=True)
class AccountLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class TransferResult:
    id: str
    amount_cents: int
    destination: str
    transfer_group: str | None
    reversed: bool


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    type: str
    object_id: str | None
    object_type: str | None
    created: datetime
    data: dict[str, Any]  # the event's ``data.object``
    account: str | None = None  # the connected account, for events of a Connect endpoint
    livemode: bool = False


# Messages a payer can act on, by Stripe decline or error code. Stripe advises not to
# tell a payer that a card is reported lost or stolen: those read as a plain refusal.
_REFUSED = "Le paiement a été refusé par la banque. Contactez-la ou utilisez un autre moyen de paiement."
FAILURE_MESSAGES = {
    "card_declined": _REFUSED,
    "generic_decline": _REFUSED,
    "do_not_honor": _REFUSED,
    "lost_card": _REFUSED,
    "stolen_card": _REFUSED,
    "pickup_card": _REFUSED,
    "fraudulent": _REFUSED,
    "restricted_card": _REFUSED,
    "insufficient_funds": "Provision insuffisante : le paiement a été refusé.",
    "expired_card": "La carte a expiré.",
    "incorrect_cvc": "Le cryptogramme visuel de la carte est incorrect.",
    "incorrect_number": "Le numéro de carte est incorrect.",
    "card_velocity_exceeded": "Le plafond de la carte est atteint.",
    "withdrawal_count_limit_exceeded": "Le plafond de la carte est atteint.",
    "processing_error": "Erreur de traitement chez la banque : le paiement sera réessayé.",
    "authentication_required": (
        "La banque demande une authentification du titulaire : le paiement doit être confirmé en ligne."
    ),
    "payment_intent_authentication_failure": "L'authentification du titulaire a échoué.",
    # SEPA debits, reported days later
    "debit_not_authorized": "Le prélèvement a été refusé ou contesté auprès de la banque.",
    "account_closed": "Le compte bancaire est clôturé.",
    "no_account": "Le compte bancaire n'existe pas.",
    "bank_account_restricted": "Le compte bancaire n'accepte pas les prélèvements.",
    "invalid_account_number": "L'IBAN est invalide.",
}
DEFAULT_FAILURE_MESSAGE = "Le paiement a échoué. Utilisez un autre moyen de paiement."


def failure_message(code: str | None) -> str:
    """A French sentence for a Stripe decline or error code."""
    return FAILURE_MESSAGES.get(code or "", DEFAULT_FAILURE_MESSAGE)


# --- the gateway ------------------------------------------------------------------


class StripeGateway:
    """The platform's Stripe account, seen as plain values."""

    def __init__(
        self,
        api_key: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        api_base: str | None = None,
        webhook_secrets: Sequence[str] = (),
        max_network_retries: int = DEFAULT_MAX_NETWORK_RETRIES,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        webhook_tolerance_seconds: int = WEBHOOK_TOLERANCE_SECONDS,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        if not api_key:
            raise PaymentsNotConfigured("STRIPE_SECRET_KEY n'est pas défini.", code="not_configured")
        self.api_version = api_version
        self._webhook_secrets = tuple(s for s in webhook_secrets if s)
        self._webhook_tolerance = webhook_tolerance_seconds
        self._http_client = http_client or stripe.RequestsClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            api_key,
            stripe_version=api_version,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=self._http_client,
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, http_client: stripe.HTTPClient | None = None) -> StripeGateway:
        """A gateway from the app's settings (``STRIPE_*``); raises PaymentsNotConfigured."""
        retries = config.get("STRIPE_MAX_NETWORK_RETRIES")
        timeout = config.get("STRIPE_TIMEOUT_SECONDS")
        return cls(
            config.get("STRIPE_SECRET_KEY") or "",
            api_version=config.get("STRIPE_API_VERSION") or DEFAULT_API_VERSION,
            api_base=config.get("STRIPE_API_BASE") or None,
            webhook_secrets=(
                config.get("STRIPE_WEBHOOK_SECRET") or "",
                config.get("STRIPE_CONNECT_WEBHOOK_SECRET") or "",
            ),
            max_network_retries=DEFAULT_MAX_NETWORK_RETRIES if retries is None else int(retries),
            timeout_seconds=DEFAULT_TIMEOUT_SECONDS if timeout is None else float(timeout),
            http_client=http_client,
        )

    def close(self) -> None:
        """Release the HTTP connections of the calling thread."""
        self._http_client.close()

    # --- customers and saved payment methods --------------------------------------

    def create_customer(
        self, email: str, name: str, *, idempotency_key: str, metadata: Mapping[str, Any] | None = None
    ) -> CustomerRef:
        """The Stripe customer of a paying company."""
        params: dict[str, Any] = {"email": email, "name": name, "preferred_locales": ["fr"]}
        _add_metadata(params, metadata)
        customer = self._post(self._client.v1.customers.create, params, idempotency_key)
        return CustomerRef(id=customer["id"], email=customer.get("email"), name=customer.get("name"))

    def create_setup_intent(
        self,
        customer_id: str,
        method_types: Sequence[str] = DEFAULT_METHOD_TYPES,
        *,
        idempotency_key: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> SetupIntentResult:
        """A SetupIntent the browser confirms (Stripe.js) to save a card or SEPA mandate for later."""
        params: dict[str, Any] = {
            "customer": customer_id,
            "usage": "off_session",
            "payment_method_types": list(method_types),
        }
        _add_metadata(params, metadata)
        intent = self._post(self._client.v1.setup_intents.create, params, idempotency_key)
        return _setup_intent_result(intent)

    def retrieve_setup_intent(self, setup_intent_id: str) -> SetupIntentResult:
        """A SetupIntent's status and, once it succeeded, the saved payment method."""
        return _setup_intent_result(self._get(self._client.v1.setup_intents.retrieve, setup_intent_id))

    def retrieve_payment_method(self, payment_method_id: str) -> PaymentMethodInfo:
        """What to show of a saved payment method (type, last four digits, brand)."""
        method = self._get(self._client.v1.payment_methods.retrieve, payment_method_id)
        kind = method.get("type") or ""
        details = method.get(kind) or {}
        return PaymentMethodInfo(
            id=method["id"],
            type=kind,
            last4=details.get("last4"),
            brand=details.get("brand"),
            customer_id=_id_of(method.get("customer")),
        )

    # --- payments -----------------------------------------------------------------

    def charge(
        self,
        amount_cents: int,
        *,
        customer_id: str,
        payment_method_id: str,
        idempotency_key: str,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        destination_account: str | None = None,
        application_fee_cents: int | None = None,
        on_behalf_of: bool = False,
        off_session: bool = True,
        confirm: bool = True,
        method_types: Sequence[str] = DEFAULT_METHOD_TYPES,
        currency: str = "eur",
    ) -> ChargeResult:
        """Charge a saved payment method; a destination charge when ``destination_account`` is given.

        A decline is a result with status ``failed``, not an exception. ``on_behalf_of``
        makes the connected account the settlement merchant (needs its card_payments
        capability).
        """
        _check_cents(amount_cents, "amount_cents", positive=True)
        if off_session and not confirm:
            raise ValueError("off_session needs confirm=True")
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": currency,
            "customer": customer_id,
            "payment_method": payment_method_id,
            "payment_method_types": list(method_types),
            "confirm": confirm,
        }
        if off_session:
            params["off_session"] = True
        if description:
            params["description"] = description
        if destination_account:
            params["transfer_data"] = {"destination": destination_account}
            if application_fee_cents is not None:
                _check_cents(application_fee_cents, "application_fee_cents")
                if application_fee_cents > amount_cents:
                    raise ValueError("application_fee_cents exceeds amount_cents")
                params["application_fee_amount"] = application_fee_cents
            if on_behalf_of:
                params["on_behalf_of"] = destination_account
        elif application_fee_cents is not None or on_behalf_of:
            raise ValueError("an application fee or on_behalf_of needs a destination_account")
        _add_metadata(params, metadata)
        try:
            intent = self._post(self._client.v1.payment_intents.create, params, idempotency_key, declines=True)
        except stripe.CardError as exc:
            return self._declined(exc, amount_cents)
        return _charge_result(intent)

    def retrieve_payment_intent(self, payment_intent_id: str) -> ChargeResult:
        """A charge's current state, e.g. a SEPA debit that was processing."""
        return _charge_result(self._get(self._client.v1.payment_intents.retrieve, payment_intent_id))

    def refund(
        self,
        payment_intent_id: str,
        amount_cents: int | None = None,
        *,
        reverse_transfer: bool,
        refund_application_fee: bool,
        idempotency_key: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> RefundResult:
        """Refund all (``None``) or part of a charge; for a destination charge, take it back
        from the freelancer (``reverse_transfer``) and give back the platform's fee
        (``refund_application_fee``). Those two are sent only when true: they are Connect
        parameters, refused on a charge without a destination."""
        params: dict[str, Any] = {"payment_intent": payment_intent_id}
        if amount_cents is not None:
            _check_cents(amount_cents, "amount_cents", positive=True)
            params["amount"] = amount_cents
        if reverse_transfer:
            params["reverse_transfer"] = True
        if refund_application_fee:
            params["refund_application_fee"] = True
        _add_metadata(params, metadata)
        return _refund_result(self._post(self._client.v1.refunds.create, params, idempotency_key))

    def retrieve_refund(self, refund_id: str) -> RefundResult:
        """A refund's current state (a SEPA refund settles days later)."""
        return _refund_result(self._get(self._client.v1.refunds.retrieve, refund_id))

    # --- connected accounts (freelancers) -----------------------------------------

    def create_connected_account(
        self,
        email: str,
        *,
        country: str = "FR",
        idempotency_key: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> AccountStatus:
        """A freelancer's Express account (controller properties of an Express account).

        Stripe collects the identity and bank details through its hosted onboarding
        (:meth:`create_account_link`); the platform pays Stripe's fees and answers for
        negative balances, as with destination charges it must.
        """
        params: dict[str, Any] = {
            "country": country,
            "email": email,
            "controller": {
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
                "requirement_collection": "stripe",
                "stripe_dashboard": {"type": "express"},
            },
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        }
        _add_metadata(params, metadata)
        account = self._post(self._client.v1.accounts.create, params, idempotency_key)
        return _account_status(account)

    def create_account_link(
        self, account_id: str, refresh_url: str, return_url: str, *, idempotency_key: str
    ) -> AccountLink:
        """A single-use link to Stripe's onboarding, asking everything up front."""
        params = {
            "account": account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
            "collection_options": {"fields": "eventually_due"},
        }
        link = self._post(self._client.v1.account_links.create, params, idempotency_key)
        return AccountLink(url=link["url"], expires_at=_timestamp(link["expires_at"]))

    def retrieve_account(self, account_id: str) -> AccountStatus:
        """Whether a freelancer's account can be paid, and what Stripe still needs."""
        return _account_status(self._get(self._client.v1.accounts.retrieve, account_id))

    def create_transfer(
        self,
        amount_cents: int,
        destination: str,
        *,
        idempotency_key: str,
        transfer_group: str | None = None,
        source_transaction: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        currency: str = "eur",
    ) -> TransferResult:
        """Move platform funds to a connected account (separate charges and transfers).

        ``source_transaction`` (a charge id) ties the transfer to the charge's funds, so
        it succeeds before they are available.
        """
        _check_cents(amount_cents, "amount_cents", positive=True)
        params: dict[str, Any] = {"amount": amount_cents, "currency": currency, "destination": destination}
        if transfer_group:
            params["transfer_group"] = transfer_group
        if source_transaction:
            params["source_transaction"] = source_transaction
        _add_metadata(params, metadata)
        transfer = self._post(self._client.v1.transfers.create, params, idempotency_key)
        return TransferResult(
            id=transfer["id"],
            amount_cents=int(transfer["amount"]),
            destination=_id_of(transfer.get("destination")) or destination,
            transfer_group=transfer.get("transfer_group"),
            reversed=bool(transfer.get("reversed")),
        )

    # --- webhooks -----------------------------------------------------------------

    def parse_event(self, payload: bytes, signature_header: str | None) -> ProviderEvent:
        """A webhook's event once its ``Stripe-Signature`` is verified; raises InvalidSignature.

        Either the account endpoint's secret or the Connect endpoint's secret may sign.
        """
        if not self._webhook_secrets:
            raise PaymentsNotConfigured("STRIPE_WEBHOOK_SECRET n'est pas défini.", code="not_configured")
        # First which secret signed the body, then, with that one, whether it is recent.
        signed_by, failure = None, None
        for secret in self._webhook_secrets:
            try:
                stripe.WebhookSignature.verify_header(payload, signature_header, secret, None)
            except stripe.SignatureVerificationError as exc:
                failure = exc
                continue
            signed_by = secret
            break
        if signed_by is None:
            raise InvalidSignature(str(failure)) from failure
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, signed_by, self._webhook_tolerance)
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature(str(exc)) from exc
        try:
            event = json.loads(payload)
            obj = event["data"]["object"]
            return ProviderEvent(
                id=event["id"],
                type=event["type"],
                object_id=obj.get("id"),
                object_type=obj.get("object"),
                created=_timestamp(event["created"]),
                data=obj,
                account=event.get("account"),
                livemode=bool(event.get("livemode")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidEvent("the webhook body is not a Stripe event") from exc

    # --- plumbing -----------------------------------------------------------------

    def _post(self, method, params: dict[str, Any], idempotency_key: str, *, declines: bool = False) -> dict:
        options: stripe.RequestOptions = {"idempotency_key": _checked_key(idempotency_key)}
        try:
            return method(params=params, options=options).to_dict()
        except stripe.CardError as exc:
            if declines:
                raise
            raise _provider_error(exc) from exc
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc

    def _get(self, method, object_id: str) -> dict:
        if not object_id:
            raise ValueError("an object id is required")
        try:
            return method(object_id).to_dict()
        except stripe.StripeError as exc:
            raise _provider_error(exc) from exc

    def _declined(self, exc: stripe.CardError, amount_cents: int) -> ChargeResult:
        """The failed result of a declined PaymentIntent, from the error Stripe returned."""
        body = exc.json_body if isinstance(exc.json_body, dict) else {}
        error = body.get("error") or {}
        code = error.get("decline_code") or error.get("code") or exc.code
        intent = error.get("payment_intent")
        intent = intent if isinstance(intent, Mapping) else {}
        charge_id = _id_of(error.get("charge")) or _id_of(intent.get("latest_charge"))
        intent_id = intent.get("id")
        if not intent_id and charge_id:
            # Stripe puts the PaymentIntent in the error; some fakes only name the charge.
            intent_id = _id_of(self._get(self._client.v1.charges.retrieve, charge_id).get("payment_intent"))
        if not intent_id:
            raise _provider_error(exc) from exc
        return ChargeResult(
            id=intent_id,
            status=ChargeStatus.FAILED,
            amount_cents=int(intent.get("amount") or amount_cents),
            failure_code=code,
            failure_message=failure_message(code),
            latest_charge=charge_id,
            provider_status=intent.get("status"),
        )


# --- conversions ------------------------------------------------------------------


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("every POST to Stripe needs an idempotency key")
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(f"an idempotency key has at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    return key


def _check_cents(value: int, name: str, *, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer number of cents")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'positive' if positive else 'zero or more'}")


def _add_metadata(params: dict[str, Any], metadata: Mapping[str, Any] | None) -> None:
    if metadata:
        params["metadata"] = {str(k): str(v) for k, v in metadata.items()}


def _id_of(value: Any) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the object."""
    if isinstance(value, Mapping):
        return value.get("id")
    return value or None


def _timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def _setup_intent_result(intent: Mapping[str, Any]) -> SetupIntentResult:
    return SetupIntentResult(
        id=intent["id"],
        client_secret=intent.get("client_secret"),
        status=intent["status"],
        customer_id=_id_of(intent.get("customer")),
        payment_method_id=_id_of(intent.get("payment_method")),
    )


_STATUSES = {
    "succeeded": ChargeStatus.SUCCEEDED,
    "processing": ChargeStatus.PROCESSING,
    "requires_action": ChargeStatus.REQUIRES_ACTION,
    "canceled": ChargeStatus.CANCELED,
}


def _charge_result(intent: Mapping[str, Any]) -> ChargeResult:
    provider_status = intent.get("status")
    error = intent.get("last_payment_error") or {}
    status = _STATUSES.get(provider_status or "", ChargeStatus.PENDING)
    code = None
    if provider_status == "requires_payment_method" and error:
        # A failed attempt (a SEPA debit rejected days later lands here too).
        status = ChargeStatus.FAILED
        code = error.get("decline_code") or error.get("code")
    return ChargeResult(
        id=intent["id"],
        status=status,
        amount_cents=int(intent["amount"]),
        failure_code=code,
        failure_message=failure_message(code) if status is ChargeStatus.FAILED else None,
        latest_charge=_id_of(intent.get("latest_charge")),
        provider_status=provider_status,
    )


def _refund_result(refund: Mapping[str, Any]) -> RefundResult:
    return RefundResult(
        id=refund["id"],
        status=refund.get("status") or "pending",
        amount_cents=int(refund["amount"]),
        payment_intent_id=_id_of(refund.get("payment_intent")),
        failure_reason=refund.get("failure_reason"),
        transfer_reversal=_id_of(refund.get("transfer_reversal")),
    )


def _account_status(account: Mapping[str, Any]) -> AccountStatus:
    requirements = account.get("requirements") or {}
    return AccountStatus(
        id=account["id"],
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        requirements_due=tuple(requirements.get("currently_due") or ()),
        disabled_reason=requirements.get("disabled_reason"),
    )


def _provider_error(exc: stripe.StripeError) -> PaymentProviderError:
    status = exc.http_status
    error = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
    code = exc.code or (error or {}).get("code")
    if isinstance(exc, stripe.CardError):
        code = (error or {}).get("decline_code") or code
    transient = isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)) or (
        status is not None and (status >= 500 or status == 409)
    )
    if isinstance(exc, stripe.APIConnectionError):
        code = code or "network_error"
    elif isinstance(exc, stripe.AuthenticationError):
        code = code or "authentication_error"
    elif isinstance(exc, stripe.IdempotencyError):
        code = code or "idempotency_error"
    return PaymentProviderError(
        f"Stripe {type(exc).__name__}: {exc.user_message or exc}",
        code=code,
        http_status=status,
        transient=transient,
        request_id=exc.request_id,
    )
