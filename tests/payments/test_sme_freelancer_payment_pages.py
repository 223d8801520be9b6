"""The SME's and the freelancer's payment pages, with and without Stripe configured.

Stripe answers come from the recording HTTP client (layer a/c of the README): the pages'
requests are checked for their effect (a charge recorded, sent by its job after the
commit, the invoice shown paid) and for who may reach them.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import commit, today
from marketplace.formatting import money
from marketplace.models.payments import (
    Payment,
    PaymentAllocation,
    PaymentMethod,
    ProviderEventRecord,
)
from marketplace.platform import jobs
from marketplace.services.payments import collecting, reminders
from marketplace.services.payments import gateway as provider
from marketplace.web.payment_views import charge_outcome
from tests.conftest import login
from tests.factories import PASSWORD, FreelancerProfileFactory, SmeUserFactory
from tests.payments import stripe_responses as answers
from tests.payments.invoicing import contract_for, issue, issued_invoice
from tests.payments.support import WEBHOOK_SECRET

METHOD_PAGE, INVOICES = "/entreprise/paiement", "/entreprise/factures"
PAYOUTS = "/freelance/versements"
PUBLISHABLE_KEY = "pk_test_51QMarketplacePublishable"


@pytest.fixture()
def services(app):
    """Service calls made by the test itself, in an app context popped before any request."""
    return app.app_context


@pytest.fixture()
def run_jobs(monkeypatch, services, db_session):
    """Jobs wait for the test, which runs them outside any request (the tests' sessions share one connection:
    a job that renders an e-mail inside the request would reload the logged-in user in the request's session)."""
    pending: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: pending.append(intent_id))

    def run() -> None:
        with services():
            while pending:
                jobs.run_intent(pending.pop(0))
        db_session.expire_all()

    return run


@pytest.fixture()
def stripe_gateway(gateway, app, monkeypatch):
    """Stripe configured: the recording gateway, and a publishable key for Stripe.js."""
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
    provider.use(gateway)
    yield gateway
    provider.use(None)


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@atelier.test")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def save_card(db_session, company, kind: str = "card") -> PaymentMethod:
    """A method saved earlier (through the page: see the SetupIntent test)."""
    company.stripe_customer_id = answers.CUSTOMER_ID
    method = PaymentMethod(company_id=company.id, customer_id=answers.CUSTOMER_ID, provider_ref=answers.PAYMENT_METHOD_ID,
                           type=kind, brand="visa" if kind == "card" else None, last4="4242", status="active")
    db_session.add(method)
    commit(db_session)
    return method


def succeeded_intent(amount: int) -> dict:
    return {**answers.PAYMENT_INTENT_PLAIN, "status": "succeeded", "amount": amount}


# --- the payment method page ---------------------------------------------------------------------------


def test_without_stripe_keys_card_and_sepa_are_to_configure_and_the_transfer_details_are_shown(
        client, app, db_session, owner):
    login(client, owner.email, PASSWORD)
    response = client.get(METHOD_PAGE)
    page = text_of(response)
    assert response.status_code == 200
    assert "Paiement par carte ou par prélèvement SEPA : à configurer" in page
    assert app.config["PLATFORM_IBAN"] in page and app.config["PLATFORM_BIC"] in page
    assert "js.stripe.com" not in page and "js.stripe.com" not in response.headers["Content-Security-Policy"]
    refused = client.post(f"{METHOD_PAGE}/enregistrer", follow_redirects=True)
    assert "n'est pas encore configuré" in text_of(refused)
    assert db_session.scalar(select(func.count()).select_from(PaymentMethod)) == 0
    # The invoices list leads there.
    assert METHOD_PAGE in client.get(INVOICES).get_data(as_text=True)


