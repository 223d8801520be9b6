"""Contracts: drafted on acceptance, negotiated in versions, signed, booked, sealed, amended, ended."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import commit, today, utcnow
from marketplace.domain import WeekSlots
from marketplace.errors import DomainError
from marketplace.models.contracts import (
    Contract,
    ContractBooking,
    ContractSignature,
    ContractStatus,
    VersionStatus,
)
from marketplace.models.missions import ApplicationStatus
from marketplace.models.users import CompanyRole
from marketplace.platform import seal, storage
from marketplace.services.contracts import (
    bookings,
    ending,
    negotiation,
    satisfaction,
    signing,
    vigilance,
)
from marketplace.services.contracts import queries as contract_queries
from marketplace.services.contracts.terms import Terms, diff, wording_warnings
from marketplace.services.matching import facade as matching
from marketplace.services.missions import hiring
from marketplace.services.profiles import availability
from tests.factories import (
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
    UserFactory,
    sample_pdf,
    upload_document,
)

PASSWORD_HASH_NAME = "full_name"


@pytest.fixture()
def owner(db_session):
    return SmeUserFactory(email="direction@boreal.test", first_name="Claire", last_name="Martin")


def freelancer_named(email: str, first: str, last: str):
    profile = FreelancerProfileFactory(user__email=email, user__first_name=first, user__last_name=last)
    profile.available_slots = WeekSlots.from_days(["mon", "tue", "wed", "thu", "fri"]).bits
    return profile


@pytest.fixture()
def om(db_session):
    """A vetted freelancer, free all week, whose vigilance certificate is 10 days old."""
    profile = freelancer_named("ines@om.test", "Inès", "Roux")
    give_valid_vigilance(profile)
    return profile


@pytest.fixture()
def uncertified(db_session):
    """A vetted freelancer with no vigilance certificate on file."""
    return freelancer_named("lea@om.test", "Léa", "Petit")


def hire(owner, om, *, weekdays=("tue", "thu"), half_days=4, rate=45_000, company=None):
    """A published mission of ``owner``'s company, ``om``'s application, accepted: the contract drafted."""
    mission = MissionFactory(company=company or owner.company, weekdays=list(weekdays), half_days_per_week=half_days)
    application = ApplicationFactory(mission=mission, freelancer=om, offered_weekdays=list(weekdays),
                                     proposed_rate_cents=rate)
    acting = owner if company is None else company.members[0]
    hiring.accept(commit_session(), application, acting)
    return application


def commit_session():
    from tests import factories

    return factories.CURRENT_SESSION


def contract_of(db_session, application) -> Contract:
    return db_session.scalar(select(Contract).where(Contract.application_id == application.id))


def agree(db_session, contract, owner, om):
    """Both sides accept the latest version; the PDF job runs after the commit (embedded mode)."""
    number = contract.latest_version.number
    for actor in (owner, om.user):
        if contract.latest_version.accepted_by("sme" if actor is owner else "freelancer") is None:
            negotiation.accept(db_session, contract, actor, number)
    commit(db_session)
    db_session.refresh(contract)
    return contract.latest_version


def sign(db_session, contract, actor, **overrides):
    version = signing.awaiting_signature(contract)
    data = signing.SignatureData(
        full_name=overrides.pop("full_name", f"{actor.first_name} {actor.last_name}"),
        read_and_approved=overrides.pop("read_and_approved", True),
        document_hash=overrides.pop("document_hash", None) or version.document_hash,
        ip_address="203.0.113.9", user_agent="Mozilla/5.0 (tests)",
    )
    result = signing.sign(db_session, contract, actor, data, **overrides)
    commit(db_session)
    db_session.refresh(contract)
    return result


def signed_contract(db_session, owner, om, **kwargs) -> Contract:
    contract = contract_of(db_session, hire(owner, om, **kwargs))
    agree(db_session, contract, owner, om)
    sign(db_session, contract, om.user)
    sign(db_session, contract, owner)
    return contract


def give_valid_vigilance(profile, issued: date | None = None):
    return upload_document(profile, "urssaf_certificate", sample_pdf("Attestation de vigilance"),
                           issued_on=issued or today() - timedelta(days=10))


# --- drafting --------------------------------------------------------------------------


def test_accepting_an_application_drafts_the_contract_from_the_mission_and_books_nothing(
        app_ctx, db_session, owner, om, outbox):
    application = hire(owner, om, rate=46_000)
    contract = contract_of(db_session, application)
    assert contract.status == ContractStatus.DRAFT.value and contract.version == 1
    terms = Terms.from_content(contract.latest_version.content)
    assert terms.slots == ["tue-am", "tue-pm", "thu-am", "thu-pm"] and terms.daily_rate_cents == 46_000
    assert "Paie" in terms.out_of_scope and "Comptabilité" in terms.out_of_scope and "Recrutement" in terms.out_of_scope
    assert [k["code"] for k in terms.kpis] == ["satisfaction", "budget", "director_time"]
    assert terms.payment_terms_days == 30 and terms.notice_months == 1 and terms.end_date is None
    assert contract.platform_fee_bp == 1500
    # Nothing is booked before both sign: the freelancer is still free on Tuesday and Thursday.
    assert not bookings.booked_slots(db_session, [om.id])[om.id]
    for person in (om.user, owner):  # the acceptance e-mails say the document is ready to read
        mail = outbox.last_to(person.email)
        assert "document de cadrage est déjà rédigé" in mail.body_text.replace("(objectifs, périmètre, rythme, "
                                                                              "délégation, indicateurs) ", "")
        assert "/contrats" in mail.body_text


def test_a_proposal_is_a_new_version_accepted_by_its_author_and_the_other_side_is_told(
        app_ctx, db_session, owner, om, outbox):
    contract = contract_of(db_session, hire(owner, om))
    terms = Terms.from_content(contract.latest_version.content)
    terms.daily_rate_cents = 48_000
    terms.objectives = "Structurer les achats et l'accueil des nouveaux arrivants, avec un budget tenu."
    version = negotiation.propose(db_session, contract, om.user, terms, note="Mon TJM habituel.")
    assert version.number == 2 and version.freelancer_accepted_at and version.sme_accepted_at is None
    assert [v.status for v in contract.versions] == ["superseded", "proposed"]
    changes = diff(Terms.from_content(contract.versions[0].content), Terms.from_content(version.content))
    assert [c.name for c in changes] == ["objectives", "daily_rate_cents"]
    assert changes[1].before == "450\u00a0€" and changes[1].after == "480\u00a0€"
    mail = outbox.last_to(owner.email)
    assert "propose une nouvelle version" in mail.body_text and "480" in mail.body_text
    with pytest.raises(DomainError, match="ne change rien"):
        negotiation.propose(db_session, contract, om.user, Terms.from_content(version.content))


def test_every_field_error_comes_at_once(app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    terms = Terms.from_content(contract.latest_version.content)
    terms.payment_terms_days, terms.slots, terms.daily_rate_cents, terms.kpis = 60, [], 10**12, []
    with pytest.raises(DomainError) as refused:
        negotiation.propose(db_session, contract, owner, terms)
    fields = {e.field for e in refused.value.errors}
    assert {"payment_terms_days", "slots", "daily_rate", "kpis"} <= fields
    assert "45 jours" in next(e.message for e in refused.value.errors if e.field == "payment_terms_days")


def test_wording_of_disguised_employment_is_flagged_beside_the_field_then_can_be_confirmed(
        app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    terms = Terms.from_content(contract.latest_version.content)
    terms.in_scope = "Accueil, sous l'autorité du DAF, avec des horaires imposés de 9 h à 18 h."
    terms.objectives = "Travailler exclusivement pour nous ; toute faute entraîne une sanction."
    warnings = {w.field: w.message for w in wording_warnings(terms)}
    assert "subordination" in warnings["in_scope"] and "Horaires" in warnings["in_scope"] or "horaires" in warnings["in_scope"]
    assert "exclusivité" in warnings["objectives"].lower() and "sanctionne" in warnings["objectives"]
    with pytest.raises(DomainError) as refused:
        negotiation.propose(db_session, contract, owner, terms)
    assert {e.field for e in refused.value.errors} == {"in_scope", "objectives", "confirm_wording"}
    version = negotiation.propose(db_session, contract, owner, terms, confirm_wording=True)
    assert version.number == 2


# --- agreement, signatures, activation ----------------------------------------------------------


def test_both_accept_then_sign_the_rendered_pdf_and_the_contract_starts_with_its_weekdays_booked(
        app_ctx, db_session, owner, om, outbox):
    contract = contract_of(db_session, hire(owner, om))
    version = agree(db_session, contract, owner, om)
    assert version.status == VersionStatus.AGREED.value and contract.status == ContractStatus.PENDING_SIGNATURE.value
    pdf = storage.read(version.document)
    assert pdf.startswith(b"%PDF") and version.document_hash == version.document.sha256
    assert outbox.last_to(om.user.email).subject == f"Prêt à signer : {contract.title}"

    first = sign(db_session, contract, om.user)
    assert not first.completed and contract.status == ContractStatus.PENDING_SIGNATURE.value
    assert outbox.last_to(owner.email).subject == f"À vous de signer : {contract.title}"
    second = sign(db_session, contract, owner)
    assert second.completed and contract.status == ContractStatus.ACTIVE.value
    held = bookings.booked_slots(db_session, [om.id])[om.id]
    assert held == WeekSlots.from_days(["tue", "thu"])
    signatures = db_session.scalars(select(ContractSignature).where(ContractSignature.contract_id == contract.id)).all()
    assert {(s.party, s.ip_address, s.document_hash) for s in signatures} == {
        ("freelancer", "203.0.113.9", version.document_hash), ("sme", "203.0.113.9", version.document_hash)}

    # The seal job has run after the commit: the signed PDF plus its signature page, sealed.
    db_session.refresh(version)
    sealed = storage.read(version.sealed_document)
    assert contract.document_id == version.sealed_document_id
    identity = seal.configured_identity()
    check = seal.verify_seal(sealed, [identity.trust_root])
    assert check.valid and check.covers_whole_file, check.summary
    # The file signed is the sealed file's exact beginning: its hash can be checked by anyone.
    assert sealed.startswith(pdf) and hashlib.sha256(sealed[:len(pdf)]).hexdigest() == version.document_hash
    from marketplace.platform.pdf import page_count

    assert page_count(sealed) == page_count(pdf) + 1
    tampered = bytearray(sealed)
    position = sealed.index(b"stream", len(pdf) // 2) + 20
    tampered[position] ^= 0x01
    assert not seal.verify_seal(bytes(tampered), [identity.trust_root]).valid


def test_a_signature_on_a_changed_document_or_with_another_name_is_refused(app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    agree(db_session, contract, owner, om)
    with pytest.raises(DomainError, match="a changé"):
        sign(db_session, contract, om.user, document_hash="0" * 64)
    with pytest.raises(DomainError) as refused:
        sign(db_session, contract, om.user, full_name="Quelqu'un d'autre", read_and_approved=False)
    assert {e.field for e in refused.value.errors} == {"full_name", "read_and_approved"}
    assert sign(db_session, contract, om.user, full_name="ines  ROUX").signature is not None  # accents and case aside


def test_only_an_owner_signs_for_the_company(app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    agree(db_session, contract, owner, om)
    member = UserFactory(role="sme", company=owner.company, company_role=CompanyRole.MEMBER.value)
    with pytest.raises(DomainError, match="responsable"):
        sign(db_session, contract, member)


def test_a_new_proposal_after_agreement_voids_the_pdf_to_sign(app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    agreed = agree(db_session, contract, owner, om)
    stale_hash = agreed.document_hash
    terms = Terms.from_content(agreed.content)
    terms.spending_threshold_cents = 80_000
    negotiation.propose(db_session, contract, owner, terms)
    assert agreed.status == VersionStatus.WITHDRAWN.value and contract.status == ContractStatus.DRAFT.value
    with pytest.raises(DomainError):
        sign(db_session, contract, om.user, document_hash=stale_hash)


def test_booked_half_days_disappear_from_every_recommendation_and_the_grid_until_the_end_job(
        app_ctx, db_session, owner, om):
    contract = signed_contract(db_session, owner, om)
    elsewhere = SmeUserFactory(email="rh@autre.test")
    other_mission = MissionFactory(company=elsewhere.company, weekdays=["tue", "thu"])
    assert om.id not in [r.profile_id for r in matching.rank_freelancers(db_session, other_mission, 20)]
    same_company = MissionFactory(company=owner.company, weekdays=["tue", "thu"])
    assert om.id not in [r.profile_id for r in matching.rank_freelancers(db_session, same_company, 20)]
    grid = {slot.key: slot for row in availability.week(db_session, om).rows for slot in row}
    assert grid["tue-am"].booked_by == owner.company.legal_name
    assert grid["mon-am"].booked_by is None

    start = today()
    ending.give_notice(db_session, contract, om.user, "Je reprends un poste salarié.", today=start)
    commit(db_session)
    end = contract.end_date
    assert contract.status == ContractStatus.NOTICE.value and end == date(start.year + (start.month == 12),
                                                                          start.month % 12 + 1, end.day)
    ending.run_daily(db_session, end - timedelta(days=1))
    assert bookings.booked_slots(db_session, [om.id])[om.id]  # not before the end date
    ending.run_daily(db_session, end)
    commit(db_session)
    assert contract.status == ContractStatus.ENDED.value
    assert not bookings.booked_slots(db_session, [om.id])[om.id]
    assert om.id in [r.profile_id for r in matching.rank_freelancers(db_session, other_mission, 20)]


def test_two_contracts_wanting_the_same_tuesday_one_wins_the_other_goes_back_to_drafting(
        app_ctx, db_session, owner, om, outbox):
    first = contract_of(db_session, hire(owner, om, weekdays=("tue",), half_days=2))
    rival_owner = SmeUserFactory(email="dg@rival.test", first_name="Paul", last_name="Henry")
    second = contract_of(db_session, hire(rival_owner, om, weekdays=("tue",), half_days=2))
    for contract, boss in ((first, owner), (second, rival_owner)):
        agree(db_session, contract, boss, om)
        sign(db_session, contract, om.user)
    assert sign(db_session, first, owner).completed
    lost = sign(db_session, second, rival_owner)
    assert lost.conflict and "n'est plus disponible le mardi" in lost.conflict
    assert second.status == ContractStatus.DRAFT.value and second.blocked_reason == lost.conflict
    assert [v.status for v in second.versions][-2:] == ["withdrawn", "proposed"]
    assert db_session.scalar(select(func.count()).select_from(ContractBooking)
                             .where(ContractBooking.contract_id == second.id)) == 0
    assert owner.company.legal_name not in lost.conflict  # the other client is not named
    assert "Jours indisponibles" in outbox.last_to(rival_owner.email).subject


def test_the_database_index_decides_when_both_pass_the_check(app_ctx, db_session, owner, om, monkeypatch):
    first = contract_of(db_session, hire(owner, om, weekdays=("wed",), half_days=2))
    rival_owner = SmeUserFactory(email="dg@rival2.test", first_name="Paul", last_name="Henry")
    second = contract_of(db_session, hire(rival_owner, om, weekdays=("wed",), half_days=2))
    for contract, boss in ((first, owner), (second, rival_owner)):
        agree(db_session, contract, boss, om)
        sign(db_session, contract, om.user)
    sign(db_session, first, owner)
    # A transaction that read the bookings before the other committed sees them free:
    monkeypatch.setattr(bookings, "booked_slots", lambda session, ids: {i: WeekSlots() for i in ids})
    lost = sign(db_session, second, rival_owner)
    assert lost.conflict and second.status == ContractStatus.DRAFT.value


# --- vigilance ------------------------------------------------------------------------------


def test_a_contract_of_5000_euros_or_more_needs_a_recent_vigilance_certificate_to_start(
        app_ctx, db_session, owner, uncertified):
    om = uncertified
    contract = contract_of(db_session, hire(owner, om))  # 450 € × 2 days × 26 weeks = 23 400 €
    agree(db_session, contract, owner, om)
    sign(db_session, contract, om.user)
    with pytest.raises(DomainError, match="attestation de vigilance"):
        sign(db_session, contract, owner)
    give_valid_vigilance(om, today() - timedelta(days=200))  # older than 6 months
    with pytest.raises(DomainError, match="attestation de vigilance"):
        sign(db_session, contract, owner)
    certificate = give_valid_vigilance(om)
    assert sign(db_session, contract, owner).completed
    assert contract.vigilance_document_id == certificate.id


def test_a_small_contract_starts_without_a_certificate(app_ctx, db_session, owner, uncertified):
    om = uncertified
    application = hire(owner, om, weekdays=("tue",), half_days=1, rate=30_000)
    contract = contract_of(db_session, application)
    terms = Terms.from_content(contract.latest_version.content)
    terms.end_date = terms.start_date + timedelta(days=60)  # 150 € × 9 weeks: under 5 000 €
    negotiation.propose(db_session, contract, owner, terms)
    agree(db_session, contract, owner, om)
    sign(db_session, contract, om.user)
    assert sign(db_session, contract, owner).completed


def test_every_six_months_the_freelancer_is_asked_for_a_fresh_certificate_and_the_sme_told(
        app_ctx, db_session, owner, uncertified, outbox):
    om = uncertified
    issued = today() - timedelta(days=5)
    give_valid_vigilance(om, issued)
    contract = signed_contract(db_session, owner, om)
    assert vigilance.run_reminders(db_session, issued + timedelta(days=100)) == {"asked": 0, "renewed": 0}
    due = issued + timedelta(days=160)  # 30 days before the certificate turns 6 months
    now = utcnow() + (due - today())
    assert vigilance.run_reminders(db_session, due, now) == {"asked": 1, "renewed": 0}
    assert outbox.last_to(om.user.email).subject == "Attestation de vigilance URSSAF à renouveler"
    assert outbox.last_to(owner.email).subject.startswith("Attestation de vigilance demandée")
    assert vigilance.run_reminders(db_session, due, now) == {"asked": 0, "renewed": 0}  # once
    assert vigilance.run_reminders(db_session, due + timedelta(days=14), now + timedelta(days=14))["asked"] == 1
    fresh = give_valid_vigilance(om, due + timedelta(days=15))
    assert vigilance.run_reminders(db_session, due + timedelta(days=16), now + timedelta(days=16)) == {
        "asked": 0, "renewed": 1}
    assert contract.vigilance_document_id == fresh.id
    assert outbox.last_to(owner.email).subject == "Nouvelle attestation de vigilance disponible"


# --- amendments and ends --------------------------------------------------------------------


def test_an_amendment_moves_a_weekday_from_its_date_both_signed(app_ctx, db_session, owner, om):
    contract = signed_contract(db_session, owner, om)
    terms = Terms.from_contract(contract)
    terms.slots = ["tue-am", "tue-pm", "wed-am", "wed-pm"]
    terms.daily_rate_cents = 47_000
    effective = contract.start_date + timedelta(days=14)
    version = negotiation.propose(db_session, contract, owner, terms, effective_from=effective, note="Le jeudi devient mercredi.")
    assert version.kind == "amendment" and contract.status == ContractStatus.ACTIVE.value
    agree(db_session, contract, owner, om)
    sign(db_session, contract, om.user)
    assert sign(db_session, contract, owner).completed
    # Wednesday is held from now; Thursday stays booked until the amendment's date.
    held = bookings.booked_slots(db_session, [om.id])[om.id]
    assert held == WeekSlots.from_days(["tue", "wed", "thu"]) and contract.daily_rate_cents == 45_000
    ending.run_daily(db_session, effective - timedelta(days=1))
    assert contract.daily_rate_cents == 45_000
    ending.run_daily(db_session, effective)
    commit(db_session)
    assert contract.daily_rate_cents == 47_000 and contract.weekdays == ["tue", "wed"]
    assert bookings.booked_slots(db_session, [om.id])[om.id] == WeekSlots.from_days(["tue", "wed"])
    assert contract.signed_version == version.number


def test_an_end_agreed_for_today_ends_the_contract_at_once(app_ctx, db_session, owner, om):
    contract = signed_contract(db_session, owner, om)
    ending.propose_end(db_session, contract, owner, today(), "Fin du projet de déménagement.")
    with pytest.raises(DomainError, match="l'autre partie doit répondre"):
        ending.answer_end(db_session, contract, owner, True)
    ending.answer_end(db_session, contract, om.user, True)
    commit(db_session)
    assert contract.status == ContractStatus.ENDED.value and contract.end_kind == "mutual"
    assert not bookings.booked_slots(db_session, [om.id])[om.id]


def test_notice_cannot_be_shorter_than_a_month(app_ctx, db_session, owner, om):
    contract = signed_contract(db_session, owner, om)
    with pytest.raises(DomainError, match="ne peut pas finir avant"):
        ending.give_notice(db_session, contract, owner, "Budget", end_date=today() + timedelta(days=10))


def test_abandoning_a_draft_lets_the_sme_choose_someone_else(app_ctx, db_session, owner, om):
    application = hire(owner, om)
    contract = contract_of(db_session, application)
    negotiation.cancel(db_session, contract, om.user, "Je ne suis finalement plus disponible.")
    assert contract.status == ContractStatus.CANCELLED.value
    assert application.status == ApplicationStatus.WITHDRAWN.value
    other = ApplicationFactory(mission=application.mission)
    hiring.accept(db_session, other, owner)
    assert other.status == ApplicationStatus.ACCEPTED.value


# --- satisfaction ----------------------------------------------------------------------------


def test_each_quarter_the_sme_rates_the_contract_and_the_average_shows_from_three_answers(
        app_ctx, db_session, owner, om, outbox):
    contract = signed_contract(db_session, owner, om)
    contract.start_date = date(2026, 1, 5)
    for quarter_day in (date(2026, 4, 2), date(2026, 7, 1), date(2026, 10, 1)):
        assert satisfaction.open_surveys(db_session, quarter_day) == 1
        assert satisfaction.open_surveys(db_session, quarter_day) == 0  # a rerun opens nothing
        survey = satisfaction.pending_survey(contract)
        if quarter_day.month < 10:
            assert satisfaction.freelancer_average(db_session, om.id) is None
        satisfaction.answer(db_session, survey, owner, satisfaction.SurveyAnswer(
            score=8 if quarter_day.month != 7 else 9,
            kpi_statuses={satisfaction.kpi_key(i, k): "met" for i, k in enumerate(contract.kpis)},
            comment="Très bon trimestre."))
    assert outbox.last_to(owner.email).subject.startswith(f"Votre avis sur {om.display_name}")
    average = satisfaction.freelancer_average(db_session, om.id)
    assert average.answers == 3 and str(average.average) == "8.3"
    assert satisfaction.history(contract) == [("T1 2026", 8), ("T2 2026", 9), ("T3 2026", 8)]
    with pytest.raises(DomainError, match="déjà reçu"):
        satisfaction.answer(db_session, survey, owner, satisfaction.SurveyAnswer(score=5, kpi_statuses={}))


def test_the_page_says_what_is_awaited_from_whom(app_ctx, db_session, owner, om):
    contract = contract_of(db_session, hire(owner, om))
    view = contract_queries.page(db_session, contract, owner, today())
    assert [a.text for a in view.awaited][:2] == [f"L'accord de la version 1 par {owner.company.legal_name}",
                                                  f"L'accord de la version 1 par {om.display_name}"]
    assert view.can["accept"] and view.can["edit"] and not view.can["sign"]
    agree(db_session, contract, owner, om)
    view = contract_queries.page(db_session, contract, om.user, today())
    assert view.can["sign"] and any(a.yours and "signature" in a.text for a in view.awaited)
