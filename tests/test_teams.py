"""Team accounts: invitation by e-mailed link, members see the company's work, the owner manages."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.db import utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.models.companies import TeamInvitation
from marketplace.models.contracts import Contract
from marketplace.models.users import User
from marketplace.services.accounts import teams
from tests.conftest import login
from tests.factories import PASSWORD, FreelancerProfileFactory, MissionFactory


def invite(db_session, owner, email="colleague@example.test"):
    return teams.invite(db_session, owner.company, owner, email)


def token_from(outbox, email) -> str:
    message = outbox.last_to(email)
    return re.search(r"/equipe/rejoindre/(\S+)", message.body_text).group(1)


def test_the_owner_invites_and_the_colleague_joins_as_a_member(app_ctx, db_session, sme_user, outbox):
    invitation = invite(db_session, sme_user)
    message = outbox.last_to("colleague@example.test")
    assert sme_user.company.legal_name in message.subject
    token = token_from(outbox, "colleague@example.test")
    assert invitation.token_hash != token  # only the hash is stored
    user = teams.accept(db_session, token, first_name="Léa", last_name="Petit", password="un secret bien long")
    assert (user.role, user.company_id, user.company_role) == ("sme", sme_user.company_id, "member")
    assert not user.is_company_owner
    assert invitation.accepted_user_id == user.id
    with pytest.raises(DomainError, match="déjà été utilisée"):
        teams.accept(db_session, token, first_name="X", last_name="Y", password="un secret bien long")


def test_only_the_owner_invites(app_ctx, db_session, sme_member):
    with pytest.raises(PermissionDenied):
        invite(db_session, sme_member)


def test_expired_and_revoked_invitations_do_not_open(app_ctx, db_session, sme_user, outbox):
    invitation = invite(db_session, sme_user)
    token = token_from(outbox, "colleague@example.test")
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(DomainError, match="a expiré"):
        teams.invitation_for_token(db_session, token)
    second = invite(db_session, sme_user, "other@example.test")
    teams.revoke(db_session, second, sme_user)
    with pytest.raises(DomainError, match="annulée"):
        teams.invitation_for_token(db_session, token_from(outbox, "other@example.test"))
    with pytest.raises(DomainError, match="n'est pas valide"):
        teams.invitation_for_token(db_session, "forged")


def test_inviting_again_replaces_the_previous_link(app_ctx, db_session, sme_user, outbox):
    first = invite(db_session, sme_user)
    first_token = token_from(outbox, "colleague@example.test")
    invite(db_session, sme_user)
    assert first.revoked_at is not None
    with pytest.raises(DomainError):
        teams.invitation_for_token(db_session, first_token)
    assert len(teams.pending_invitations(db_session, sme_user.company)) == 1


def test_addresses_of_other_accounts_or_current_members_are_refused(app_ctx, db_session, sme_user, sme_member, other_sme_user):
    with pytest.raises(DomainError, match="fait déjà partie de votre équipe"):
        invite(db_session, sme_user, sme_member.email)
    with pytest.raises(DomainError, match="déjà celle d'un autre compte"):
        invite(db_session, sme_user, other_sme_user.email)
    freelancer = FreelancerProfileFactory()
    with pytest.raises(DomainError, match="déjà celle d'un autre compte"):
        invite(db_session, sme_user, freelancer.user.email)


def test_removing_a_member_closes_their_access(app_ctx, db_session, sme_user, sme_member):
    nonce = sme_member.login_nonce
    teams.remove_member(db_session, sme_user.company, sme_user, sme_member)
    assert not sme_member.active and sme_member.login_nonce != nonce
    assert teams.members(db_session, sme_user.company) == [sme_user]
    with pytest.raises(DomainError, match="ne peut pas être retiré"):
        teams.remove_member(db_session, sme_user.company, sme_user, sme_user)


def test_a_removed_member_can_be_invited_back(app_ctx, db_session, sme_user, sme_member, outbox):
    teams.remove_member(db_session, sme_user.company, sme_user, sme_member)
    invite(db_session, sme_user, sme_member.email)
    user = teams.accept(db_session, token_from(outbox, sme_member.email), first_name="Claire", last_name="Revenue",
                        password="un nouveau secret long")
    assert user is sme_member and user.active and user.check_password("un nouveau secret long")


# --- through the web -----------------------------------------------------------------

def test_joining_through_the_link_lands_on_the_company_dashboard(client, db_session, sme_user, outbox):
    login(client, sme_user.email, PASSWORD)
    response = client.post("/entreprise/equipe/invitations", data={"email": "new@example.test"}, follow_redirects=True)
    assert "Invitation envoyée à new@example.test" in response.text
    client.post("/compte/deconnexion")
    link = re.search(r"http://localhost(/entreprise/equipe/rejoindre/\S+)", outbox.last_to("new@example.test").body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and sme_user.company.legal_name in page.text
    response = client.post(link, data={
        "first_name": "Nina", "last_name": "Morel", "password": "court", "password_confirm": "court", "accept_terms": "y",
    })
    assert response.status_code == 422 and "au moins 12 caractères" in response.text
    assert db_session.scalar(select(User).where(User.email == "new@example.test")) is None
    response = client.post(link, data={
        "first_name": "Nina", "last_name": "Morel", "password": "un secret bien long",
        "password_confirm": "un secret bien long", "accept_terms": "y",
    }, follow_redirects=True)
    assert response.request.path == "/entreprise/"
    assert f"Bienvenue dans l'espace de {sme_user.company.legal_name}" in html.unescape(response.text)
    assert client.get(link).status_code == 400  # used once


def test_members_see_the_companys_missions_and_contracts_but_do_not_manage_the_team(client, db_session, sme_user, sme_member):
    mission = MissionFactory(company=sme_user.company, title="Mission partagée avec l'équipe")
    profile = FreelancerProfileFactory()
    db_session.add(Contract(
        mission=mission, company=sme_user.company, freelancer=profile, half_days_per_week=4, weekdays=["tue", "thu"],
        work_mode="hybrid", daily_rate_cents=45_000, start_date=mission.start_date, status="active",
    ))
    db_session.flush()
    login(client, sme_member.email, PASSWORD)
    assert client.get(f"/entreprise/missions/{mission.id}").status_code == 200
    dashboard = client.get("/entreprise/").text
    assert "Mission partagée avec l'équipe" in html.unescape(dashboard) and profile.display_name in dashboard
    team = client.get("/entreprise/equipe").text
    assert "Pour inviter un collègue, demandez au titulaire du compte." in team
    assert client.post("/entreprise/equipe/invitations", data={"email": "x@example.test"}).status_code == 403
    assert client.post(f"/entreprise/equipe/membres/{sme_user.id}/retirer").status_code == 403
    invitation = TeamInvitation(company_id=sme_user.company_id, email="y@example.test", token_hash="0" * 64,
                                invited_by_id=sme_user.id, expires_at=utcnow() + timedelta(days=1))
    db_session.add(invitation)
    db_session.flush()
    assert client.post(f"/entreprise/equipe/invitations/{invitation.id}/annuler").status_code == 403
    assert invitation.revoked_at is None


def test_the_owner_removes_a_member_from_the_team_page(client, db_session, sme_user, sme_member):
    login(client, sme_user.email, PASSWORD)
    response = client.post(f"/entreprise/equipe/membres/{sme_member.id}/retirer", follow_redirects=True)
    assert "n'a plus accès" in html.unescape(response.text) and not sme_member.active