def test_saving_a_method_mounts_stripe_js_on_that_page_only_then_keeps_what_stripe_confirms(
        client, db_session, owner, stripe_gateway, recording_http):
    login(client, owner.email, PASSWORD)
    plain = client.get(METHOD_PAGE)
    assert "Enregistrer une carte ou un mandat SEPA" in text_of(plain)
    assert "js.stripe.com" not in plain.headers["Content-Security-Policy"]

    recording_http.answer("POST", "/v1/customers", answers.CUSTOMER)
    recording_http.answer("POST", "/v1/setup_intents", answers.SETUP_INTENT)
    mounted = client.post(f"{METHOD_PAGE}/enregistrer")
    page = mounted.get_data(as_text=True)
    assert mounted.status_code == 200
    assert f'data-client-secret="{answers.SETUP_INTENT["client_secret"]}"' in page
    assert f'data-stripe-key="{PUBLISHABLE_KEY}"' in page
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    policy = mounted.headers["Content-Security-Policy"]
    for directive in ("script-src", "frame-src", "connect-src"):
        assert re.search(rf"{directive} 'self'[^;]* https://js\.stripe\.com", policy), policy
    assert "'unsafe-inline'" not in policy
    assert [r.headers["Idempotency-Key"] for r in recording_http.requests] == [
        f"company-{owner.company_id}-customer-v1", f"company-{owner.company_id}-setup-1-v1"]
    # The other pages keep the strict policy.
    assert "js.stripe.com" not in client.get(INVOICES).headers["Content-Security-Policy"]

    recording_http.answer("GET", f"/v1/setup_intents/{answers.SETUP_INTENT['id']}", answers.SETUP_INTENT_SUCCEEDED)
    recording_http.answer("GET", "/v1/payment_methods/pm_1QSepa3aBcDeFgHi", answers.SEPA_PAYMENT_METHOD)
    saved = client.post(f"{METHOD_PAGE}/confirmer", data={"setup_intent": answers.SETUP_INTENT["id"]},
                        follow_redirects=True)
    page = text_of(saved)
    assert "Mandat de prélèvement SEPA •••• 2606 enregistré" in page
    assert "Prélèvement SEPA •••• 2606" in page and "Retirer" in page
    method = collecting.active_method(db_session, owner.company_id)
    assert (method.type, method.last4, method.provider_ref) == ("sepa_debit", "2606", "pm_1QSepa3aBcDeFgHi")

    removed = client.post(f"{METHOD_PAGE}/retirer", follow_redirects=True)
    assert "Moyen de paiement retiré" in text_of(removed)
    assert collecting.active_method(db_session, owner.company_id) is None


def test_a_setup_intent_that_is_not_the_companys_is_refused(client, db_session, owner, stripe_gateway, recording_http):
    login(client, owner.email, PASSWORD)
    for value in ("seti_1NotOurs", "pi_3Other", "seti_<script>"):
        page = text_of(client.post(f"{METHOD_PAGE}/confirmer", data={"setup_intent": value}, follow_redirects=True))
        assert "Enregistrement inconnu : recommencez." in page
    assert recording_http.requests == []  # nothing asked of Stripe for an id the company never created


def test_back_from_the_banks_page_the_setup_intent_is_posted_on(client, db_session, owner, stripe_gateway):
    login(client, owner.email, PASSWORD)
    page = client.get(f"{METHOD_PAGE}?setup_intent=seti_1QSetup3aBcDeFgH&redirect_status=succeeded").get_data(
        as_text=True)
    assert "data-autosubmit-setup" in page and 'value="seti_1QSetup3aBcDeFgH"' in page
    assert "data-autosubmit-setup" not in client.get(f"{METHOD_PAGE}?setup_intent=<b>").get_data(as_text=True)


# --- paying invoices -------------------------------------------------------------------------------------


def test_payer_charges_the_saved_card_and_the_page_then_shows_the_invoice_paid(
        client, services, db_session, owner, stripe_gateway, recording_http):
    with services():
        invoice = issued_invoice(db_session, owner)
        save_card(db_session, owner.company)
    login(client, owner.email, PASSWORD)
    before = text_of(client.get(f"{INVOICES}/{invoice.id}"))
    assert f"Payer {money(invoice.total_ttc_cents)}" in before and "avec Carte Visa •••• 4242" in before
    assert "Aucun paiement pour l'instant." in before

    recording_http.answer("POST", "/v1/payment_intents", succeeded_intent(invoice.total_ttc_cents))
    paid = client.post(f"{INVOICES}/{invoice.id}/payer", follow_redirects=True)
    page = text_of(paid)
    assert f"Paiement de {money(invoice.total_ttc_cents)} reçu : facture {invoice.number} payée." in page
    sent = recording_http.last
    assert sent.headers["Idempotency-Key"] == f"inv-{invoice.id}-charge-v1"
    assert int(sent.form["amount"]) == invoice.total_ttc_cents
    assert "Payée le" in page and "Reçu" in page and "Carte Visa •••• 4242" in page
    assert f"Payer {money(invoice.total_ttc_cents)}" not in page
    db_session.refresh(invoice)
    assert invoice.status == "paid"


