"""An SME opens a recommended freelancer's profile before inviting: what a client may see, nothing more."""

from __future__ import annotations

from marketplace.models.freelancers import ProfileStatus
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    ExperienceEntryFactory,
    FreelancerProfileFactory,
    MissionFactory,
)


def profile_url(profile, mission=None) -> str:
    return f"/entreprise/freelances/{profile.id}" + (f"?mission={mission.id}" if mission else "")


def test_an_sme_sees_the_profile_without_contact_details(client, sme_user):
    profile = FreelancerProfileFactory(user__email="camille@example.test", user__phone="+33611223344",
                                       user__first_name="Camille", user__last_name="Martin")
    ExperienceEntryFactory(profile=profile, title="Office manager", organisation="Atelier Lumen")
    mission = MissionFactory(company=sme_user.company)
    login(client, sme_user.email, PASSWORD)
    response = client.get(profile_url(profile, mission))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for shown in ("Camille M.", "Office manager senior", "Paris", "450\xa0€", "Atelier Lumen", "Vérifié",
                  "2 références clients", "mardi et jeudi", "Notion"):
        assert shown in text, shown
    for hidden in ("camille@example.test", "Martin", "+33611223344", "06 11 22 33 44", profile.iban, profile.siret,
                   "@client.test", "Référent 0"):
        assert hidden not in text, hidden
    # Invited from the profile itself, for the mission it was opened from.
    assert f"/entreprise/missions/{mission.id}/inviter/{profile.id}" in text


def test_the_recommendations_link_to_the_profile(client, sme_user):
    profile = FreelancerProfileFactory()
    mission = MissionFactory(company=sme_user.company)
    login(client, sme_user.email, PASSWORD)
    text = client.get(f"/entreprise/missions/{mission.id}").get_data(as_text=True)
    assert f"/entreprise/freelances/{profile.id}?mission={mission.id}" in text


def test_an_applicant_leads_to_the_application_not_a_second_invitation(client, sme_user):
    profile = FreelancerProfileFactory()
    mission = MissionFactory(company=sme_user.company)
    application = ApplicationFactory(mission=mission, freelancer=profile)
    login(client, sme_user.email, PASSWORD)
    text = client.get(profile_url(profile, mission)).get_data(as_text=True)
    assert f"/entreprise/candidatures/{application.id}" in text and "/inviter/" not in text


def test_unvetted_or_suspended_profiles_are_not_found(client, sme_user):
    login(client, sme_user.email, PASSWORD)
    for profile in (FreelancerProfileFactory(status=ProfileStatus.SUBMITTED.value),
                    FreelancerProfileFactory(matching_suspended_reason="Attestation expirée")):
        assert client.get(profile_url(profile)).status_code == 404
    assert client.get("/entreprise/freelances/999999").status_code == 404


def test_anonymous_visitors_and_freelancers_cannot_open_it(client, db_session):
    profile = FreelancerProfileFactory(user__email="vu@example.test")
    anonymous = client.get(profile_url(profile))
    assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"]
    other = FreelancerProfileFactory(user__email="autre@example.test")
    login(client, other.user.email, PASSWORD)
    response = client.get(profile_url(profile))
    assert response.status_code == 302 and "/freelance/" in response.headers["Location"]
    assert client.get(profile_url(profile), headers={"Accept": "application/json"}).status_code == 403


def test_a_mission_of_another_company_in_the_link_is_ignored(client, sme_user, other_sme_user):
    profile = FreelancerProfileFactory()
    foreign = MissionFactory(company=other_sme_user.company, title="Mission confidentielle")
    login(client, sme_user.email, PASSWORD)
    text = client.get(profile_url(profile, foreign)).get_data(as_text=True)
    assert "Mission confidentielle" not in text and "/inviter/" not in text
