"""Activity report (CRA) and invoice pages, as each side sees them: fill and send, approve or dispute, invoices
and their PDF, contest, the console's credit notes, corrections and billing runs, and who may open what."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace.db import commit, today
from marketplace.errors import DomainError
from marketplace.formatting import date_fr, money, month_fr
from marketplace.models.billing import BillingRun, Invoice
from marketplace.models.timesheets import Timesheet, TimesheetStatus
from marketplace.platform import jobs
from marketplace.services.billing import issuing
from marketplace.services.timesheets import month as months
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)

NOVEMBER = date(2026, 11, 1)
# Tuesdays and Thursdays of November 2026 (the contract's days; the 11th, a Wednesday, is a public holiday).
TUE_THU = [date(2026, 11, d) for d in (3, 5, 10, 12, 17, 19, 24, 26)]
SME_CRA, OM_CRA = "/entreprise/cra", "/freelance/cra"
SME_INVOICES, OM_INVOICES = "/entreprise/factures", "/freelance/factures"


# --- fixtures and helpers -----------------------------------------------------------------------------


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@client.test", first_name="Claire", last_name="Martin")


@pytest.fixture()
def contract(db_session, owner):
    profile = FreelancerProfileFactory(user__first_name="Inès", user__last_name="Roux", business_name="Inès Roux",
                                       user__email="ines@om.test")
    return ContractFactory(mission=MissionFactory(company=owner.company), freelancer=profile,
                           start_date=date(2026, 9, 1), daily_rate_cents=45_000)


@pytest.fixture()
def services(app):
    """Service calls made by the test itself run in an app context popped before any request (no shared ``g``)."""
    return app.app_context


@pytest.fixture()
def run_jobs(monkeypatch, services, db_session):
    """Jobs wait for the test, which runs them outside any request (the tests' sessions share one connection)."""
    pending: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: pending.append(intent_id))

    def run() -> None:
        with services():
            while pending:
                jobs.run_intent(pending.pop(0))
        db_session.expire_all()

    return run


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def as_user(client, user):
    client.post("/compte/deconnexion")
    assert login(client, user.email, PASSWORD).status_code == 200
    return client


