"""Every form shows every error at once, beside its field, in French, and keeps what was valid.

Each test submits a form with all its fields wrong — some refused by the form itself (« abc »
in a number), some only the service can judge (a SIRET already registered, an unknown city)
— and reads the one answer: every message is there, and the valid values are still typed in.
Then the bounds every form shares: a maximum length on every text field (rendered as
``maxlength``), and the one phone field.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from wtforms import Form, StringField
from wtforms.validators import Length

import marketplace.web
from marketplace.db import today
from marketplace.formatting import format_phone
from marketplace.models.companies import Company
from marketplace.models.freelancers import ExperienceEntry, Reference
from marketplace.models.missions import Application, Mission
from marketplace.models.users import User
from marketplace.services.missions import sizing
from marketplace.services.timesheets import reports
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CompanyFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def errors_beside(page: str) -> dict[str, str]:
    """Every field's error block on the page: ``{field id: message(s)}``."""
    found = {}
    for field_id, body in re.findall(r'<div id="([\w-]+)-error"[^>]*>(.*?)</div>', page, re.S):
        found[field_id] = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return found


def value_of(page: str, name: str) -> str | None:
    """The ``value`` an input named ``name`` is rendered with."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if not tag:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def textarea_of(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    return match.group(1).strip() if match else None


# --- sign-up -------------------------------------------------------------------------------


def test_sme_sign_up_shows_every_error_in_one_answer_and_keeps_the_valid_values(client, db_session):
    CompanyFactory(siret="73282932000074")
    SmeUserFactory(email="deja@pme.test")
    companies = db_session.scalar(select(func.count()).select_from(Company))
    response = client.post("/compte/inscription/entreprise", data={
        "first_name": "", "last_name": "Lumen", "email": "deja@pme.test", "phone": "abc",
        "password": "court", "password_confirm": "autre",
        "company_name": "Atelier Lumen", "siret": "73282932000074", "headcount": "abc", "sector": "",
        "city": "Atlantide-sur-Mer",
    })
    page = text(response)
    errors = errors_beside(page)
    # The form's own refusals (a number, a choice, a phone, the terms) …
    assert errors["headcount"] == "Saisissez un nombre entier."
    assert errors["sector"] == "Choisissez un secteur d'activité."
    assert errors["phone"].startswith("Numéro de téléphone invalide")
    assert errors["accept_terms"] == "Vous devez accepter les conditions pour créer un compte."
    assert errors["password_confirm"] == "Les deux mots de passe ne correspondent pas."
    assert errors["first_name"]
    # … and the service's, in the same answer: no more five submits.
    assert errors["siret"].startswith("Cette entreprise a déjà un compte")
    assert errors["city"].startswith("Ville inconnue")
    assert errors["email"].startswith("Un compte existe déjà avec cette adresse e-mail")
    assert errors["password"] == "Le mot de passe doit comporter au moins 12 caractères."
    # What was right (or merely refused) is still typed in.
    assert value_of(page, "last_name") == "Lumen"
    assert value_of(page, "company_name") == "Atelier Lumen"
    assert value_of(page, "email") == "deja@pme.test"
    assert value_of(page, "city") == "Atlantide-sur-Mer"
    assert value_of(page, "headcount") == "abc"
    assert db_session.scalar(select(func.count()).select_from(Company)) == companies


def test_sme_sign_up_with_only_service_errors_names_each_of_them(client, db_session):
    response = client.post("/compte/inscription/entreprise", data={
        "first_name": "Claire", "last_name": "Lumen", "email": "pas-une-adresse", "phone": "06 11 22 33 44",
        "password": "claire-lumen-claire", "password_confirm": "claire-lumen-claire",
        "company_name": "Atelier Lumen", "siret": "12345678901234", "headcount": "25", "sector": "tech",
        "city": "Atlantide-sur-Mer", "accept_terms": "y",
    })
    errors = errors_beside(text(response))
    assert set(errors) >= {"email", "siret", "city", "password"}
    assert errors["email"] == "Adresse e-mail invalide."
    page = text(response)
    assert value_of(page, "phone") == "06 11 22 33 44"
    assert value_of(page, "headcount") == "25"
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_a_valid_email_stays_in_its_input_when_only_the_password_is_wrong(client, db_session):
    page = text(client.post("/compte/inscription/freelance", data={
        "first_name": "Nadia", "last_name": "Benali", "email": "nadia@exemple.test", "phone": "123",
        "password": "abc", "password_confirm": "abc", "accept_terms": "y",
    }))
    errors = errors_beside(page)
    assert set(errors) == {"password", "phone"}
    assert value_of(page, "email") == "nadia@exemple.test"
    assert value_of(page, "phone") == "123"


def test_a_new_password_too_easy_and_a_wrong_confirmation_are_named_together(app, client, db_session, outbox):
    from marketplace.services.accounts import operations as accounts

    user = SmeUserFactory(email="oubli@pme.test")
    with app.app_context():
        accounts.request_password_reset(db_session, user.email)
    link = outbox.links(outbox.last_to(user.email))[0]
    path = "/" + link.split("/", 3)[3]
    page = text(client.post(path, data={"password": "motdepasse2026", "password_confirm": "autre chose encore"}))
    errors = errors_beside(page)
    assert errors["password_confirm"] == "Les deux mots de passe ne correspondent pas."
    assert errors["password"].startswith("Ce mot de passe est trop courant")  # the service's, in the same answer
    assert user.check_password(PASSWORD)


# --- the phone field ------------------------------------------------------------------------


def test_the_phone_field_refuses_abc_in_french_and_stores_e164_shown_the_french_way(client, db_session):
    page = text(client.post("/compte/inscription/freelance", data={
        "first_name": "Nadia", "last_name": "Benali", "email": "nadia@exemple.test", "phone": "abc",
        "password": "trois chats sous la pluie", "password_confirm": "trois chats sous la pluie", "accept_terms": "y",
    }))
    assert errors_beside(page)["phone"] == (
        "Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +33 6 12 34 56 78).")
    assert 'type="tel"' in page and 'maxlength="32"' in page
    response = client.post("/compte/inscription/freelance", data={
        "first_name": "Nadia", "last_name": "Benali", "email": "nadia@exemple.test", "phone": "0611223344",
        "password": "trois chats sous la pluie", "password_confirm": "trois chats sous la pluie", "accept_terms": "y",
    })
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "nadia@exemple.test"))
    assert user.phone == "+33611223344"
    assert format_phone(user.phone) == "06 11 22 33 44"
    page = text(client.get("/freelance/profil/presentation"))
    assert value_of(page, "phone") == "06 11 22 33 44"
    assert format_phone("+32470123456") == "+32 470 12 34 56"


# --- the SME's mission ------------------------------------------------------------------------


@pytest.fixture()
def director(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    return sme_user


@pytest.fixture()
def draft(director, db_session):
    from marketplace.services.missions import posting

    mission = posting.create_draft(db_session, director.company, director, sizing.field_example())
    db_session.commit()
    return mission


def test_the_mission_form_shows_the_delegation_error_with_all_the_others(client, draft, db_session):
    response = client.post(f"/entreprise/missions/{draft.id}/modifier", data={
        "title": "OM", "description": "Trop court.", "days_per_week": "3", "weekdays": ["tue"],
        "work_mode": "", "site_city": "", "start_date": (today() - timedelta(days=3)).isoformat(),
        "budget": "50", "min_years_experience": "sept", "spending_threshold": "abc",
        "min_people_culture": "3", "min_operations_process": "3", "min_finance_procurement": "3",
        "min_facilities_workplace": "3", "min_communication_coordination": "3",
        "kpis-0-code": "satisfaction", "kpis-0-label": "Satisfaction", "kpis-0-target": "", "action": "save",
    })
    page = text(response)
    assert response.status_code == 422
    errors = errors_beside(page)
    assert errors["spending_threshold"] == "Saisissez un montant en euros, par exemple 450 ou 1 234,56."
    assert errors["min_years_experience"] == "Saisissez un nombre entier."
    # The délégation « abc » no longer hides what the service refuses.
    for name in ("title", "description", "weekdays", "work_mode", "start_date", "budget"):
        assert name in errors, f"no error beside {name}: {sorted(errors)}"
    assert re.search(r'name="kpis-0-target"[^>]*>\s*<p class="field-error">Indiquez la cible', page)
    assert value_of(page, "kpis-0-label") == "Satisfaction"
    assert value_of(page, "spending_threshold") == "abc"
    db_session.refresh(draft)
    assert draft.title != "OM"


def test_the_perimeter_shows_a_wrong_number_and_a_missing_task_together(client, director, db_session):
    response = client.post("/entreprise/missions/nouvelle", data={
        "action": "save",
        "lines-0-task": "onboarding", "lines-0-hours": "deux", "lines-0-criticality": "3", "lines-0-owner": "Moi",
        "lines-1-task": "other", "lines-1-label": "", "lines-1-hours": "2", "lines-1-criticality": "3",
        "lines-2-task": "budget", "lines-2-hours": "999", "lines-2-criticality": "3",
    })
    page = text(response)
    errors = errors_beside(page)
    assert errors["lines-0-hours"] == "Saisissez un nombre d'heures, par exemple 4 ou 1,5."
    assert errors["lines-1-label"] == "Choisissez ou décrivez la tâche."
    assert errors["lines-2-hours"] == "Une tâche ne peut pas dépasser 160 h par mois."
    assert value_of(page, "lines-0-owner") == "Moi"
    assert db_session.scalar(select(func.count()).select_from(Mission)) == 0


# --- the freelancer's experience, references and application ---------------------------------


@pytest.fixture()
def om(client, db_session):
    profile = FreelancerProfileFactory(user__email="om-forms@example.test")
    db_session.commit()
    login(client, profile.user.email, PASSWORD)
    return profile


def test_the_experience_form_names_every_wrong_field(client, om, db_session):
    before = db_session.scalar(select(func.count()).select_from(ExperienceEntry))
    future = (today() + timedelta(days=70)).strftime("%Y-%m")
    page = text(client.post("/freelance/profil/experience/postes", data={
        "exp-title": "", "exp-organisation": "ACME", "exp-start_date": future, "exp-end_date": "pas une date",
        "exp-description": "Déménagement de 40 personnes.",
    }))
    errors = errors_beside(page)
    assert {"exp-title", "exp-start_date", "exp-end_date"} <= set(errors)
    assert errors["exp-start_date"] == "La date de début ne peut pas être dans le futur."
    assert value_of(page, "exp-organisation") == "ACME"
    assert textarea_of(page, "exp-description") == "Déménagement de 40 personnes."
    assert db_session.scalar(select(func.count()).select_from(ExperienceEntry)) == before


def test_a_level_that_is_not_a_number_is_refused_beside_it_with_the_other_errors(client, om, db_session):
    page = text(client.post("/freelance/profil/competences", data={
        "level_people_culture": "abc", "level_finance_procurement": "4", "other_tools": "t" * 601}))
    errors = errors_beside(page)
    assert errors["level_people_culture"] and errors["other_tools"]  # no server error: the probe asked for nothing
    assert value_of(page, "other_tools") == "t" * 601
    assert re.search(r'<option selected value="4"', page)


def test_the_reference_form_names_every_wrong_field(client, om, db_session):
    before = db_session.scalar(select(func.count()).select_from(Reference))
    page = text(client.post("/freelance/profil/references", data={
        "name": "Marie Curie", "company": "", "role": "CEO", "email": om.user.email, "phone": "abc",
        "relationship_label": "Cliente actuelle",
    }))
    errors = errors_beside(page)
    assert {"company", "email", "phone"} <= set(errors)
    assert errors["email"].startswith("Une référence doit être une autre personne que vous")
    assert value_of(page, "name") == "Marie Curie"
    assert db_session.scalar(select(func.count()).select_from(Reference)) == before


def test_the_application_form_names_the_note_the_rate_and_the_days_at_once(client, om, db_session):
    mission = MissionFactory(weekdays=["tue", "thu"], half_days_per_week=4)
    db_session.commit()
    page = text(client.post(f"/freelance/missions/{mission.id}", data={
        "note": "Bonjour", "proposed_rate": "1e5", "weekdays": ["mon"],
    }))
    errors = errors_beside(page)
    assert errors["proposed_rate"] == "Saisissez un montant en euros, par exemple 450 ou 1 234,56."
    assert "note" in errors and "weekdays" in errors
    assert textarea_of(page, "note") == "Bonjour"
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


def test_a_team_member_joining_sees_every_error_at_once(client, sme_user, db_session):
    from marketplace.db import utcnow
    from marketplace.models.companies import TeamInvitation
    from marketplace.services.accounts import teams

    token = "jeton-de-test-assez-long-pour-etre-unique"
    db_session.add(TeamInvitation(
        company_id=sme_user.company_id, email="collegue@pme-a.test", token_hash=teams._hash(token),
        invited_by_id=sme_user.id, expires_at=utcnow() + timedelta(days=3),
    ))
    db_session.commit()
    page = text(client.post(f"/entreprise/equipe/rejoindre/{token}", data={
        "first_name": "", "last_name": "Martin", "password": "court", "password_confirm": "court",
    }))
    errors = errors_beside(page)
    assert {"first_name", "password", "accept_terms"} <= set(errors)
    assert value_of(page, "last_name") == "Martin"


# --- activity reports and invoices ------------------------------------------------------------------

NOVEMBER = date(2026, 11, 1)


@pytest.fixture()
def monthly(db_session, sme_user):
    """A running contract of the SME, its freelancer's account ready to log in."""
    profile = FreelancerProfileFactory(user__email="ines-forms@om.test")
    return ContractFactory(mission=MissionFactory(company=sme_user.company), freelancer=profile,
                           start_date=date(2026, 9, 1), daily_rate_cents=45_000)


