"""Messages between an SME and a freelancer: one thread per application, continued by its contract."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.models.messaging import Message, MessageThread
from marketplace.models.privacy import AccountClosure
from marketplace.platform import storage
from marketplace.services.messaging import notifications, queries, rules, threads
from marketplace.services.privacy import closures, erasure, exports
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
)


@pytest.fixture()
def application(sme_user, freelancer):
    return ApplicationFactory(mission=MissionFactory(company=sme_user.company), freelancer=freelancer)


def thread_url(side: str, application) -> str:
    prefix = "/entreprise" if side == "sme" else "/freelance"
    return f"{prefix}/candidatures/{application.id}/messages"


def post(client, url: str, body: str):
    return client.post(url, data={"body": body}, follow_redirects=True)


def test_the_sme_writes_on_an_application_and_the_freelancer_reads_it_with_its_line_breaks(
        client, application, sme_user, freelancer):
    login(client, sme_user.email, PASSWORD)
    page = client.get(f"/entreprise/candidatures/{application.id}")
    assert thread_url("sme", application) in page.get_data(as_text=True)
    answer = post(client, thread_url("sme", application), "Bonjour,\nPouvez-vous démarrer lundi ?\n<b>merci</b>")
    assert answer.status_code == 200 and "Message envoyé." in answer.get_data(as_text=True)

    other = client.application.test_client()
    login(other, freelancer.user.email, PASSWORD)
    listing = other.get("/freelance/candidatures").get_data(as_text=True)
    assert thread_url("freelancer", application) in listing
    badge = 'Messages <span class="badge brand">1<span class="visually-hidden"> non lu</span>'
    assert badge in other.get("/freelance/").get_data(as_text=True)  # the menu's badge
    text = other.get(thread_url("freelancer", application)).get_data(as_text=True)
    assert "Bonjour,\nPouvez-vous démarrer lundi ?\n&lt;b&gt;merci&lt;/b&gt;" in text  # escaped, breaks kept
    assert "<b>merci</b>" not in text
    # Read: the badge is gone.
    assert 'Messages <span class="badge' not in other.get("/freelance/").get_data(as_text=True)


def test_the_contract_continues_the_applications_thread(client, db_session, application, sme_user, freelancer):
    login(client, freelancer.user.email, PASSWORD)
    post(client, thread_url("freelancer", application), "Une question avant de signer.")
    contract = ContractFactory(mission=application.mission, freelancer=freelancer, application=application)
    # The application's page now leads to the same thread, which the contract page shows.
    assert "Une question avant de signer." in client.get(f"/freelance/contrats/{contract.id}").get_data(as_text=True)
    post(client, f"/freelance/contrats/{contract.id}/messages", "Et une autre, sur le contrat.")
    assert db_session.scalar(select(MessageThread).where(MessageThread.application_id == application.id)
                             ).contract_id == contract.id
    assert len(db_session.scalars(select(MessageThread)).all()) == 1

    sme = client.application.test_client()
    login(sme, sme_user.email, PASSWORD)
    text = sme.get(thread_url("sme", application)).get_data(as_text=True)
    assert "Une question avant de signer." in text and "Et une autre, sur le contrat." in text
    assert "se poursuit avec le contrat" in text
    inbox = sme.get("/entreprise/messages").get_data(as_text=True)
    assert f"/entreprise/contrats/{contract.id}/messages" in inbox


def test_unread_counts_follow_each_reader(app_ctx, db_session, application, sme_user, sme_member, freelancer):
    threads.post_on_application(db_session, application, freelancer.user, "Premier")
    threads.post_on_application(db_session, application, freelancer.user, "Second")
    assert queries.unread_total(db_session, sme_user) == 2
    assert queries.unread_total(db_session, sme_member) == 2
    assert queries.unread_total(db_session, freelancer.user) == 0  # one's own messages are read
    threads.mark_read(db_session, threads.for_application(db_session, application), sme_user)
    assert queries.unread_total(db_session, sme_user) == 0
    assert queries.unread_total(db_session, sme_member) == 2  # each member reads for themself
    threads.post_on_application(db_session, application, sme_member, "Réponse de l'équipe")
    assert queries.unread_total(db_session, freelancer.user) == 1
    assert queries.unread_by_application(db_session, sme_user, [application.id]) == {}


def test_one_email_per_thread_and_window_the_rest_after_it(app_ctx, db_session, application, freelancer, outbox):
    now = utcnow()
    threads.post_on_application(db_session, application, application.mission.company.members[0], "Bonjour", now=now)
    thread = threads.for_application(db_session, application)
    assert notifications.send_due(db_session, thread.id, now) == 1
    first = outbox.last_to(freelancer.user.email)
    assert "Nouveau message de" in first.subject and "Bonjour" in first.body_text
    assert f"/freelance/candidatures/{application.id}/messages" in first.body_text

    later = now + timedelta(minutes=2)
    threads.post_on_application(db_session, application, application.mission.company.members[0], "Encore", now=later)
    threads.post_on_application(db_session, application, application.mission.company.members[0], "Et encore",
                                now=later)
    assert notifications.send_due(db_session, thread.id, later) == 0  # within the window: held back
    assert notifications.send_all_due(db_session, now + rules.NOTIFY_EVERY - timedelta(seconds=1)) == 0
    assert notifications.send_all_due(db_session, now + rules.NOTIFY_EVERY + timedelta(seconds=1)) == 1
    second = outbox.last_to(freelancer.user.email)
    assert second.id != first.id and "2 nouveaux messages" in second.subject and "Et encore" in second.body_text
    # Nothing new: nothing sent, however often the job runs.
    assert notifications.send_all_due(db_session, now + timedelta(hours=1)) == 0
    to_freelancer = [m for m in outbox.messages() if m.to_address == freelancer.user.email]
    assert len(to_freelancer) == 2


def test_read_messages_are_not_emailed(app_ctx, db_session, application, freelancer, outbox):
    threads.post_on_application(db_session, application, application.mission.company.members[0], "Bonjour")
    thread = threads.for_application(db_session, application)
    threads.mark_read(db_session, thread, freelancer.user)
    assert notifications.send_due(db_session, thread.id) == 0
    assert not [m for m in outbox.messages() if m.to_address == freelancer.user.email]


def test_posting_through_the_page_emails_the_other_side(client, application, sme_user, freelancer, outbox):
    login(client, freelancer.user.email, PASSWORD)
    post(client, thread_url("freelancer", application), "Je suis disponible jeudi.")
    email = outbox.last_to(sme_user.email)
    assert freelancer.display_name in email.subject
    assert f"/entreprise/candidatures/{application.id}/messages" in email.body_text
    sme = client.application.test_client()
    login(sme, sme_user.email, PASSWORD)
    assert "1 message non lu" in sme.get("/entreprise/").get_data(as_text=True)  # the dashboard says so


def test_another_company_or_freelancer_gets_404_and_cannot_post(client, db_session, application, other_sme_user):
    contract = ContractFactory(mission=application.mission, freelancer=application.freelancer,
                               application=application)
    urls = [thread_url("sme", application), f"/entreprise/contrats/{contract.id}/messages"]
    login(client, other_sme_user.email, PASSWORD)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, data={"body": "Intrus"}).status_code == 404
    stranger = FreelancerProfileFactory(user__email="autre-om@example.test")
    other = client.application.test_client()
    login(other, stranger.user.email, PASSWORD)
    for url in (thread_url("freelancer", application), f"/freelance/contrats/{contract.id}/messages"):
        assert other.get(url).status_code == 404
        assert other.post(url, data={"body": "Intrus"}).status_code == 404
    assert db_session.scalar(select(Message.id)) is None
    assert "Intrus" not in other.get("/freelance/messages").get_data(as_text=True)
    # And the service refuses them too.
    with client.application.app_context(), pytest.raises(NotFound):
        threads.post_on_application(db_session, application, stranger.user, "Intrus")


def test_a_long_or_empty_message_is_refused_beside_the_field(client, application, sme_user):
    login(client, sme_user.email, PASSWORD)
    response = client.post(thread_url("sme", application), data={"body": "x" * (rules.MESSAGE_MAX_CHARS + 1)})
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "5\u202f000 caractères au plus." in text
    assert text.count("caractères au plus.") == 1  # one message, not the bound twice
    response = client.post(thread_url("sme", application), data={"body": "   \n  "})
    assert response.status_code == 422 and "Ce champ est obligatoire." in response.get_data(as_text=True)


def test_a_closed_application_keeps_its_thread_readable_only(app_ctx, db_session, application, freelancer):
    threads.post_on_application(db_session, application, freelancer.user, "Bonjour")
    application.status = "withdrawn"
    with pytest.raises(DomainError, match="close"):
        threads.post_on_application(db_session, application, freelancer.user, "Encore")
    page = queries.application_page(db_session, application, freelancer.user)
    assert not page.can_write and [m.body for m in page.messages] == ["Bonjour"]


def test_the_export_holds_the_thread_and_the_erasure_empties_what_the_person_wrote(
        app_ctx, db_session, application, sme_user, freelancer):
    threads.post_on_application(db_session, application, freelancer.user, "Ma question")
    threads.post_on_application(db_session, application, sme_user, "Notre réponse")
    export = exports.request_export(db_session, freelancer.user)
    exports.build(db_session, export.id)
    try:
        data = json.loads(zipfile.ZipFile(io.BytesIO(exports.read(export))).read("conversations.json"))
    finally:
        storage.remove(export.storage_key)
    assert [m["body"] for m in data[0]["messages"]] == ["Ma question", "Notre réponse"]
    assert [m["written_by_you"] for m in data[0]["messages"]] == [True, False]

    closure = closures.request_closure(db_session, freelancer.user, password=PASSWORD)
    closure.erase_after = utcnow() - timedelta(minutes=1)
    erasure.erase(db_session, closure.id)
    assert db_session.get(AccountClosure, closure.id).status == "erased"
    bodies = {m.sender_side: (m.body, m.erased_at is not None) for m in db_session.scalars(select(Message))}
    assert bodies == {"freelancer": ("", True), "sme": ("Notre réponse", False)}
    page_rows = queries.inbox(db_session, sme_user)
    assert page_rows and page_rows[0].last_excerpt == "Notre réponse"


def test_the_demo_has_a_conversation_on_the_contract_and_a_question_waiting(demo_session):
    from marketplace.models.users import User

    pme = demo_session.scalar(select(User).where(User.email == "pme@demo.test"))
    om = demo_session.scalar(select(User).where(User.email == "om@demo.test"))
    rows = queries.inbox(demo_session, pme)
    assert any(r.contract_id for r in rows) and any(r.unread for r in rows)
    assert queries.unread_total(demo_session, om) >= 1
