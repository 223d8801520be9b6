"""In a real browser: accept → draft → the freelancer's edit → accepted by the SME → both sign → active,
and the sealed PDF carries both signatures and the hash, with a seal pyhanko validates."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from marketplace.db import db
from marketplace.domain import WeekSlots
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.platform import seal
from tests import factories
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
    sample_pdf,
    upload_document,
)

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(live_server):
    with live_server.app_context():
        factories.CURRENT_SESSION = db.session
        try:
            yield db.session
        finally:
            factories.CURRENT_SESSION = None
            db.session.remove()


def log_in(page, email: str) -> None:
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def sign(page, name: str) -> None:
    page.get_by_label("Votre nom complet").fill(name)
    page.get_by_label("Lu et approuvé").check()
    page.get_by_role("button", name="Signer la version 2").click()


def test_from_acceptance_to_a_signed_sealed_contract(browser, live_server, seeded):
    owner = SmeUserFactory(email="claire@boreal.test", first_name="Claire", last_name="Martin")
    om = FreelancerProfileFactory(user__email="ines@om.test", user__first_name="Inès", user__last_name="Roux",
                                  available_slots=WeekSlots.from_days(["tue", "thu", "fri"]).bits)
    upload_document(om, "urssaf_certificate", sample_pdf("Attestation de vigilance"), issued_on=factories.today())
    application = ApplicationFactory(mission=MissionFactory(company=owner.company, title="Office manager mardi-jeudi"),
                                     freelancer=om)
    db.session.commit()
    base = live_server.config["BASE_URL"]
    sme = browser.new_context(base_url=base, locale="fr-FR", accept_downloads=True).new_page()
    freelancer = browser.new_context(base_url=base, locale="fr-FR").new_page()
    for tab in (sme, freelancer):
        tab.set_default_timeout(15_000)

    # The SME accepts the application: the contract is drafted, nothing booked yet.
    log_in(sme, owner.email)
    sme.goto(f"/entreprise/candidatures/{application.id}")
    sme.once("dialog", lambda dialog: dialog.accept())
    sme.get_by_role("button", name="Accepter").first.click()
    assert "Rien n'est réservé avant la signature des deux parties" in sme.content()
    sme.goto("/entreprise/contrats")
    sme.get_by_role("link", name="Office manager mardi-jeudi").first.click()
    contract_url = sme.url

    # The freelancer proposes an edit: her daily rate.
    log_in(freelancer, om.user.email)
    freelancer.goto("/freelance/contrats")
    freelancer.get_by_role("link", name="Office manager mardi-jeudi").first.click()
    freelancer.get_by_role("link", name="Proposer des modifications").click()
    freelancer.get_by_label("TJM (€ HT par jour)").fill("470")
    freelancer.get_by_role("button", name="Envoyer ma proposition").click()
    assert "version 2" in freelancer.content()

    # The SME accepts version 2: its PDF is rendered, and both sign it.
    sme.goto(contract_url)
    sme.get_by_role("button", name="Accepter la version 2").click()
    sme.goto(contract_url)
    hash_on_page = sme.locator("code.hash").first.inner_text()
    assert len(hash_on_page) == 64
    sign(sme, "Claire Martin")
    freelancer.reload()
    sign(freelancer, "Inès Roux")
    freelancer.goto(freelancer.url)
    assert "En cours" in freelancer.locator("main").inner_text()

    # The sealed PDF opens from the page: both signatures, the hash, a valid seal.
    sme.goto(contract_url)
    with sme.expect_download() as download:
        sme.get_by_role("link", name="Télécharger le PDF signé").click()
    with open(download.value.path(), "rb") as downloaded:
        sealed = downloaded.read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sealed)).pages)
    assert "Claire Martin" in text and "Inès Roux" in text and "Lu et approuvé" in text
    assert hash_on_page in text.replace("\n", "").replace(" ", "")
    with live_server.app_context():
        identity = seal.configured_identity()
        check = seal.verify_seal(sealed, [identity.trust_root])
        assert check.valid and check.covers_whole_file, check.summary
        db.session.rollback()
        contract = db.session.scalar(select(Contract).where(Contract.application_id == application.id))
        assert contract.status == ContractStatus.ACTIVE.value and contract.daily_rate_cents == 47_000