def selected_on(page: str, day: date) -> str:
    cell = re.search(rf'<select[^>]*name="day-{day.isoformat()}"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.search(r'<option selected value="([^"]*)"', cell)
    return found.group(1) if found else ""


def test_the_timesheet_names_a_garbage_date_a_holiday_and_a_long_comment_at_once(app, client, db_session, monthly):
    with app.app_context():
        timesheet = reports.open_month(db_session, monthly, NOVEMBER)
    login(client, monthly.freelancer.user.email, PASSWORD)
    url = f"/freelance/cra/{timesheet.id}/enregistrer"
    response = client.post(url, data={"day-2026-11-03": "9", "day-2026-11-05": "1", "day-2026-11-11": "2",
                                      "comment": "x" * 2001, "action": "save"})
    assert response.status_code == 422
    page = text(response)
    errors = errors_beside(page)
    assert "Choisissez « journée », « demi-journée » ou rien." in page  # the form's, in the date's cell
    assert "caractères au plus" in errors["comment"]
    assert "Le 11/11/2026 est férié (Armistice)." in errors["days"]  # the service's, in the same answer
    assert selected_on(page, date(2026, 11, 5)) == "1"
    assert textarea_of(page, "comment") == "x" * 2001
    # Sending: nothing declarable ticked and a garbage value, both said.
    page = text(client.post(url, data={"day-2026-11-03": "9", "comment": "Un mois calme.", "action": "submit"}))
    assert "Cochez au moins un jour travaillé" in errors_beside(page)["days"]
    assert "Choisissez « journée », « demi-journée » ou rien." in page
    assert textarea_of(page, "comment") == "Un mois calme."
    db_session.refresh(timesheet)
    assert timesheet.entries == [] and timesheet.status == "draft"