def test_payer_la_selection_makes_one_charge_for_several_invoices(
        client, services, db_session, owner, stripe_gateway, recording_http):
    with services():
        first = issued_invoice(db_session, owner)
        second = issue(db_session, contract_for(owner), owner, date(2026, 11, 1), days=3)
        save_card(db_session, owner.company)
    login(client, owner.email, PASSWORD)
    listing = text_of(client.get(INVOICES))
    assert "Payer la sélection" in listing and f'value="{first.id}"' in listing and f'value="{second.id}"' in listing

    total = first.total_ttc_cents + second.total_ttc_cents
    recording_http.answer("POST", "/v1/payment_intents", succeeded_intent(total))
    page = text_of(client.post(f"{INVOICES}/payer", data={"invoice": [str(first.id), str(second.id)]},
                               follow_redirects=True))
    assert f"Paiement de {money(total)} reçu : factures {first.number}, {second.number} payées." in page
    charges = [r for r in recording_http.requests if r.path == "/v1/payment_intents"]
    assert len(charges) == 1 and int(charges[0].form["amount"]) == total
    payment = db_session.scalar(select(Payment))
    assert sorted(a.invoice_id for a in payment.allocations) == sorted([first.id, second.id])
    for invoice in (first, second):
        db_session.refresh(invoice)
        assert invoice.status == "paid"
    assert "Payer la sélection" not in text_of(client.get(INVOICES))  # nothing left to pay


def test_an_empty_selection_or_no_saved_method_is_refused_with_a_reason(
        client, services, db_session, owner, stripe_gateway, recording_http):
    with services():
        invoice = issued_invoice(db_session, owner)
    login(client, owner.email, PASSWORD)
    page = text_of(client.get(f"{INVOICES}/{invoice.id}"))
    assert "Enregistrer une carte ou un mandat SEPA" in page and f"Payer {money(invoice.total_ttc_cents)}" not in page
    refused = text_of(client.post(f"{INVOICES}/{invoice.id}/payer", follow_redirects=True))
    assert "Enregistrez d'abord une carte ou un mandat de prélèvement SEPA" in refused
    assert "Choisissez au moins une facture" in text_of(client.post(f"{INVOICES}/payer", follow_redirects=True))
    assert client.post(f"{INVOICES}/payer", data={"invoice": "1 OR 1=1"}).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0
    assert recording_http.requests == []


def test_a_declined_card_tells_the_sme_and_the_invoice_stays_to_pay(
        client, services, db_session, owner, stripe_gateway, recording_http, run_jobs, outbox):
    with services():
        invoice = issued_invoice(db_session, owner)
        save_card(db_session, owner.company)
    login(client, owner.email, PASSWORD)
    recording_http.answer("POST", "/v1/payment_intents", answers.CARD_DECLINED, status=402)
    sent = text_of(client.post(f"{INVOICES}/{invoice.id}/payer", follow_redirects=True))
    assert f"Paiement de {money(invoice.total_ttc_cents)} envoyé ({invoice.number})" in sent
    assert "Un paiement de cette facture est en cours" in sent  # no second « Payer » meanwhile
    run_jobs()
    page = text_of(client.get(f"{INVOICES}/{invoice.id}"))
    assert "Paiement échoué" in page and "Échoué" in page and "Provision insuffisante : le paiement a été refusé." in page
    assert f"Payer {money(invoice.total_ttc_cents)}" in page  # a new attempt is offered
    assert outbox.last_to(owner.email).subject == f"Paiement échoué : facture {invoice.number}"


def test_the_outcome_of_payer_is_said_when_the_job_has_answered(app, db_session, owner, services):
    with services():
        invoice = issued_invoice(db_session, owner)
        payment = Payment(company_id=owner.company_id, provider="stripe", idempotency_key="k", amount_cents=100,
                          status="failed", failure_reason="Le paiement a été refusé par la banque",
                          allocations=[PaymentAllocation(invoice_id=invoice.id, amount_cents=100)])
        db_session.add(payment)
        commit(db_session)
        message, category = charge_outcome(payment.id)
    assert category == "danger"
    assert message.startswith("Paiement refusé : Le paiement a été refusé par la banque. La facture reste à payer")


