"""« Mon entreprise » in the account settings: the owners edit the company's details, audited, future invoices only."""

from __future__ import annotations

import html
import random

import pytest
from sqlalchemy import select

from marketplace.errors import PermissionDenied
from marketplace.models.audit import AuditLog
from marketplace.services.accounts import company as company_details
from marketplace.services.accounts.seed import make_siren, make_siret
from marketplace.services.billing import identities
from tests.conftest import login
from tests.factories import PASSWORD

URL = "/compte/parametres/entreprise"


def new_siret(seed: str) -> str:
    rng = random.Random(seed)
    return make_siret(make_siren(rng), rng)


def form(**overrides) -> dict[str, str]:
    data = {"legal_name": "Atelier Lumen SAS", "headcount": "42", "siret": new_siret("lumen"),
            "address_line": "12 rue des Arts", "postal_code": "69002", "city": "Lyon",
            "billing_contact_name": "Service comptable", "billing_email": "compta@lumen.test"}
    data.update(overrides)
    return {f"co-{key}": value for key, value in data.items()}


def test_the_owner_edits_the_company_and_the_change_is_audited(client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD)
    page = client.get("/compte/parametres").get_data(as_text=True)
    assert 'id="entreprise"' in page and sme_user.company.legal_name in page and 'href="#fermer"' in page
    siret = new_siret("lumen")
    response = client.post(URL, data=form(siret=siret[:3] + " " + siret[3:]), follow_redirects=True)
    assert response.status_code == 200
    assert "Informations de l&#39;entreprise enregistrées" in response.get_data(as_text=True)
    company = sme_user.company
    db_session.refresh(company)
    assert (company.legal_name, company.headcount, company.siret, company.siren) == (
        "Atelier Lumen SAS", 42, siret, siret[:9])
    assert (company.city, company.postal_code, company.address_line) == ("Lyon", "69002", "12 rue des Arts")
    assert round(company.latitude) == 46  # the commune's coordinates follow the city
    assert (company.billing_contact_name, company.billing_email) == ("Service comptable", "compta@lumen.test")
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "company.updated"))
    assert entry.actor_id == sme_user.id and entry.subject_id == company.id
    assert entry.details["changes"]["headcount"] == [35, 42]
    # Future invoices name the new buyer (issued ones keep the party frozen on them).
    buyer = identities.company_party(company)
    assert (buyer.name, buyer.siret, buyer.city, buyer.email) == ("Atelier Lumen SAS", siret, "Lyon",
                                                                  "compta@lumen.test")


def test_every_error_shows_at_once_and_valid_values_are_kept(client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD)
    before = sme_user.company.siret
    response = client.post(URL, data=form(siret="12345678901234", city="Atlantide", billing_email="pas-une-adresse",
                                          headcount="beaucoup", postal_code="7500"))
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    for message in ("Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas.", "Ville inconnue",
                    "Adresse e-mail invalide.", "Le code postal compte 5 chiffres."):
        assert message in text, message
    assert text.count('class="field-error"') >= 5  # the headcount's own message too
    assert 'value="Atelier Lumen SAS"' in text and 'value="12 rue des Arts"' in text  # valid values kept
    assert 'value="Atlantide"' in text  # and what was typed
    db_session.refresh(sme_user.company)
    assert sme_user.company.siret == before and sme_user.company.legal_name != "Atelier Lumen SAS"


def test_a_siret_already_registered_is_refused(client, sme_user, other_sme_user):
    login(client, sme_user.email, PASSWORD)
    response = client.post(URL, data=form(siret=other_sme_user.company.siret))
    assert response.status_code == 422
    assert "Ce SIRET est déjà celui d&#39;une autre entreprise inscrite." in response.get_data(as_text=True)


def test_a_member_of_another_company_neither_reads_nor_changes_it(client, db_session, sme_user, other_sme_user):
    login(client, other_sme_user.email, PASSWORD)
    page = client.get("/compte/parametres").get_data(as_text=True)
    assert sme_user.company.legal_name not in page and other_sme_user.company.legal_name in page
    client.post(URL, data=form(legal_name="Piratée"), follow_redirects=True)
    db_session.refresh(sme_user.company)
    db_session.refresh(other_sme_user.company)
    assert sme_user.company.legal_name != "Piratée"  # only one's own company can be reached
    assert other_sme_user.company.legal_name == "Piratée"


def test_a_member_who_is_not_an_owner_reads_but_is_refused(client, db_session, sme_user, sme_member):
    login(client, sme_member.email, PASSWORD)
    page = client.get("/compte/parametres").get_data(as_text=True)
    assert sme_user.company.legal_name in page and "Seuls les titulaires" in page and URL not in page
    assert client.post(URL, data=form()).status_code == 403
    db_session.refresh(sme_user.company)
    assert sme_user.company.legal_name != "Atelier Lumen SAS"
    with pytest.raises(PermissionDenied):
        company_details.update(db_session, sme_user.company, sme_member, company_details.CompanyData(
            legal_name="X", headcount=10, siret=sme_user.company.siret, city="Paris", billing_email="a@b.test"))


def test_freelancers_and_visitors_cannot_post(client, freelancer):
    assert client.post(URL, data=form()).status_code == 302  # to the log-in form
    login(client, freelancer.user.email, PASSWORD)
    assert client.post(URL, data=form()).status_code in (302, 403)
    assert 'id="entreprise"' not in client.get("/compte/parametres").get_data(as_text=True)