def _issued_invoice(app, db_session, contract, owner):
    from marketplace.db import commit
    from marketplace.services.billing import issuing
    from marketplace.services.timesheets.reports import Declared

    with app.app_context():
        timesheet = reports.open_month(db_session, contract, NOVEMBER)
        days = [date(2026, 11, d) for d in (3, 5, 10, 12)]
        reports.save(db_session, timesheet, contract.freelancer.user, [Declared(d, 2) for d in days])
        reports.submit(db_session, timesheet, contract.freelancer.user)
        reports.approve(db_session, timesheet, owner)
        result = issuing.issue_month(db_session, contract, NOVEMBER, today=today())
        commit(db_session)
    assert result.issued, result.skipped
    return result.invoice


def test_a_contest_keeps_its_long_text_and_its_answer_names_the_decision_and_the_action_at_once(
        app, client, db_session, monthly, sme_user):
    invoice = _issued_invoice(app, db_session, monthly, sme_user)
    login(client, monthly.freelancer.user.email, PASSWORD)
    page = text(client.post(f"/freelance/factures/{invoice.id}/contester", data={"reason": "y" * 2001}))
    assert "caractères au plus" in errors_beside(page)["contest-reason"]
    assert textarea_of(page, "reason") == "y" * 2001
    assert client.post(f"/freelance/factures/{invoice.id}/contester",
                       data={"reason": "Mon adresse a changé."}).status_code == 302

    client.post("/compte/deconnexion")
    login(client, AdminFactory(email="ops-forms@om-partage.test").email, PASSWORD)
    response = client.post(f"/admin/factures/{invoice.id}/contestation", data={"resolution": "", "action": "zap"})
    assert response.status_code == 422
    errors = errors_beside(text(response))
    assert errors["resolve-action"] == "Choisissez la suite donnée à la contestation."
    assert errors["resolve-resolution"].startswith("Expliquez la décision")  # no longer hidden behind the action
    db_session.refresh(invoice)
    assert invoice.contest_resolved_at is None and invoice.status != "cancelled"