def plain(page: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def error_beside(page: str, field_id: str) -> str:
    """The messages shown under a field (its ``<div id="…-error">``)."""
    found = re.search(rf'<div id="{field_id}-error"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def selected(page: str, day: date) -> str:
    """The value selected in a date's select of the calendar ('' when none)."""
    select_html = re.search(rf'<select[^>]*name="day-{day.isoformat()}"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.search(r'<option selected value="([^"]*)"', select_html)
    return found.group(1) if found else ""


def calendar_form(days: dict[date, str], comment: str = "", action: str = "save") -> dict:
    return {**{f"day-{d.isoformat()}": v for d, v in days.items()}, "comment": comment, "action": action}


def opened(services, db_session, contract, month=NOVEMBER) -> Timesheet:
    with services():
        return reports.open_month(db_session, contract, month)


def submitted(services, db_session, contract, days=TUE_THU, month=NOVEMBER) -> Timesheet:
    with services():
        timesheet = reports.open_month(db_session, contract, month)
        reports.save(db_session, timesheet, contract.freelancer.user, [Declared(d, 2) for d in days])
        reports.submit(db_session, timesheet, contract.freelancer.user)
        return timesheet


def approved(services, db_session, contract, owner, **kwargs) -> Timesheet:
    timesheet = submitted(services, db_session, contract, **kwargs)
    with services():
        reports.approve(db_session, timesheet, owner)
    return timesheet


def issued(services, db_session, contract, day: date | None = None, month=NOVEMBER) -> issuing.Issued:
    day = day or today()
    with services():
        result = issuing.issue_month(db_session, contract, month, today=day,
                                     now=datetime.combine(day, datetime.min.time(), timezone.utc))
        commit(db_session)
    assert result.issued, result.skipped
    return result


# --- the freelancer fills the month ----------------------------------------------------------------------------


def test_the_freelancer_fills_the_calendar_errors_beside_it_nothing_typed_lost_then_sends(
        services, client, db_session, owner, contract, outbox):
    timesheet = opened(services, db_session, contract)
    url = f"{OM_CRA}/{timesheet.id}"
    as_user(client, contract.freelancer.user)
    page = text(client.get(url))
    assert "Compte rendu d'activité — novembre 2026" in page and "À remplir" in page
    assert 'name="day-2026-11-03"' in page and "prévu : journée" in page
    holiday = re.search(r'<select[^>]*name="day-2026-11-11"[^>]*>', page).group(0)
    assert "disabled" in holiday and "Armistice" in page  # shown, not declarable
    assert 'name="day-2026-11-07"' not in page  # a Saturday: greyed, no select
    assert "le contrat en prévoit au plus 8 jours ce mois-ci" in page
    assert "Enregistrer" in page and "Envoyer au client" in page

    # A public holiday (posted anyway) is refused beside the calendar; what was typed stays.
    refused = client.post(f"{url}/enregistrer", data=calendar_form(
        {date(2026, 11, 11): "2", date(2026, 11, 3): "2", date(2026, 11, 5): "1"}, comment="Un mois calme."))
    assert refused.status_code == 422
    page = text(refused)
    assert "Le 11/11/2026 est férié (Armistice)." in error_beside(page, "days")
    assert selected(page, date(2026, 11, 3)) == "2" and selected(page, date(2026, 11, 5)) == "1"
    assert "Un mois calme." in page
    # More than the contract allows: every weekday of the month, full days.
    every_weekday = [d.day for d in months.month_days(contract, NOVEMBER) if d.declarable]
    refused = client.post(f"{url}/enregistrer", data=calendar_form({d: "2" for d in every_weekday}))
    assert refused.status_code == 422
    assert "le contrat en prévoit au plus 8 ce mois-ci" in error_beside(text(refused), "days")
    assert selected(text(refused), date(2026, 11, 2)) == "2"
    assert timesheet.entries == []

    saved = client.post(f"{url}/enregistrer", follow_redirects=True, data=calendar_form(
        {**{d: "2" for d in TUE_THU}, TUE_THU[-1]: "1"}, comment="Le 26 au matin seulement."))
    page = text(saved)
    assert "Compte rendu enregistré : 7,5 jours." in page and selected(page, TUE_THU[-1]) == "1"
    assert "Total : 7,5 jours" in page
    sent = client.post(f"{url}/enregistrer", follow_redirects=True, data=calendar_form(
        {**{d: "2" for d in TUE_THU}, TUE_THU[-1]: "1"}, comment="Le 26 au matin seulement.", action="submit"))
    page = text(sent)
    assert f"Compte rendu de novembre 2026 envoyé à {owner.company.legal_name} (7,5 jours)" in page
    assert "Envoyé, en attente de validation" in page and 'name="day-2026-11-03"' not in page  # read-only now
    assert "demi-journée" in page and "Le 26 au matin seulement." in page
    assert timesheet.status == TimesheetStatus.SUBMITTED.value and timesheet.total_half_days == 15
    assert outbox.last_to(owner.email).subject.startswith("Compte rendu à valider")
    again = client.post(f"{url}/enregistrer", data=calendar_form({TUE_THU[0]: "2"}))
    assert again.status_code == 422 and "il ne se modifie plus" in text(again)
    assert f'href="/freelance/cra/{timesheet.id}"' in client.get(OM_CRA).get_data(as_text=True)


def test_nothing_ticked_cannot_be_sent_and_garbage_is_refused_beside_its_date(services, client, db_session, contract):
    timesheet = opened(services, db_session, contract)
    as_user(client, contract.freelancer.user)
    refused = client.post(f"{OM_CRA}/{timesheet.id}/enregistrer", data=calendar_form({}, action="submit"))
    assert refused.status_code == 422
    assert "Cochez au moins un jour travaillé" in error_beside(text(refused), "days")
    garbage = client.post(f"{OM_CRA}/{timesheet.id}/enregistrer", data=calendar_form({TUE_THU[0]: "9" * 30}))
    assert garbage.status_code == 422 and "Choisissez « journée », « demi-journée » ou rien." in text(garbage)
    assert timesheet.status == TimesheetStatus.DRAFT.value


def test_the_freelancer_opens_a_month_the_contract_ran_and_no_other(services, client, db_session, owner):
    last = months.previous_month(today())
    start = months.previous_month(months.previous_month(last))
    contract = ContractFactory(mission=MissionFactory(company=owner.company), start_date=start)
    other = ContractFactory(start_date=start)  # someone else's
    as_user(client, contract.freelancer.user)
    page = text(client.get(OM_CRA))
    assert "Ouvrir le compte rendu d'un mois" in page and f'value="{contract.id}"' in page
    assert f'value="{other.id}"' not in page and f'<option selected value="{last:%Y-%m}"' in page

    future = months.month_start(today() + timedelta(days=40))
    refused = client.post(f"{OM_CRA}/ouvrir", data={"contract": str(contract.id), "month": f"{future:%Y-%m}"})
    assert refused.status_code == 422 and "n'a pas commencé" in error_beside(text(refused), "month")
    before = months.previous_month(start)
    refused = client.post(f"{OM_CRA}/ouvrir", data={"contract": str(contract.id), "month": f"{before:%Y-%m}"})
    assert refused.status_code == 422 and "Ce contrat ne couvre pas" in error_beside(text(refused), "month")
    refused = client.post(f"{OM_CRA}/ouvrir", data={"contract": str(other.id), "month": f"{last:%Y-%m}"})
    assert refused.status_code == 422 and "Choisissez l'un de vos contrats." in error_beside(text(refused), "contract")
    refused = client.post(f"{OM_CRA}/ouvrir", data={"contract": "\x00", "month": "9" * 30})
    assert refused.status_code == 422

    done = client.post(f"{OM_CRA}/ouvrir", data={"contract": str(contract.id), "month": f"{last:%Y-%m}"})
    timesheet = db_session.scalar(select(Timesheet).where(Timesheet.contract_id == contract.id))
    assert done.status_code == 302 and done.headers["Location"] == f"{OM_CRA}/{timesheet.id}"
    assert timesheet.month == last and timesheet.status == TimesheetStatus.DRAFT.value
    again = client.post(f"{OM_CRA}/ouvrir", data={"contract": str(contract.id), "month": f"{last:%Y-%m}"})
    assert again.headers["Location"] == f"{OM_CRA}/{timesheet.id}"  # the same report, opened once


# --- the company answers ---------------------------------------------------------------------------------------


def test_the_sme_approves_one_report_then_all_and_each_refusal_is_said(
        services, client, db_session, owner, contract, monkeypatch):
    second = ContractFactory(mission=MissionFactory(company=owner.company, title="Accueil"), start_date=date(2026, 9, 1))
    third = ContractFactory(mission=MissionFactory(company=owner.company, title="Achats"), start_date=date(2026, 9, 1))
    first_report = submitted(services, db_session, contract)
    second_report = submitted(services, db_session, second)
    third_report = submitted(services, db_session, third)
    as_user(client, owner)
    page = text(client.get(SME_CRA))
    assert "Tout valider (3)" in page and page.index("À valider") < page.index("Tous les comptes rendus")

    one = client.post(f"{SME_CRA}/{first_report.id}/valider", data={"next": SME_CRA})
    assert one.status_code == 302 and one.headers["Location"] == SME_CRA
    page = text(client.get(SME_CRA))
    assert "Compte rendu de novembre 2026 validé (8 jours)" in page and "Tout valider (2)" in page
    assert first_report.status == TimesheetStatus.APPROVED.value

    real_approve = reports.approve

    def approve(session, timesheet, actor, **kwargs):
        if timesheet.id == third_report.id:
            raise DomainError("Ce compte rendu vient d'être modifié.")
        return real_approve(session, timesheet, actor, **kwargs)

    monkeypatch.setattr(reports, "approve", approve)
    ids = [str(first_report.id), str(second_report.id), str(third_report.id)]
    done = client.post(f"{SME_CRA}/tout-valider", data={"timesheet": ids}, follow_redirects=True)
    page = text(done)
    assert "1 compte rendu validé" in page
    assert f"Non validé — novembre 2026 — {third.title} : Ce compte rendu vient d'être modifié." in page
    assert second_report.status == TimesheetStatus.APPROVED.value
    assert third_report.status == TimesheetStatus.SUBMITTED.value
    nothing = client.post(f"{SME_CRA}/tout-valider", data={"timesheet": ["abc", "\x00"]}, follow_redirects=True)
    assert "Aucun compte rendu n'attend votre validation." in text(nothing)


def test_the_sme_disputes_with_a_comment_the_freelancer_reads_and_corrects(
        services, client, db_session, owner, contract):
    timesheet = submitted(services, db_session, contract)
    as_user(client, owner)
    page = text(client.get(f"{SME_CRA}/{timesheet.id}"))
    assert "Votre réponse" in page and "Valider" in page and "Contester" in page
    assert "sera validé automatiquement le" in page and 'name="day-' not in page
    refused = client.post(f"{SME_CRA}/{timesheet.id}/contester", data={"reason": "  "})
    assert refused.status_code == 422
    assert error_beside(text(refused), "dispute-reason").startswith("Dites au freelance ce qui ne va pas")
    done = client.post(f"{SME_CRA}/{timesheet.id}/contester", follow_redirects=True,
                       data={"reason": "Le 26, vous étiez en congé."})
    assert "Compte rendu renvoyé à Inès Roux" in text(done) and timesheet.status == TimesheetStatus.DISPUTED.value
    assert "Votre réponse" not in text(done)

    as_user(client, contract.freelancer.user)
    listing = text(client.get(OM_CRA))
    assert "Contesté : à corriger" in listing and "« Le 26, vous étiez en congé. »" in listing
    assert f'href="/freelance/cra/{timesheet.id}"' in client.get("/freelance/").get_data(as_text=True)
    page = text(client.get(f"{OM_CRA}/{timesheet.id}"))
    assert "Le 26, vous étiez en congé." in page and 'name="day-2026-11-03"' in page  # editable again
    resent = client.post(f"{OM_CRA}/{timesheet.id}/enregistrer", follow_redirects=True, data=calendar_form(
        {d: "2" for d in TUE_THU[:-1]}, action="submit"))
    assert "envoyé à" in text(resent) and timesheet.total_half_days == 14


# --- invoices ----------------------------------------------------------------------------------------------------


def test_both_sides_read_the_invoice_as_printed_and_download_its_pdf(
        services, run_jobs, client, db_session, owner, contract):
    approved(services, db_session, contract, owner)
    result = issued(services, db_session, contract)
    invoice, fee = result.invoice, result.fee_invoice
    as_user(client, owner)
    listing = text(client.get(SME_INVOICES))
    assert invoice.number in listing and fee.number not in listing
    assert "Reste à payer" in listing and money(invoice.total_ttc_cents) in listing
    assert '<svg class="spend-chart"' in listing and "novembre 2026 : 3\u202f600,00\u00a0€ HT" in listing
    page = text(client.get(f"{SME_INVOICES}/{invoice.id}"))
    assert f"Facture n° {invoice.number}" in page and "PDF en préparation" in page
    assert "Inès Roux EI" in page and owner.company.legal_name in page and "Entrepreneur individuel" in page
    assert "TVA non applicable, art. 293 B du CGI" in page and "8 jours" in page
    assert f"Total TTC</th><td class=\"num\">{money(invoice.total_ttc_cents)}" in page
    assert f"À payer : {money(invoice.total_ttc_cents)} TTC avant le {date_fr(invoice.due_date)}" in page
    assert client.get(f"{SME_INVOICES}/{fee.id}").status_code == 404  # the fee is the freelancer's business

    run_jobs()  # the PDFs
    db_session.refresh(invoice)
    page = text(client.get(f"{SME_INVOICES}/{invoice.id}"))
    assert f'href="/fichiers/{invoice.pdf_document_id}"' in page and "Télécharger le PDF" in page
    assert client.get(f"/fichiers/{invoice.pdf_document_id}").data.startswith(b"%PDF")
    dashboard = client.get("/entreprise/").get_data(as_text=True)
    assert f'href="/entreprise/factures/{invoice.id}"' in dashboard and '<svg class="spend-chart"' in dashboard

    as_user(client, contract.freelancer.user)
    listing = text(client.get(OM_INVOICES))
    assert listing.index(invoice.number) < listing.index("Factures de frais de la plateforme") < listing.index(fee.number)
    assert '<svg class="turnover-bar level-ok"' in listing and "37\u202f500\u00a0€" in listing
    assert "41\u202f250\u00a0€" in listing and "Franchise en base de TVA : 3\u202f600\u00a0€ sur 37\u202f500\u00a0€" in listing
    page = text(client.get(f"{OM_INVOICES}/{fee.id}"))
    assert "Facture de frais de service de la plateforme" in page and f"n° {invoice.number}" in page
    assert client.get(f"/fichiers/{invoice.pdf_document_id}").data.startswith(b"%PDF")
    dashboard = client.get("/freelance/").get_data(as_text=True)
    assert f'href="/freelance/factures/{invoice.id}"' in dashboard and f'href="/freelance/factures/{fee.id}"' in dashboard
    assert '<svg class="turnover-bar' in dashboard


def test_the_freelancer_contests_within_15_days_and_the_operator_answers(
        services, run_jobs, client, db_session, owner, contract):
    approved(services, db_session, contract, owner)
    invoice = issued(services, db_session, contract).invoice
    as_user(client, contract.freelancer.user)
    page = text(client.get(f"{OM_INVOICES}/{invoice.id}"))
    assert f"Vous pouvez contester cette facture jusqu'au {date_fr(today() + timedelta(days=15))}" in page
    refused = client.post(f"{OM_INVOICES}/{invoice.id}/contester", data={"reason": ""})
    assert refused.status_code == 422
    assert error_beside(text(refused), "contest-reason").startswith("Expliquez ce qui est inexact")
    done = client.post(f"{OM_INVOICES}/{invoice.id}/contester", follow_redirects=True,
                       data={"reason": "Mon adresse a changé."})
    page = text(done)
    assert "Contestation envoyée" in page and "« Mon adresse a changé. »" in page
    assert 'name="reason"' not in page and invoice.contested_at is not None

    admin = AdminFactory()
    as_user(client, admin)
    assert invoice.number in text(client.get("/admin/factures?contestees=1"))
    refused = client.post(f"/admin/factures/{invoice.id}/contestation", data={"resolution": "Vu.", "action": "zap"})
    assert refused.status_code == 422 and "Choisissez la suite donnée" in text(refused)
    decided = client.post(f"/admin/factures/{invoice.id}/contestation", follow_redirects=True,
                          data={"resolution": "L'adresse était à jour à l'émission.", "action": "reject"})
    assert "Contestation rejetée" in text(decided)
    assert invoice.number not in text(client.get("/admin/factures?contestees=1"))

    as_user(client, contract.freelancer.user)
    page = text(client.get(f"{OM_INVOICES}/{invoice.id}"))
    assert "Réponse de la plateforme" in page and "« L'adresse était à jour à l'émission. »" in page


def test_after_15_days_the_page_says_the_deadline_passed(services, client, db_session, owner, contract):
    approved(services, db_session, contract, owner)
    invoice = issued(services, db_session, contract, day=today() - timedelta(days=20)).invoice
    as_user(client, contract.freelancer.user)
    deadline = date_fr(today() - timedelta(days=5))
    assert f"Le délai de contestation a expiré le {deadline}" in text(client.get(f"{OM_INVOICES}/{invoice.id}"))
    late = client.post(f"{OM_INVOICES}/{invoice.id}/contester", data={"reason": "Trop tard ?"})
    assert late.status_code == 422 and f"a expiré le {deadline}" in text(late)
    assert invoice.contested_at is None


def test_the_operator_cancels_an_invoice_by_a_credit_note_both_sides_see_it(
        services, run_jobs, client, db_session, owner, contract):
    approved(services, db_session, contract, owner)
    invoice = issued(services, db_session, contract).invoice
    as_user(client, AdminFactory())
    page = text(client.get(f"/admin/factures/{invoice.id}"))
    assert "Émettre un avoir" in page and invoice.number in text(client.get("/admin/factures"))
    refused = client.post(f"/admin/factures/{invoice.id}/avoir", data={"reason": ""})
    assert refused.status_code == 422 and error_beside(text(refused), "credit-reason").startswith("Indiquez le motif")
    done = client.post(f"/admin/factures/{invoice.id}/avoir", data={"reason": "TJM erroné"})
    note = db_session.scalar(select(Invoice).where(Invoice.credited_invoice_id == invoice.id))
    assert done.headers["Location"] == f"/admin/factures/{note.id}"
    page = text(client.get(done.headers["Location"]))
    assert f"Avoir {note.number} émis" in page and f"Avoir n° {note.number}" in page
    assert f"n° {invoice.number}" in page and invoice.status == "cancelled"
    run_jobs()

    as_user(client, owner)
    page = plain(text(client.get(f"{SME_INVOICES}/{invoice.id}")))
    assert f"Cette facture est annulée par l'avoir n° {note.number}" in page and "Annulée par avoir" in page
    assert "Reste à payer" in text(client.get(SME_INVOICES)) and money(0) in text(client.get(SME_INVOICES))
    page = text(client.get(f"{SME_INVOICES}/{note.id}"))
    assert "Total TTC de l'avoir" in page and "Télécharger le PDF" in page


def test_the_operator_corrects_an_approved_report_by_a_new_version(
        services, run_jobs, client, db_session, owner, contract):
    timesheet = approved(services, db_session, contract, owner)
    invoice = issued(services, db_session, contract).invoice
    as_user(client, AdminFactory())
    listing = text(client.get("/admin/cra?statut=approved"))
    assert f'/admin/cra/{timesheet.id}"' in listing and "novembre 2026" in listing
    assert f'/admin/cra/{timesheet.id}"' not in text(client.get("/admin/cra?statut=submitted"))
    page = text(client.get(f"/admin/cra/{timesheet.id}"))
    assert "Corriger après validation" in page
    refused = client.post(f"/admin/cra/{timesheet.id}/corriger", data={"reason": ""})
    assert refused.status_code == 422 and "Indiquez le motif" in error_beside(text(refused), "correct-reason")
    done = client.post(f"/admin/cra/{timesheet.id}/corriger", data={"reason": "Un jour de trop déclaré"})
    new = reports.live(db_session, contract.id, NOVEMBER)
    assert done.headers["Location"] == f"/admin/cra/{new.id}" and new.version == 2
    page = text(client.get(done.headers["Location"]))
    assert "Compte rendu rouvert en version 2" in page and "« Un jour de trop déclaré »" in page
    assert "Historique des versions" in page and invoice.status == "cancelled"
    run_jobs()

    as_user(client, contract.freelancer.user)
    page = text(client.get(f"{OM_CRA}/{timesheet.id}"))
    assert "Cette version a été remplacée" in page and f'href="/freelance/cra/{new.id}"' in page
    assert 'name="day-2026-11-03"' in text(client.get(f"{OM_CRA}/{new.id}"))


def test_the_billing_runs_page_launches_a_month_and_says_why_contracts_were_skipped(
        services, run_jobs, client, db_session, owner):
    month = months.previous_month(today())
    start = months.previous_month(months.previous_month(month))
    ready = ContractFactory(mission=MissionFactory(company=owner.company, title="Prêt"), start_date=start)
    waiting = ContractFactory(mission=MissionFactory(company=owner.company, title="En attente"), start_date=start)
    planned = [d.day for d in months.month_days(ready, month) if d.declarable and d.planned_half_days][:2]
    approved(services, db_session, ready, owner, days=planned, month=month)
    submitted(services, db_session, waiting, days=planned, month=month)
    as_user(client, AdminFactory())
    page = text(client.get("/admin/facturation"))
    assert "Lancer la facturation du mois" in page and f'<option selected value="{month:%Y-%m}"' in page
    refused = client.post("/admin/facturation/lancer", data={"month": "2099-01"})
    assert refused.status_code == 422 and "Choisissez un mois terminé" in error_beside(text(refused), "month")
    launched = client.post("/admin/facturation/lancer", data={"month": f"{month:%Y-%m}"}, follow_redirects=True)
    assert f"Facturation de {month_fr(month)} lancée" in text(launched)
    run_jobs()
    page = plain(text(client.get("/admin/facturation")))
    assert month_fr(month).capitalize() in page and "1 émis" in page and "1 non facturés" in page
    assert "En attente" in page and "compte rendu en attente de validation" in page
    assert db_session.scalar(select(BillingRun).where(BillingRun.month == month)).status == "done"
    assert issuing.live_invoice(db_session, ready.id, month, "freelancer") is not None


# --- the menus and the dashboards -------------------------------------------------------------------------------


def test_the_menus_link_to_the_cra_and_invoices_and_empty_pages_say_what_comes(client, db_session, owner):
    as_user(client, owner)
    menu = client.get("/entreprise/").get_data(as_text=True)
    assert 'href="/entreprise/cra"' in menu and 'href="/entreprise/factures"' in menu
    assert "Aucun compte rendu n'attend votre validation." in text(client.get(SME_CRA))
    assert "Aucune facture pour l'instant" in text(client.get(SME_INVOICES))
    profile = FreelancerProfileFactory()
    as_user(client, profile.user)
    menu = client.get("/freelance/").get_data(as_text=True)
    assert 'href="/freelance/cra"' in menu and 'href="/freelance/factures"' in menu
    assert "Aucun contrat signé pour l'instant" in text(client.get(OM_CRA))
    assert "Aucune facture pour l'instant" in text(client.get(OM_INVOICES))
    as_user(client, AdminFactory())
    menu = client.get("/admin/").get_data(as_text=True)
    assert all(f'href="/admin/{path}"' in menu for path in ("cra", "factures", "facturation"))


def test_the_sme_dashboard_links_each_report(services, client, db_session, owner, contract):
    timesheet = submitted(services, db_session, contract)
    as_user(client, owner)
    page = text(client.get("/entreprise/"))
    assert f'href="/entreprise/cra/{timesheet.id}"' in page and "1 compte rendu attend votre validation." in page


# --- who may open what ---------------------------------------------------------------------------------------------


def billing_rules(app, prefix: str):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(f"{prefix}.")
            and ({"timesheet_id", "invoice_id"} & r.arguments)]


