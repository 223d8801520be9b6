"""Each defect found when the product was probed as an attacker and an operator: a test per item."""

from __future__ import annotations

import html
import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from marketplace.db import commit, today, utcnow
from marketplace.models.audit import AuditLog
from marketplace.models.companies import Company
from marketplace.models.outbox import JobIntent, JobStatus
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.platform.pdf import simple_pdf, simple_png
from tests.conftest import login, make_test_app


def app_like(db_session, tmp_path, **settings):
    """Another app with its own settings, reading and writing the test's own transaction."""
    connection = db_session.get_bind()
    return make_test_app(connection.engine, tmp_path, DB_BIND=connection, **settings)
from tests.factories import (
    PASSWORD,
    AdminFactory,
    FreelancerProfileFactory,
    MissionFactory,
    SmeUserFactory,
)


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<div id="{re.escape(field_id)}-error">(.*?)</div>', page, re.S)
    assert match, f"no error beside {field_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


# --- 1. numbers: no exponent, bounded, French messages -------------------------------------


@pytest.mark.parametrize("query", [
    "weeks_per_year=1e999999999", "weeks_per_year=1e600000", "gross_salary=1e30", "daily_rate=1e30",
    "extras=1e30", "gross_salary=" + "9" * 30, "days_per_week=1e5", "employer_rate=inf", "daily_rate=NaN",
])
def test_a_number_in_exponent_notation_or_huge_is_a_field_error_at_once(client, query):
    name = query.split("=")[0]
    params = {"gross_salary": "32000", "employer_rate": "45", "extras": "2500", "daily_rate": "450",
              "days_per_week": "2", "weeks_per_year": "47"}
    params[name] = query.split("=", 1)[1]
    response, seconds = timed(lambda: client.get("/simulateur", query_string=params))
    assert response.status_code == 422 and seconds < 1
    assert field_error(response.text, name)


@pytest.mark.parametrize("value", ["1e1000", "1e999999999", "9" * 40])
def test_the_diagnostic_headcount_is_bounded(client, value):
    response, seconds = timed(lambda: client.get("/diagnostic/resultat", query_string={"effectif": value}))
    assert response.status_code == 422 and seconds < 1
    assert field_error(response.text, "effectif")


def test_the_mission_form_refuses_huge_and_exponent_values_beside_each_field(client, db_session):
    from tests.test_sme_pages import mission_form

    owner = SmeUserFactory()
    mission = MissionFactory(company=owner.company, status="draft")
    login(client, owner.email, PASSWORD)
    response, seconds = timed(lambda: client.post(f"/entreprise/missions/{mission.id}/modifier", data=mission_form(
        min_years_experience="1e999999999", onsite_days_per_week="1e99999", budget="1e30",
        spending_threshold="1" + "0" * 29)))
    assert response.status_code == 422 and seconds < 1
    for name in ("min_years_experience", "onsite_days_per_week", "budget", "spending_threshold"):
        assert field_error(response.text, name), name


# --- 2. links never follow the Host header ----------------------------------------------------


def test_a_reset_link_is_built_from_base_url_whatever_the_host_says(client, db_session, sme_user, outbox):
    client.post("/compte/mot-de-passe-oublie", data={"email": sme_user.email}, headers={"Host": "evil.example"})
    [link] = outbox.links(outbox.last_to(sme_user.email))
    assert link.startswith("http://localhost/compte/reinitialiser/") and "evil" not in link


def test_production_refuses_a_host_that_is_not_ours(tmp_path, db_session):
    app = app_like(db_session, tmp_path, TRUSTED_HOSTS=["om-partage.example"], BASE_URL="https://om-partage.example")
    client = app.test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "om-partage.example"}).status_code == 200


def test_production_trusts_the_base_url_host_by_default(monkeypatch, tmp_path):
    from marketplace.config import load_settings

    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@db/x")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("BASE_URL", "https://om-partage.example")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    settings = load_settings(tmp_path)
    assert settings["TRUSTED_HOSTS"] == ["om-partage.example"]
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"


# --- 3. throttling, and a log-in that costs the same for every e-mail ------------------------