def test_an_overdue_invoice_shows_its_days_late_penalties_and_the_indemnity_and_the_dashboard_lists_it(
        client, services, db_session, owner):
    with services():
        invoice = issued_invoice(db_session, owner)
        invoice.due_date = today() - timedelta(days=12)
        commit(db_session)
        penalty = reminders.penalty_cents(invoice, today())
    assert penalty > 0
    login(client, owner.email, PASSWORD)
    page = text_of(client.get(f"{INVOICES}/{invoice.id}"))
    assert "En retard de 12 jours" in page
    assert f"Pénalités de retard à ce jour : {money(penalty)}, plus l'indemnité forfaitaire pour frais de " \
           f"recouvrement de {money(4000)}" in page
    # Without Stripe: the transfer details, the invoice number as reference.
    assert "Paiement par carte ou prélèvement SEPA : à configurer" in page
    assert "FR19 3000 4429 0214 4370 2485 447" in page and f"<code>{invoice.number}</code>" in page
    assert "En retard (12 j)" in text_of(client.get(INVOICES))
    dashboard = text_of(client.get("/entreprise/"))
    assert "Factures en retard" in dashboard and invoice.number in dashboard and "12 jours" in dashboard
    assert money(penalty) in dashboard


def test_the_payment_history_lists_each_attempt_with_its_failure_reason(
        client, services, db_session, owner, stripe_gateway, recording_http):
    with services():
        invoice = issued_invoice(db_session, owner)
        save_card(db_session, owner.company)
        recording_http.answer("POST", "/v1/payment_intents", answers.CARD_DECLINED, status=402)
        collecting.request_charge(db_session, owner.company, [invoice], owner)
        commit(db_session)
        recording_http._answers.clear()
        recording_http.answer("POST", "/v1/payment_intents", succeeded_intent(invoice.total_ttc_cents))
        collecting.request_charge(db_session, owner.company, [invoice], owner)
        commit(db_session)
    login(client, owner.email, PASSWORD)
    page = text_of(client.get(f"{INVOICES}/{invoice.id}"))
    history = page[page.index("Historique des paiements"):]
    assert history.index("Reçu") < history.index("Échoué")  # latest first
    assert "Provision insuffisante : le paiement a été refusé." in history


# --- who may pay, and see -------------------------------------------------------------------------------


def test_neither_another_sme_nor_a_freelancer_can_pay_or_see_someone_elses_invoice(
        client, services, db_session, owner, stripe_gateway, recording_http):
    with services():
        invoice = issued_invoice(db_session, owner)
        save_card(db_session, owner.company)
    other = SmeUserFactory(email="autre@pme.test")
    save_card(db_session, other.company)
    login(client, other.email, PASSWORD)
    assert client.get(f"{INVOICES}/{invoice.id}").status_code == 404
    assert client.post(f"{INVOICES}/{invoice.id}/payer").status_code == 404
    assert client.post(f"{INVOICES}/payer", data={"invoice": str(invoice.id)}).status_code == 404
    client.post("/compte/deconnexion")

    # The invoice's own freelancer reads it in their area, without anything to pay; the SME area refuses them.
    login(client, invoice.freelancer.user.email, PASSWORD)
    own = text_of(client.get(f"/freelance/factures/{invoice.id}"))
    assert invoice.number in own and "Payer" not in own and "Historique des paiements" not in own
    refused = client.post(f"{INVOICES}/{invoice.id}/payer")
    assert refused.status_code == 302 and "/freelance" in refused.headers["Location"]
    client.post("/compte/deconnexion")
    stranger = FreelancerProfileFactory()
    login(client, stranger.user.email, PASSWORD)
    assert client.get(f"/freelance/factures/{invoice.id}").status_code == 404
    assert invoice.number not in text_of(client.get(PAYOUTS))

    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0
    assert recording_http.requests == []


def test_the_webhook_refuses_a_bad_signature_and_stores_nothing(client, db_session, stripe_gateway):
    body = b'{"id": "evt_1Forged", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    for header in ("t=1,v1=00", "", f"t=1,v1={WEBHOOK_SECRET}"):
        response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header,
                                                                       "Content-Type": "application/json"})
        assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ProviderEventRecord)) == 0


