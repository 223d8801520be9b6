"""Missions for you, applying, withdrawing, invitations, the dashboard."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.db import today, utcnow
from marketplace.domain import WeekSlots
from marketplace.errors import DomainError, NotFound
from marketplace.formatting import money
from marketplace.i18n import french_typography
from marketplace.models.audit import AuditLog
from marketplace.models.billing import Invoice, InvoiceSeries
from marketplace.models.missions import Application
from marketplace.models.payments import Payout
from marketplace.models.timesheets import Timesheet
from marketplace.platform import events
from marketplace.services.contracts import bookings
from marketplace.services.matching import facade as matching
from marketplace.services.missions import applications, opportunities
from marketplace.services.missions.applications import ApplyData
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CompanyFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
)

NOTE = "Douze ans d'office management, deux déménagements pilotés et les notes de frais sur Spendesk."


@pytest.fixture()
def status_changes():
    seen = []

    def handler(sender, **kwargs):
        seen.append((kwargs["old"], kwargs["new"]))

    events.application_status_changed.connect(handler)
    yield seen
    events.application_status_changed.disconnect(handler)


def apply(session, profile, mission, weekdays=("tue", "thu"), rate=45000, note=NOTE):
    return applications.apply(session, profile, mission, ApplyData(note, rate, list(weekdays)))


# --- who may apply -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,extra,message",
    [
        ("draft", {}, "Seuls les profils vérifiés peuvent candidater"),
        ("draft", {"submitted_at": utcnow()}, "attend des compléments"),
        ("submitted", {}, "en cours de vérification"),
        ("in_review", {}, "en cours de vérification"),
        ("rejected", {}, "n'a pas été retenu"),
        ("suspended", {}, "Votre profil est suspendu"),
        ("approved", {"matching_suspended_reason": "attestation d'assurance expirée"},
         "Vos candidatures sont suspendues : attestation d'assurance expirée"),
    ],
)
def test_only_approved_freelancers_can_apply_and_the_others_are_told_why(app_ctx, db_session, status, extra, message):
    profile = FreelancerProfileFactory(status=status, **extra)
    mission = MissionFactory()
    assert message in applications.why_cannot_apply(profile)
    with pytest.raises(DomainError, match=message):
        apply(db_session, profile, mission)
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


def test_the_mission_page_tells_an_unapproved_freelancer_why_and_shows_no_form(client, db_session):
    profile = FreelancerProfileFactory(status="submitted")
    mission = MissionFactory()
    login(client, profile.user.email, PASSWORD)
    page = html.unescape(client.get(f"/freelance/missions/{mission.id}").text)
    assert "Votre profil est en cours de vérification : vous pourrez candidater dès qu'il sera validé." in page
    assert "Envoyer ma candidature" not in page
    response = client.post(f"/freelance/missions/{mission.id}", data={"note": NOTE, "proposed_rate": "450", "weekdays": ["tue", "thu"]})
    assert "en cours de vérification" in response.text
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


# --- applying ------------------------------------------------------------------------------


def test_apply_records_the_application_with_its_score_snapshot(app_ctx, db_session, freelancer, status_changes):
    mission = MissionFactory()
    application = apply(db_session, freelancer, mission)
    assert application.status == "applied" and application.source == "applied"
    assert application.offered_weekdays == ["tue", "thu"] and application.proposed_rate_cents == 45000
    assert application.score and application.score_breakdown
    assert application.score == matching.score_pair(db_session, mission, freelancer).score
    assert status_changes == [(None, "applied")]
    assert db_session.scalar(select(AuditLog.action).where(AuditLog.subject_id == application.id)) == "application.submitted"
    with pytest.raises(DomainError, match="déjà candidaté"):
        apply(db_session, freelancer, mission)


def test_named_weekdays_must_be_offered_exactly(app_ctx, db_session, freelancer):
    mission = MissionFactory(weekdays=["tue", "thu"])
    with pytest.raises(DomainError, match="se déroule le mardi et le jeudi : proposez exactement ces jours") as exc:
        apply(db_session, freelancer, mission, weekdays=["tue"])
    assert exc.value.field == "weekdays"


def test_a_flexible_mission_needs_as_many_free_weekdays_as_its_volume(app_ctx, db_session, freelancer):
    freelancer.available_slots = WeekSlots.from_days(["mon", "tue", "thu"]).bits
    mission = MissionFactory(weekdays=[], half_days_per_week=3)  # 1.5 days: two weekdays
    with pytest.raises(DomainError, match=r"demande 1,5 jour par semaine : proposez 2 jours \(vous en proposez 1\)"):
        apply(db_session, freelancer, mission, weekdays=["mon"])
    with pytest.raises(DomainError, match="Vous n'avez pas indiqué le mercredi en journée entière"):
        apply(db_session, freelancer, mission, weekdays=["mon", "wed"])
    assert apply(db_session, freelancer, mission, weekdays=["thu", "mon"]).offered_weekdays == ["mon", "thu"]


def test_a_weekday_booked_by_an_active_contract_cannot_be_offered_twice(app_ctx, db_session, freelancer):
    freelancer.available_slots = WeekSlots.from_days(["mon", "tue", "wed", "thu"]).bits
    ContractFactory(freelancer=freelancer, weekdays=["thu"], mission__company__legal_name="Boréal Logiciels")
    mission = MissionFactory(weekdays=["tue", "thu"])
    with pytest.raises(DomainError, match="Le jeudi est déjà réservé par votre contrat avec Boréal Logiciels"):
        apply(db_session, freelancer, mission)
    assert applications.default_weekdays(db_session, freelancer, mission) == ["tue"]  # thursday is not pre-selected
    assert applications.unavailable_mission_days(db_session, freelancer, mission) == {"thu": "booked"}
    flexible = MissionFactory(weekdays=[], half_days_per_week=4)
    assert applications.default_weekdays(db_session, freelancer, flexible) == ["mon", "tue"]
    assert apply(db_session, freelancer, flexible, weekdays=["mon", "wed"]).status == "applied"


def test_the_rate_and_the_note_are_checked(app_ctx, db_session, freelancer):
    mission = MissionFactory(max_daily_rate_cents=40000)
    with pytest.raises(DomainError, match="dépasse de plus de 20 % le budget") as exc:
        apply(db_session, freelancer, mission, rate=48100)
    assert exc.value.field == "proposed_rate"
    with pytest.raises(DomainError) as exc:
        apply(db_session, freelancer, mission, note="Dispo.")
    assert exc.value.field == "note"
    assert apply(db_session, freelancer, mission, rate=48000).proposed_rate_cents == 48000


def test_only_published_missions_are_visible_and_open(app_ctx, db_session, freelancer):
    for status in ("draft", "closed"):
        with pytest.raises(NotFound):
            applications.visible_mission(db_session, freelancer, MissionFactory(status=status).id)
    filled = MissionFactory(status="filled")
    with pytest.raises(NotFound):
        applications.visible_mission(db_session, freelancer, filled.id)
    ApplicationFactory(mission=filled, freelancer=freelancer, status="declined")
    assert applications.visible_mission(db_session, freelancer, filled.id) is filled
    with pytest.raises(DomainError, match="n'accepte plus de candidatures"):
        apply(db_session, freelancer, filled)


# --- withdrawing and invitations -------------------------------------------------------------


@pytest.mark.parametrize("status", ["applied", "shortlisted"])
def test_a_pending_application_can_be_withdrawn(app_ctx, db_session, freelancer, status_changes, status):
    application = ApplicationFactory(freelancer=freelancer, status=status)
    applications.withdraw(db_session, freelancer, application)
    assert application.status == "withdrawn" and status_changes == [(status, "withdrawn")]


@pytest.mark.parametrize("status", ["accepted", "declined", "withdrawn"])
def test_a_decided_application_cannot_be_withdrawn(app_ctx, db_session, freelancer, status):
    application = ApplicationFactory(freelancer=freelancer, status=status)
    with pytest.raises(DomainError, match="ne peut plus être retirée"):
        applications.withdraw(db_session, freelancer, application)


def test_a_withdrawn_application_can_be_sent_again(app_ctx, db_session, freelancer):
    mission = MissionFactory()
    application = apply(db_session, freelancer, mission)
    applications.withdraw(db_session, freelancer, application)
    again = apply(db_session, freelancer, mission)
    assert again.id == application.id and again.status == "applied"


def test_applying_to_an_invitation_updates_it(app_ctx, db_session, freelancer, status_changes):
    mission = MissionFactory()
    invitation = ApplicationFactory(
        mission=mission, freelancer=freelancer, source="invited", status="invited", note="", proposed_rate_cents=None,
        offered_weekdays=[], sme_message="Votre expérience des déménagements nous intéresse.",
    )
    application = apply(db_session, freelancer, mission, rate=46000)
    assert application.id == invitation.id and application.source == "invited"
    assert (application.status, application.note, application.proposed_rate_cents) == ("applied", NOTE, 46000)
    assert application.offered_weekdays == ["tue", "thu"] and application.score is not None
    assert status_changes == [("invited", "applied")]
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
    action = db_session.scalar(select(AuditLog.action).where(AuditLog.subject_id == application.id))
    assert action == "application.invitation_accepted"


def test_an_invitation_can_be_declined(app_ctx, db_session, freelancer, status_changes):
    invitation = ApplicationFactory(freelancer=freelancer, source="invited", status="invited")
    applications.withdraw(db_session, freelancer, invitation)
    assert invitation.status == "withdrawn" and status_changes == [("invited", "withdrawn")]


# --- the pages -------------------------------------------------------------------------------


def test_apply_and_withdraw_in_the_pages(app, client, db_session, freelancer):
    mission = MissionFactory(title="Office manager — déménagement")
    with app.app_context():
        reasons = [r.label for r in matching.score_pair(db_session, mission, freelancer, for_freelancer=True).reasons]
    login(client, freelancer.user.email, PASSWORD)
    page = html.unescape(client.get(f"/freelance/missions/{mission.id}").text)
    assert "Pourquoi cette mission vous correspond" in page
    assert reasons and all(french_typography(label) in page for label in reasons)  # the matcher's own words
    assert 'value="450"' in page  # the profile's rate is proposed by default
    response = client.post(f"/freelance/missions/{mission.id}", data={"note": "Court", "proposed_rate": "450", "weekdays": ["tue", "thu"]})
    assert "20 caractères au moins" in response.text and "Court" in response.text
    response = client.post(
        f"/freelance/missions/{mission.id}", data={"note": NOTE, "proposed_rate": "450", "weekdays": ["tue", "thu"]},
        follow_redirects=True,
    )
    assert "Votre candidature est envoyée à l'entreprise." in html.unescape(response.text)
    application = db_session.scalar(select(Application))
    assert "Candidature envoyée" in client.get("/freelance/").text
    client.post(f"/freelance/candidatures/{application.id}/retirer", data={"next": "/freelance/"})
    assert application.status == "withdrawn"


def test_missions_for_you_are_ranked_with_reasons_and_filtered(app, client, db_session, freelancer):
    lyon = CompanyFactory(city="Lyon", latitude=45.75, longitude=4.85)
    best = MissionFactory(title="Déménagement et notes de frais", min_finance_procurement=4)
    remote = MissionFactory(title="Mission à distance", work_mode="remote", weekdays=["tue"], half_days_per_week=2,
                            min_people_culture=3, max_daily_rate_cents=40000)
    far = MissionFactory(title="Mission à Lyon", company=lyon, site_city="Lyon", site_latitude=45.75, site_longitude=4.85)
    booked_out = MissionFactory(title="Mission du lundi", weekdays=["mon"], half_days_per_week=2)
    MissionFactory(title="Brouillon invisible", status="draft")
    login(client, freelancer.user.email, PASSWORD)

    page = html.unescape(client.get("/freelance/missions").text)
    assert page.index(best.title) < page.index("Autres missions publiées")
    assert "Brouillon invisible" not in page
    with app.app_context():
        booked = bookings.booked_slots(db_session, [freelancer.id])[freelancer.id]
        why_not = {m.title: matching.eligibility(m, freelancer, booked, you=True) for m in (booked_out, far)}
        best_reasons = [r.label for r in matching.score_pair(db_session, best, freelancer, for_freelancer=True).reasons]
    # Missions that do not fit are listed with the matcher's reason (a booked weekday, the distance).
    assert all(reasons and french_typography(reasons[0]) in page for reasons in why_not.values())
    assert "lundi" in why_not[booked_out.title][0] and "393" in why_not[far.title][0]
    assert all(french_typography(label) in page for label in best_reasons)

    def titles(query):
        found = client.get(f"/freelance/missions?{query}").text
        return {m.title for m in (best, remote, far, booked_out) if m.title in found}

    assert titles("weekday=mon") == {booked_out.title}
    assert titles("remote_only=y") == {remote.title}
    assert titles("min_rate=450") == {best.title, far.title, booked_out.title}
    assert titles("dimension=people_culture") == {remote.title}
    assert titles("city=Lyon") == {far.title}
    assert "Ville inconnue" in client.get("/freelance/missions?city=Atlantide").text


def test_missions_for_you_come_twenty_a_page_in_rank_order(app, client, db_session, freelancer):
    missions = [MissionFactory(title=f"Mission n° {i:02d}", max_daily_rate_cents=46_000 + 500 * i) for i in range(25)]
    MissionFactory(title="Mission du lundi", weekdays=["mon"], half_days_per_week=2)  # not free on Mondays
    login(client, freelancer.user.email, PASSWORD)
    with app.app_context():
        ranked = [r.mission_id for r in matching.rank_missions(db_session, freelancer, k=50)]
    assert len(ranked) == 25
    title = {m.id: m.title for m in missions}

    def shown(page):
        text = html.unescape(page.text)
        return sorted((text.index(title[i]), i) for i in title if title[i] in text.split("Autres missions")[0])

    first = client.get("/freelance/missions")
    assert [i for _, i in shown(first)] == ranked[:20]
    assert "Missions suivantes" in first.text and "Missions précédentes" not in first.text
    assert "Mission du lundi" in first.text  # the others, with why, on the first page
    second = client.get("/freelance/missions?page=2")
    assert [i for _, i in shown(second)] == ranked[20:]
    assert 'start="21"' in second.text and "Missions suivantes" not in second.text
    assert "Mission du lundi" not in second.text
    beyond = html.unescape(client.get("/freelance/missions?page=9").text)
    assert "Plus aucune mission classée pour vous" in beyond
    # A filter is kept from one page to the next.
    filtered = client.get("/freelance/missions?weekday=tue")
    assert "page=2" in filtered.text and "weekday=tue" in filtered.text.split("Missions suivantes")[0].rsplit("href", 1)[1]


def test_search_service_ranks_with_the_matching_facade(app_ctx, db_session, freelancer):
    mission = MissionFactory()
    found = opportunities.search(db_session, freelancer)
    assert [o.mission for o in found.ranked] == [mission]
    assert found.ranked[0].result.score > 0 and found.ranked[0].distance_km == 0


# --- dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_status_reasons_invitations_and_expiring_documents(app, client, db_session):
    import io

    from marketplace.services.profiles import documents
    from tests.freelancer_support import PDF_BYTES

    profile = FreelancerProfileFactory(
        status="draft", status_reason="Votre attestation URSSAF est illisible.", matching_suspended_reason=None,
    )
    with app.test_request_context():
        documents.upload_document(db_session, profile, kind="insurance", stream=io.BytesIO(PDF_BYTES), filename="a.pdf",
                                 expires_on=today() + timedelta(days=9))
    ApplicationFactory(freelancer=profile, status="invited", source="invited", mission__title="Mission sur invitation",
                       sme_message="Nous aimerions vous rencontrer.")
    login(client, profile.user.email, PASSWORD)
    page = client.get("/freelance/").text
    assert "Votre attestation URSSAF est illisible." in page
    assert "Invitations à candidater" in page and "Mission sur invitation" in page and "Nous aimerions vous rencontrer." in page
    assert "Justificatifs à renouveler" in page and "expire dans 9 jours" in page
    # Sections without data stay hidden.
    for heading in ("Vos contrats", "Comptes rendus d", "Factures émises en votre nom", "Vos virements"):
        assert heading not in page

    profile.status, profile.status_reason = "approved", None
    profile.matching_suspended_reason = "attestation d'assurance expirée"
    page = html.unescape(client.get("/freelance/").text)
    assert "Rapprochement suspendu" in page and "attestation d'assurance expirée" in page


def test_dashboard_lists_contracts_cras_invoices_and_payouts_when_they_exist(client, db_session, freelancer):
    contract = ContractFactory(freelancer=freelancer, weekdays=["tue", "thu"], mission__company__legal_name="Atelier Lumen")
    db_session.add(Timesheet(contract=contract, month=date(2026, 10, 1), status="draft"))
    series = InvoiceSeries(issuer_kind="freelancer", freelancer_id=freelancer.id, prefix=f"F{freelancer.id}-2026")
    db_session.add(series)
    db_session.flush()
    invoice = Invoice(
        series_id=series.id, sequence=1, number=f"F{freelancer.id}-2026-0001", issuer_kind="freelancer",
        freelancer_id=freelancer.id, company_id=contract.company_id, contract_id=contract.id, month=date(2026, 10, 1),
        issue_date=date(2026, 11, 2), due_date=date(2026, 12, 2), total_ht_cents=360000, total_vat_cents=0,
        total_ttc_cents=360000, buyer={"name": "Atelier Lumen"},
    )
    db_session.add(invoice)
    db_session.flush()
    db_session.add(Payout(freelancer_id=freelancer.id, invoice_id=invoice.id, amount_cents=306000, fee_cents=54000,
                          idempotency_key=f"payout-{invoice.id}"))
    other = ContractFactory(mission__company__legal_name="Autre Client Secret")  # someone else's
    db_session.flush()
    login(client, freelancer.user.email, PASSWORD)
    page = client.get("/freelance/").text
    assert "Vos contrats" in page and "Atelier Lumen" in page and "mardi et jeudi" in page
    assert "Comptes rendus d" in page and "Octobre 2026" in page
    assert "Factures émises en votre nom" in page and invoice.number in page and money(360000) in page
    assert "Vos virements" in page and money(306000) in page
    assert other.company.legal_name not in page