@pytest.fixture()
def throttled(tmp_path, db_session):
    """An app with throttling on (the rest of the suite runs without), on fresh memory counters."""
    return app_like(db_session, tmp_path, THROTTLING=True, RATELIMIT_STORAGE_URI="memory://")


def test_fifty_wrong_passwords_are_throttled_after_a_few(throttled, sme_user):
    client = throttled.test_client()
    statuses = [client.post("/compte/connexion", data={"email": sme_user.email, "password": f"faux {n}"}).status_code
                for n in range(50)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    response = client.post("/compte/connexion", data={"email": sme_user.email, "password": PASSWORD})
    assert response.status_code == 429  # even the right password waits: the account is protected
    page = html.unescape(response.text)
    assert "Trop de tentatives" in page and re.search(r"réessayez dans \d+ minutes?", page)
    assert int(response.headers["Retry-After"]) > 0


def test_one_address_trying_many_accounts_is_throttled_too(throttled, db_session):
    client = throttled.test_client()
    statuses = [client.post("/compte/connexion", data={"email": f"x{n}@example.test", "password": "faux"}).status_code
                for n in range(25)]
    assert statuses.count(429) == 5 and statuses[:20] == [200] * 20


def test_resets_sign_ups_and_the_public_tools_are_throttled(throttled, sme_user):
    client = throttled.test_client()
    resets = [client.post("/compte/mot-de-passe-oublie", data={"email": sme_user.email}).status_code for _ in range(5)]
    assert resets[:3] == [302] * 3 and resets[3:] == [429, 429]
    tools = [client.get("/simulateur").status_code for _ in range(62)]
    assert tools[:60] == [200] * 60 and tools[60:] == [429, 429]


def test_the_api_is_throttled_per_account(throttled, sme_user):
    client = throttled.test_client()
    login(client, sme_user.email, PASSWORD)
    statuses = [client.get("/api/me").status_code for _ in range(122)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    assert client.get("/api/me").json["error"] == "Trop de tentatives"


def test_an_unknown_e_mail_costs_a_password_check_like_a_known_one(client, db_session, sme_user, monkeypatch):
    from marketplace.models import users

    checks = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checks.append(p) or real(h, p))
    login(client, "nobody@example.test", "faux mot de passe")
    login(client, sme_user.email, "faux mot de passe")
    assert checks == ["faux mot de passe", "faux mot de passe"]


# --- 6. sessions end: logout, password change, deactivation ----------------------------------


def cookies_of(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def replay(app, cookies: dict[str, str]):
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/api/me").status_code


def test_logging_out_ends_the_session_and_the_remember_cookie(app, client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD, remember=True)
    before = cookies_of(client)
    assert {"session", "remember_token"} <= set(before) and replay(app, before) == 200
    client.post("/compte/deconnexion")
    assert replay(app, before) == 401
    assert replay(app, {"remember_token": before["remember_token"]}) == 401
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "account.logout")) is not None


def test_changing_the_password_and_deactivation_end_earlier_cookies(app, client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD, remember=True)
    before = cookies_of(client)
    client.post("/compte/parametres", data={"pw-current_password": PASSWORD, "pw-new_password": "trois chats sous la pluie",
                                            "pw-new_password_confirm": "trois chats sous la pluie"})
    assert replay(app, {"remember_token": before["remember_token"]}) == 401
    login(client, sme_user.email, "trois chats sous la pluie", remember=True)
    again = cookies_of(client)
    admin = AdminFactory()
    operator = app.test_client()
    login(operator, admin.email, PASSWORD)
    operator.post(f"/admin/comptes/{sme_user.id}/activation", data={"active": "0", "reason": "Départ de l'entreprise"})
    assert replay(app, again) == 401


# --- 7. the client's address is the proxy's word, not the client's ----------------------------


def test_a_client_chosen_address_is_not_believed(client, db_session):
    profile = FreelancerProfileFactory()
    client.post("/compte/connexion", data={"email": profile.user.email, "password": PASSWORD},
                headers={"X-Real-IP": "203.0.113.66", "X-Forwarded-For": "203.0.113.66"})
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "account.login"))
    assert entry.ip_address == "127.0.0.1"


