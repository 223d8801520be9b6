"""The profile editor: each validation, partial saves, completeness, submission, events."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace import legal
from marketplace.db import today
from marketplace.errors import DomainError
from marketplace.legal import MANDATE_VERSION
from marketplace.models.audit import AuditLog
from marketplace.platform import events
from marketplace.services.profiles import (
    business,
    documents,
    experience,
    location,
    mandate,
    presentation,
    references,
    skills,
    steps,
    submission,
)
from marketplace.services.profiles.business import BusinessData
from marketplace.services.profiles.experience import ExperienceData
from marketplace.services.profiles.references import ReferenceData
from tests.factories import FreelancerProfileFactory, ReferenceFactory
from tests.freelancer_support import PDF_BYTES, complete_draft, request_context

VALID_SIRET = "73282932000074"  # LEGAL.md vectors
WRONG_KEY_SIRET = "73282932000079"
VAT_OF_SIRET = "FR44732829320"
OTHER_VAT = "FR83404833048"  # valid, but the SIREN 404833048 is someone else's
VALID_IBAN = "FR7630006000011234567890189"


@pytest.fixture()
def app_ctx(app, db_session):
    """Services called directly, inside a request context (they may render e-mails)."""
    with request_context(app):
        yield app


@pytest.fixture()
def draft(db_session):
    return FreelancerProfileFactory(
        status="draft", siret=None, iban=None, vat_regime=None, legal_form=None, references=[],
        mandate_accepted_at=None, mandate_version=None,
        user__email="draft@example.test",
    )


@pytest.fixture()
def captured():
    """The domain events sent during the test: (signal name, kwargs)."""
    seen = []
    handlers = []
    for name in ("profile_submitted", "profile_updated", "profile_status_changed"):
        signal = getattr(events, name)

        def handler(sender, _name=name, **kwargs):
            seen.append((_name, kwargs))

        signal.connect(handler)
        handlers.append((signal, handler))
    yield seen
    for signal, handler in handlers:
        signal.disconnect(handler)


def business_data(**values) -> BusinessData:
    base = dict(
        business_name="Claire Durand EI", legal_form="micro", siret=VALID_SIRET, vat_regime="franchise",
        iban=VALID_IBAN, billing_address_line="1 rue Pasteur", billing_postal_code="69003", billing_city="Lyon",
    )
    base.update(values)
    return BusinessData(**base)


# --- identifiers ---------------------------------------------------------------------


def test_a_valid_siret_is_saved_compact(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(siret="732 829 320 00074"))
    assert result.ok and draft.siret == VALID_SIRET


def test_a_siret_with_a_wrong_key_is_refused_and_the_rest_of_the_step_is_kept(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(siret=WRONG_KEY_SIRET))
    assert [(e.field, e.message) for e in result.errors] == [
        ("siret", "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas.")
    ]
    assert draft.siret is None
    assert draft.iban == VALID_IBAN and draft.billing_city == "Lyon" and draft.legal_form == "micro"


def test_a_siret_of_the_wrong_length_is_refused(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(siret="7328293200007"))
    assert result.errors[0].message == "Le SIRET doit comporter 14 chiffres."


def test_a_liable_freelancer_needs_the_vat_number_of_their_own_siren(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(vat_regime="liable", vat_number="fr 44 732829320"))
    assert result.ok and draft.vat_number == VAT_OF_SIRET

    result = business.save_business(db_session, draft, business_data(vat_regime="liable", vat_number=OTHER_VAT))
    assert result.errors[0].field == "vat_number"
    assert result.errors[0].message == (
        "Ce numéro de TVA ne correspond pas à votre SIREN 732829320 (attendu : FR44732829320)."
    )
    assert draft.vat_number == VAT_OF_SIRET  # the previous, valid number stays


def test_a_vat_number_with_a_broken_key_is_refused(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(vat_regime="liable", vat_number="FR45732829320"))
    assert result.errors[0].field == "vat_number" and "n'est pas valide" in result.errors[0].message


def test_the_vat_key_is_checked_against_the_siret_typed_in_the_same_step(app_ctx, db_session, draft):
    business.save_business(db_session, draft, business_data(siret="40483304800022"))
    assert draft.siret == "40483304800022"
    # Both change together: the VAT number is checked against the new SIREN.
    result = business.save_business(db_session, draft, business_data(vat_regime="liable", vat_number=VAT_OF_SIRET))
    assert result.ok and draft.siret == VALID_SIRET


def test_franchise_clears_the_vat_number(app_ctx, db_session, draft):
    business.save_business(db_session, draft, business_data(vat_regime="liable", vat_number=VAT_OF_SIRET, vat_debits_option=True))
    business.save_business(db_session, draft, business_data(vat_regime="franchise", vat_number=VAT_OF_SIRET))
    assert draft.vat_regime == "franchise" and draft.vat_number is None and draft.vat_debits_option is False


@pytest.mark.parametrize(
    "iban,ok",
    [(VALID_IBAN, True), ("FR76 3000 6000 0112 3456 7890 189", True), ("FR7630006000011234567890188", False), ("12345", False)],
)
def test_iban_checksum(app_ctx, db_session, draft, iban, ok):
    result = business.save_business(db_session, draft, business_data(iban=iban))
    assert result.ok is ok
    if ok:
        assert draft.iban == VALID_IBAN
    else:
        assert result.errors[0].field == "iban" and draft.iban is None


def test_bic_and_postal_code(app_ctx, db_session, draft):
    result = business.save_business(db_session, draft, business_data(bic="BNPA FR PP", billing_postal_code="750"))
    assert draft.bic == "BNPAFRPP"
    assert [e.field for e in result.errors] == ["billing_postal_code"]
    result = business.save_business(db_session, draft, business_data(bic="NOPE"))
    assert [e.field for e in result.errors] == ["bic"]


# --- the other steps -------------------------------------------------------------------


def test_tools_are_normalised_so_case_and_spacing_make_one_tool(app_ctx, db_session, draft):
    skills.save_skills(
        db_session, draft, levels={"finance_procurement": 4}, sub_skills=["expenses"],
        tools=["notion", "Notion", " NOTION ", "google workspace", "trello", "Trello", "msteams"],
    )
    assert draft.tools == ["Google Workspace", "Notion", "Teams", "Trello"]
    assert draft.skill_finance_procurement == 4 and draft.sub_skills == ["expenses"]
    assert skills.parse_tools("Alan, Qonto;\nTrello") == ["Alan", "Qonto", "Trello"]


def test_unknown_sub_skills_and_out_of_range_levels_are_refused(app_ctx, db_session, draft):
    result = skills.save_skills(db_session, draft, levels={"people_culture": 7}, sub_skills=["juggling"], tools=[])
    assert {e.field for e in result.errors} == {"level_people_culture", "sub_skills"}
    assert draft.skill_people_culture == 3


def test_city_comes_from_the_bundled_communes_with_coordinates(app_ctx, db_session, draft):
    result = location.save_location(
        db_session, draft, city="villeurbanne", mobility_km=25, work_mode="onsite", daily_rate_cents=48_000,
        client_sectors=["sante"],
    )
    assert result.ok
    assert draft.city == "Villeurbanne" and round(draft.latitude, 1) == 45.8
    assert draft.daily_rate_cents == 48000 and draft.client_sectors == ["sante"] and draft.work_mode == "onsite"

    result = location.save_location(
        db_session, draft, city="Atlantide", mobility_km=5000, work_mode="hybrid", daily_rate_cents=9_000, client_sectors=[]
    )
    assert {e.field for e in result.errors} == {"city", "mobility_km", "daily_rate"}
    assert draft.city == "Villeurbanne" and draft.daily_rate_cents == 48000  # kept
    assert draft.work_mode == "hybrid"  # the valid field of the same step is saved


def test_presentation_checks_name_phone_and_languages(app_ctx, db_session, draft):
    result = presentation.save_presentation(
        db_session, draft, first_name="", last_name="Durand", phone="06 12 34 56 7", headline="Office manager",
        bio="Bio", languages=["fr", "xx"],
    )
    assert {e.field for e in result.errors} == {"first_name", "phone", "languages"}
    assert draft.headline == "Office manager"
    result = presentation.save_presentation(
        db_session, draft, first_name="Claire", last_name="Durand", phone="+33 6 12 34 56 78", headline="OM",
        bio="Bio", languages=["en", "fr"],
    )
    assert result.ok and draft.user.phone == "+33612345678" and draft.languages == ["fr", "en"]


def test_experience_years_and_dated_positions(app_ctx, db_session, draft):
    result = experience.save_experience_years(db_session, draft, years_experience=9, freelance_years=12)
    assert draft.years_experience == 9
    assert result.errors[0].field == "freelance_years"
    with pytest.raises(DomainError) as exc:
        experience.add_experience(db_session, draft, ExperienceData("OM", "ACME", date(2020, 5, 1), date(2019, 1, 1)))
    assert exc.value.field == "end_date"
    with pytest.raises(DomainError) as exc:
        experience.add_experience(db_session, draft, ExperienceData("OM", "ACME", today() + timedelta(days=40)))
    assert exc.value.field == "start_date"
    experience.add_experience(db_session, draft, ExperienceData("OM", "ACME", date(2014, 1, 1), date(2018, 12, 1)))
    experience.add_experience(db_session, draft, ExperienceData("OM freelance", "Indépendante", date(2018, 6, 1), None, True))
    assert len(draft.experiences) == 2
    assert experience.dated_years(draft) > 10  # overlapping 2018 counted once, up to today


def test_reference_rules(app_ctx, db_session, draft):
    data = ReferenceData("Marie Curie", "Radium SAS", "CEO", "marie@radium.test", "Cliente actuelle", phone="01 23 45 67 89")
    reference = references.add_reference(db_session, draft, data)
    assert reference.email == "marie@radium.test" and reference.phone == "+33123456789"  # E.164, shown « 01 23 45 67 89 »
    for email, message in (
        ("MARIE@radium.test", "déjà indiqué"),
        ("draft@example.test", "une autre personne que vous"),
        ("not-an-email", "Adresse e-mail invalide"),
    ):
        with pytest.raises(DomainError, match=message) as exc:
            references.add_reference(db_session, draft, ReferenceData("X", "Y", "Z", email, "Ancien manager"))
        assert exc.value.field == "email"
    with pytest.raises(DomainError) as exc:
        references.add_reference(db_session, draft, ReferenceData("", "Y", "Z", "x@y.test", "Ancien manager"))
    assert exc.value.field == "name"


# --- documents ---------------------------------------------------------------------------


def _upload(session, profile, kind, content=PDF_BYTES, **values):
    return documents.upload_document(
        session, profile, kind=kind, stream=io.BytesIO(content), filename="piece.pdf", **values
    )


def test_the_urssaf_certificate_needs_its_issue_date_and_security_code_and_lasts_six_months(app_ctx, db_session, draft):
    with pytest.raises(DomainError) as exc:
        _upload(db_session, draft, "urssaf_certificate", security_code="ABCDEF123456789")
    assert exc.value.field == "issued_on"
    with pytest.raises(DomainError) as exc:
        _upload(db_session, draft, "urssaf_certificate", issued_on=today() - timedelta(days=3))
    assert exc.value.field == "security_code"
    with pytest.raises(DomainError, match="plus de 6 mois"):
        _upload(db_session, draft, "urssaf_certificate", issued_on=today() - timedelta(days=190), security_code="ABCDEF123456789")
    document = _upload(
        db_session, draft, "urssaf_certificate", issued_on=today() - timedelta(days=10), security_code="abcd ef12 3456 789",
    )
    assert document.security_code == "ABCDEF123456789"
    assert document.expires_on == legal.urssaf_expiry(document.issued_on)


def test_insurance_needs_a_future_expiry(app_ctx, db_session, draft):
    with pytest.raises(DomainError) as exc:
        _upload(db_session, draft, "insurance")
    assert exc.value.field == "expires_on"
    with pytest.raises(DomainError, match="déjà expiré"):
        _upload(db_session, draft, "insurance", expires_on=today() - timedelta(days=1))
    assert _upload(db_session, draft, "insurance", expires_on=today() + timedelta(days=90)).kind == "insurance"


def test_upload_writes_an_audit_entry_and_supersedes_the_previous_file(app_ctx, db_session, draft):
    first = _upload(db_session, draft, "identity")
    second = _upload(db_session, draft, "identity")
    assert first.superseded_at is not None
    assert documents.current_documents(db_session, draft) == {"identity": second}
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.action == "document.uploaded")).all()
    assert len(actions) == 2


def test_expiring_documents_are_listed_soonest_first(app_ctx, db_session, draft):
    _upload(db_session, draft, "insurance", expires_on=today() + timedelta(days=12))
    _upload(db_session, draft, "identity", expires_on=today() + timedelta(days=400))
    _upload(db_session, draft, "urssaf_certificate", issued_on=today() - timedelta(days=178), security_code="ABCDEF123456789")
    soon = documents.expiring_documents(db_session, draft)
    assert [e.document.kind for e in soon] == ["urssaf_certificate", "insurance"]
    assert soon[1].days_left == 12 and not soon[1].expired


# --- completeness ------------------------------------------------------------------------


def test_a_new_profile_lists_everything_missing(app_ctx, db_session):
    from marketplace.services.accounts.operations import register_freelancer

    user = register_freelancer(
        db_session, email="new@example.test", password="un secret bien long", first_name="Léa", last_name="Martin"
    )
    check = submission.completeness(db_session, user.freelancer_profile)
    assert not check.is_complete and check.percent < 15
    labels = [r.label for r in check.missing]
    assert "Présentez votre parcours en au moins 200 caractères" in labels
    assert "Renseignez votre SIRET" in labels
    assert "Acceptez le mandat de facturation" in labels
    assert "Déposez : attestation de vigilance URSSAF" in labels
    assert "Ajoutez au moins 2 références de clients ou managers (0/2)" in labels
    assert check.first_incomplete_step().code == "presentation"
    assert {r.step for r in check.missing} == {s.code for s in steps.STEPS}


def test_a_complete_profile_is_complete(app_ctx, db_session):
    profile = complete_draft(db_session)
    check = submission.completeness(db_session, profile)
    assert check.missing == [] and check.percent == 100


@pytest.mark.parametrize(
    "breakage,missing",
    [
        (lambda p, s: setattr(p, "bio", "Trop court."), "Présentez votre parcours en au moins 200 caractères (actuellement 11)"),
        (lambda p, s: p.references.pop(), "Ajoutez au moins 2 références de clients ou managers (1/2)"),
        (lambda p, s: setattr(p, "available_slots", 1), "Indiquez au moins une journée de disponibilité dans votre semaine type"),
        (lambda p, s: setattr(p, "mandate_version", "2025-01"), "Acceptez la nouvelle version du mandat de facturation"),
        (lambda p, s: (setattr(p, "vat_regime", "liable"), setattr(p, "vat_number", OTHER_VAT)),
         "Corrigez votre numéro de TVA : il ne correspond pas à votre SIRET"),
        (lambda p, s: setattr(documents.current_documents(s, p)["insurance"], "expires_on", today()),
         "Remplacez votre document expiré : attestation d'assurance responsabilité civile professionnelle"),
        (lambda p, s: p.experiences.clear(), "Ajoutez au moins un poste daté à votre parcours"),
    ],
)
def test_each_completeness_rule(app_ctx, db_session, breakage, missing):
    profile = complete_draft(db_session)
    breakage(profile, db_session)
    db_session.flush()
    assert [r.label for r in submission.completeness(db_session, profile).missing] == [missing]


# --- mandate, submission, events ------------------------------------------------------------


def test_mandate_acceptance_records_time_version_and_ip(app_ctx, db_session, draft):
    mandate.accept_mandate(db_session, draft, ip_address="198.51.100.7")
    assert draft.mandate_version == MANDATE_VERSION and draft.mandate_ip == "198.51.100.7"
    assert draft.mandate_accepted_at is not None
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "profile.mandate_accepted"))
    assert entry.details == {"version": MANDATE_VERSION} and entry.ip_address == "198.51.100.7"


def test_an_incomplete_profile_cannot_be_submitted(app_ctx, db_session, draft, captured):
    with pytest.raises(DomainError, match="Votre profil n'est pas encore complet"):
        submission.submit(db_session, draft)
    assert draft.status == "draft" and captured == []


def test_submission_sets_the_status_audits_notifies_and_sends_the_events(app_ctx, db_session, outbox, captured):
    profile = complete_draft(db_session)
    submission.submit(db_session, profile, ip_address="203.0.113.5")
    assert profile.status == "submitted" and profile.submitted_at is not None
    assert [name for name, _ in captured] == ["profile_submitted", "profile_status_changed"]
    assert captured[1][1] == {"profile": profile, "old": "draft", "new": "submitted"}
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "profile.submitted"))
    assert entry.subject_id == profile.id and entry.ip_address == "203.0.113.5"
    assert outbox.last_to(profile.user.email).subject == "Votre profil a été soumis pour vérification"
    with pytest.raises(DomainError, match="déjà été soumis"):
        submission.submit(db_session, profile)


def test_a_profile_sent_back_to_draft_can_be_fixed_and_resubmitted(app_ctx, db_session, captured):
    profile = complete_draft(db_session)
    submission.submit(db_session, profile)
    # The vetting asks for more information: back to draft with what is missing.
    profile.status, profile.status_reason = "draft", "L'attestation d'assurance est illisible."
    captured.clear()
    documents.upload_document(
        db_session, profile, kind="insurance", stream=io.BytesIO(PDF_BYTES), filename="assurance.pdf",
        expires_on=today() + timedelta(days=300),
    )
    business.save_business(db_session, profile, business_data(siret=profile.siret, iban=VALID_IBAN))
    assert any(name == "profile_updated" and "iban" in kw["fields"] for name, kw in captured)
    submission.submit(db_session, profile)
    assert profile.status == "submitted" and profile.status_reason is None
    assert "L'équipe de vérification vous demande des compléments" not in submission.status_explanation(profile)


def test_edits_after_submission_send_profile_updated_with_the_fields(app_ctx, db_session, captured, outbox):
    profile = FreelancerProfileFactory(status="approved")  # vetted already
    old_iban = profile.iban
    result = business.save_business(db_session, profile, business_data(siret=profile.siret, iban=VALID_IBAN, legal_form=profile.legal_form))
    assert result.ok and profile.iban != old_iban
    updates = [kw["fields"] for name, kw in captured if name == "profile_updated"]
    assert len(updates) == 1 and {"iban", "billing_city"} <= updates[0]
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "profile.updated"))
    assert "iban" in entry.details["fields"]
    assert outbox.last_to(profile.user.email).subject == "Vos coordonnées bancaires ont été modifiées"

    captured.clear()
    ReferenceFactory(profile=profile)
    references.add_reference(db_session, profile, ReferenceData("Paul Martin", "Alpha", "DAF", "paul@alpha.test", "Ancien client"))
    experience.save_experience_years(db_session, profile, years_experience=profile.years_experience + 1, freelance_years=None)
    assert [kw["fields"] for _, kw in captured] == [{"references"}, {"years_experience"}]


def test_clearing_the_iban_of_a_vetted_profile_warns_its_owner(app_ctx, db_session, outbox):
    profile = FreelancerProfileFactory(status="approved")
    result = business.save_business(db_session, profile, business_data(siret=profile.siret, iban="", legal_form=profile.legal_form))
    assert result.ok and profile.iban is None
    mail = outbox.last_to(profile.user.email)
    assert mail.subject == "Vos coordonnées bancaires ont été modifiées"
    assert "aucun paiement ne pourra vous être versé tant qu'un IBAN n'est pas saisi" in mail.body_text


def test_a_never_submitted_draft_sends_no_update_event(app_ctx, db_session, draft, captured):
    business.save_business(db_session, draft, business_data())
    assert captured == []
