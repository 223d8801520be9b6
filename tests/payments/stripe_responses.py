"""Answers of Stripe's API, written from its API reference (objects trimmed to the
fields the reference shows for these cases), for the request-shape tests.

The story: company 3 (cus_…) pays invoice 7 of freelancer 42 (acct_…): 3 600,00 €,
of which the platform keeps 540,00 €.
"""

from __future__ import annotations

CREATED = 1764583200  # 2025-12-01T10:00:00Z
ACCOUNT_ID = "acct_1QFrLnC42xYzAbCd"
CUSTOMER_ID = "cus_RCompany3aBcDe"
PAYMENT_METHOD_ID = "pm_1QCard3aBcDeFgHi"
PAYMENT_INTENT_ID = "pi_3QInv7aBcDeFgHi1"
CHARGE_ID = "ch_3QInv7aBcDeFgHi1"


def _list(url: str) -> dict:
    return {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": url}


CUSTOMER = {
    "id": CUSTOMER_ID,
    "object": "customer",
    "address": None,
    "balance": 0,
    "created": CREATED,
    "currency": None,
    "default_source": None,
    "delinquent": False,
    "description": None,
    "email": "direction@acme-conseil.fr",
    "invoice_prefix": "7A1C2F3E",
    "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None},
    "livemode": False,
    "metadata": {"company_id": "3"},
    "name": "ACME Conseil",
    "phone": None,
    "preferred_locales": ["fr"],
    "shipping": None,
    "tax_exempt": "none",
}

SETUP_INTENT = {
    "id": "seti_1QSetup3aBcDeFgH",
    "object": "setup_intent",
    "application": None,
    "cancellation_reason": None,
    "client_secret": "seti_1QSetup3aBcDeFgH_secret_RZy1qW7kL0mN2pQ3",
    "created": CREATED,
    "customer": CUSTOMER_ID,
    "description": None,
    "flow_directions": None,
    "last_setup_error": None,
    "latest_attempt": None,
    "livemode": False,
    "mandate": None,
    "metadata": {"company_id": "3"},
    "next_action": None,
    "on_behalf_of": None,
    "payment_method": None,
    "payment_method_options": {
        "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
    },
    "payment_method_types": ["card", "sepa_debit"],
    "single_use_mandate": None,
    "status": "requires_payment_method",
    "usage": "off_session",
}

SETUP_INTENT_SUCCEEDED = {
    **SETUP_INTENT,
    "latest_attempt": "setatt_1QAttempt3aBcDe",
    "mandate": "mandate_1QSepa3aBcDeFg",
    "payment_method": "pm_1QSepa3aBcDeFgHi",
    "status": "succeeded",
}

SEPA_PAYMENT_METHOD = {
    "id": "pm_1QSepa3aBcDeFgHi",
    "object": "payment_method",
    "billing_details": {
        "address": None,
        "email": "direction@acme-conseil.fr",
        "name": "ACME Conseil",
        "phone": None,
    },
    "created": CREATED,
    "customer": CUSTOMER_ID,
    "livemode": False,
    "metadata": {},
    "sepa_debit": {
        "bank_code": "20041",
        "branch_code": "01005",
        "country": "FR",
        "fingerprint": "Gv4j0ZLmAbCdEfGh",
        "generated_from": {"charge": None, "setup_attempt": None},
        "last4": "2606",
    },
    "type": "sepa_debit",
}

PAYMENT_INTENT_DESTINATION = {
    "id": PAYMENT_INTENT_ID,
    "object": "payment_intent",
    "amount": 360000,
    "amount_capturable": 0,
    "amount_details": {"tip": {}},
    "amount_received": 360000,
    "application": None,
    "application_fee_amount": 54000,
    "automatic_payment_methods": None,
    "canceled_at": None,
    "cancellation_reason": None,
    "capture_method": "automatic_async",
    "client_secret": f"{PAYMENT_INTENT_ID}_secret_Yt5bX0cNn8dK2mQ",
    "confirmation_method": "automatic",
    "created": CREATED,
    "currency": "eur",
    "customer": CUSTOMER_ID,
    "description": "Facture F42-2026-0007",
    "last_payment_error": None,
    "latest_charge": CHARGE_ID,
    "livemode": False,
    "metadata": {"invoice_id": "7"},
    "next_action": None,
    "on_behalf_of": None,
    "payment_method": PAYMENT_METHOD_ID,
    "payment_method_options": {"card": {"request_three_d_secure": "automatic"}, "sepa_debit": {}},
    "payment_method_types": ["card", "sepa_debit"],
    "processing": None,
    "receipt_email": None,
    "review": None,
    "setup_future_usage": None,
    "shipping": None,
    "statement_descriptor": None,
    "statement_descriptor_suffix": None,
    "status": "succeeded",
    "transfer_data": {"destination": ACCOUNT_ID},
    "transfer_group": f"group_{PAYMENT_INTENT_ID}",
}

PAYMENT_INTENT_PLAIN = {
    **PAYMENT_INTENT_DESTINATION,
    "application_fee_amount": None,
    "transfer_data": None,
    "transfer_group": None,
}

SEPA_PAYMENT_INTENT_PROCESSING = {
    **PAYMENT_INTENT_DESTINATION,
    "amount_received": 0,
    "payment_method": "pm_1QSepa3aBcDeFgHi",
    "status": "processing",
}

# A SEPA debit returned unpaid days later: the PaymentIntent goes back to
# requires_payment_method with the reason in last_payment_error.
SEPA_PAYMENT_INTENT_FAILED = {
    **SEPA_PAYMENT_INTENT_PROCESSING,
    "last_payment_error": {
        "code": "insufficient_funds",
        "doc_url": "https://stripe.com/docs/error-codes/insufficient-funds",
        "message": "The customer's account has insufficient funds to cover this payment.",
        "payment_method": {"id": "pm_1QSepa3aBcDeFgHi", "object": "payment_method", "type": "sepa_debit"},
        "type": "card_error",
    },
    "status": "requires_payment_method",
}

# 402 answered to POST /v1/payment_intents (confirm=true, off_session=true).
CARD_DECLINED = {
    "error": {
        "charge": "ch_3QDecl7aBcDeFgHi",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": "Your card has insufficient funds.",
        "payment_intent": {
            **PAYMENT_INTENT_DESTINATION,
            "id": "pi_3QDecl7aBcDeFgHi",
            "amount_received": 0,
            "latest_charge": "ch_3QDecl7aBcDeFgHi",
            "last_payment_error": {
                "charge": "ch_3QDecl7aBcDeFgHi",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
                "type": "card_error",
            },
            "status": "requires_payment_method",
        },
        "payment_method": {"id": PAYMENT_METHOD_ID, "object": "payment_method", "type": "card"},
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_test0001",
        "type": "card_error",
    }
}

# The same decline from a server that names only the charge (localstripe does).
CARD_DECLINED_CHARGE_ONLY = {
    "error": {
        "charge": "ch_3QDecl7aBcDeFgHi",
        "code": "card_declined",
        "message": "Your card was declined.",
        "type": "card_error",
    }
}

DECLINED_CHARGE = {
    "id": "ch_3QDecl7aBcDeFgHi",
    "object": "charge",
    "amount": 360000,
    "captured": False,
    "currency": "eur",
    "customer": CUSTOMER_ID,
    "failure_code": "card_declined",
    "failure_message": "Your card was declined.",
    "paid": False,
    "payment_intent": "pi_3QDecl7aBcDeFgHi",
    "payment_method": PAYMENT_METHOD_ID,
    "status": "failed",
}

AUTHENTICATION_FAILED = {
    "error": {
        "message": "Invalid API Key provided: sk_test_************oops",
        "type": "invalid_request_error",
    }
}

API_ERROR = {"error": {"message": "An unknown error occurred", "type": "api_error"}}

IDEMPOTENCY_ERROR = {
    "error": {
        "message": (
            "Keys for idempotent requests can only be used with the same parameters they were "
            "first used with. Try using a key other than 'inv-7-charge-v1' if you meant to "
            "execute a different request."
        ),
        "type": "idempotency_error",
    }
}

REFUND_REVERSED = {
    "id": "re_3QInv7aBcDeFgHi1",
    "object": "refund",
    "amount": 120000,
    "balance_transaction": "txn_3QInv7aBcDeFgHi2",
    "charge": CHARGE_ID,
    "created": CREATED,
    "currency": "eur",
    "destination_details": {
        "card": {"reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"},
        "type": "card",
    },
    "metadata": {"invoice_id": "7", "credit_note": "AV42-2026-0001"},
    "payment_intent": PAYMENT_INTENT_ID,
    "reason": None,
    "receipt_number": None,
    "source_transfer_reversal": None,
    "status": "succeeded",
    "transfer_reversal": "trr_1QInv7aBcDeFgHi",
}

REFUND_PLAIN = {**REFUND_REVERSED, "amount": 360000, "metadata": {}, "transfer_reversal": None}

TRANSFER = {
    "id": "tr_1QInv7aBcDeFgHi",
    "object": "transfer",
    "amount": 306000,
    "amount_reversed": 0,
    "balance_transaction": "txn_1QInv7aBcDeFgHi",
    "created": CREATED,
    "currency": "eur",
    "description": None,
    "destination": ACCOUNT_ID,
    "destination_payment": "py_1QInv7aBcDeFgHi",
    "livemode": False,
    "metadata": {"invoice_id": "7"},
    "reversals": _list("/v1/transfers/tr_1QInv7aBcDeFgHi/reversals"),
    "reversed": False,
    "source_transaction": CHARGE_ID,
    "source_type": "card",
    "transfer_group": "invoice-7",
}

_CONTROLLER = {
    "fees": {"payer": "application"},
    "is_controller": True,
    "losses": {"payments": "application"},
    "requirement_collection": "stripe",
    "stripe_dashboard": {"type": "express"},
    "type": "application",
}

_DUE = [
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]

ACCOUNT_CREATED = {
    "id": ACCOUNT_ID,
    "object": "account",
    "business_profile": {
        "annual_revenue": None,
        "estimated_worker_count": None,
        "mcc": None,
        "name": None,
        "product_description": None,
        "support_address": None,
        "support_email": None,
        "support_phone": None,
        "support_url": None,
        "url": None,
    },
    "business_type": None,
    "capabilities": {"card_payments": "inactive", "transfers": "inactive"},
    "charges_enabled": False,
    "controller": _CONTROLLER,
    "country": "FR",
    "created": CREATED,
    "default_currency": "eur",
    "details_submitted": False,
    "email": "claire.martin@example.org",
    "external_accounts": _list(f"/v1/accounts/{ACCOUNT_ID}/external_accounts"),
    "future_requirements": {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": [],
        "disabled_reason": None,
        "errors": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
    },
    "metadata": {"freelancer_id": "42"},
    "payouts_enabled": False,
    "requirements": {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": _DUE,
        "disabled_reason": "requirements.past_due",
        "errors": [],
        "eventually_due": [*_DUE, "individual.dob.day", "individual.address.city"],
        "past_due": _DUE,
        "pending_verification": [],
    },
    "settings": {
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {"delay_days": 7, "interval": "daily"},
            "statement_descriptor": None,
        }
    },
    "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
    "type": "express",
}

ACCOUNT_ENABLED = {
    **ACCOUNT_CREATED,
    "business_type": "individual",
    "capabilities": {"card_payments": "active", "transfers": "active"},
    "charges_enabled": True,
    "details_submitted": True,
    "payouts_enabled": True,
    "requirements": {
        **ACCOUNT_CREATED["requirements"],
        "currently_due": [],
        "disabled_reason": None,
        "eventually_due": [],
        "past_due": [],
    },
}

ACCOUNT_LINK = {
    "object": "account_link",
    "created": CREATED,
    "expires_at": CREATED + 300,
    "url": f"https://connect.stripe.com/setup/e/{ACCOUNT_ID}/Xk2c9zQ1aBcDeF",
}