def test_a_declared_proxy_gives_the_client_address(tmp_path, db_session):
    profile = FreelancerProfileFactory()
    app = app_like(db_session, tmp_path, TRUSTED_PROXIES=1)
    app.test_client().post("/compte/connexion", data={"email": profile.user.email, "password": PASSWORD},
                           headers={"X-Forwarded-For": "198.51.100.7"})
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "account.login"))
    assert entry.ip_address == "198.51.100.7"


# --- 8. bad input is a 404 or a field error, never a 500 -----------------------------------------


def test_ids_beyond_the_database_range_are_404(client, db_session, sme_user):
    login(client, sme_user.email, PASSWORD)
    for url in ("/entreprise/missions/99999999999999999999", "/entreprise/missions/3000000000",
                "/entreprise/candidatures/18446744073709551616", "/fichiers/99999999999999999999"):
        assert client.get(url).status_code == 404, url


def test_huge_page_numbers_are_clamped(client, db_session):
    admin = AdminFactory()
    login(client, admin.email, PASSWORD)
    for url in ("/admin/comptes?page=99999999999999999999", "/admin/audit?page=1e9", "/admin/verification/?page=-4",
                "/admin/comptes?page=²"):
        assert client.get(url).status_code == 200, url


def test_a_nul_byte_is_refused_beside_the_field_and_stored_nowhere(client, db_session):
    profile = FreelancerProfileFactory(headline="Avant")
    login(client, profile.user.email, PASSWORD)
    response = client.post("/freelance/profil/presentation", data={
        "first_name": "Claire", "last_name": "Dur\x00and", "headline": "Office\x00 manager", "bio": "Bio\x00",
        "languages": ["fr"]})
    assert response.status_code == 200
    assert "caractère invisible" in field_error(response.text, "last_name")
    assert "caractère invisible" in field_error(response.text, "headline")
    db_session.refresh(profile)
    assert profile.headline == "Avant"
    response = client.post("/freelance/profil/entreprise", data={"business_name": "Claire\x00 EI", "siret": "",
                                                                  "iban": "FR76\x00"})
    assert "caractère invisible" in field_error(response.text, "business_name")
    client.post("/compte/deconnexion")
    response = client.post("/compte/connexion", data={"email": "a\x00@example.test", "password": "x"})
    assert response.status_code == 200 and "caractère invisible" in field_error(response.text, "email")


# --- 9. line breaks cannot reach an e-mail's subject ---------------------------------------------


def test_a_name_with_a_line_break_is_refused(client, db_session):
    from tests.test_auth import SME_FORM

    response = client.post("/compte/inscription/entreprise",
                           data=dict(SME_FORM, first_name="Claire\r\nBcc: all@example.test", company_name="Lumen\nSAS"))
    assert "une ligne" in field_error(response.text, "first_name")
    assert "une ligne" in field_error(response.text, "company_name")
    assert db_session.scalar(select(func.count()).select_from(Company)) == 0


def test_a_subject_keeps_to_one_line_whatever_the_data(app_ctx, db_session):
    from marketplace.platform import mail

    email = mail.send(db_session, to="a@example.test", subject="Bonjour\r\nBcc: x@example.test", template="password_reset",
                      user=SmeUserFactory(), reset_url="http://localhost/x", max_age_minutes=60)
    assert email.subject == "Bonjour Bcc: x@example.test"
    assert "\n" not in str(mail.build_message(email)["Subject"])


# --- 10. passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password12", "azertyuiop", "azertyuiopqsdf", "motdepasse2026", "123456789012",
                                      "abcabcabcabc", "soleil soleil", "Camille Durand 1"])
def test_weak_passwords_are_refused_with_the_reason(password):
    from marketplace.services.accounts import passwords

    assert passwords.problem(password, personal=["camille.durand", "Camille", "Durand"])


def test_a_long_phrase_is_accepted_and_the_form_says_how_to_choose(client):
    from marketplace.services.accounts import passwords

    assert passwords.problem("trois chats sous la pluie") is None
    page = html.unescape(client.get("/compte/inscription/freelance").text)
    assert "12 caractères au moins" in page and "phrase de quelques mots" in page


