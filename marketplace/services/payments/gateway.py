"""The payment provider as the payments area sees it: configured or not, built from the settings."""

from __future__ import annotations

from flask import current_app

from marketplace.platform.stripe_adapter import PaymentsNotConfigured, StripeGateway

# Tests replace this with a gateway on an intercepting HTTP client or on localstripe.
_override: StripeGateway | None = None


def configured() -> bool:
    return bool(_override or current_app.config.get("STRIPE_SECRET_KEY"))


def gateway() -> StripeGateway:
    """The app's Stripe gateway (one per process); PaymentsNotConfigured without a key."""
    if _override is not None:
        return _override
    state = current_app.extensions.get("marketplace.stripe")
    if state is None:
        if not current_app.config.get("STRIPE_SECRET_KEY"):
            raise PaymentsNotConfigured("Le paiement par carte ou prélèvement n'est pas configuré.",
                                        code="not_configured")
        state = current_app.extensions["marketplace.stripe"] = StripeGateway.from_config(current_app.config)
    return state


def use(gateway_for_tests: StripeGateway | None) -> None:
    """Use ``gateway_for_tests`` instead of the configured one (None restores it)."""
    global _override
    _override = gateway_for_tests
