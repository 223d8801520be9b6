"""The console's « Paiements » pages: aged balance, bank lines to decide, payouts to send, statements, DAC7."""

from __future__ import annotations

import html
import io
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.db import commit, today
from marketplace.errors import DomainError
from marketplace.formatting import money
from marketplace.models.billing import Invoice
from marketplace.models.payments import BankLine, BankStatement, Payout
from marketplace.services.payments import collecting, reconciliation
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    FreelancerProfileFactory,
    SmeUserFactory,
)
from tests.payments.invoicing import issued_invoice

PAGE, STATEMENTS, DAC7 = "/admin/paiements", "/admin/paiements/releves", "/admin/paiements/dac7"


@pytest.fixture()
def services(app):
    """Service calls made by the test itself, in an app context popped before any request."""
    return app.app_context


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="compta@client.test")


@pytest.fixture()
def admin(client, db_session):
    user = AdminFactory(email="tresorerie@plateforme.test")
    login(client, user.email, PASSWORD)
    return user


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, content: bytes, name: str = "releve.csv"):
    return client.post(STATEMENTS, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
                       follow_redirects=True)


def csv_paying(invoice: Invoice, *extra: str) -> bytes:
    whole, cents = divmod(invoice.total_ttc_cents, 100)
    rows = ["Date;Libellé;Référence;Montant", f"03/12/2026;VIR SEPA RECU;{invoice.number};{whole},{cents:02d}", *extra]
    return "\n".join(rows).encode("cp1252")


def test_only_operators_reach_the_payment_pages(client, db_session):
    for url in (PAGE, STATEMENTS, f"{DAC7}?annee=2026"):
        assert client.get(url).status_code == 302  # to the log-in form
    sme = SmeUserFactory(email="pme@client.test")
    om = FreelancerProfileFactory(user__email="om@freelance.test")
    for email in (sme.email, om.user.email):
        other = client.application.test_client()
        login(other, email, PASSWORD)
        for url in (PAGE, STATEMENTS, f"{DAC7}?annee=2026"):
            assert other.get(url).status_code == 302, (email, url)
        assert upload(other, b"Date;Montant\n03/12/2026;1,00\n").request.path != STATEMENTS
    assert not db_session.scalars(select(BankStatement)).all()


def test_an_uploaded_statement_is_matched_and_a_second_upload_changes_nothing(
        services, client, db_session, owner, admin):
    with services():
        invoice = issued_invoice(db_session, owner)
    content = csv_paying(invoice, "04/12/2026;VIR SEPA RECU /DE INCONNU;;80,00")

    page = text_of(upload(client, content, "Relevé décembre.csv"))
    assert "1 virement rapproché, 1 ligne à traiter" in page
    assert "Relevé décembre.csv" in page and "1 rapprochées · 1 à traiter" in page
    db_session.refresh(invoice)
    assert invoice.status == "paid"

    again = text_of(upload(client, content, "copie.txt"))
    assert "déjà été importé" in again
    assert len(db_session.scalars(select(BankStatement)).all()) == 1 and len(db_session.scalars(select(BankLine)).all()) == 2