def test_the_demo_logins_stay_as_printed(demo_client):
    response = demo_client.post("/compte/connexion", data={"email": "pme@demo.test", "password": "demo-pme"},
                                follow_redirects=True)
    assert response.request.path == "/entreprise/"


# --- 11. hostile documents, headers ----------------------------------------------------------------


def upload(client, kind: str, content: bytes, filename: str, **fields):
    data = {f"{kind}-file": (io.BytesIO(content), filename), **{f"{kind}-{k}": v for k, v in fields.items()}}
    return client.post(f"/freelance/profil/justificatifs/{kind}", data=data, content_type="multipart/form-data")


def test_pdfs_with_active_content_and_polyglots_are_refused(client, db_session):
    profile = FreelancerProfileFactory()
    login(client, profile.user.email, PASSWORD)
    clean = simple_pdf(["Attestation"])
    with_js = clean.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")
    escaped = clean.replace(b"/Catalog", b"/Catalog /Names << /J#61vaScript 5 0 R >>")
    launch = clean.replace(b"/Catalog", b"/Catalog /AA << /O << /S /Launch /F (calc.exe) >> >>")
    polyglot = clean + b"\n<html><body><script>alert(document.cookie)</script></body></html>"
    for content in (with_js, escaped, launch, polyglot):
        response = upload(client, "registration_proof", content, "kbis.pdf", issued_on=today().isoformat())
        assert "contenu actif" in html.unescape(response.text)
    image_polyglot = simple_png(20, 20) + b"<svg onload=alert(1)>"
    response = upload(client, "identity", image_polyglot, "id.png", expires_on=(today() + timedelta(days=400)).isoformat())
    assert "contenu actif" in html.unescape(response.text)
    response = upload(client, "registration_proof", clean, "kbis.pdf", issued_on=today().isoformat())
    assert response.status_code == 302


def test_stored_files_never_run_in_the_browser(app_ctx, client, db_session):
    from marketplace.services.profiles.documents import current_documents
    from tests.factories import upload_valid_documents

    profile = FreelancerProfileFactory()
    upload_valid_documents(profile)
    documents = current_documents(db_session, profile)
    login(client, profile.user.email, PASSWORD)
    pdf = client.get(f"/fichiers/{documents['urssaf_certificate'].id}")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert pdf.headers["Content-Security-Policy"].startswith("sandbox")
    image = client.get(f"/fichiers/{documents['identity'].id}")
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["Content-Security-Policy"].startswith("sandbox")


def test_headers_on_a_page_a_json_answer_a_file_and_an_error(app_ctx, tmp_path, db_session):
    from marketplace.services.profiles.documents import current_documents
    from tests.factories import upload_valid_documents

    profile = FreelancerProfileFactory()
    upload_valid_documents(profile)
    documents = current_documents(db_session, profile)
    app = app_like(db_session, tmp_path, MARKETPLACE_ENV="production")
    client = app.test_client()
    login(client, profile.user.email, PASSWORD)
    for url in ("/", "/api/me", f"/fichiers/{documents['identity'].id}", "/page-qui-n-existe-pas"):
        response = client.get(url)
        assert "Server" not in response.headers, url
        assert response.headers["Strict-Transport-Security"].startswith("max-age="), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert "Content-Security-Policy" in response.headers and response.headers["X-Request-ID"], url


def test_the_demo_server_sends_no_server_banner():
    from marketplace.cli import QuietHandler

    sent = []
    handler = QuietHandler.__new__(QuietHandler)
    handler._headers_buffer = []
    handler.request_version = "HTTP/1.1"
    QuietHandler.send_header(handler, "Server", "Werkzeug/3 Python/3.11")
    QuietHandler.send_header(handler, "Content-Type", "text/html")
    sent = b"".join(handler._headers_buffer)
    assert b"Server" not in sent and b"Content-Type" in sent