# --- contracts and missions ------------------------------------------------------------------------


def test_notice_names_the_missing_reason_and_the_date_at_once(client, director, db_session):
    contract = ContractFactory(mission=MissionFactory(company=director.company))
    url = f"/entreprise/contrats/{contract.id}/preavis"
    too_soon = (today() + timedelta(days=3)).isoformat()
    page = text(client.post(url, data={"reason": "", "end_date": too_soon}))
    errors = errors_beside(page)
    assert errors["notice-reason"].startswith("Indiquez le motif")
    assert "ne peut pas finir avant" in errors["notice-end_date"]  # both the service's, in one answer
    assert value_of(page, "end_date") == too_soon
    # A date the form refuses, and still no reason: both said.
    page = text(client.post(url, data={"reason": "", "end_date": "31/02/2027"}))
    errors = errors_beside(page)
    assert errors["notice-end_date"] and errors["notice-reason"].startswith("Indiquez le motif")
    assert value_of(page, "end_date") == "31/02/2027"
    # Proposing an end: a date the form refuses beside the missing reason.
    page = text(client.post(f"/entreprise/contrats/{contract.id}/fin", data={"end_date": "pas une date", "reason": ""}))
    errors = errors_beside(page)
    assert errors["end-end_date"] and errors["end-reason"].startswith("Indiquez le motif")
    db_session.refresh(contract)
    assert contract.status == "active" and contract.end_date is None and contract.end_proposed_date is None


