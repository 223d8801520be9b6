"""Complete English and careful French: what a reader of either language notices.

E-mails in the recipient's language, the language chosen before logging in kept after it,
French typography (narrow no-break spaces, elision, real plurals), the hiring pipeline and
the booked week as pictures, and English pages free of the UI's French words.
"""

from __future__ import annotations

import html
import re

import pytest

from marketplace.formatting import de
from marketplace.i18n import (
    days,
    english_typography,
    french_typography,
    reason_text,
    years,
)
from marketplace.matching.reasons import Reason
from marketplace.models.contracts import ContractBooking
from marketplace.models.missions import ApplicationStatus, MissionStatus
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    ContractFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)

NNBSP = "\u202f"

# Words of the UI's own French labels that an English page must not show.
FRENCH_WORDS = (
    "Publiée", "Acceptée", "Présélectionnée", "lundi", "mardi", "jeudi", "Disponible", "Bienvenue",
    "Compétences", "Déjà mené", "Votre diagnostic", "Notre conseil", "Des profils vérifiés",
    "Pour les entreprises", "Missions publiées", "Candidatures reçues", "par semaine", "matin",
    "après-midi", "Vous tenez grâce", "Hybride",
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def visible(page: str) -> str:
    """The page's text, without tags, scripts and the language switcher (which names « Français »)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<form class="lang-form".*?</form>', " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def french_words_in(page: str) -> list[str]:
    body = visible(page)
    return [w for w in FRENCH_WORDS if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", body)]


def english(client) -> None:
    client.post("/compte/langue", data={"locale": "en"})


# --- typography helpers -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("Atelier Lumen", "d'Atelier Lumen"),
    ("Éditions Rivage", "d'Éditions Rivage"),
    ("Hôtel du Parc", "d'Hôtel du Parc"),
    ("Yves Rocher", "d'Yves Rocher"),
    ("Bureau Vert", "de Bureau Vert"),
    ("Hachette", "de Hachette"),   # a sounded h: no elision
    ("Yoplait", "de Yoplait"),     # a y before a vowel is a consonant
])
def test_elision_of_de_before_a_company_name(name, expected):
    assert de(name) == expected


def test_french_typography_keeps_punctuation_with_its_word():
    assert french_typography("Total : 40 % ; vraiment ? « oui » !") == (
        f"Total{NNBSP}: 40{NNBSP}%{NNBSP}; vraiment{NNBSP}? «{NNBSP}oui{NNBSP}»{NNBSP}!")
    assert french_typography("Rendez-vous à 14:05, https://exemple.fr?x=1") == "Rendez-vous à 14:05, https://exemple.fr?x=1"
    assert english_typography("Your diagnostic : 3/10 ; 40 %") == "Your diagnostic: 3/10; 40%"


def test_real_plurals_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context():
        assert [days(1), days(1.5), days(2), years(1), years(0), years(11)] == [
            "1 jour", "1,5 jour", "2 jours", "1 an", "0 an", "11 ans"]
        with force_locale("en"):
            assert [days(1), days(1.5), years(1), years(11)] == ["1 day", "1.5 days", "1 year", "11 years"]


def test_a_reason_is_worded_for_the_reader(app):
    """The matcher's reasons carry a code: the page words them in French typography or in English."""
    from flask_babel import force_locale

    reason = Reason("radius.you", {"km": 85, "radius": 10})
    assert reason == "Site à 85 km, au-delà de votre rayon de 10 km"
    with app.test_request_context():
        assert reason_text(reason) == "Site à 85 km, au-delà de votre rayon de 10 km"
        assert reason_text(Reason("rate.over", {"rate": 52000, "budget": 48000, "over": 8})).endswith(
            f"(+8{NNBSP}%)")
        with force_locale("en"):
            assert reason_text(reason) == "Site 85 km away, beyond your 10 km radius"
            stored = Reason("availability.named", {"weekdays": ["tue", "thu"], "capacity": 2.0})
            assert reason_text({"code": stored.code, "params": stored.params, "label": str(stored)}) == (
                "Available Tuesday and Thursday (up to 2 days a week)")


def test_plurals_as_shown_on_a_page(client, sme_user):
    MissionFactory(company=sme_user.company)
    ContractFactory(mission__company=sme_user.company, booked=["tue"])  # one weekday: 2 half days
    login(client, sme_user.email, PASSWORD)
    page = text(client.get("/entreprise/"))
    assert "2 demi-journées réservées par semaine." in page
    assert "jour(s)" not in page and "(s)" not in visible(page)


# --- e-mails in the recipient's language ------------------------------------------------


def test_an_english_speaking_freelancer_gets_english_e_mails_from_a_french_company(
        app_ctx, client, db_session, outbox, sme_user):
    from marketplace.db import commit
    from marketplace.services.missions import hiring

    mission = MissionFactory(company=sme_user.company, title="Office manager mardi-jeudi")
    profile = FreelancerProfileFactory(user__first_name="Jane", user__locale="en")
    application = ApplicationFactory(mission=mission, freelancer=profile)
    login(client, sme_user.email, PASSWORD)  # the company works in French
    assert 'lang="fr"' in text(client.get("/entreprise/"))

    hiring.shortlist(db_session, application, sme_user)
    commit(db_session)
    email = outbox.last_to(profile.user.email)
    assert email.subject == "Your application has been shortlisted: Office manager mardi-jeudi"
    assert email.body_text.startswith("Hello Jane,")
    assert "shortlisted your application" in email.body_text
    assert "Bonjour" not in email.body_text and "candidature" not in email.body_text
    assert "OM Partagé" in email.body_html

    hiring.accept(db_session, application, sme_user)
    commit(db_session)
    email = outbox.last_to(profile.user.email)
    assert "Tuesday and Thursday" in email.body_text and "2 days a week" in email.body_text
    assert "mardi" not in email.body_text.replace(mission.title, "")

    # The French director is still written to in French.
    to_company = outbox.last_to(sme_user.email)
    assert "Vous avez retenu" in to_company.subject


def test_e_mails_come_from_the_brand(app):
    assert app.config["MAIL_DEFAULT_SENDER"].startswith("OM Partagé <")


# --- the language chosen before logging in ----------------------------------------------


def test_the_language_chosen_before_logging_in_is_kept(client, db_session, sme_user):
    assert sme_user.locale == "fr"
    english(client)
    assert 'lang="en"' in text(client.get("/"))
    response = login(client, sme_user.email, PASSWORD)
    assert 'lang="en"' in text(response)
    db_session.refresh(sme_user)
    assert sme_user.locale == "en"
    client.post("/compte/deconnexion")
    assert 'lang="en"' in text(login(client, sme_user.email, PASSWORD))  # saved on the account


# --- pictures: the hiring pipeline and the booked week ----------------------------------


@pytest.fixture()
def hiring_company(db_session):
    """A company in the middle of hiring, like the demo's: three missions, five applications, two contracts."""
    owner = SmeUserFactory(email="dirigeante@atelier-lumen.test", company__legal_name="Atelier Lumen")
    company = owner.company
    open_mission = MissionFactory(company=company)
    filled = MissionFactory(company=company, status=MissionStatus.FILLED.value)
    MissionFactory(company=company, status=MissionStatus.DRAFT.value, published_at=None)
    for status in (ApplicationStatus.APPLIED, ApplicationStatus.SHORTLISTED, ApplicationStatus.DECLINED):
        ApplicationFactory(mission=open_mission, status=status.value)
    ApplicationFactory(mission=open_mission, status=ApplicationStatus.INVITED.value, source="invited", note="")
    inès = FreelancerProfileFactory(user__first_name="Inès", user__last_name="Benali")
    ApplicationFactory(mission=filled, freelancer=inès, status=ApplicationStatus.ACCEPTED.value)
    ContractFactory(mission=filled, freelancer=inès, weekdays=["tue", "thu"])
    paul = FreelancerProfileFactory(user__first_name="Paul", user__last_name="Marchand")
    monday_morning = ContractFactory(mission=open_mission, freelancer=paul, weekdays=["mon"], slots=["mon-am"],
                                     half_days_per_week=1, booked=[])
    db_session.add(ContractBooking(contract_id=monday_morning.id, freelancer_id=paul.id, weekday="mon", half="am",
                                   starts_on=monday_morning.start_date))
    db_session.flush()
    return owner, inès, paul


def test_the_hiring_pipeline_counts_each_step_in_one_query(app_ctx, db_session, hiring_company):
    from marketplace.services.missions.queries import hiring_pipeline

    owner, _, _ = hiring_company
    steps = hiring_pipeline(db_session, owner.company_id)
    # two published missions (the draft does not count); four applications (the unanswered
    # invitation is not one); shortlisted includes the accepted one.
    assert [(s.code, s.count) for s in steps] == [
        ("published", 2), ("applications", 4), ("shortlisted", 2), ("accepted", 1)]
    assert [s.percent for s in steps] == [50, 100, 50, 25]


def test_the_sme_dashboard_draws_the_pipeline_and_its_freelancers_week(client, hiring_company):
    owner, _, _ = hiring_company
    login(client, owner.email, PASSWORD)
    page = text(client.get("/entreprise/"))
    counts = dict(re.findall(r'data-step="(\w+)">(\d+)<', page))
    assert counts == {"published": "2", "applications": "4", "shortlisted": "2", "accepted": "1"}
    assert "Votre recrutement" in page and 'aria-hidden="true"' in page
    cells = dict(re.findall(r'data-slot="(\w+-\w+)">([^<]*)<', page))
    assert len(cells) == 10  # Monday–Friday × morning/afternoon
    assert cells["tue-am"] == cells["thu-pm"] == "Inès Benali"
    assert cells["mon-am"] == "Paul Marchand"
    assert cells["mon-pm"] == cells["wed-am"] == ""  # free: a dash, no name
    assert "5 demi-journées réservées par semaine." in page


def test_the_freelancer_sees_which_company_holds_each_half_day(client, hiring_company):
    _, inès, _ = hiring_company
    login(client, inès.user.email, PASSWORD)
    page = text(client.get("/freelance/"))
    cells = dict(re.findall(r'data-slot="(\w+-\w+)">([^<]*)<', page))
    assert len(cells) == 10
    assert {k: v for k, v in cells.items() if v} == {f"{d}-{h}": "Atelier Lumen" for d in ("tue", "thu") for h in ("am", "pm")}
    assert page.count(">libre<") == 6


def test_another_company_sees_none_of_these_bookings(client, hiring_company, other_sme_user):
    login(client, other_sme_user.email, PASSWORD)
    page = text(client.get("/entreprise/"))
    assert "Inès Benali" not in page and 'data-slot="' not in page


# --- English pages --------------------------------------------------------------------


def test_english_pages_show_no_french_label(client, hiring_company):
    owner, inès, _ = hiring_company
    english(client)
    home = text(client.get("/"))
    assert french_words_in(home) == [] and "10 to 120" in home
    result = text(client.get("/diagnostic/resultat?signaux=director_ops&signaux=onboarding_lost"
                             "&signaux=admin_questions&effectif=20"))
    assert "Your diagnostic: 3/10" in result and " :" not in visible(result)
    assert french_words_in(result) == []

    login(client, owner.email, PASSWORD)
    dashboard = text(client.get("/entreprise/"))
    assert french_words_in(dashboard) == []
    client.post("/compte/deconnexion")

    mission = MissionFactory(company=owner.company, title="Office manager")
    english(client)  # logging out forgets the choice; Inès chooses English before logging in
    login(client, inès.user.email, PASSWORD)
    page = text(client.get(f"/freelance/missions/{mission.id}"))
    assert "Fit with your profile" in page and "You are available at most" in page  # the reasons, in English
    assert french_words_in(page) == []


def test_error_pages_speak_the_readers_language(client):
    assert "Page introuvable" in text(client.get("/nulle-part"))
    english(client)
    page = text(client.get("/nulle-part"))
    assert "Page not found" in page and "Page introuvable" not in page


def test_the_demo_shows_the_pipeline_and_the_booked_weeks(demo_client, demo_session):
    """`marketplace demo` seeds hiring and signed contracts: both pictures have something to show."""
    from sqlalchemy import select

    from marketplace.cli import DEMO_LOGINS
    from marketplace.models.users import User
    from marketplace.services.contracts.queries import booked_week_for_company
    from marketplace.services.missions.queries import hiring_pipeline

    sme_email, sme_password = next((e, p) for _, e, p in DEMO_LOGINS if e.startswith("pme"))
    company_id = demo_session.scalar(select(User.company_id).where(User.email == sme_email))
    steps = {s.code: s.count for s in hiring_pipeline(demo_session, company_id)}
    week = booked_week_for_company(demo_session, company_id)
    page = text(demo_client.post("/compte/connexion", data={"email": sme_email, "password": sme_password},
                                 follow_redirects=True))
    assert dict(re.findall(r'data-step="(\w+)">(\d+)<', page)) == {k: str(v) for k, v in steps.items()}
    assert steps["published"] >= 1 and steps["applications"] >= steps["shortlisted"] >= steps["accepted"]
    held = [v for v in re.findall(r'data-slot="\w+-\w+">([^<]*)<', page) if v]
    assert week.half_days >= 1 and len(held) == len(week.holders)
