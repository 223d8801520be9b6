"""Contract pages, as each party sees them: list, page, edits, acceptance, signatures, ending, survey, vigilance."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.db import today
from marketplace.domain import add_months
from marketplace.formatting import date_fr
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.users import CompanyRole
from marketplace.platform import jobs
from marketplace.services.contracts import satisfaction
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
    UserFactory,
)
from tests.test_contracts import (
    agree,
    contract_of,
    freelancer_named,
    give_valid_vigilance,
    hire,
)
from tests.test_contracts import signed_contract as _signed_contract

SME_PAGES = "/entreprise/contrats"
OM_PAGES = "/freelance/contrats"


@pytest.fixture()
def owner(db_session):
    """The company's owner, who signs for it."""
    return SmeUserFactory(email="direction@boreal.test", first_name="Claire", last_name="Martin")


@pytest.fixture()
def om(app, db_session):
    """A vetted freelancer, free all week, whose vigilance certificate is 10 days old."""
    with app.app_context():
        profile = freelancer_named("ines@om.test", "Inès", "Roux")
        give_valid_vigilance(profile)
    return profile


@pytest.fixture()
def services(app):
    """Service calls made by the test itself run in an app context popped before any request (no shared ``g``)."""
    return app.app_context


@pytest.fixture()
def run_jobs(monkeypatch, services, db_session):
    """Jobs wait for the test, which runs them outside any request.

    The tests' sessions share one connection: a PDF rendered inside a request would
    interleave its savepoint with the request's own (production gives each its connection).
    """
    pending: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: pending.append(intent_id))

    def run() -> None:
        with services():
            while pending:
                jobs.run_intent(pending.pop(0))
        db_session.expire_all()  # the requests' session sees what the jobs committed

    return run


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def as_user(client, user):
    client.post("/compte/deconnexion")
    assert login(client, user.email, PASSWORD).status_code == 200
    return client


def drafted(services, db_session, owner, om) -> Contract:
    with services():
        return contract_of(db_session, hire(owner, om))


def signed_contract(services, db_session, owner, om) -> Contract:
    with services():
        return _signed_contract(db_session, owner, om)


