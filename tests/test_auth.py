"""Accounts in the browser's shoes: sign-up, log-in, remember me, password reset."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from marketplace.models.audit import AuditLog
from marketplace.models.companies import Company
from marketplace.models.outbox import EmailStatus
from marketplace.models.users import User
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory

SME_FORM = {
    "company_name": "Atelier Exemple",
    "siret": "732 829 320 00074",
    "headcount": "42",
    "sector": "logiciel",
    "city": "lyon",
    "first_name": "Claire",
    "last_name": "Durand",
    "email": "Claire.Durand@Atelier.test",
    "phone": "06 12 34 56 78",
    "password": "un mot de passe solide",
    "password_confirm": "un mot de passe solide",
    "accept_terms": "y",
}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_sme_signup_creates_the_company_and_its_owner(client, db_session):
    response = client.post("/compte/inscription/entreprise", data=SME_FORM, follow_redirects=True)
    assert response.status_code == 200
    assert "Votre espace entreprise est prêt." in response.text
    assert "Atelier Exemple" in response.text  # the SME dashboard
    user = db_session.scalar(select(User).where(User.email == "claire.durand@atelier.test"))
    assert user.company.siret == "73282932000074" and user.company.siren == "732829320"
    assert user.company.city == "Lyon" and round(user.company.latitude, 1) == 45.7
    assert user.is_company_owner
    assert user.password_hash != SME_FORM["password"]


def test_sme_signup_with_an_invalid_siret_keeps_the_input_and_saves_nothing(client, db_session):
    data = dict(SME_FORM, siret="73282932000079")
    response = client.post("/compte/inscription/entreprise", data=data)
    assert response.status_code == 200
    page = response.text
    assert "Ce SIRET n&#39;est pas valide" in page
    # The message sits in the SIRET field's error block, and the input is kept.
    assert page.index('id="siret-error"') < page.index("Ce SIRET n&#39;est pas valide")
    assert 'value="Atelier Exemple"' in page and 'value="73282932000079"' in page
    assert count(db_session, Company) == 0
    assert count(db_session, User) == 0


def test_sme_signup_refuses_a_company_already_registered(client, db_session, sme_user):
    data = dict(SME_FORM, siret=sme_user.company.siret)
    response = client.post("/compte/inscription/entreprise", data=data)
    assert "Cette entreprise a déjà un compte" in response.text
    assert count(db_session, Company) == 1


def test_sme_signup_refuses_an_unknown_city_and_weak_password(client, db_session):
    response = client.post("/compte/inscription/entreprise", data=dict(SME_FORM, city="Atlantide"))
    assert "Ville inconnue" in response.text
    response = client.post(
        "/compte/inscription/entreprise", data=dict(SME_FORM, password="court", password_confirm="court")
    )
    assert "au moins 12 caractères" in response.text
    assert count(db_session, User) == 0


def test_freelancer_signup_creates_a_draft_profile(client, db_session):
    response = client.post(
        "/compte/inscription/freelance",
        data={
            "first_name": "Inès", "last_name": "Benali", "email": "ines@om.test", "phone": "",
            "password": "mot de passe robuste", "password_confirm": "mot de passe robuste", "accept_terms": "y",
        },
        follow_redirects=True,
    )
    assert "complétez votre profil" in response.text
    user = db_session.scalar(select(User).where(User.email == "ines@om.test"))
    assert user.freelancer_profile.status == "draft"


def test_duplicate_email_is_refused_next_to_the_field(client, db_session, freelancer):
    response = client.post(
        "/compte/inscription/freelance",
        data={
            "first_name": "A", "last_name": "B", "email": "OM@example.test",
            "password": "mot de passe robuste", "password_confirm": "mot de passe robuste", "accept_terms": "y",
        },
    )
    assert 'id="email-error"' in response.text and "Un compte existe déjà" in response.text


def test_login_logout_and_wrong_password(client, db_session, sme_user):
    response = login(client, "director@pme-a.test", "wrong password!")
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    response = login(client, "DIRECTOR@pme-a.test", PASSWORD)
    assert response.request.path == "/entreprise/"
    assert sme_user.last_login_at is not None
    response = client.post("/compte/deconnexion", follow_redirects=True)
    assert "Vous êtes déconnecté." in response.text
    assert client.get("/entreprise/").status_code == 302


def test_login_honours_a_safe_next_only(client, db_session, sme_user):
    response = client.post(
        "/compte/connexion?next=/compte/parametres", data={"email": sme_user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/compte/parametres"
    client.post("/compte/deconnexion")
    response = client.post(
        "/compte/connexion?next=https://evil.example/", data={"email": sme_user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/entreprise/"


def test_remember_me_sets_a_lasting_cookie(client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD, remember=True)
    assert client.get_cookie("remember_token") is not None
    client.post("/compte/deconnexion")
    login(client, sme_user.email, PASSWORD)
    assert client.get_cookie("remember_token") is None


def test_deactivated_account_cannot_log_in(client, db_session):
    UserFactory(email="gone@example.test", active=False)
    response = login(client, "gone@example.test", PASSWORD)
    assert "Ce compte est désactivé" in response.text


def test_password_reset_by_emailed_link_works_once(client, db_session, outbox, sme_user):
    response = client.post("/compte/mot-de-passe-oublie", data={"email": sme_user.email}, follow_redirects=True)
    assert "Si un compte existe avec cette adresse" in response.text
    email = outbox.last_to(sme_user.email)
    # No Redis in this test app: the delivery job ran in-process after the commit.
    assert email.status == EmailStatus.SENT.value
    with open(email.outbox_path, "rb") as fh:
        message = BytesParser(policy=policy.default).parse(fh)
    assert message["Subject"] == "Réinitialisation de votre mot de passe"
    assert message["To"] == sme_user.email
    link = outbox.links(email)[0]
    assert link in message.get_body(("plain",)).get_content()
    path = link.replace("http://localhost", "")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "un tout autre secret", "password_confirm": "un tout autre secret"}, follow_redirects=True)
    assert "Votre mot de passe a été modifié" in response.text
    assert login(client, sme_user.email, "un tout autre secret").request.path == "/entreprise/"
    client.post("/compte/deconnexion")
    reused = client.get(path)
    assert reused.status_code == 400 and "déjà été utilisé" in reused.text
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "account.password_reset")) is not None


def test_password_reset_for_unknown_email_sends_nothing(client, db_session, outbox):
    response = client.post("/compte/mot-de-passe-oublie", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert "Si un compte existe avec cette adresse" in response.text
    assert outbox.messages() == []


def test_expired_and_forged_reset_links_are_refused(app, client, db_session, sme_user):
    forged = URLSafeTimedSerializer("another secret", salt="password-reset").dumps({"u": sme_user.id, "n": sme_user.login_nonce})
    response = client.get(f"/compte/reinitialiser/{forged}")
    assert response.status_code == 400 and "n&#39;est pas valide" in response.text
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        from marketplace.services.accounts.operations import password_reset_token

        with app.app_context():
            expired = password_reset_token(sme_user)
        response = client.get(f"/compte/reinitialiser/{expired}")
        assert response.status_code == 400 and "a expiré" in response.text
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_changing_password_ends_other_sessions(app, db_session, sme_user):
    first, second = app.test_client(), app.test_client()
    login(first, sme_user.email, PASSWORD)
    login(second, sme_user.email, PASSWORD)
    response = first.post(
        "/compte/parametres",
        data={"pw-current_password": PASSWORD, "pw-new_password": "tout nouveau secret", "pw-new_password_confirm": "tout nouveau secret"},
        follow_redirects=True,
    )
    assert "Mot de passe modifié" in response.text
    assert first.get("/entreprise/").status_code == 200
    assert second.get("/entreprise/").status_code == 302


def test_create_admin_command(runner, db_session):
    result = runner.invoke(args=["create-admin", "--email", "Ops@Example.test", "--password", "admin password 1"])
    assert result.exit_code == 0, result.output
    admin = db_session.scalar(select(User).where(User.email == "ops@example.test"))
    assert admin.role == "admin" and admin.check_password("admin password 1")
    bad = runner.invoke(args=["create-admin", "--email", "x@example.test", "--password", "court"])
    assert bad.exit_code != 0 and "au moins 12 caractères" in bad.output


def test_csrf_is_enforced(engine, instance_path, db_session):
    from tests.conftest import make_test_app

    app = make_test_app(engine, instance_path, WTF_CSRF_ENABLED=True)
    with app.test_client() as client:
        response = client.post("/compte/connexion", data={"email": "a@b.test", "password": "x"})
        assert response.status_code == 400
        assert "Le formulaire a expiré" in response.text


def test_sme_signup_takes_the_headcount_given_in_the_diagnostic(client, db_session):
    page = client.get("/compte/inscription/entreprise?next=/entreprise/missions/nouvelle%3Fsignaux%3Dx%26effectif%3D37").text
    assert 'name="headcount"' in page and 'value="37"' in page