def test_a_signature_names_a_too_long_name_and_the_missing_box_at_once(app, client, db_session):
    from tests.test_contracts import (
        agree,
        contract_of,
        freelancer_named,
        give_valid_vigilance,
        hire,
    )

    owner = SmeUserFactory(email="direction-forms@boreal.test", first_name="Claire", last_name="Martin")
    with app.app_context():
        om = freelancer_named("ines-forms@om.test", "Inès", "Roux")
        give_valid_vigilance(om)
        contract = contract_of(db_session, hire(owner, om))
        agree(db_session, contract, owner, om)
    login(client, om.user.email, PASSWORD)
    page = text(client.get(f"/freelance/contrats/{contract.id}"))
    document_hash = re.search(r'name="document_hash" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(f"/freelance/contrats/{contract.id}/signer",
                           data={"full_name": "Inès Roux " * 17, "document_hash": document_hash})
    assert response.status_code == 422
    page = text(response)
    errors = errors_beside(page)
    assert "caractères au plus" in errors["sign-full_name"]  # the form's
    assert errors["sign-read_and_approved"].startswith("Cochez « Lu et approuvé »")  # the service's, at once
    assert value_of(page, "full_name") == "Inès Roux " * 17
    db_session.refresh(contract)
    assert not contract.signatures