def error_beside(page: str, field_id: str) -> str:
    """The messages shown under a field (its ``<div id="…-error">``)."""
    found = re.search(rf'<div id="{field_id}-error">(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def hash_on(page: str) -> str:
    return re.search(r'name="document_hash" value="([0-9a-f]{64})"', page).group(1)


def terms_form(contract: Contract, **changes) -> dict:
    """The edit form as the browser posts it, filled with the contract's latest proposal, then ``changes``."""
    latest = contract.latest_version.content
    data = {
        "title": latest["title"], "objectives": latest["objectives"], "in_scope": latest["in_scope"],
        "out_of_scope": latest["out_of_scope"], "slots": list(latest["slots"]), "work_mode": latest["work_mode"],
        "onsite_days_per_week": str(latest["onsite_days_per_week"]),
        "spending_threshold": str(latest["spending_threshold_cents"] // 100),
        "daily_rate": str(latest["daily_rate_cents"] // 100), "payment_terms_days": str(latest["payment_terms_days"]),
        "notice_months": str(latest["notice_months"]), "start_date": latest["start_date"], "end_date": "",
        "note": "",
    }
    for index, kpi in enumerate(latest["kpis"]):
        data[f"kpis-{index}-code"] = kpi["code"]
        data[f"kpis-{index}-label"] = kpi["label"]
        data[f"kpis-{index}-target"] = kpi["target"]
    data.update(changes)
    return data


# --- reading ------------------------------------------------------------------------------------


def test_both_parties_see_the_drafted_contract_in_their_list_and_page(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    as_user(client, owner)
    listing = text(client.get(SME_PAGES))
    assert contract.title in listing and om.display_name in listing
    assert "mardi et jeudi" in listing and "450\u00a0€" in listing and "En cours de rédaction" in listing
    assert f"L'accord de la version 1 par {owner.company.legal_name}" in listing
    page = text(client.get(f"{SME_PAGES}/{contract.id}"))
    assert "Ce qui est attendu, et de qui" in page and "À vous" in page
    assert f"L'accord de la version 1 par {om.display_name}" in page
    assert "Article 1" in page and "Hors périmètre" in page and "Paie et déclarations sociales" in page
    assert "Accepter la version 1" in page and "Proposer des modifications" in page
    assert "prévue" in page and "réservée" not in page.split("La semaine")[1].split("</table>")[0]
    assert "Historique des versions" in page and "Pas encore acceptée par" in page

    as_user(client, om.user)
    assert contract.title in text(client.get(OM_PAGES))
    page = text(client.get(f"{OM_PAGES}/{contract.id}"))
    assert "Accepter la version 1" in page and owner.company.legal_name in page
    # The dashboards link to the contract (no dead end).
    assert f'href="/freelance/contrats/{contract.id}"' in client.get("/freelance/").get_data(as_text=True)
    as_user(client, owner)
    assert f'href="/entreprise/contrats/{contract.id}"' in client.get("/entreprise/").get_data(as_text=True)


def test_an_empty_list_says_where_contracts_come_from(client, db_session):
    boss = SmeUserFactory()
    as_user(client, boss)
    page = text(client.get(SME_PAGES))
    assert "Aucun contrat pour l'instant" in page and "dès que vous retenez une candidature" in page
    assert 'href="/entreprise/contrats"' in client.get("/entreprise/").get_data(as_text=True)  # the menu
    profile = FreelancerProfileFactory()
    as_user(client, profile.user)
    assert "dès qu'une entreprise retient votre candidature" in text(client.get(OM_PAGES))


# --- the journey ----------------------------------------------------------------------------------


def test_edit_accept_sign_both_and_the_contract_runs_with_its_days_booked(
        services, run_jobs, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    as_user(client, om.user)
    form = text(client.get(f"{OM_PAGES}/{contract.id}/modifier"))
    assert contract.title in form and 'value="tue-am"' in form and 'name="kpis-0-label"' in form
    assert 'name="kpis-4-label"' in form  # three KPIs and two spare rows

    # Errors come all at once, each beside its field, and nothing typed is lost.
    typed = "Structurer les achats, l'accueil et le déménagement de l'équipe produit d'ici l'été."
    refused = client.post(f"{OM_PAGES}/{contract.id}/modifier", data=terms_form(
        contract, objectives=typed, daily_rate="5", slots=[], **{"kpis-1-label": ""}))
    page = text(refused)
    assert refused.status_code == 422
    assert error_beside(page, "daily_rate").startswith("Le TJM doit être compris entre 100")
    assert "Cochez au moins une demi-journée de la semaine." in page
    assert "Nommez l'indicateur." in page.split('name="kpis-1-label"')[1].split("</td>")[0]
    assert typed in page and 'value="5"' in page
    assert contract.latest_version.number == 1

    moved = client.post(f"{OM_PAGES}/{contract.id}/modifier", data=terms_form(
        contract, daily_rate="480", note="Mon TJM habituel."), follow_redirects=True)
    assert "Version 2 envoyée" in text(moved)
    assert "Ce qui change dans la version 2" in text(moved) and "Mon TJM habituel." in text(moved)
    assert "A vous" not in text(moved) and f"L'accord de la version 2 par {owner.company.legal_name}" in text(moved)

    as_user(client, owner)
    accepted = client.post(f"{SME_PAGES}/{contract.id}/accepter", data={"number": "2"}, follow_redirects=True)
    assert "Vous avez accepté la version 2. Son PDF est en préparation" in text(accepted)
    assert "La préparation du PDF à signer" in text(accepted)
    run_jobs()
    page = text(client.get(f"{SME_PAGES}/{contract.id}"))
    assert "Le PDF à signer (version 2)" in page and "/fichiers/" in page
    digest = hash_on(page)
    assert digest in page.replace("\n", "")

    as_user(client, om.user)
    signed = client.post(f"{OM_PAGES}/{contract.id}/signer", follow_redirects=True, data={
        "full_name": "Inès Roux", "read_and_approved": "y", "document_hash": hash_on(text(client.get(
            f"{OM_PAGES}/{contract.id}")))})
    assert "Votre signature est enregistrée" in text(signed) and owner.company.legal_name in text(signed)

    as_user(client, owner)
    page = text(client.get(f"{SME_PAGES}/{contract.id}"))
    final = client.post(f"{SME_PAGES}/{contract.id}/signer", follow_redirects=True, data={
        "full_name": "Claire Martin", "read_and_approved": "y", "document_hash": hash_on(page)})
    assert "Signé par les deux parties" in text(final)
    run_jobs()  # the seal
    final = client.get(f"{SME_PAGES}/{contract.id}")
    page = text(final)
    db_session.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE.value and contract.daily_rate_cents == 48_000
    assert ">En cours<" in final.get_data(as_text=True)
    week = page.split("La semaine")[1].split("</table>")[0]
    assert week.count("réservée") == 4  # Tuesday and Thursday, morning and afternoon
    assert "Télécharger le PDF signé" in page and f"/fichiers/{contract.document_id}" in page
    assert "Signée par Inès Roux" in page and "Signée par Claire Martin" in page and "203.0.113" not in page
    assert "adresse IP" in page


def test_a_signature_with_another_name_or_no_box_is_refused_beside_each_field(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    with services():
        agree(db_session, contract, owner, om)
    as_user(client, om.user)
    page = text(client.get(f"{OM_PAGES}/{contract.id}"))
    assert "Tapez votre nom tel qu'il figure sur votre compte : « Inès Roux »" in page
    refused = client.post(f"{OM_PAGES}/{contract.id}/signer", data={
        "full_name": "Quelqu'un d'autre", "document_hash": hash_on(page)})
    assert refused.status_code == 422
    page = text(refused)
    assert error_beside(page, "sign-full_name").startswith("Tapez votre nom tel qu'il figure sur votre compte")
    assert "Cochez « Lu et approuvé » pour signer." in page and 'value="Quelqu\'un d\'autre"' in page
    stale = client.post(f"{OM_PAGES}/{contract.id}/signer", data={
        "full_name": "Inès Roux", "read_and_approved": "y", "document_hash": "0" * 64})
    assert stale.status_code == 422 and "Le document a changé depuis que vous l'avez ouvert" in text(stale)
    assert not contract.signatures


def test_a_member_who_is_not_an_owner_is_told_an_owner_signs(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    with services():
        agree(db_session, contract, owner, om)
    member = UserFactory(role="sme", company=owner.company, company_role=CompanyRole.MEMBER.value)
    as_user(client, member)
    page = text(client.get(f"{SME_PAGES}/{contract.id}"))
    assert "Seul un responsable de" in page and 'name="full_name"' not in page


def test_wording_of_disguised_employment_asks_for_a_confirmation_beside_the_message(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    as_user(client, owner)
    wording = "Accueil et courrier, sous l'autorité du DAF, avec des horaires imposés de 9 h à 18 h."
    refused = client.post(f"{SME_PAGES}/{contract.id}/modifier", data=terms_form(contract, in_scope=wording))
    assert refused.status_code == 422
    page = text(refused)
    assert "subordination" in error_beside(page, "in_scope")
    assert 'name="confirm_wording"' in page
    assert "cochez cette case pour envoyer le texte tel quel" in error_beside(page, "confirm_wording")
    assert wording in page
    sent = client.post(f"{SME_PAGES}/{contract.id}/modifier", follow_redirects=True,
                       data=terms_form(contract, in_scope=wording, confirm_wording="y"))
    assert "Version 2 envoyée" in text(sent)
    assert 'name="confirm_wording"' not in text(client.get(f"{SME_PAGES}/{contract.id}/modifier"))


def test_the_compare_page_shows_removed_and_added_words(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    as_user(client, om.user)
    client.post(f"{OM_PAGES}/{contract.id}/modifier", data=terms_form(contract, daily_rate="480"))
    response = client.get(f"{OM_PAGES}/{contract.id}/versions?de=1&a=2")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<del>450</del><ins>480</ins>\u00a0€" in html.unescape(body)
    assert "Taux journalier" in body
    for garbage in ("de=abc&a=%00", f"de={'9' * 30}"):  # the latest against the one before
        assert "<del>450</del>" in client.get(f"{OM_PAGES}/{contract.id}/versions?{garbage}").get_data(as_text=True)
    assert client.get(f"{OM_PAGES}/{contract.id}/versions?de=1&a=99").status_code == 404


def test_abandoning_needs_a_reason_shown_beside_the_field(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    as_user(client, om.user)
    refused = client.post(f"{OM_PAGES}/{contract.id}/abandonner", data={"reason": " "})
    assert refused.status_code == 422
    assert error_beside(text(refused), "cancel-reason").startswith("Expliquez en quelques mots pourquoi")
    done = client.post(f"{OM_PAGES}/{contract.id}/abandonner", data={"reason": "Plus disponible."},
                       follow_redirects=True)
    assert "Contrat abandonné" in text(done) and "Plus disponible." in text(done)
    assert contract.status == ContractStatus.CANCELLED.value


# --- a running contract ------------------------------------------------------------------------------


def test_notice_shows_the_earliest_end_date_then_ends_the_contract_then(services, client, db_session, owner, om):
    contract = signed_contract(services, db_session, owner, om)
    as_user(client, om.user)
    earliest = date_fr(add_months(today(), 1))
    page = text(client.get(f"{OM_PAGES}/{contract.id}"))
    assert f"le contrat prendrait fin le {earliest} au plus tôt" in page
    form = text(client.get(f"{OM_PAGES}/{contract.id}/preavis"))
    assert f"il prendra fin le {earliest} au plus tôt" in form
    too_soon = client.post(f"{OM_PAGES}/{contract.id}/preavis", data={
        "reason": "Je reprends un poste.", "end_date": (today() + timedelta(days=3)).isoformat()})
    assert too_soon.status_code == 422 and "ne peut pas finir avant" in text(too_soon)
    assert "Je reprends un poste." in text(too_soon)
    done = client.post(f"{OM_PAGES}/{contract.id}/preavis", data={"reason": "Je reprends un poste."},
                       follow_redirects=True)
    assert f"le contrat se termine le {earliest}" in text(done) and "En préavis" in text(done)
    assert f"libérée le {earliest}" in text(done)


def test_an_end_proposed_by_one_side_is_answered_by_the_other(services, client, db_session, owner, om):
    contract = signed_contract(services, db_session, owner, om)
    end = today() + timedelta(days=10)
    as_user(client, owner)
    refused = client.post(f"{SME_PAGES}/{contract.id}/fin", data={"end_date": "", "reason": ""})
    assert refused.status_code == 422
    page = text(refused)
    assert "Indiquez la date de fin proposée." in page and "Indiquez le motif" in page
    sent = client.post(f"{SME_PAGES}/{contract.id}/fin", data={"end_date": end.isoformat(), "reason": "Projet livré."},
                       follow_redirects=True)
    assert f"Fin proposée au {date_fr(end)}" in text(sent) and "Accepter cette fin" not in text(sent)
    as_user(client, om.user)
    page = text(client.get(f"{OM_PAGES}/{contract.id}"))
    assert "Accepter cette fin" in page and "Projet livré." in page
    answered = client.post(f"{OM_PAGES}/{contract.id}/fin/reponse", data={"answer": "accept"}, follow_redirects=True)
    assert f"le contrat se termine le {date_fr(end)}" in text(answered)
    assert contract.status == ContractStatus.NOTICE.value


def test_an_amendment_is_proposed_with_its_date_and_shown_on_the_week(services, client, db_session, owner, om):
    contract = signed_contract(services, db_session, owner, om)
    as_user(client, owner)
    form = text(client.get(f"{SME_PAGES}/{contract.id}/modifier"))
    assert "Proposer un avenant" in form and 'name="effective_from"' in form and 'name="start_date"' not in form
    slots = ["tue-am", "tue-pm", "wed-am", "wed-pm"]
    refused = client.post(f"{SME_PAGES}/{contract.id}/modifier", data=terms_form(contract, slots=slots))
    assert refused.status_code == 422 and "Indiquez la date d'effet de l'avenant." in text(refused)
    effective = contract.start_date + timedelta(days=14)
    done = client.post(f"{SME_PAGES}/{contract.id}/modifier", follow_redirects=True, data=terms_form(
        contract, slots=slots, effective_from=effective.isoformat()))
    page = text(done)
    assert "Avenant 2 envoyé" in page and "Avenant en discussion (version 2)" in page
    assert date_fr(effective) in page and "ajoutée" in page and "retirée" in page
    withdrawn = client.post(f"{SME_PAGES}/{contract.id}/avenant/retirer", follow_redirects=True)
    assert "Avenant retiré" in text(withdrawn) and "Avenant en discussion" not in text(withdrawn)


def test_the_sme_answers_the_quarterly_survey_and_sees_the_chart(services, client, db_session, owner, om):
    contract = signed_contract(services, db_session, owner, om)
    contract.start_date = date(2026, 1, 5)
    with services():
        satisfaction.open_surveys(db_session, date(2026, 4, 2))
        db_session.commit()
    as_user(client, owner)
    page = text(client.get(f"{SME_PAGES}/{contract.id}"))
    assert "Votre avis du trimestre T1 2026" in page and "Donner mon avis du trimestre" in page
    form = text(client.get(f"{SME_PAGES}/{contract.id}/satisfaction"))
    assert "Votre avis sur le trimestre T1 2026" in form
    assert all(kpi["label"] in form for kpi in contract.kpis) and "En partie" in form
    refused = client.post(f"{SME_PAGES}/{contract.id}/satisfaction", data={
        "survey": str(contract.surveys[0].id), "kpi-0": "met", "comment": "Bien."})
    assert refused.status_code == 422
    page = text(refused)
    assert "Donnez une note de 0 à 10." in page and page.count("Indiquez où en est cet indicateur.") == 2
    assert "Bien." in page
    answers = {"survey": str(contract.surveys[0].id), "score": "8", "comment": "Très bon trimestre."}
    answers.update({f"kpi-{i}": "met" for i in range(len(contract.kpis))})
    done = client.post(f"{SME_PAGES}/{contract.id}/satisfaction", data=answers, follow_redirects=True)
    assert "votre avis est enregistré" in text(done)
    assert '<svg class="score-chart"' in done.get_data(as_text=True) and "T1 2026 8/10" in text(done)
    dashboard = text(client.get("/entreprise/"))
    assert "Satisfaction par contrat" in dashboard and "T1 2026 8/10" in dashboard
    assert "Aucun questionnaire n'attend votre réponse" in text(client.get(f"{SME_PAGES}/{contract.id}/satisfaction"))


def test_the_sme_downloads_the_vigilance_certificate_nobody_else_does(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    url = f"{SME_PAGES}/{contract.id}/attestation-vigilance"
    as_user(client, owner)
    assert "Télécharger l'attestation" in text(client.get(f"{SME_PAGES}/{contract.id}"))
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "private, no-store"
    sent = client.post(f"{url}/demander", follow_redirects=True)
    assert f"Demande envoyée à {om.display_name}" in text(sent)

    as_user(client, SmeUserFactory())
    assert client.get(url).status_code == 404
    as_user(client, om.user)
    assert client.get(url).status_code == 302
    assert client.get(f"{OM_PAGES}/{contract.id}/attestation-vigilance").status_code == 404


def test_no_certificate_means_404(services, client, db_session, owner):
    profile = FreelancerProfileFactory()
    contract = drafted(services, db_session, owner, profile)
    as_user(client, owner)
    assert client.get(f"{SME_PAGES}/{contract.id}/attestation-vigilance").status_code == 404


# --- applications, operators, access ---------------------------------------------------------------


def test_the_accepted_application_links_to_its_contract_and_the_flash_says_nothing_is_booked(
        services, client, db_session, owner, om):
    mission = MissionFactory(company=owner.company, weekdays=["tue", "thu"], half_days_per_week=4)
    application = ApplicationFactory(mission=mission, freelancer=om, offered_weekdays=["tue", "thu"])
    as_user(client, owner)
    done = client.post(f"/entreprise/candidatures/{application.id}/accepter", follow_redirects=True)
    assert (f"Vous avez retenu {om.display_name}. Le document de cadrage est rédigé : relisez-le, acceptez-le ou "
            "proposez vos modifications. Rien n'est réservé avant la signature des deux parties.") in text(done)
    contract = contract_of(db_session, application)
    link = f'href="/entreprise/contrats/{contract.id}"'
    assert link in client.get(f"/entreprise/candidatures/{application.id}").get_data(as_text=True)
    assert link in client.get(f"/entreprise/missions/{mission.id}/candidatures").get_data(as_text=True)


def test_the_freelancers_average_satisfaction_shows_from_three_answers(services, client, db_session, owner, om):
    contract = signed_contract(services, db_session, owner, om)
    contract.start_date = date(2026, 1, 5)
    with services():
        for day, score in ((date(2026, 4, 2), 8), (date(2026, 7, 1), 9), (date(2026, 10, 1), 8)):
            satisfaction.open_surveys(db_session, day)
            survey = satisfaction.pending_survey(contract)
            survey.score, survey.answered_at = score, survey.sent_at
        db_session.commit()
    other = ApplicationFactory(mission=MissionFactory(company=owner.company), freelancer=om)
    as_user(client, owner)
    page = text(client.get(f"/entreprise/candidatures/{other.id}"))
    assert "Satisfaction des clients : 8,3/10 (3 avis)" in page


def test_the_operator_lists_contracts_by_status_and_reads_one_without_actions(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    admin = AdminFactory()
    as_user(client, admin)
    listing = text(client.get("/admin/contrats"))
    assert contract.title in listing and "En cours de rédaction" in listing and 'href="/admin/contrats"' in listing
    assert contract.title in text(client.get("/admin/contrats?statut=draft"))
    assert contract.title not in text(client.get("/admin/contrats?statut=active"))
    assert client.get("/admin/contrats?statut=%00&page=99999999999").status_code == 200
    page = text(client.get(f"/admin/contrats/{contract.id}"))
    assert "lecture seule" in page and "Article 1" in page and "Historique des versions" in page
    assert 'method="post"' not in page.split('id="contenu"')[1].split("</main>")[0]


CONTRACT_ENDPOINTS = ("sme.contract", "freelancer.contract")


def contract_rules(app, prefix: str):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.startswith(f"{prefix}.contract") and "contract_id" in r.arguments]


@pytest.mark.parametrize("side", ["sme", "freelancer"])
def test_every_contract_url_is_404_elsewhere_and_a_redirect_for_the_other_role_or_nobody(
        services, app, client, db_session, owner, om, side):
    contract = drafted(services, db_session, owner, om)
    rules = contract_rules(app, side)
    assert len(rules) >= (13 if side == "sme" else 10)
    stranger = SmeUserFactory() if side == "sme" else FreelancerProfileFactory().user
    other_role = om.user if side == "sme" else owner
    for rule in rules:
        url = rule.rule.replace("<int:contract_id>", str(contract.id))
        for method in sorted(rule.methods & {"GET", "POST"}):
            client.post("/compte/deconnexion")
            anonymous = client.open(url, method=method)
            assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"], url
            as_user(client, stranger)
            assert client.open(url, method=method).status_code == 404, (method, url)
            as_user(client, other_role)
            elsewhere = client.open(url, method=method)
            assert elsewhere.status_code == 302 and "/compte/connexion" not in elsewhere.headers["Location"], url
    db_session.refresh(contract)
    assert contract.status == ContractStatus.DRAFT.value and contract.version == 1


def test_the_admin_page_is_for_operators_only(services, client, db_session, owner, om):
    contract = drafted(services, db_session, owner, om)
    for user in (owner, om.user):
        as_user(client, user)
        assert client.get(f"/admin/contrats/{contract.id}").status_code == 302
    assert db_session.scalar(select(Contract.id).where(Contract.id == contract.id))
