"""What the SME and freelancer payment pages share: an invoice's payment state, the bank transfer details,
the freelancer's Stripe Connect state, the outcome of « Payer », and the page policy that lets Stripe.js in.

Every meaning comes from the payments services (``collecting``, ``reminders``, ``connect``,
``queries``) and the billing read side (``is_overdue``); this module only puts it together
for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask import current_app

from marketplace import legal
from marketplace.db import db
from marketplace.formatting import money
from marketplace.models.billing import Invoice, InvoiceKind, IssuerKind
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.payments import Payment, PaymentMethod, PaymentStatus, Provider
from marketplace.services.billing import queries as billing_queries
from marketplace.services.payments import collecting, connect, reminders
from marketplace.services.payments import gateway as provider
from marketplace.services.payments import queries as payment_queries
from marketplace.web.security import content_security_policy

CARD_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express",
               "cartes_bancaires": "CB", "discover": "Discover", "jcb": "JCB", "unionpay": "UnionPay"}
# Payout states as the freelancer reads them.
PAYOUT_STATUS_LABELS = {"pending": "Virement à venir", "sent": "Virement envoyé", "succeeded": "Versé",
                        "failed": "Échoué", "reversed": "Annulé (paiement remboursé ou rejeté)"}
# What real Stripe.js needs beside its own origin (Stripe's CSP guide); localstripe needs only its origin.
STRIPE_CSP_EXTRAS = {"script-src": ("https://*.js.stripe.com",),
                     "frame-src": ("https://*.js.stripe.com", "https://hooks.stripe.com"),
                     "connect-src": ("https://api.stripe.com",)}
IN_FLIGHT = (PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value)


# --- the saved method ---------------------------------------------------------------------------------


def method_label(method: PaymentMethod | None) -> str:
    """« Carte Visa •••• 4242 », « Prélèvement SEPA •••• 2606 »."""
    if method is None:
        return ""
    last4 = f" •••• {method.last4}" if method.last4 else ""
    if method.type == "sepa_debit":
        return f"Prélèvement SEPA{last4}"
    brand = CARD_BRANDS.get(method.brand or "", (method.brand or "").title())
    return f"Carte {brand}{last4}".replace("  ", " ")


def cards_configured() -> bool:
    """Stripe is set up on the server (card and SEPA payments can be charged)."""
    return provider.configured()


def card_entry_ready() -> bool:
    """The payment method page can mount Stripe.js: a secret key and a publishable key."""
    return provider.configured() and bool(current_app.config.get("STRIPE_PUBLISHABLE_KEY"))


def stripe_page_policy() -> str:
    """The page's CSP with Stripe.js's origin let in for scripts, frames and calls (that page only)."""
    parts = urlsplit(current_app.config.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/")
    origin = f"{parts.scheme}://{parts.netloc}"
    extra: dict[str, list[str]] = {name: [origin] for name in ("script-src", "frame-src", "connect-src")}
    if parts.netloc == "js.stripe.com":
        for name, sources in STRIPE_CSP_EXTRAS.items():
            extra[name].extend(sources)
    return content_security_policy(extra)


# --- one invoice's payment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferDetails:
    """Where and how to pay by bank transfer: the platform's account, the invoice number as reference."""

    beneficiary: str
    iban: str
    bic: str
    reference: str
    amount_cents: int | None = None


def transfer_details(reference: str = "", amount_cents: int | None = None) -> TransferDetails:
    config = current_app.config
    return TransferDetails(config["PLATFORM_LEGAL_NAME"], config["PLATFORM_IBAN"], config["PLATFORM_BIC"],
                           reference, amount_cents)


@dataclass(frozen=True)
class Attempt:
    """One payment of the invoice's history: how, how much, where it stands, why it failed."""

    payment: Payment
    amount_cents: int
    means: str
    refunded_cents: int = 0

    @property
    def status_label(self) -> str:
        return self.payment.status_label

    @property
    def when(self):
        return self.payment.received_at or self.payment.created_at


@dataclass(frozen=True)
class InvoicePayment:
    """What the SME's invoice page says of paying it."""

    plan: str  # how and when it will be paid (collecting.plan)
    payable: bool  # still owed (issued, or the last attempt failed)
    in_flight: bool  # a payment is being sent or a SEPA debit is processing
    method: PaymentMethod | None
    method_text: str
    cards: bool  # Stripe is configured
    days_late: int
    due_cents: int
    penalty_cents: int
    indemnity_cents: int
    attempts: list[Attempt] = field(default_factory=list)
    transfer: TransferDetails | None = None

    @property
    def can_pay(self) -> bool:
        """« Payer » is offered: a saved method, an invoice owed, nothing under way."""
        return self.cards and self.payable and self.method is not None and not self.in_flight

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def _means(payment: Payment, methods: dict[int, PaymentMethod]) -> str:
    if payment.provider == Provider.TRANSFER.value:
        return "Virement"
    method = methods.get(payment.method_id) if payment.method_id else None
    return method_label(method) or "Carte ou prélèvement"


