"""Operator decisions: status flow, audit log, French e-mails, events, badges, matching eligibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import commit, today, utcnow
from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.vetting import CheckStatus, ReferenceRequest
from marketplace.platform import events
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from marketplace.services.vetting import decisions, references
from tests.factories import (
    AdminFactory,
    MissionFactory,
    SubmittedProfileFactory,
    submit,
    upload_valid_documents,
)

IP = "192.0.2.44"


@pytest.fixture()
def admin(db_session):
    return AdminFactory(email="operatrice@om-partage.test", first_name="Alex", last_name="Opératrice")


@pytest.fixture()
def status_events():
    seen = []

    def receiver(session, profile, old, new, **_):
        seen.append((profile.id, old, new))

    events.profile_status_changed.connect(receiver)
    yield seen
    events.profile_status_changed.disconnect(receiver)


def vetted(session, *, answered=True):
    """A submitted profile whose checks ran; both referees answered positively when ``answered``."""
    profile = SubmittedProfileFactory(status="draft", submitted_at=None)
    upload_valid_documents(profile)
    submit(profile)
    profile.submitted_at = utcnow() - timedelta(hours=30)
    commit(session)
    if answered:
        for request in session.scalars(select(ReferenceRequest).where(ReferenceRequest.profile_id == profile.id)):
            answer = references.Answer(role="DG", period="2024", would_rehire="yes",
                                       ratings={"people_culture": 5, "operations_process": 4})
            references.answer(session, references.token_for(request), answer, ip_address="203.0.113.50")
        commit(session)
    return profile


def last_audit(session, action):
    return session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id.desc())).first()


def test_claim_then_approve_with_badges(app_ctx, db_session, admin, outbox, status_events):
    profile = vetted(db_session)
    decisions.claim(db_session, admin, profile.id, ip_address=IP)
    assert profile.status == "in_review" and profile.decided_at is None
    assert last_audit(db_session, "vetting.claimed").actor_id == admin.id

    # The URSSAF code is not verified yet: the documents badge is out of reach.
    with pytest.raises(DomainError) as error:
        decisions.approve(db_session, admin, profile.id, badges=["documents_checked"], note="Vu", ip_address=IP)
    assert error.value.field == "badges"

    urssaf_id = decisions.check_rows(db_session, profile.id)["urssaf_certificate"].details["document_id"]
    decisions.verify_document(db_session, admin, urssaf_id, authentic=True, note="Code vérifié sur urssaf.fr", ip_address=IP)
    commit(db_session)
    db_session.expire_all()
    assert decisions.check_rows(db_session, profile.id)["urssaf_certificate"].status == CheckStatus.PASSED
    assert decisions.suggested_badges(db_session, profile.id) == ["verified", "references_checked", "documents_checked"]

    decisions.approve(db_session, admin, profile.id, badges=["references_checked", "documents_checked"], note=None, ip_address=IP)
    commit(db_session)
    assert profile.status == "approved" and profile.badges == ["verified", "references_checked", "documents_checked"]
    assert profile.decided_at is not None and profile.status_reason is None
    entry = last_audit(db_session, "vetting.approved")
    assert (entry.actor_id, entry.subject_id, entry.ip_address) == (admin.id, profile.id, IP)
    assert entry.details["old"] == "in_review" and entry.details["new"] == "approved"
    assert 29.9 < entry.details["waited_hours"] < 30.1
    assert status_events == [(profile.id, "submitted", "in_review"), (profile.id, "in_review", "approved")]
    message = outbox.last_to(profile.user.email)
    assert message.subject == "Votre profil est vérifié" and "Références vérifiées" in message.body_text


def test_approving_despite_failed_checks_needs_a_justification(app_ctx, db_session, admin):
    profile = vetted(db_session)
    profile.iban = "FR7630006000011234567890188"
    events.profile_updated.send(db_session, profile=profile, fields={"iban"})
    commit(db_session)
    with pytest.raises(DomainError) as error:
        decisions.approve(db_session, admin, profile.id, badges=[], note="", ip_address=IP)
    assert error.value.field == "note" and "IBAN : non conforme" in error.value.message
    decisions.approve(db_session, admin, profile.id, badges=[], note="IBAN corrigé par téléphone, reçu RIB", confirmed=True,
                      ip_address=IP)
    assert last_audit(db_session, "vetting.approved").details["unresolved"] == ["IBAN"]


def test_reject_requires_a_reason_sent_in_french(app_ctx, db_session, admin, outbox, status_events):
    profile = vetted(db_session, answered=False)
    with pytest.raises(DomainError) as error:
        decisions.reject(db_session, admin, profile.id, reason="  ", ip_address=IP)
    assert error.value.field == "reason" and profile.status == "submitted"
    reason = "Les deux références n'ont pas confirmé les missions décrites."
    decisions.reject(db_session, admin, profile.id, reason=reason, ip_address=IP)
    commit(db_session)
    assert profile.status == "rejected" and profile.status_reason == reason and profile.badges == []
    entry = last_audit(db_session, "vetting.rejected")
    assert entry.reason == reason and entry.ip_address == IP and entry.actor_id == admin.id
    message = outbox.last_to(profile.user.email)
    assert message.subject == "Votre profil n'a pas été retenu" and reason in message.body_text
    assert "Nous avons examiné votre profil" in message.body_text
    assert status_events[-1] == (profile.id, "submitted", "rejected")


def test_request_information_sends_the_profile_back_to_draft(app_ctx, db_session, admin, outbox):
    profile = vetted(db_session, answered=False)
    with pytest.raises(DomainError):
        decisions.request_information(db_session, admin, profile.id, missing=[], details="", ip_address=IP)
    decisions.request_information(db_session, admin, profile.id, missing=["urssaf", "references"],
                                  details="Le SIRET déclaré appartient à une autre activité.", ip_address=IP)
    commit(db_session)
    assert profile.status == "draft" and profile.decided_at is not None
    assert profile.status_reason.splitlines()[:3] == [
        "Éléments à compléter :",
        "- " + decisions.MISSING_ITEMS["urssaf"],
        "- " + decisions.MISSING_ITEMS["references"],
    ]
    message = outbox.last_to(profile.user.email)
    assert message.template == "vetting_information_requested"
    assert decisions.MISSING_ITEMS["urssaf"] in message.body_text and "autre activité" in message.body_text
    assert last_audit(db_session, "vetting.information_requested").details["missing"] == ["urssaf", "references"]


def test_suspend_and_reinstate(app_ctx, db_session, admin, outbox):
    profile = vetted(db_session)
    with pytest.raises(DomainError):  # only an approved profile can be suspended
        decisions.suspend(db_session, admin, profile.id, reason="Plainte client", ip_address=IP)
    decisions.approve(db_session, admin, profile.id, badges=[], note="Code URSSAF vérifié par téléphone", confirmed=True, ip_address=IP)
    decisions.suspend(db_session, admin, profile.id, reason="Plainte d'un client en cours d'examen", ip_address=IP)
    commit(db_session)
    assert profile.status == "suspended" and "Plainte" in outbox.last_to(profile.user.email).body_text
    decisions.reinstate(db_session, admin, profile.id, note="Plainte classée sans suite", ip_address=IP)
    commit(db_session)
    assert profile.status == "approved" and outbox.last_to(profile.user.email).template == "vetting_reinstated"


def test_transitions_refused_from_the_wrong_status(app_ctx, db_session, admin):
    profile = vetted(db_session, answered=False)
    decisions.reject(db_session, admin, profile.id, reason="Profil en double", ip_address=IP)
    with pytest.raises(DomainError) as error:
        decisions.approve(db_session, admin, profile.id, badges=[], note="x" * 10, ip_address=IP)
    assert error.value.message == "Impossible d'approuver un profil au statut « Refusé »."
    with pytest.raises(DomainError):
        decisions.claim(db_session, admin, profile.id, ip_address=IP)


def test_a_rejected_code_fails_the_urssaf_check(app_ctx, db_session, admin):
    profile = vetted(db_session, answered=False)
    document_id = decisions.check_rows(db_session, profile.id)["urssaf_certificate"].details["document_id"]
    with pytest.raises(DomainError) as error:
        decisions.verify_document(db_session, admin, document_id, authentic=False, note="", ip_address=IP)
    assert error.value.field == "verification_note"
    decisions.verify_document(db_session, admin, document_id, authentic=False, note="Code inconnu sur urssaf.fr", ip_address=IP)
    commit(db_session)
    db_session.expire_all()
    row = decisions.check_rows(db_session, profile.id)["urssaf_certificate"]
    assert row.status == CheckStatus.FAILED and "Code inconnu sur urssaf.fr" in row.summary
    assert last_audit(db_session, "vetting.document_rejected").reason == "Code inconnu sur urssaf.fr"


# --- matching eligibility -----------------------------------------------------------------------


def ranked_ids(session, mission):
    return [r.profile_id for r in matching.rank_freelancers(session, mission)]


def test_approving_makes_the_freelancer_matchable_rejecting_removes_them(app_ctx, db_session, admin):
    mission = MissionFactory()
    profile = vetted(db_session)
    assert profile.id not in ranked_ids(db_session, mission)
    decisions.approve(db_session, admin, profile.id, badges=[], note="Code URSSAF vérifié", confirmed=True, ip_address=IP)
    commit(db_session)
    assert profile.id in ranked_ids(db_session, mission)
    assert matching.score_pair(db_session, mission, profile) is not None
    assert [r.mission_id for r in matching.rank_missions(db_session, profile)] == [mission.id]

    decisions.suspend(db_session, admin, profile.id, reason="Fraude suspectée sur l'IBAN", ip_address=IP)
    commit(db_session)
    assert profile.id not in ranked_ids(db_session, mission)
    assert matching.eligibility(mission, profile, bookings.booked_slots(db_session, [profile.id])[profile.id]) == ["Profil suspendu par la plateforme"]
    assert matching.rank_missions(db_session, profile) == []

    decisions.reject(db_session, admin, profile.id, reason="Fraude confirmée sur l'IBAN", ip_address=IP)
    commit(db_session)
    assert profile.id not in ranked_ids(db_session, mission)
    assert matching.score_pair(db_session, mission, profile) is None


def test_an_expired_required_document_suspends_matching_not_the_account(app_ctx, db_session, admin, outbox):
    mission = MissionFactory()
    profile = vetted(db_session)
    decisions.approve(db_session, admin, profile.id, badges=[], note="Code URSSAF vérifié", confirmed=True, ip_address=IP)
    commit(db_session)
    assert profile.id in ranked_ids(db_session, mission)

    # The certificate is replaced by one issued seven months ago: expired.
    from tests.factories import sample_pdf, upload_document

    upload_document(profile, "urssaf_certificate", sample_pdf("Attestation ancienne"),
                    issued_on=today() - timedelta(days=214), security_code="OLD1")
    commit(db_session)
    assert profile.status == "approved" and profile.user.active
    assert profile.matching_suspended_reason.startswith("Attestation de vigilance URSSAF expirée le")
    assert profile.id not in ranked_ids(db_session, mission)
    assert outbox.last_to(profile.user.email).template == "matching_suspended"

    upload_document(profile, "urssaf_certificate", sample_pdf("Attestation du mois"),
                    issued_on=today() - timedelta(days=2), security_code="NEW2")
    commit(db_session)
    assert profile.matching_suspended_reason is None
    assert profile.id in ranked_ids(db_session, mission)
    assert outbox.last_to(profile.user.email).template == "matching_restored"
    actions = [e.action for e in db_session.scalars(select(AuditLog).where(AuditLog.subject_id == profile.id,
                                                                           AuditLog.action.like("vetting.matching%")))]
    assert actions == ["vetting.matching_suspended", "vetting.matching_restored"]