def test_the_survey_names_a_long_comment_the_missing_score_and_indicator_at_once(app, client, director, db_session):
    from marketplace.services.contracts import satisfaction

    contract = ContractFactory(mission=MissionFactory(company=director.company), start_date=date(2026, 1, 5))
    with app.app_context():
        satisfaction.open_surveys(db_session, date(2026, 4, 2))
        db_session.commit()
    survey = contract.surveys[0]
    response = client.post(f"/entreprise/contrats/{contract.id}/satisfaction",
                           data={"survey": str(survey.id), "comment": "c" * 2001})
    assert response.status_code == 422
    page = text(response)
    errors = errors_beside(page)
    assert "caractères au plus" in errors["comment"]
    # The score and each indicator show their error in their own fieldset.
    assert "Donnez une note de 0 à 10." in page and "Indiquez où en est cet indicateur." in page
    assert textarea_of(page, "comment") == "c" * 2001
    db_session.refresh(survey)
    assert survey.answered_at is None


def test_closing_a_mission_names_the_missing_reason_beside_the_long_details(client, draft, db_session):
    page = text(client.post(f"/entreprise/missions/{draft.id}/cloturer", data={"reason": "", "details": "z" * 1001}))
    errors = errors_beside(page)
    assert errors["reason"] == "Choisissez la raison de la clôture."
    assert errors["details"] == "1 000 caractères au plus."
    assert textarea_of(page, "details") == "z" * 1001
    db_session.refresh(draft)
    assert draft.status == "draft"


# --- vetting, references, documents --------------------------------------------------------------------


def _vetted(app, db_session):
    from marketplace.db import commit
    from tests.factories import SubmittedProfileFactory, submit, upload_valid_documents

    with app.app_context():
        profile = SubmittedProfileFactory(status="draft", submitted_at=None)
        upload_valid_documents(profile)
        submit(profile)  # URSSAF code not verified, referees not answered: warnings open
        commit(db_session)
    return profile


def test_approving_names_a_long_note_and_the_missing_confirmation_at_once(app, client, db_session):
    profile = _vetted(app, db_session)
    login(client, AdminFactory(email="ops-vetting@om-partage.test").email, PASSWORD)
    page = text(client.post(f"/admin/verification/{profile.id}/approuver", data={"approve-note": "n" * 2001}))
    errors = errors_beside(page)
    assert errors["approve-note"]  # the form's: too long
    assert errors["approve-confirm"].startswith("Cochez la confirmation")  # the service's, in the same answer
    assert textarea_of(page, "approve-note") == "n" * 2001
    db_session.refresh(profile)
    assert profile.status != "approved"