def test_a_statement_upload_is_bounded_and_judged_by_its_bytes(client, db_session, admin, monkeypatch):
    from marketplace.platform.pdf import simple_pdf

    response = upload(client, simple_pdf(["Relevé de compte"]), "releve.csv")
    assert response.status_code == 422 and "Format non reconnu" in text_of(response)

    rows = b"Date;Libell\xe9;Montant\n" + b"03/12/2026;VIR SEPA;1,00\n" * 2_000
    with pytest.raises(DomainError, match="2 Mo au plus"):  # the real bound, read before it fills memory
        reconciliation.read_upload(io.BytesIO(rows * 60))
    # Through the page (a smaller bound: the test client leaks its temporary file for bodies over 500 kB).
    monkeypatch.setattr(reconciliation, "MAX_STATEMENT_BYTES", 10_000)
    response = upload(client, rows, "releve.csv")
    assert response.status_code == 422 and "dépasse la taille autorisée" in text_of(response)

    hostile = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    response = upload(client, hostile, "camt.xml")
    assert response.status_code == 422 and "DTD" in text_of(response)

    response = client.post(STATEMENTS, data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choisissez un fichier." in text_of(response)
    assert not db_session.scalars(select(BankStatement)).all()


def test_the_operator_decides_unmatched_lines_from_the_page(services, client, db_session, owner, admin):
    with services():
        invoice = issued_invoice(db_session, owner)
        whole, cents = divmod(invoice.total_ttc_cents, 100)
        reconciliation.import_statement(db_session, "r.csv", (
            "Date;Libellé;Montant\n"
            f"05/12/2026;VIREMENT PME CLIENT;{whole},{cents:02d}\n"
            "06/12/2026;VIR INCONNU;15,00\n").encode(), admin)
        commit(db_session)
    transfer, stray = db_session.scalars(select(BankLine).order_by(BankLine.booking_date)).all()

    page = text_of(client.get(PAGE))
    assert "Aucun numéro de facture" in page and "VIREMENT PME CLIENT" in page

    url = f"{PAGE}/lignes/{stray.id}/decision"
    response = client.post(url, data={f"line-{stray.id}-action": "ignore", f"line-{stray.id}-note": ""})
    assert response.status_code == 422 and "Indiquez pourquoi cette ligne est ignorée." in text_of(response)
    response = client.post(url, data={f"line-{stray.id}-action": "ignore",
                                      f"line-{stray.id}-note": "Dépôt de garantie remboursé hors plateforme."})
    assert response.status_code == 302

    url = f"{PAGE}/lignes/{transfer.id}/decision"
    response = client.post(url, data={f"line-{transfer.id}-action": "settle", f"line-{transfer.id}-numbers": "F1"})
    assert response.status_code == 422 and "par exemple F00012-2026-00007" in text_of(response)
    response = client.post(url, data={f"line-{transfer.id}-action": "settle",
                                      f"line-{transfer.id}-numbers": invoice.number}, follow_redirects=True)
    assert "Virement rapproché" in text_of(response)
    db_session.refresh(transfer)
    db_session.refresh(stray)
    db_session.refresh(invoice)
    assert (transfer.status, stray.status, invoice.status) == ("manual", "ignored", "paid")
    assert "Aucun virement en attente de décision." in text_of(client.get(PAGE))
    # Deciding again is refused, not applied twice.
    response = client.post(url, data={f"line-{transfer.id}-action": "ignore", f"line-{transfer.id}-note": "x"},
                           follow_redirects=True)
    assert "déjà été traitée" in text_of(response)
    db_session.refresh(transfer)
    assert transfer.status == "manual"


def test_the_operator_marks_a_payout_as_sent_and_reads_the_aged_balance(services, client, db_session, owner, admin):
    with services():
        late = issued_invoice(db_session, owner, month=date(2026, 9, 1))  # due in November: late on 1 December
        paid = issued_invoice(db_session, owner)
        collecting.record_transfer(db_session, [paid], paid.total_ttc_cents, paid.number)
        commit(db_session)
    payout = db_session.scalar(select(Payout).where(Payout.invoice_id == paid.id))

    page = text_of(client.get(PAGE))
    assert "Balance âgée" in page and money(late.total_ttc_cents) in page
    assert paid.number in page and money(payout.amount_cents) in page

    url = f"{PAGE}/versements/{payout.id}/vire"
    response = client.post(url, data={f"payout-{payout.id}-reference": ""})
    assert response.status_code == 422 and "Indiquez la référence du virement." in text_of(response)
    response = client.post(url, data={f"payout-{payout.id}-reference": "VIR-2026-12-001"}, follow_redirects=True)
    assert "VIR-2026-12-001" in text_of(response)
    db_session.refresh(payout)
    assert payout.status == "sent" and payout.provider_ref == "VIR-2026-12-001"
    assert "Aucun versement en attente." in text_of(client.get(PAGE))


def test_the_dac7_csv_downloads_for_a_year(services, client, db_session, owner, admin):
    with services():
        invoice = issued_invoice(db_session, owner)
        collecting.record_transfer(db_session, [invoice], invoice.total_ttc_cents, invoice.number)
        commit(db_session)
    response = client.get(f"{DAC7}?annee=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=dac7-2026.csv"
    body = response.get_data().decode("utf-8-sig")
    assert body.startswith("Identifiant vendeur;Nom;") and str(invoice.freelancer_id) in body
    garbage = client.get(f"{DAC7}?annee=99999999999999999999")
    assert garbage.status_code == 200 and f"dac7-{today().year - 1}.csv" in garbage.headers["Content-Disposition"]