def test_gunicorn_sends_no_server_banner():
    from gunicorn.http import wsgi

    import marketplace.gunicorn_conf  # noqa: F401

    class Request:
        version = (1, 1)

    response = wsgi.Response.__new__(wsgi.Response)
    response.req, response.status, response.version = Request(), "200 OK", "gunicorn/23"
    response.upgrade, response.chunked, response.must_close = False, False, False
    response.should_close = lambda: False
    assert not any(line.lower().startswith("server:") for line in wsgi.Response.default_headers(response))


# --- faults: the database goes away, the platform says so ------------------------------------------


def test_a_database_outage_is_a_clean_french_503_and_writes_nothing(app, client, db_session, monkeypatch):
    from marketplace.services.accounts import operations

    def outage(*args, **kwargs):
        raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(operations, "record", outage)  # the sign-up fails half-way, after the user was added
    response = client.post("/compte/inscription/freelance", data={
        "first_name": "Inès", "last_name": "Benali", "email": "ines@om.test", "phone": "",
        "password": "trois chats sous la pluie", "password_confirm": "trois chats sous la pluie", "accept_terms": "y"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "momentanément indisponible" in html.unescape(response.text)
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_healthz_checks_the_database(client, db_session, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {
        "status": "ok", "database": "ok", "redis": "not configured"}
    from marketplace.platform import health

    monkeypatch.setattr(health, "text", lambda sql: (_ for _ in ()).throw(OperationalError("SELECT 1", {}, Exception())))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


def test_log_lines_carry_the_request_the_user_and_the_job(tmp_path, db_session, sme_user):
    import logging

    from marketplace.platform.logs import ContextFilter

    app = app_like(db_session, tmp_path)
    seen = {}

    @app.route("/_test_log")
    def _test_log():
        from flask_login import current_user

        assert current_user.is_authenticated  # as every view does before it logs
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
        ContextFilter().filter(record)
        seen.update(request_id=record.request_id, user_id=record.user_id, job_id=record.job_id)
        return "ok"

    client = app.test_client()
    login(client, sme_user.email, PASSWORD)
    response = client.get("/_test_log", headers={"X-Request-ID": "probe-request-0001"})
    assert response.headers["X-Request-ID"] == "probe-request-0001"
    assert seen == {"request_id": "probe-request-0001", "user_id": sme_user.id, "job_id": "-"}


# --- 5. jobs whose worker died are taken over, once ------------------------------------------------


def test_a_running_job_past_its_lease_is_redispatched_once(app_ctx, db_session, monkeypatch):
    ran = []
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: ran.append(intent_id))
    alive = JobIntent(name="tests.write_audit", args=["alive"], queue="default", status=JobStatus.RUNNING.value,
                      started_at=utcnow(), lease_expires_at=utcnow() + timedelta(minutes=1), attempts=1)
    dead = JobIntent(name="tests.write_audit", args=["dead"], queue="default", status=JobStatus.RUNNING.value,
                     started_at=utcnow() - timedelta(minutes=5), lease_expires_at=utcnow() - timedelta(seconds=1), attempts=1)
    db_session.add_all([alive, dead])
    db_session.flush()
    assert [i.id for i in jobs.sweep(db_session, timedelta(minutes=5))] == [dead.id]
    commit(db_session)
    assert ran == [dead.id] and dead.status == JobStatus.PENDING.value and alive.status == JobStatus.RUNNING.value
    # The live one is not run twice: another delivery finds it held by its worker.
    assert jobs.execute(db_session, alive.id) == JobStatus.RUNNING.value


def test_the_operator_can_retry_a_stuck_job(client, db_session, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda intent_id, queue: None)
    stuck = JobIntent(name="tests.write_audit", args=["stuck"], queue="default", status=JobStatus.RUNNING.value,
                      started_at=utcnow() - timedelta(hours=2), lease_expires_at=utcnow() - timedelta(hours=1))
    db_session.add(stuck)
    commit(db_session)
    admin = AdminFactory()
    login(client, admin.email, PASSWORD)
    page = html.unescape(client.get("/admin/taches").text)
    assert "bloquée" in page
    client.post(f"/admin/taches/{stuck.id}/relancer")
    db_session.refresh(stuck)
    assert stuck.status == JobStatus.PENDING.value