def test_the_referee_sees_every_missing_answer_and_the_missing_rating_at_once(app, client, db_session):
    from marketplace.models.vetting import ReferenceRequest
    from marketplace.services.vetting import references
    from marketplace.services.vetting.references import RATING_DIMENSIONS

    profile = _vetted(app, db_session)
    request = db_session.scalars(select(ReferenceRequest).where(ReferenceRequest.profile_id == profile.id)).first()
    with app.app_context():
        token = references.token_for(request)
    response = client.post(f"/reference/{token}", data={
        "role": "", "period": "De 2022 à 2025", "comment": "Très fiable.",
        **{f"rating_{code}": "0" for code, _ in RATING_DIMENSIONS},  # all « Non observé »
    })
    page = text(response)
    errors = errors_beside(page)
    assert errors["role"] and errors["would_rehire"] == "Répondez à cette question."
    assert errors["sincere"] == "Cochez cette case pour envoyer vos réponses."
    assert errors["rating_people_culture"].startswith("Notez au moins une des cinq dimensions")  # the service's
    assert value_of(page, "period") == "De 2022 à 2025"
    assert textarea_of(page, "comment") == "Très fiable."
    db_session.refresh(request)
    assert request.answered_at is None


def test_a_document_names_its_date_its_code_and_its_file_at_once_and_stores_nothing(client, om, db_session):
    import io

    from marketplace.models.documents import Document

    url = "/freelance/profil/justificatifs/urssaf_certificate"
    before = db_session.scalar(select(func.count()).select_from(Document))
    not_a_pdf = b"MZ\x90\x00\x03 this is a program, not a certificate"
    # The form refuses the date; the service is asked about the code and the file without storing anything.
    response = client.post(url, content_type="multipart/form-data", data={
        "urssaf_certificate-file": (io.BytesIO(not_a_pdf), "attestation.pdf"),
        "urssaf_certificate-issued_on": "pas une date", "urssaf_certificate-security_code": "",
    })
    assert response.status_code == 422
    errors = errors_beside(text(response))
    assert errors["urssaf_certificate-issued_on"]
    assert errors["urssaf_certificate-security_code"].startswith("Indiquez le code de sécurité")
    assert errors["urssaf_certificate-file"].startswith("Format non accepté")
    # A valid form: the service names the future date, the code and the file together.
    future = (today() + timedelta(days=5)).isoformat()
    page = text(client.post(url, content_type="multipart/form-data", data={
        "urssaf_certificate-file": (io.BytesIO(not_a_pdf), "attestation.pdf"),
        "urssaf_certificate-issued_on": future, "urssaf_certificate-security_code": "12",
    }))
    errors = errors_beside(page)
    assert errors["urssaf_certificate-issued_on"] == "La date d'émission ne peut pas être dans le futur."
    assert errors["urssaf_certificate-security_code"].startswith("Le code de sécurité se compose")
    assert errors["urssaf_certificate-file"].startswith("Format non accepté")
    assert value_of(page, "urssaf_certificate-security_code") == "12"
    assert db_session.scalar(select(func.count()).select_from(Document)) == before


# --- money and accounts ----------------------------------------------------------------------------------


def test_a_bank_line_decision_names_unknown_numbers_beside_a_long_note(app, client, db_session):
    from marketplace.db import commit
    from marketplace.models.payments import BankLine
    from marketplace.services.payments import reconciliation

    admin = AdminFactory(email="treso-forms@om-partage.test")
    booked = today() - timedelta(days=2)
    with app.app_context():
        reconciliation.import_statement(db_session, "releve.csv", (
            f"Date;Libellé;Montant\n{booked:%d/%m/%Y};VIR INCONNU;15,00\n").encode(), admin)
        commit(db_session)
    line = db_session.scalar(select(BankLine).where(BankLine.status == "unmatched"))
    login(client, admin.email, PASSWORD)
    prefix = f"line-{line.id}"
    response = client.post(f"/admin/paiements/lignes/{line.id}/decision", data={
        f"{prefix}-action": "settle", f"{prefix}-numbers": "F99999-2026-00001", f"{prefix}-note": "n" * 2001})
    assert response.status_code == 422
    page = text(response)
    errors = errors_beside(page)
    assert errors[f"{prefix}-note"]  # the form's: too long
    assert errors[f"{prefix}-numbers"] == "Numéro inconnu : F99999-2026-00001"  # the service's judgement
    assert value_of(page, f"{prefix}-numbers") == "F99999-2026-00001"
    db_session.refresh(line)
    assert line.status == "unmatched"