def fill(rule, timesheet: Timesheet, invoice: Invoice) -> str:
    return (rule.rule.replace("<int:timesheet_id>", str(timesheet.id))
            .replace("<int:invoice_id>", str(invoice.id)))


@pytest.mark.parametrize("side", ["sme", "freelancer"])
def test_every_cra_and_invoice_url_is_404_elsewhere_and_a_redirect_for_the_other_role_or_nobody(
        services, app, client, db_session, owner, contract, side):
    timesheet = submitted(services, db_session, contract)
    with services():
        reports.approve(db_session, timesheet, owner)
    invoice = issued(services, db_session, contract).invoice
    later = submitted(services, db_session, contract, days=[date(2026, 12, 1)], month=date(2026, 12, 1))
    rules = billing_rules(app, side)
    assert len(rules) >= 4
    stranger = SmeUserFactory() if side == "sme" else FreelancerProfileFactory().user
    other_role = contract.freelancer.user if side == "sme" else owner
    admin = AdminFactory()
    for rule in rules:
        url = fill(rule, later, invoice)
        for method in sorted(rule.methods & {"GET", "POST"}):
            client.post("/compte/deconnexion")
            anonymous = client.open(url, method=method)
            assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"], url
            as_user(client, stranger)
            assert client.open(url, method=method, data={"reason": "x"}).status_code == 404, (method, url)
            for user in (other_role, admin):
                as_user(client, user)
                elsewhere = client.open(url, method=method, data={"reason": "x"})
                assert elsewhere.status_code == 302 and "/compte/connexion" not in elsewhere.headers["Location"], url
    db_session.refresh(later)
    db_session.refresh(invoice)
    assert later.status == TimesheetStatus.SUBMITTED.value and invoice.contested_at is None


