"""The SME's decisions on applications: scores from the matcher, shortlist, invite, decline, accept."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import utcnow
from marketplace.domain import WeekSlots
from marketplace.errors import DomainError
from marketplace.models.audit import AuditLog
from marketplace.models.contracts import Contract, ContractBooking
from marketplace.models.missions import Application
from marketplace.platform import events
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from marketplace.services.missions import hiring
from tests.factories import (
    ApplicationFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)


@contextmanager
def status_changes():
    seen = []

    def receiver(sender, application, old, new, **_):
        seen.append((application.id, old, new))

    with events.application_status_changed.connected_to(receiver):
        yield seen


@pytest.fixture()
def mission(sme_user):
    return MissionFactory(company=sme_user.company)


def test_applicants_carry_the_matchers_score_and_reasons(app_ctx, db_session, mission):
    application = ApplicationFactory(mission=mission)
    [item] = hiring.applicants(db_session, mission)
    expected = matching.score_pair(db_session, mission, application.freelancer)
    assert item.score == expected.score and item.reasons == expected.breakdown()
    assert any(r["label"].startswith("Disponible mardi et jeudi") for r in item.reasons)
    assert item.ineligible == ()


def test_an_applicant_who_became_ineligible_shows_why_and_has_no_score(app_ctx, db_session, mission):
    application = ApplicationFactory(mission=mission)
    application.freelancer.available_slots = WeekSlots.from_days(["mon", "tue"]).bits
    [item] = hiring.applicants(db_session, mission)
    booked = bookings.booked_slots(db_session, [application.freelancer_id])[application.freelancer_id]
    assert item.score is None and item.reasons == []
    assert item.ineligible and item.ineligible == tuple(matching.eligibility(mission, application.freelancer, booked))


def test_open_applicants_come_best_first_and_decided_ones_last(app_ctx, db_session, mission):
    weaker = ApplicationFactory(mission=mission, freelancer=FreelancerProfileFactory(years_experience=3))
    stronger = ApplicationFactory(mission=mission)
    declined = ApplicationFactory(mission=mission, status="declined", score=90)
    order = [item.application for item in hiring.applicants(db_session, mission)]
    assert order == [stronger, weaker, declined]


def test_shortlisting_tells_the_freelancer(app_ctx, db_session, mission, sme_user, outbox):
    application = ApplicationFactory(mission=mission)
    with status_changes() as seen:
        hiring.shortlist(db_session, application, sme_user)
    assert application.status == "shortlisted" and application.decided_by_id == sme_user.id
    assert seen == [(application.id, "applied", "shortlisted")]
    assert "présélectionné votre candidature" in outbox.last_to(application.freelancer.user.email).body_text
    assert db_session.scalar(select(AuditLog.action).where(AuditLog.subject_id == application.id)) == "application.shortlisted"
    with pytest.raises(DomainError):
        hiring.shortlist(db_session, application, sme_user)


def test_inviting_a_recommended_freelancer_creates_an_invited_application(app_ctx, db_session, mission, sme_user, outbox):
    profile = FreelancerProfileFactory()
    [recommended] = matching.rank_freelancers(db_session, mission, 5)
    assert recommended.profile_id == profile.id
    with status_changes() as seen:
        application = hiring.invite(db_session, mission, profile, sme_user, "Vos mardis et jeudis nous iraient bien.")
    assert (application.source, application.status) == ("invited", "invited")
    assert application.score == recommended.score and application.score_breakdown == recommended.breakdown()
    assert seen == [(application.id, None, "invited")]
    message = outbox.last_to(profile.user.email)
    assert mission.company.legal_name in message.subject
    assert "Vos mardis et jeudis nous iraient bien." in message.body_text
    assert "http://localhost/freelance/" in message.body_text
    # Already invited: once per mission and freelancer.
    with pytest.raises(DomainError, match="déjà candidaté ou été invité"):
        hiring.invite(db_session, mission, profile, sme_user)
    assert matching.rank_freelancers(db_session, mission, 5, exclude_ids=[profile.id]) == []


def test_an_ineligible_freelancer_cannot_be_invited(app_ctx, db_session, mission, sme_user):
    profile = FreelancerProfileFactory(available_slots=WeekSlots.from_days(["mon"]).bits)
    with pytest.raises(DomainError, match="Ce profil ne peut pas prendre cette mission : "):
        hiring.invite(db_session, mission, profile, sme_user)
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


def test_invitations_need_a_published_mission(app_ctx, db_session, sme_user):
    mission = MissionFactory(company=sme_user.company, status="draft")
    with pytest.raises(DomainError, match="n'est pas publiée"):
        hiring.invite(db_session, mission, FreelancerProfileFactory(), sme_user)


def test_declining_needs_a_message_which_the_freelancer_receives(app_ctx, db_session, mission, sme_user, outbox):
    application = ApplicationFactory(mission=mission)
    with pytest.raises(DomainError) as caught:
        hiring.decline(db_session, application, sme_user, "   ")
    assert caught.value.field == "message" and application.status == "applied"
    with status_changes() as seen:
        hiring.decline(db_session, application, sme_user, "Merci, nous avons retenu un profil plus proche.")
    assert application.status == "declined" and application.sme_message.startswith("Merci")
    assert seen == [(application.id, "applied", "declined")]
    assert "Merci, nous avons retenu un profil plus proche." in outbox.last_to(application.freelancer.user.email).body_text
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "application.declined"))
    assert entry.reason == "Merci, nous avons retenu un profil plus proche."


def test_accepting_records_the_decision_drafts_the_contract_and_books_nothing(app_ctx, db_session, mission, sme_user, outbox):
    member = SmeUserFactory(company=sme_user.company, company_role="member", email="member@pme-a.test")
    application = ApplicationFactory(mission=mission)
    with status_changes() as seen:
        hiring.accept(db_session, application, member)
    assert application.status == "accepted" and application.decided_by_id == member.id
    assert application.score is not None and application.score_breakdown
    assert seen == [(application.id, "applied", "accepted")]
    freelancer_mail = outbox.last_to(application.freelancer.user.email)
    assert "a retenu votre candidature" in freelancer_mail.subject
    assert "Rien n'est réservé dans votre semaine" in freelancer_mail.body_text
    assert "/freelance/contrats" in freelancer_mail.body_text
    assert "Vous avez retenu" in outbox.last_to(member.email).body_text
    assert f"{member.display_name} a retenu" in outbox.last_to(sme_user.email).body_text
    assert db_session.scalar(select(func.count()).select_from(ContractBooking)) == 0
    contract = db_session.scalar(select(Contract))
    assert contract.application_id == application.id and contract.status == "draft"
    assert db_session.scalar(select(AuditLog.actor_id).where(AuditLog.action == "application.accepted")) == member.id


def test_only_one_application_is_accepted_per_mission(app_ctx, db_session, mission, sme_user):
    first, second = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)
    hiring.accept(db_session, first, sme_user)
    with pytest.raises(DomainError, match="Vous avez déjà retenu"):
        hiring.accept(db_session, second, sme_user)


def test_an_invitation_is_not_accepted_before_the_freelancer_applies(app_ctx, db_session, mission, sme_user):
    application = hiring.invite(db_session, mission, FreelancerProfileFactory(), sme_user)
    with pytest.raises(DomainError, match="n'a pas encore répondu"):
        hiring.accept(db_session, application, sme_user)
    hiring.decline(db_session, application, sme_user, "Finalement, nous avons trouvé.")
    assert application.status == "declined"


def test_an_applicant_no_longer_free_cannot_be_accepted(app_ctx, db_session, mission, sme_user):
    application = ApplicationFactory(mission=mission)
    application.freelancer.available_slots = WeekSlots.from_days(["tue"]).bits
    with pytest.raises(DomainError, match="ne peut plus prendre cette mission"):
        hiring.accept(db_session, application, sme_user)
    assert application.status == "applied"


def test_the_waiting_digest_goes_once_a_day_to_the_owner(app_ctx, db_session, mission, sme_user, outbox):
    old = ApplicationFactory(mission=mission)
    ApplicationFactory(mission=mission)  # fresh: not yet worth a reminder
    old.updated_at = utcnow() - timedelta(days=3)
    db_session.flush()
    assert hiring.send_waiting_digests(db_session) == 1
    digest = outbox.last_to(sme_user.email)
    assert digest.subject == "1 candidature en attente de votre réponse"
    assert f"http://localhost/entreprise/missions/{mission.id}/candidatures" in digest.body_text
    assert hiring.send_waiting_digests(db_session) == 0  # same day: nothing more


def test_the_digest_job_entry_point(app_ctx, db_session, mission, sme_user, outbox):
    from marketplace.platform import jobs

    application = ApplicationFactory(mission=mission)
    application.updated_at = utcnow() - timedelta(days=5)
    db_session.flush()
    assert jobs.run_now(db_session, "missions.remind_waiting_applications") == 1


def test_a_new_application_is_e_mailed_to_the_company_owner_at_once(app_ctx, db_session, outbox, sme_user):
    from marketplace.db import commit
    from marketplace.services.missions import applications
    from marketplace.services.missions.applications import ApplyData
    from tests.factories import FreelancerProfileFactory, MissionFactory

    mission = MissionFactory(company=sme_user.company, title="Office manager mardi-jeudi")
    profile = FreelancerProfileFactory(user__first_name="Inès", user__last_name="Benali")
    note = "Douze ans d'office management, deux déménagements pilotés et les notes de frais sur Spendesk."
    application = applications.apply(db_session, profile, mission, ApplyData(note, 46000, ["tue", "thu"]))
    commit(db_session)
    email = outbox.last_to(sme_user.email)
    assert email.subject == "Nouvelle candidature pour « Office manager mardi-jeudi »"
    assert "Inès Benali candidate à la mission" in email.body_text
    assert "TJM proposé : 460\u00a0€" in email.body_text and "mardi et jeudi" in email.body_text
    assert f"/entreprise/candidatures/{application.id}" in email.body_text
    assert email.status == "sent"