def test_closing_an_account_names_the_password_and_the_company_box_at_once(client, director, db_session):
    page = text(client.post("/compte/fermeture", data={"close-password": "", "close-reason": "Nous arrêtons."}))
    errors = errors_beside(page)
    assert errors["close-password"]
    assert errors["close-close_company"].startswith("Vous êtes le dernier titulaire")
    assert textarea_of(page, "close-reason") == "Nous arrêtons."
    db_session.refresh(director)
    assert director.active


# --- bounds shared by every form ------------------------------------------------------------


def _all_form_classes() -> list[type[Form]]:
    for module in pkgutil.walk_packages(marketplace.web.__path__, "marketplace.web."):
        importlib.import_module(module.name)
    found, queue = [], list(Form.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("marketplace."):
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def _text_fields(cls: type[Form]):
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if type(unbound).__name__ == "UnboundField" and issubclass(unbound.field_class, StringField):
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            yield name, unbound, validators


# Fields whose length is bounded elsewhere: none today (the CSRF token is not declared on the classes).
NO_LENGTH_NEEDED: set[tuple[str, str]] = set()


@pytest.mark.parametrize("form_class", _all_form_classes(), ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__qualname__}")
def test_every_text_field_of_every_form_has_a_maximum_length(form_class):
    for name, unbound, validators in _text_fields(form_class):
        if (form_class.__qualname__, name) in NO_LENGTH_NEEDED:
            continue
        if unbound.field_class.__name__ == "PhoneField":
            continue  # bounds itself (MAX_PHONE_CHARS)
        assert any(isinstance(v, Length) and v.max and v.max > 0 for v in validators), (
            f"{form_class.__module__}.{form_class.__qualname__}.{name} has no Length(max=…)")


def test_the_maximum_length_reaches_the_browser_as_maxlength(client):
    page = text(client.get("/compte/inscription/entreprise"))
    assert re.search(r'<input[^>]*name="company_name"[^>]*maxlength="200"', page) or re.search(
        r'<input[^>]*maxlength="200"[^>]*name="company_name"', page)
    assert re.search(r'name="phone"', page) and 'maxlength="32"' in page


def test_a_long_decline_message_is_refused_and_user_text_wraps(client, director, db_session):
    mission = MissionFactory(company=director.company, status="published")
    application = Application(mission_id=mission.id, freelancer_id=FreelancerProfileFactory().id,
                              source="applied", status="applied", note="Bonjour", offered_weekdays=["tue"])
    db_session.add(application)
    db_session.commit()
    page = text(client.post(f"/entreprise/candidatures/{application.id}/decliner", data={"message": "x" * 5000}))
    assert errors_beside(page)["message"] == "2 000 caractères au plus."
    db_session.refresh(application)
    assert application.status == "applied"
    css = (Path(marketplace.web.__file__).parents[1] / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\.user-text[^{]*\{[^}]*white-space: pre-line;[^}]*overflow-wrap: anywhere", css)


def test_the_freelancer_reads_the_missions_line_breaks(client, om, db_session):
    mission = MissionFactory(description="Contexte : 25 personnes.\nEnjeux : l'onboarding.\n\nCe que nous attendons : autonomie.")
    db_session.commit()
    page = client.get(f"/freelance/missions/{mission.id}").get_data(as_text=True)
    assert re.search(r'<p class="user-text">Contexte : 25 personnes.\nEnjeux', page)