def test_the_console_pages_are_for_operators_and_they_read_every_report_and_invoice(
        services, app, client, db_session, owner, contract):
    timesheet = approved(services, db_session, contract, owner)
    invoice = issued(services, db_session, contract).invoice
    rules = billing_rules(app, "admin")
    assert {r.endpoint for r in rules} >= {"admin.timesheet", "admin.timesheet_correct", "admin.invoice",
                                           "admin.invoice_credit", "admin.invoice_resolve"}
    for rule in rules:
        url = fill(rule, timesheet, invoice)
        method = "GET" if "GET" in rule.methods else "POST"
        client.post("/compte/deconnexion")
        assert "/compte/connexion" in client.open(url, method=method).headers["Location"]
        for user in (owner, contract.freelancer.user):
            as_user(client, user)
            assert client.open(url, method=method, data={"reason": "x"}).status_code == 302, url
    as_user(client, AdminFactory())
    for url in (f"/admin/cra/{timesheet.id}", f"/admin/factures/{invoice.id}", "/admin/cra", "/admin/factures",
                "/admin/facturation", "/admin/factures?mois=%00&statut=zz&contestees=9", "/admin/cra?statut=%00"):
        assert client.get(url).status_code == 200, url
    assert invoice.status == "issued" and timesheet.replaced_at is None