# --- the freelancer's payouts ---------------------------------------------------------------------------


def test_without_stripe_the_freelancer_is_paid_by_transfer_and_sees_each_payout(
        client, services, db_session, owner):
    with services():
        invoice = issued_invoice(db_session, owner)
        fee = collecting.fee_cents(db_session, invoice)
        collecting.record_transfer(db_session, [invoice], invoice.total_ttc_cents, invoice.number)
        commit(db_session)
    profile = invoice.freelancer
    login(client, profile.user.email, PASSWORD)
    page = text_of(client.get(PAYOUTS))
    assert "Versements par virement" in page and "Configurer mes versements" not in page
    assert invoice.number in page and money(fee) in page and money(invoice.total_ttc_cents - fee) in page
    assert "Virement à venir" in page and "par virement" in page
    refused = text_of(client.post(f"{PAYOUTS}/configurer", follow_redirects=True))
    assert "vous êtes payé par virement" in refused
    assert "Versements par virement" in text_of(client.get("/freelance/"))
    assert 'href="/freelance/versements"' in client.get("/freelance/").get_data(as_text=True)  # the menu


def test_configurer_mes_versements_sends_the_freelancer_to_stripe_and_the_return_says_what_is_missing(
        client, db_session, stripe_gateway, recording_http):
    profile = FreelancerProfileFactory()
    login(client, profile.user.email, PASSWORD)
    page = text_of(client.get(PAYOUTS))
    assert "Configurer mes versements" in page
    # A link followed (Stripe's refresh_url) creates no account behind the freelancer's back.
    assert client.get(f"{PAYOUTS}/configurer").status_code == 302 and recording_http.requests == []

    recording_http.answer("POST", "/v1/accounts", answers.ACCOUNT_CREATED)
    recording_http.answer("POST", "/v1/account_links", answers.ACCOUNT_LINK)
    sent = client.post(f"{PAYOUTS}/configurer")
    assert sent.status_code == 303 and sent.headers["Location"] == answers.ACCOUNT_LINK["url"]
    link = recording_http.last.form
    assert link["refresh_url"] == "http://localhost/freelance/versements/configurer"
    assert link["return_url"] == "http://localhost/freelance/versements/retour"
    db_session.refresh(profile)
    assert profile.stripe_account_id == answers.ACCOUNT_ID
    # Stripe's refresh_url: a new single-use link for the same account.
    again = client.get(f"{PAYOUTS}/configurer")
    assert again.status_code == 303 and [r.path for r in recording_http.requests].count("/v1/accounts") == 1

    recording_http.answer("GET", f"/v1/accounts/{answers.ACCOUNT_ID}", answers.ACCOUNT_CREATED)
    back = text_of(client.get(f"{PAYOUTS}/retour", follow_redirects=True))
    assert "Stripe a encore besoin de : " in back
    assert "le compte bancaire qui recevra les versements" in back and "l'acceptation des conditions de Stripe" in back
    assert "Reprendre la configuration" in back
    assert "Configuration à terminer" in text_of(client.get("/freelance/"))

    recording_http._answers.clear()
    recording_http.answer("GET", f"/v1/accounts/{answers.ACCOUNT_ID}", answers.ACCOUNT_ENABLED)
    enabled = text_of(client.get(f"{PAYOUTS}/retour", follow_redirects=True))
    assert "Versements activés" in enabled and "Versements automatiques activés" in enabled
    db_session.refresh(profile)
    assert profile.stripe_payouts_enabled
    assert "Versements automatiques activés" in text_of(client.get("/freelance/"))


def test_stripe_out_of_reach_on_the_return_is_said_not_a_500(client, db_session, stripe_gateway, recording_http):
    profile = FreelancerProfileFactory(stripe_account_id=answers.ACCOUNT_ID)
    login(client, profile.user.email, PASSWORD)
    recording_http.answer("GET", f"/v1/accounts/{answers.ACCOUNT_ID}", answers.API_ERROR, status=500)
    response = client.get(f"{PAYOUTS}/retour", follow_redirects=True)
    assert response.status_code == 200 and "Stripe n'a pas pu être consulté" in text_of(response)
