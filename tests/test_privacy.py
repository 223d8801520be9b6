"""Personal data: closure and erasure with what the law keeps, the retention purge, the export and its link."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from marketplace.db import Base, commit, today, utcnow
from marketplace.domain import WeekSlots
from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice, InvoiceStatus
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.documents import Document
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.missions import Mission, MissionStatus
from marketplace.models.outbox import JobIntent
from marketplace.models.privacy import (
    AccountClosure,
    ClosureScope,
    ClosureStatus,
    DataExport,
    ExportStatus,
    RetainedKind,
    RetentionRecord,
)
from marketplace.models.timesheets import Timesheet
from marketplace.models.users import CompanyRole, User
from marketplace.models.vetting import ReferenceRequest
from marketplace.platform import jobs, storage
from marketplace.services.accounts import operations as accounts
from marketplace.services.billing import issuing
from marketplace.services.contracts import negotiation, signing
from marketplace.services.missions import hiring
from marketplace.services.privacy import closures, erasure, exports, purge, rules
from marketplace.services.privacy import queries as privacy_queries
from marketplace.services.timesheets import reports
from marketplace.services.timesheets.reports import Declared
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ApplicationFactory,
    ContractFactory,
    ExperienceEntryFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
    sample_pdf,
    upload_document,
    upload_valid_documents,
)

NOVEMBER = date(2026, 11, 1)
MON_WED = [date(2026, 11, d) for d in (2, 4, 9, 16, 18, 23, 25, 30)]


def _session():
    from tests import factories

    return factories.CURRENT_SESSION


# --- a freelancer with a signed contract, a report and an invoice ------------------------------------


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@boreal.test", first_name="Claire", last_name="Martin")


@pytest.fixture()
def ines(app, db_session):
    """A vetted freelancer free all week, with references, a dated position and her documents on file."""
    with app.app_context():
        return _ines()


def _ines():
    profile = FreelancerProfileFactory(
        user__email="ines.roux@om.test", user__first_name="Inès", user__last_name="Roux", user__phone="0611223344",
        business_name="Inès Roux", bio="Office manager indépendante, j'ai réorganisé les achats de Maison Véga.",
        headline="Office manager, achats et services généraux",
    )
    profile.available_slots = WeekSlots.from_days(["mon", "tue", "wed", "thu", "fri"]).bits
    profile.mandate_ip = "203.0.113.50"
    ExperienceEntryFactory(profile=profile, organisation="Maison Véga")
    upload_valid_documents(profile)
    _session().commit()
    return profile


def signed_contract(db_session, owner, profile) -> Contract:
    """Hired through the real operations, both versions accepted, signed by both: sealed PDF on file."""
    mission = MissionFactory(company=owner.company, weekdays=["tue", "thu"], half_days_per_week=4)
    application = ApplicationFactory(mission=mission, freelancer=profile, offered_weekdays=["tue", "thu"])
    hiring.accept(db_session, application, owner)
    commit(db_session)
    contract = db_session.scalar(select(Contract).where(Contract.application_id == application.id))
    number = contract.latest_version.number
    for actor, party in ((owner, "sme"), (profile.user, "freelancer")):
        if contract.latest_version.accepted_by(party) is None:
            negotiation.accept(db_session, contract, actor, number)
    commit(db_session)
    db_session.refresh(contract)
    for actor in (profile.user, owner):
        version = signing.awaiting_signature(contract)
        signing.sign(db_session, contract, actor, signing.SignatureData(
            full_name=f"{actor.first_name} {actor.last_name}", read_and_approved=True,
            document_hash=version.document_hash, ip_address="203.0.113.9", user_agent="Mozilla/5.0 (tests)"))
        commit(db_session)
        db_session.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE.value and contract.document_id is not None
    return contract


def invoiced_contract(db_session, owner, profile) -> tuple[Contract, Invoice]:
    """A contract since September, November declared, approved and invoiced (PDF rendered after the commit)."""
    contract = ContractFactory(mission=MissionFactory(company=owner.company), freelancer=profile,
                               start_date=date(2026, 9, 1), weekdays=["mon", "wed"], daily_rate_cents=45_000)
    timesheet = reports.open_month(db_session, contract, NOVEMBER)
    reports.save(db_session, timesheet, profile.user, [Declared(d, 2) for d in MON_WED])
    reports.submit(db_session, timesheet, profile.user)
    reports.approve(db_session, timesheet, owner)
    invoice = issuing.issue_month(db_session, contract, NOVEMBER, today=date(2026, 12, 2),
                                  now=datetime(2026, 12, 2, 9, tzinfo=UTC)).invoice
    commit(db_session)
    db_session.refresh(invoice)
    assert invoice.pdf_document_id is not None
    return contract, invoice


def end(db_session, *contracts: Contract) -> None:
    for contract in contracts:
        contract.status = ContractStatus.ENDED.value
        contract.ended_at = utcnow()
        for booking in contract.bookings:
            booking.active = False
    commit(db_session)


def answered_request(profile) -> ReferenceRequest:
    reference = profile.references[0]
    request = ReferenceRequest(reference_id=reference.id, profile_id=profile.id, token_hash="f" * 64,
                               status="answered", sent_to=reference.email, expires_at=utcnow() + timedelta(days=14),
                               answered_at=utcnow(), answered_ip="192.0.2.44", answers={"fiabilite": 5},
                               comment="Inès Roux a tenu tous ses délais.")
    _session().add(request)
    _session().commit()
    return request


def every_value(db_session):
    """(table, column, text) of every non-empty value in the database."""
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None or value == "" or isinstance(value, int | float | bool):
                    continue
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                elif isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                yield table.name, column, str(value)


# What the law keeps, with the person's identity in it: the invoice's frozen parties, notes and XML,
# the signatures of the contract and its versions' content, the proof of the billing mandate.
KEPT_COLUMNS = {("invoices", "seller"), ("invoices", "buyer"), ("invoices", "notes"), ("invoices", "cii_xml"),
                ("contract_signatures", "signer_name"), ("contract_signatures", "ip_address"),
                ("contract_versions", "content"), ("freelancer_profiles", "mandate_ip")}


def test_a_freelancer_closes_and_after_the_grace_period_only_what_the_law_keeps_remains(
        app, db_session, client, owner, ines, outbox):
    with app.app_context():
        contract, invoice, closure, before = _close_and_erase(db_session, owner, ines, outbox)
    user, documents, copies, needles = before["user"], before["documents"], before["copies"], before["needles"]
    seller_before, pdf_before, sealed, sealed_before = (
        before["seller"], before["pdf"], before["sealed"], before["sealed_bytes"])
    assert closure.status == ClosureStatus.ERASED.value and closure.reason is None

    # The person's fields are gone from every table, except inside what the law keeps.
    leaks = sorted({(t, c, n) for t, c, value in every_value(db_session) for n in needles
                    if n and n in value and (t, c) not in KEPT_COLUMNS})
    assert leaks == [], leaks
    user = db_session.get(User, user.id)
    assert user.erased_at is not None and not user.active and user.phone is None
    profile = db_session.get(FreelancerProfile, ines.id)
    assert profile.iban is None and profile.siret is None and profile.bio == "" and not profile.references
    assert profile.experiences == [] and not profile.is_matchable
    # Deleted files are gone from the storage folder, the kept ones are still there; no e-mail copy remains.
    kept_ids = {d.id for d in db_session.scalars(select(Document).where(Document.profile_id == ines.id))}
    assert kept_ids and kept_ids < set(documents)
    assert all(path.exists() == (doc_id in kept_ids) for doc_id, path in documents.items())
    assert not any(os.path.exists(p) for p in copies)

    # Every kept record says until when.
    kept = {(r.kind, r.subject_type, r.subject_id): r.retain_until for r in db_session.scalars(select(RetentionRecord))}
    assert kept[("invoice", "Invoice", invoice.id)] == date(2036, 12, 31)
    assert kept[("timesheet", "Timesheet", invoice.timesheet_id)] == date(2036, 12, 31)
    assert kept[("contract", "Contract", contract.id)] == contract.ended_at.date().replace(year=2036)
    assert kept[("signed_document", "Document", contract.document_id)] >= date(2036, 1, 1)
    assert kept[("vigilance_certificate", "Document", contract.vigilance_document_id)].year == 2031
    assert ("billing_mandate", "FreelancerProfile", ines.id) in kept
    assert kept_ids == {doc_id for kind, subject, doc_id in kept if subject == "Document"}
    assert privacy_queries.retained_until(db_session, invoice) == date(2036, 12, 31)

    # The SME still reads the invoice with its legal mentions, and both PDFs, byte for byte.
    invoice = db_session.get(Invoice, invoice.id)
    assert invoice.seller == seller_before
    assert login(client, owner.email, PASSWORD).status_code == 200
    page = client.get(f"/entreprise/factures/{invoice.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert seller_before["name"] in html and seller_before["siret"] in html and invoice.number in html
    assert client.get(f"/fichiers/{invoice.pdf_document_id}").data == pdf_before
    assert client.get(f"/fichiers/{sealed.id}").data == sealed_before
    assert hashlib.sha256(sealed_before).hexdigest() == sealed.sha256

    # The erased account never logs in again, whatever it tries.
    client.post("/compte/deconnexion")
    assert "Adresse e-mail ou mot de passe incorrect." in login(client, "ines.roux@om.test", PASSWORD).get_data(
        as_text=True)
    assert "Adresse e-mail ou mot de passe incorrect." in login(client, user.email, PASSWORD).get_data(as_text=True)
    assert client.get("/freelance/").status_code == 302


def _close_and_erase(db_session, owner, ines, outbox):
    """Everything a freelancer leaves behind, then the closure and the erasure once the grace period is over."""
    user = ines.user
    contract = signed_contract(db_session, owner, ines)
    billed, invoice = invoiced_contract(db_session, owner, ines)
    end(db_session, contract, billed)
    invoice.status = InvoiceStatus.PAID.value
    answered_request(ines)
    accounts.authenticate(db_session, user.email, PASSWORD, ip_address="198.51.100.7")
    commit(db_session)
    needles = {user.email, "Inès Roux", "0611223344", ines.iban, ines.siret, ines.bio, "Maison Véga",
               ines.references[0].email, ines.references[1].name, "192.0.2.44", "198.51.100.7", "203.0.113.50"}
    seller_before, pdf_before = dict(invoice.seller), storage.read(invoice.pdf_document)
    sealed = db_session.get(Document, contract.document_id)
    sealed_before = storage.read(sealed)
    documents = {d.id: storage.path_of(d) for d in db_session.scalars(
        select(Document).where(Document.profile_id == ines.id))}
    copies = [m.outbox_path for m in outbox.messages() if m.to_address == user.email and m.outbox_path]
    assert copies and all(os.path.exists(p) for p in copies)

    closure = closures.request_closure(db_session, user, password=PASSWORD, reason="Je reprends un poste salarié.")
    commit(db_session)
    assert closure.erase_after - closure.requested_at == timedelta(days=30)
    assert not ines.is_matchable and ines.matching_suspended_reason == rules.CLOSING_REASON
    assert outbox.last_to(user.email).subject == "Fermeture de votre compte programmée"
    # Not before the end of the grace period.
    assert erasure.erase(db_session, closure.id, now=closure.erase_after - timedelta(minutes=1)).status == "pending"

    erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(minutes=1))
    commit(db_session)
    before = {"user": user, "documents": documents, "copies": copies, "needles": needles, "seller": seller_before,
              "pdf": pdf_before, "sealed": sealed, "sealed_bytes": sealed_before}
    return contract, invoice, db_session.get(AccountClosure, closure.id), before


def test_closing_is_refused_with_a_wrong_password_or_a_running_contract(app_ctx, db_session, owner, ines):
    with pytest.raises(DomainError) as wrong:
        closures.request_closure(db_session, ines.user, password="pas le bon mot de passe")
    assert wrong.value.field == "password"
    contract = signed_contract(db_session, owner, ines)
    with pytest.raises(DomainError, match="contrats en cours"):
        closures.request_closure(db_session, ines.user, password=PASSWORD)
    end(db_session, contract)
    closure = closures.request_closure(db_session, ines.user, password=PASSWORD)
    with pytest.raises(DomainError, match="déjà programmée"):
        closures.request_closure(db_session, ines.user, password=PASSWORD)
    with pytest.raises(DomainError):
        closures.request_closure(db_session, AdminFactory(), password=PASSWORD)
    assert closure.status == "pending"


def test_logging_in_within_the_grace_period_offers_to_cancel_and_cancelling_keeps_everything(
        app, client, db_session, freelancer):
    assert login(client, freelancer.user.email, PASSWORD).status_code == 200
    page = client.get("/compte/parametres").get_data(as_text=True)
    assert "Fermer mon compte" in page and "export de mes données" in page
    response = client.post("/compte/fermeture", data={"close-password": PASSWORD, "close-reason": "Pause"})
    assert response.status_code == 302
    assert client.get("/compte/parametres").status_code == 302  # logged out everywhere
    closure = db_session.scalar(select(AccountClosure).where(AccountClosure.user_id == freelancer.user_id))
    assert closure.status == "pending" and not freelancer.is_matchable

    landing = login(client, freelancer.user.email, PASSWORD)
    html = landing.get_data(as_text=True)
    assert landing.request.path == "/compte/parametres"
    assert "Annuler la fermeture" in html and closure.erase_after.strftime("%d/%m/%Y") in html
    assert client.post("/compte/fermeture/annuler").status_code == 302
    db_session.refresh(closure)
    db_session.refresh(freelancer)
    assert closure.status == "cancelled" and freelancer.is_matchable
    with app.app_context():
        assert erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(days=1)).status == "cancelled"
    assert freelancer.user.erased_at is None


def test_a_wrong_password_on_the_closure_form_is_shown_beside_the_field(client, db_session, freelancer):
    login(client, freelancer.user.email, PASSWORD)
    response = client.post("/compte/fermeture", data={"close-password": "mauvais mot de passe"})
    assert response.status_code == 422
    assert "Mot de passe incorrect." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(AccountClosure.id))) == 0


def test_an_unpaid_invoice_holds_the_erasure_and_the_operator_resumes_it_once_paid(
        app, client, db_session, owner, ines, outbox):
    with app.app_context():
        billed, invoice = invoiced_contract(db_session, owner, ines)
        end(db_session, billed)
        closure = closures.request_closure(db_session, ines.user, password=PASSWORD)
        commit(db_session)
        erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(minutes=1))
        commit(db_session)
    assert closure.status == "held" and invoice.number in closure.hold_reason and closure.held_by_id is None
    assert ines.user.erased_at is None and ines.iban

    admin = AdminFactory(email="ops@example.test")
    login(client, admin.email, PASSWORD)
    page = client.get("/admin/confidentialite").get_data(as_text=True)
    assert "Registre des traitements" in page and invoice.number in page and "Reprendre" in page
    invoice.status = InvoiceStatus.PAID.value
    closure.erase_after = utcnow() - timedelta(minutes=1)
    commit(db_session)
    assert client.post(f"/admin/confidentialite/fermetures/{closure.id}/reprendre").status_code == 302
    db_session.expire_all()
    closure = db_session.get(AccountClosure, closure.id)
    assert closure.status == "erased"  # the erasure job ran after the commit
    assert db_session.get(User, ines.user_id).erased_at is not None


def test_the_operator_holds_a_programmed_erasure_with_a_reason(app, client, db_session, freelancer):
    with app.app_context():
        closure = closures.request_closure(db_session, freelancer.user, password=PASSWORD)
        commit(db_session)
    admin = AdminFactory(email="ops@example.test")
    login(client, admin.email, PASSWORD)
    url = f"/admin/confidentialite/fermetures/{closure.id}/suspendre"
    client.post(url, data={"reason": ""})
    db_session.refresh(closure)
    assert closure.status == "pending"  # a hold needs its reason
    client.post(url, data={"reason": "Litige en cours sur le contrat n° 12"})
    db_session.refresh(closure)
    assert closure.status == "held" and closure.hold_reason == "Litige en cours sur le contrat n° 12"
    assert closure.held_by_id == admin.id
    with app.app_context():
        assert erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(days=1)).status == "held"
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "privacy.erasure_held"))
    assert entry.actor_id == admin.id and entry.reason == closure.hold_reason


# --- SME accounts ---------------------------------------------------------------------------------


def test_a_member_leaves_and_the_company_stays(app_ctx, db_session, sme_user, sme_member):
    closure = closures.request_closure(db_session, sme_member, password=PASSWORD)
    assert closure.scope == ClosureScope.ACCOUNT.value
    erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(minutes=1))
    commit(db_session)
    company = db_session.get(Company, sme_user.company_id)
    assert company.legal_name and db_session.get(User, sme_user.id).erased_at is None
    member = db_session.get(User, sme_member.id)
    assert member.erased_at and member.email.endswith("@anonyme.invalid") and member.company_id == company.id


def test_the_last_owner_closes_the_company_with_its_team_and_its_invoices_stay(
        app_ctx, db_session, owner, ines, outbox):
    colleague = SmeUserFactory(email="compta@boreal.test", company=owner.company, company_role=CompanyRole.MEMBER.value)
    owner.company.billing_email, owner.company.billing_contact_name = owner.email, "Claire Martin"
    billed, invoice = invoiced_contract(db_session, owner, ines)
    draft = MissionFactory(company=owner.company, status=MissionStatus.PUBLISHED.value)
    with pytest.raises(DomainError) as unconfirmed:
        closures.request_closure(db_session, owner, password=PASSWORD)
    assert unconfirmed.value.field == "close_company"
    with pytest.raises(DomainError, match="contrats en cours"):
        closures.request_closure(db_session, owner, password=PASSWORD, close_company=True)
    end(db_session, billed)
    invoice.status = InvoiceStatus.PAID.value
    closure = closures.request_closure(db_session, owner, password=PASSWORD, close_company=True)
    commit(db_session)
    assert closure.scope == "company" and closure.company_id == owner.company_id
    assert outbox.last_to(colleague.email).subject == f"Fermeture du compte de {owner.company.legal_name}"
    with pytest.raises(DomainError, match="entreprise est déjà programmée"):
        closures.request_closure(db_session, colleague, password=PASSWORD)

    erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(minutes=1))
    commit(db_session)
    company = db_session.get(Company, owner.company_id)
    assert company.billing_email is None and company.billing_contact_name is None
    assert {db_session.get(User, u).erased_at is not None for u in (owner.id, colleague.id)} == {True}
    assert db_session.get(Mission, draft.id).status == MissionStatus.CLOSED.value
    invoice = db_session.get(Invoice, invoice.id)
    assert invoice.buyer["name"] == company.legal_name and storage.path_of(invoice.pdf_document).exists()
    assert privacy_queries.retained_until(db_session, invoice) == date(2036, 12, 31)
    # The freelancer, still here, reads the invoice she issued.
    assert ines.user.erased_at is None


# --- foreign keys: nothing kept goes with a deletion ------------------------------------------------


def test_no_deletion_cascades_through_what_the_law_keeps(app_ctx, db_session, owner, ines):
    contract = signed_contract(db_session, owner, ines)
    billed, invoice = invoiced_contract(db_session, owner, ines)
    kept = {
        "contract": contract.id, "invoice": invoice.id, "timesheet": invoice.timesheet_id,
        "pdfs": sorted({contract.document_id, invoice.pdf_document_id, contract.vigilance_document_id}),
    }
    attempts = [
        delete(FreelancerProfile).where(FreelancerProfile.id == ines.id),
        delete(User).where(User.id == ines.user_id),
        delete(User).where(User.id == owner.id),
        delete(Company).where(Company.id == owner.company_id),
        delete(Document).where(Document.id.in_(kept["pdfs"])),
        delete(Contract).where(Contract.id == billed.id),
        delete(Timesheet).where(Timesheet.id == invoice.timesheet_id),
    ]
    for statement in attempts:
        with pytest.raises(IntegrityError):
            with db_session.begin_nested():
                db_session.execute(statement)
    db_session.expire_all()
    assert db_session.get(Contract, kept["contract"]) and db_session.get(Invoice, kept["invoice"])
    assert db_session.get(Timesheet, kept["timesheet"])
    assert all(db_session.get(Document, d) for d in kept["pdfs"])
    # On every engine, the database itself refuses (not only the ORM).
    for table, column in (("documents", "profile_id"), ("invoices", "pdf_document_id"),
                          ("contracts", "document_id"), ("yearly_statements", "freelancer_id")):
        assert _on_delete(db_session, table, column) in ("RESTRICT", "NO ACTION")


def _on_delete(db_session, table: str, column: str) -> str:
    from sqlalchemy import inspect

    for fk in inspect(db_session.get_bind()).get_foreign_keys(table):
        if fk["constrained_columns"] == [column]:
            return (fk.get("options", {}).get("ondelete") or "NO ACTION").upper()
    raise AssertionError((table, column))


# --- the purge ------------------------------------------------------------------------------------


def test_the_purge_deletes_each_kept_record_once_its_date_has_passed(app_ctx, db_session, owner, ines):
    billed, invoice = invoiced_contract(db_session, owner, ines)
    end(db_session, billed)
    invoice.status = InvoiceStatus.PAID.value
    old_login = AuditLog(action="account.login", subject_type="User", subject_id=owner.id, actor_id=owner.id,
                         ip_address="198.51.100.8", created_at=utcnow() - timedelta(days=400))
    db_session.add(old_login)
    db_session.flush()
    old_login_id = old_login.id
    closure = closures.request_closure(db_session, ines.user, password=PASSWORD)
    erasure.erase(db_session, closure.id, now=closure.erase_after + timedelta(minutes=1))
    commit(db_session)
    pdf_path = storage.path_of(db_session.get(Document, invoice.pdf_document_id))

    report = purge.purge_expired(db_session, today=today())
    commit(db_session)
    assert db_session.get(Invoice, invoice.id) is not None and pdf_path.exists()
    assert db_session.get(AuditLog, old_login_id) is None and report.deleted["logs"] >= 1

    # Ended in December 2026, the contract's ten years end before its report's (end of 2036): it waits for it.
    report = purge.purge_expired(db_session, today=date(2036, 12, 15))
    commit(db_session)
    assert db_session.get(Contract, billed.id) is not None and report.waiting >= 1

    report = purge.purge_expired(db_session, today=date(2037, 1, 2))
    commit(db_session)
    assert db_session.get(Invoice, invoice.id) is None and db_session.get(Timesheet, invoice.timesheet_id) is None
    assert db_session.get(Contract, billed.id) is None and not pdf_path.exists()
    assert report.deleted["invoice"] >= 1 and report.waiting == 0
    assert db_session.scalar(select(func.count(RetentionRecord.id))) == 0
    assert db_session.get(FreelancerProfile, ines.id).mandate_accepted_at is None


def test_the_schedule_holds_every_kept_kind_and_its_durations():
    assert {k.value for k in RetainedKind} <= set(rules.BY_KEY)
    assert rules.period("invoice").until(date(2026, 11, 30)) == date(2036, 12, 31)
    assert rules.period("references").until(date(2024, 2, 29)) == date(2026, 2, 28)
    assert rules.period("vetting_documents").until(date(2026, 8, 31)) == date(2027, 2, 28)
    assert rules.period("logs").until(date(2026, 12, 1)) == date(2027, 12, 1)
    assert all(rules.BY_KEY[k.value].kept_on_erasure for k in RetainedKind)


# --- the export -----------------------------------------------------------------------------------


def test_the_export_link_is_emailed_and_only_its_owner_downloads_it(
        app, client, db_session, freelancer, outbox, monkeypatch):
    other = FreelancerProfileFactory(user__email="autre@om.test")
    with app.app_context():
        upload_document(freelancer, "insurance", sample_pdf("Attestation d'assurance"))
    login(client, freelancer.user.email, PASSWORD)
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: None)  # a worker runs it, below
    assert client.post("/compte/donnees/export").status_code == 302
    export = db_session.scalar(select(DataExport).where(DataExport.user_id == freelancer.user_id))
    assert export.status == ExportStatus.PENDING.value
    intent = db_session.scalar(select(JobIntent).where(JobIntent.name == "privacy.build_export"))
    assert intent.queue == "default" and intent.args == [export.id]
    with app.app_context():
        assert jobs.run_intent(intent.id) == "done"
    db_session.refresh(export)
    assert export.status == ExportStatus.READY.value
    email = outbox.last_to(freelancer.user.email)
    assert email.subject == "Vos données sont prêtes"
    [link] = [u for u in outbox.links(email) if "/donnees/export/" in u]
    path = link.removeprefix("http://localhost")

    client.post("/compte/deconnexion")
    assert client.get(path).status_code == 302  # anonymous: to the log-in form
    login(client, other.user.email, PASSWORD)
    assert client.get(path).status_code == 404  # someone else's link, even logged in
    client.post("/compte/deconnexion")
    login(client, freelancer.user.email, PASSWORD)
    assert client.get(path[:-3] + "abc").status_code == 404  # tampered
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    names = set(zipfile.ZipFile(io.BytesIO(response.data)).namelist())
    assert {f"{kind}.json" for kind in exports.KINDS} <= names
    db_session.refresh(export)
    assert export.downloaded_at is not None

    # Past its date, the archive is gone from the disk and the link says so.
    export.expires_at = utcnow() - timedelta(seconds=1)
    with app.app_context():
        commit(db_session)
        file = storage.path_of_key(export.storage_key)
        assert exports.expire(db_session) == 1
        commit(db_session)
    assert not file.exists()
    assert client.get(path).status_code == 302


def test_without_redis_the_archive_is_built_right_after_the_request(app, client, db_session, sme_user, outbox):
    login(client, sme_user.email, PASSWORD)
    assert client.post("/compte/donnees/export").status_code == 302
    export = db_session.scalar(select(DataExport).where(DataExport.user_id == sme_user.id))
    assert export.status == ExportStatus.READY.value and export.size_bytes > 0
    assert outbox.last_to(sme_user.email).template == "privacy_export_ready"
    html = client.get("/compte/parametres").get_data(as_text=True)
    assert "Télécharger l&#39;archive du" in html or "Télécharger l'archive du" in html
    with app.app_context():
        archive = zipfile.ZipFile(io.BytesIO(exports.read(export)))
    company = json.loads(archive.read("company.json"))
    assert company["company"]["siret"] == sme_user.company.siret


def test_the_demo_freelancers_archive_holds_every_kind_and_every_file_they_uploaded(demo_app, demo_session):
    with demo_app.app_context():
        user = demo_session.scalar(select(User).where(User.email == "om@demo.test"))
        profile = user.freelancer_profile
        export = exports.request_export(demo_session, user)
        exports.build(demo_session, export.id)
        try:
            archive = zipfile.ZipFile(io.BytesIO(exports.read(export)))
            names = set(archive.namelist())
            data = {kind: json.loads(archive.read(f"{kind}.json")) for kind in exports.KINDS}
        finally:
            storage.remove(export.storage_key)
    assert data["account"]["email"] == "om@demo.test" and "password_hash" not in data["account"]
    assert data["profile"]["profile"]["iban"] == profile.iban and data["profile"]["references"]
    for kind in ("missions", "applications", "messages", "contracts", "timesheets", "invoices", "audit"):
        assert data[kind], kind
    assert data["payments"]["payouts"] is not None
    uploaded = demo_session.scalars(select(Document).where(
        (Document.owner_id == user.id) | (Document.profile_id == profile.id))).all()
    assert uploaded
    for document in uploaded:
        name = exports.archive_name(document)
        assert name in names, name
        assert hashlib.sha256(archive.read(name)).hexdigest() == document.sha256
    signed = {c["document_id"] for c in data["contracts"] if c["document_id"]}
    assert signed and signed <= {d.id for d in uploaded}


def test_the_demo_has_a_pending_erasure_for_the_console(demo_session):
    pending = privacy_queries.pending_erasures(demo_session)
    assert any(c.user.email == "depart@demo.test" and c.status == "pending" for c in pending)


def test_a_closing_accounts_database_rows_are_unique_per_open_closure(app_ctx, db_session, freelancer):
    closures.request_closure(db_session, freelancer.user, password=PASSWORD)
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.execute(text(
                "INSERT INTO account_closures (user_id, scope, status, requested_at, erase_after, summary, "
                "created_at, updated_at) VALUES (:u, 'account', 'held', :t, :t, '{}', :t, :t)"),
                {"u": freelancer.user_id, "t": datetime(2026, 12, 1, 12, 0)})
