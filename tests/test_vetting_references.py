"""Reference requests: e-mailed one-time links, the questionnaire, flags, reminders."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import commit, utcnow
from marketplace.models.vetting import CheckStatus, ReferenceRequest, VettingCheck
from marketplace.services.vetting import references
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    AdminFactory,
    FreelancerProfileFactory,
    ReferenceFactory,
    SubmittedProfileFactory,
    UserFactory,
    submit,
)

ANSWERS = {
    "role": "Directrice générale, j'étais sa cliente",
    "period": "de mars 2023 à aujourd'hui",
    "would_rehire": "yes",
    "rating_people_culture": "5",
    "rating_operations_process": "4",
    "rating_finance_procurement": "5",
    "rating_facilities_workplace": "0",
    "rating_communication_coordination": "4",
    "comment": "Très fiable, a repris nos achats en deux semaines.",
    "sincere": "y",
}


def submitted_with_referees(session, *emails, user_email=None):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None, references=[],
                                      **({"user": UserFactory(role="freelancer", email=user_email)} if user_email else {}))
    for n, email in enumerate(emails or ("claire.dubois@atelier-lumen.test", "marc.petit@boreal.test")):
        ReferenceFactory(profile=profile, email=email, name=f"Référent {n}")
    submit(profile)
    commit(session)
    return profile


def token_from(outbox, address: str) -> str:
    link = outbox.links(outbox.last_to(address))[0]
    assert link.startswith("http://localhost/reference/")
    return link.rsplit("/", 1)[1]


def reference_check(session, profile, reference) -> VettingCheck:
    session.expire_all()
    return session.scalar(select(VettingCheck).where(VettingCheck.profile_id == profile.id,
                                                     VettingCheck.subject == str(reference.id)))


def summary_check(session, profile) -> VettingCheck:
    session.expire_all()
    return session.scalar(select(VettingCheck).where(VettingCheck.profile_id == profile.id,
                                                     VettingCheck.kind == "references", VettingCheck.subject == ""))


def test_submission_emails_each_referee_a_one_time_link(app_ctx, db_session, outbox):
    profile = submitted_with_referees(db_session)
    sent = [m for m in outbox.messages() if m.template == "reference_request"]
    assert sorted(m.to_address for m in sent) == ["claire.dubois@atelier-lumen.test", "marc.petit@boreal.test"]
    message = outbox.last_to("claire.dubois@atelier-lumen.test")
    assert message.subject.endswith("vous cite comme référence : 3 minutes de questionnaire")
    assert profile.display_name in message.body_text and "utilisable une seule fois" in message.body_text
    token = token_from(outbox, "claire.dubois@atelier-lumen.test")
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    # Only the hash is stored.
    assert request.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in request.token_hash
    assert request.status == "sent"
    assert timedelta(days=14) - (request.expires_at - request.sent_at) < timedelta(seconds=1)
    assert summary_check(db_session, profile).summary == "En attente des 2 référents."

    # Running the references job again sends nothing more and keeps the same rows.
    from marketplace.services.vetting import running

    before = [(r.id, r.status) for r in db_session.scalars(select(VettingCheck).order_by(VettingCheck.id))]
    running.run(db_session, profile.id, "references")
    commit(db_session)
    assert len([m for m in outbox.messages() if m.template == "reference_request"]) == 2
    assert [(r.id, r.status) for r in db_session.scalars(select(VettingCheck).order_by(VettingCheck.id))] == before


def test_referee_answers_once_and_the_check_passes(client, db_session, outbox, app):
    with app.app_context():
        profile = submitted_with_referees(db_session)
    token = token_from(outbox, "claire.dubois@atelier-lumen.test")
    page = client.get(f"/reference/{token}")
    assert page.status_code == 200 and f"Votre avis sur {profile.display_name}" in page.text
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]
    assert 'value="Directrice générale"' in page.text  # prefilled with what the freelancer declared

    response = client.post(f"/reference/{token}", data=ANSWERS, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302 and response.headers["Location"] == "/reference/merci"
    assert "Merci pour votre réponse" in client.get("/reference/merci").text

    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    assert request.status == "answered" and request.answered_ip == "203.0.113.7" and request.flags == []
    assert request.answers["ratings"] == {"people_culture": 5, "operations_process": 4, "finance_procurement": 5,
                                          "facilities_workplace": None, "communication_coordination": 4}
    check = reference_check(db_session, profile, request.reference)
    assert check.status == CheckStatus.PASSED and "recommande sans réserve (moyenne 4,5/5)" in check.summary

    used = client.get(f"/reference/{token}")
    assert used.status_code == 410 and "Questionnaire déjà rempli" in used.text
    assert client.post(f"/reference/{token}", data=ANSWERS).status_code == 410
    assert db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.id == request.id)).answered_ip == "203.0.113.7"


def test_questionnaire_errors_are_shown_beside_the_fields_and_nothing_is_lost(client, db_session, outbox, app):
    with app.app_context():
        submitted_with_referees(db_session)
    token = token_from(outbox, "marc.petit@boreal.test")
    data = dict(ANSWERS, would_rehire="", rating_finance_procurement="", comment="Mon commentaire détaillé")
    page = client.post(f"/reference/{token}", data=data)
    assert page.status_code == 200
    assert "Répondez à cette question." in page.text and "Choisissez une note ou « Non observé »." in page.text
    assert "Mon commentaire détaillé" in page.text and "de mars 2023" in page.text
    data = dict(ANSWERS, **{f"rating_{code}": "0" for code, _ in references.RATING_DIMENSIONS})
    page = client.post(f"/reference/{token}", data=data)
    assert "Notez au moins une des cinq dimensions" in page.text
    assert db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "marc.petit@boreal.test")).status == "sent"


def test_expired_unknown_and_replaced_links_are_refused_with_a_clear_page(client, db_session, outbox, app):
    with app.app_context():
        profile = submitted_with_referees(db_session)
    token = token_from(outbox, "claire.dubois@atelier-lumen.test")
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    request.expires_at = utcnow() - timedelta(minutes=1)
    commit(db_session)
    page = client.get(f"/reference/{token}")
    assert page.status_code == 410 and "Ce lien a expiré" in page.text
    assert client.post(f"/reference/{token}", data=ANSWERS).status_code == 410

    page = client.get("/reference/pas-un-vrai-jeton")
    assert page.status_code == 404 and "Lien de questionnaire invalide" in page.text

    old = token_from(outbox, "marc.petit@boreal.test")
    admin = AdminFactory()
    with app.app_context():
        other = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "marc.petit@boreal.test"))
        references.resend(db_session, admin, other.id, ip_address="198.51.100.1")
        commit(db_session)
    page = client.get(f"/reference/{old}")
    assert page.status_code == 410 and "remplacé par un lien plus récent" in page.text
    new = token_from(outbox, "marc.petit@boreal.test")
    assert new != old and client.get(f"/reference/{new}").status_code == 200
    assert profile.id


@pytest.mark.parametrize(
    ("freelancer_email", "referee_email", "flags"),
    [
        ("lea.roux@roux-conseil.fr", "paul@roux-conseil.fr", ["own_domain"]),
        ("lea.roux@roux-conseil.fr", "paul@mail.roux-conseil.fr", ["own_domain"]),
        ("lea.roux@gmail.com", "paul.martin@gmail.com", []),  # a shared webmail says nothing
        ("lea.roux@roux-conseil.fr", "LEA.ROUX@roux-conseil.fr", ["same_email"]),
        ("lea.roux@roux-conseil.fr", "dg@client-sas.fr", []),
    ],
)
def test_referee_address_flags(app_ctx, db_session, freelancer_email, referee_email, flags):
    profile = submitted_with_referees(db_session, referee_email, "autre@client.test", user_email=freelancer_email)
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == referee_email.lower()))
    assert request.flags == flags
    if flags:
        assert "Signalé" in reference_check(db_session, profile, request.reference).summary


def test_referee_who_is_a_freelancer_on_the_platform_is_flagged(app_ctx, db_session):
    FreelancerProfileFactory(user=UserFactory(role="freelancer", email="complice@agence.test"))
    submitted_with_referees(db_session, "complice@agence.test", "autre@client.test")
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "complice@agence.test"))
    assert request.flags == ["referee_is_freelancer"]


def test_answer_from_the_freelancers_own_ip_is_flagged(client, db_session, outbox, app):
    with app.app_context():
        profile = submitted_with_referees(db_session)
    login(client, profile.user.email, PASSWORD)  # 127.0.0.1, recorded in the audit log
    client.post("/compte/deconnexion")
    token = token_from(outbox, "claire.dubois@atelier-lumen.test")
    client.post(f"/reference/{token}", data=ANSWERS)  # also from 127.0.0.1
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    assert request.flags == ["freelancer_ip"]
    check = reference_check(db_session, profile, request.reference)
    assert check.status == CheckStatus.WARNING
    assert "adresse IP utilisée par le freelance" in check.summary


def test_reminders_after_three_and_seven_days_then_expiry(app_ctx, db_session, outbox):
    profile = submitted_with_referees(db_session, "claire.dubois@atelier-lumen.test", "marc.petit@boreal.test")
    first_link = token_from(outbox, "claire.dubois@atelier-lumen.test")
    start = utcnow()

    def remind(days: float) -> dict:
        counts = references.send_reminders(db_session, start + timedelta(days=days))
        commit(db_session)
        return counts

    def reminders_to(address):
        return [m for m in outbox.messages() if m.to_address == address and m.template == "reference_reminder"]

    assert remind(2.9) == {"reminded": 0, "expired": 0}
    assert remind(3.1) == {"reminded": 2, "expired": 0}
    assert remind(3.5) == {"reminded": 0, "expired": 0}  # once per stage, however often the cron runs
    reminder = reminders_to("claire.dubois@atelier-lumen.test")[0]
    assert reminder.subject == f"Rappel : votre avis sur {profile.display_name}"
    assert outbox.links(reminder)[0].endswith(first_link)  # the same link, still valid
    assert remind(7.2) == {"reminded": 2, "expired": 0}
    assert remind(10) == {"reminded": 0, "expired": 0}
    assert len(reminders_to("claire.dubois@atelier-lumen.test")) == 2
    assert remind(14.1) == {"reminded": 0, "expired": 2}
    check = summary_check(db_session, profile)
    assert check.status == CheckStatus.WARNING
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    assert reference_check(db_session, profile, request.reference).status == CheckStatus.FAILED


def test_a_late_cron_sends_one_reminder_not_two(app_ctx, db_session, outbox):
    submitted_with_referees(db_session, "claire.dubois@atelier-lumen.test", "marc.petit@boreal.test")
    assert references.send_reminders(db_session, utcnow() + timedelta(days=8))["reminded"] == 2
    assert references.send_reminders(db_session, utcnow() + timedelta(days=9))["reminded"] == 0


@pytest.mark.parametrize(
    ("answers", "status", "words"),
    [
        ({"would_rehire": "no"}, CheckStatus.FAILED, "ne retravaillerait pas"),
        ({"would_rehire": "reserved"}, CheckStatus.WARNING, "avec des réserves"),
        ({"rating_people_culture": "2", "rating_operations_process": "2", "rating_finance_procurement": "1",
          "rating_communication_coordination": "3"}, CheckStatus.WARNING, "mitigée (moyenne 2/5)"),
    ],
)
def test_answers_that_deserve_a_closer_look(client, db_session, outbox, app, answers, status, words):
    with app.app_context():
        profile = submitted_with_referees(db_session)
    token = token_from(outbox, "claire.dubois@atelier-lumen.test")
    client.post(f"/reference/{token}", data=dict(ANSWERS, **answers), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    request = db_session.scalar(select(ReferenceRequest).where(ReferenceRequest.sent_to == "claire.dubois@atelier-lumen.test"))
    check = reference_check(db_session, profile, request.reference)
    assert check.status == status and words in check.summary


def test_two_positive_answers_verify_the_references(client, db_session, outbox, app):
    with app.app_context():
        profile = submitted_with_referees(db_session)
    for address in ("claire.dubois@atelier-lumen.test", "marc.petit@boreal.test"):
        client.post(f"/reference/{token_from(outbox, address)}", data=ANSWERS, environ_base={"REMOTE_ADDR": "203.0.113.10"})
    check = summary_check(db_session, profile)
    assert check.status == CheckStatus.PASSED and check.summary == "2 références vérifiées sur 2."


def test_fewer_than_two_references_fail_the_summary(app_ctx, db_session):
    profile = submitted_with_referees(db_session, "seule@client.test")
    check = summary_check(db_session, profile)
    assert check.status == CheckStatus.FAILED and "2 au moins sont attendues" in check.summary


def test_a_changed_referee_address_gets_a_new_link(app_ctx, db_session, outbox):
    profile = submitted_with_referees(db_session)
    from marketplace.platform import events

    reference = profile.references[0]
    reference.email = "claire.dubois@nouvelle-adresse.test"
    events.profile_updated.send(db_session, profile=profile, fields={"references"})
    commit(db_session)
    statuses = {r.sent_to: r.status for r in db_session.scalars(select(ReferenceRequest))}
    assert statuses["claire.dubois@atelier-lumen.test"] == "cancelled"
    assert statuses["claire.dubois@nouvelle-adresse.test"] == "sent"
    assert outbox.last_to("claire.dubois@nouvelle-adresse.test").template == "reference_request"
