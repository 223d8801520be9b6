"""In a real browser, on the demo: the freelancer fills and sends this month's CRA, the company approves it,
the billing issues the invoice, and both download its Factur-X PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.db import commit, db, today
from marketplace.formatting import month_fr
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.users import User
from marketplace.services.billing import issuing
from marketplace.services.timesheets import month as months

pytestmark = pytest.mark.browser


def log_in(page, email: str, password: str) -> None:
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def download_pdf(page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    return Path(download.value.path()).read_bytes()


def test_a_month_from_the_calendar_to_both_sides_downloading_the_invoice(demo_page, demo_server):
    page = demo_page
    month = months.month_start(today())
    with demo_server.app_context():
        om = db.session.scalar(select(User).where(User.email == "om@demo.test")).freelancer_profile
        pme = db.session.scalar(select(User).where(User.email == "pme@demo.test"))
        contract = db.session.scalar(select(Contract).where(
            Contract.company_id == pme.company_id, Contract.freelancer_id == om.id,
            Contract.status == ContractStatus.ACTIVE.value))
        contract_id = contract.id
        worked = [d for d in months.month_days(contract, month) if d.declarable and d.planned_half_days][:2]
        db.session.remove()
    assert len(worked) == 2

    # The freelancer opens this month's report, ticks two days and sends it.
    log_in(page, "om@demo.test", "demo-om")
    page.locator("#main-nav summary", has_text="Contrats et factures").click()  # the freelancer's menu group
    page.get_by_role("link", name="CRA", exact=True).click()
    form = page.locator("form.cra-open")
    form.get_by_label("Contrat").select_option(str(contract_id))
    form.get_by_label("Mois").select_option(f"{month:%Y-%m}")
    form.get_by_role("button", name="Ouvrir").click()
    expect(page.locator("h1")).to_have_text(f"Compte rendu d'activité — {month_fr(month)}")
    timesheet_url = page.url
    for day in worked:
        page.get_by_label(f"{day.label} {month_fr(month)}", exact=True).select_option(label="journée")
    page.get_by_role("button", name="Envoyer au client").click()
    expect(page.locator(".flashes")).to_contain_text(f"Compte rendu de {month_fr(month)} envoyé à")
    expect(page.locator(".page-head .badge")).to_have_text("Envoyé, en attente de validation")
    log_out(page)

    # The company approves it from its page.
    log_in(page, "pme@demo.test", "demo-pme")
    page.goto(timesheet_url.replace("/freelance/", "/entreprise/"))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("validé (2 jours)")

    # The billing issues the month (its PDF is rendered right after the commit: no Redis here).
    with demo_server.app_context():
        result = issuing.issue_month(db.session, db.session.get(Contract, contract_id), month)
        assert result.issued, result.skipped
        invoice_id, number = result.invoice.id, result.invoice.number
        commit()
        db.session.remove()

    page.get_by_role("link", name="Factures", exact=True).click()
    page.get_by_role("link", name=number).first.click()
    expect(page.locator("h1")).to_have_text(f"Facture n° {number}")
    assert download_pdf(page).startswith(b"%PDF")
    log_out(page)

    log_in(page, "om@demo.test", "demo-om")
    page.goto(f"/freelance/factures/{invoice_id}")
    expect(page.locator(".page-head")).to_contain_text(re.compile("au nom et pour le compte de"))
    assert download_pdf(page).startswith(b"%PDF")