def invoice_payment(invoice: Invoice, on: date) -> InvoicePayment | None:
    """The payment side of a freelancer's invoice to the company (None for fee invoices and credit notes)."""
    if invoice.kind != InvoiceKind.INVOICE.value or invoice.issuer_kind != IssuerKind.FREELANCER.value:
        return None
    session = db.session
    rows = payment_queries.payments_for_invoice(session, invoice)
    methods = {m.id: m for m in (session.get(PaymentMethod, p.method_id) for p, _ in rows if p.method_id) if m}
    attempts = [Attempt(p, amount, _means(p, methods),
                        sum(r.amount_cents for r in p.refunds if r.invoice_id == invoice.id and r.status == "succeeded"))
                for p, amount in rows]
    payable = invoice.status in collecting.PAYABLE
    overdue = billing_queries.is_overdue(invoice, on)
    due = max(invoice.total_ttc_cents - collecting.paid_cents(session, invoice), 0) if payable else 0
    method = collecting.active_method(session, invoice.company_id) if invoice.company_id else None
    return InvoicePayment(
        plan=collecting.plan(session, invoice), payable=payable,
        in_flight=any(a.payment.status in IN_FLIGHT for a in attempts),
        method=method, method_text=method_label(method), cards=cards_configured(),
        days_late=reminders.days_late(invoice, on) if overdue else 0, due_cents=due,
        penalty_cents=reminders.penalty_cents(invoice, on, due) if overdue else 0,
        indemnity_cents=legal.RECOVERY_INDEMNITY_CENTS if overdue else 0,
        attempts=attempts, transfer=transfer_details(invoice.number, due) if payable else None,
    )


@dataclass(frozen=True)
class OverdueRow:
    invoice: Invoice
    days_late: int
    penalty_cents: int


def overdue_rows(company_id: int, on: date) -> list[OverdueRow]:
    """The company's invoices past their due date, with their days late and the penalties accrued."""
    return [OverdueRow(i, reminders.days_late(i, on), reminders.penalty_cents(i, on))
            for i in payment_queries.overdue_for_company(db.session, company_id, on)
            if billing_queries.is_overdue(i, on)]


def charge_outcome(payment_id: int) -> tuple[str, str]:
    """What « Payer » did, once the commit released the charge job: (message, flash category).

    Read in a fresh session: the job committed in its own, and the request's session may hold an
    older snapshot (SQLite) by now.
    """
    with db.isolated_session() as session:
        return _outcome(session.get(Payment, payment_id))


def _outcome(payment: Payment) -> tuple[str, str]:
    numbers = ", ".join(a.invoice.number for a in payment.allocations)
    several = len(payment.allocations) > 1
    amount = money(payment.amount_cents)
    if payment.status == PaymentStatus.SUCCEEDED.value:
        return (f"Paiement de {amount} reçu : factures {numbers} payées." if several
                else f"Paiement de {amount} reçu : facture {numbers} payée."), "success"
    if payment.status == PaymentStatus.PROCESSING.value:
        return (f"Prélèvement SEPA de {amount} lancé ({numbers}) : la banque le confirme sous quelques jours ; "
                "vous êtes prévenu s'il est rejeté."), "info"
    if payment.status == PaymentStatus.FAILED.value:
        return (f"Paiement refusé : {payment.failure_reason or 'refusé par la banque'}. "
                f"{'Les factures restent' if several else 'La facture reste'} à payer : essayez un autre moyen de "
                "paiement ou réglez par virement."), "danger"
    return (f"Paiement de {amount} envoyé ({numbers}) : "
            f"{'les factures passent' if several else 'la facture passe'} à « Payée » dès que Stripe le confirme."), "info"


# --- the freelancer's payouts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectStatus:
    """Where the freelancer's automatic payouts stand."""

    state: str  # "transfer" (no Stripe: paid by bank transfer), "not_started", "incomplete", "enabled"
    missing: list[str] = field(default_factory=list)  # what Stripe still needs, in French


def connect_status(profile: FreelancerProfile) -> ConnectStatus:
    if not cards_configured():
        return ConnectStatus("transfer")
    if not profile.stripe_account_id:
        return ConnectStatus("not_started")
    if profile.stripe_payouts_enabled:
        return ConnectStatus("enabled")
    return ConnectStatus("incomplete", [connect.requirement_label(code) for code in profile.stripe_requirements or []])


def refresh_connect(profile: FreelancerProfile) -> FreelancerProfile:
    """Read the connected account back from Stripe; Stripe out of reach is a refusal the page can show."""
    connect.refresh(db.session, profile)
    return profile
