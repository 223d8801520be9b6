"""Several machines, no shared disk: two web processes, one RQ worker, one database, Redis and one object store.

Each process has its own instance folder (as on its own machine) and only shares
PostgreSQL, Redis and the S3 bucket (moto as a server). The web processes are real
gunicorn servers started with the production settings file; a person drives them over
HTTP with one cookie jar, as a browser behind a load balancer would, going to either.
Needs ``MARKETPLACE_REQUIRE_SERVICES=1``, ``REDIS_URL`` and (in CI) PostgreSQL.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.db import commit, db
from marketplace.models.documents import Document
from marketplace.models.matching import MatcherModel
from marketplace.models.missions import ApplicationStatus
from marketplace.models.outbox import JobIntent, JobStatus
from marketplace.models.privacy import DataExport
from marketplace.platform import jobs
from tests import factories
from tests.conftest import make_test_app, wipe
from tests.freelancer_support import PDF_BYTES
from tests.local_servers import free_port
from tests.test_services_rq import run_worker

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture()
def shared(engine, tmp_path, redis_url, object_store):
    """The test's own view of the shared services (it commits for real; everything is wiped afterwards)."""
    app = make_test_app(engine, tmp_path / "test-process", REDIS_URL=redis_url, **object_store.settings)
    yield app
    wipe(engine)


@dataclass
class WebProcess:
    name: str
    url: str
    instance: Path
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_web(name: str, app, tmp_path: Path, storage_env: dict[str, str]) -> WebProcess:
    """``gunicorn -c python:marketplace.gunicorn_conf 'marketplace:create_app()'`` with its own instance folder."""
    instance = tmp_path / name
    instance.mkdir()
    port = free_port()
    env = dict(os.environ)
    env.pop("MARKETPLACE_ENV", None)
    env.update(
        DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"], SECRET_KEY=app.config["SECRET_KEY"],
        MARKETPLACE_INSTANCE=str(instance), GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
        BASE_URL=f"http://127.0.0.1:{port}", MATCHER_CHECK_SECONDS="1", PYTHONPATH=str(ROOT), **storage_env,
    )
    log = tmp_path / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:marketplace.gunicorn_conf", "marketplace:create_app()"],
            cwd=instance, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    web = WebProcess(name, f"http://127.0.0.1:{port}", instance, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{web.output()}")
        try:
            with urllib.request.urlopen(f"{web.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return web
        except OSError:
            pass
        time.sleep(0.2)
    stop(web)
    pytest.fail(f"{name} did not answer within 60 s:\n{web.output()}")


def stop(web: WebProcess) -> None:
    web.process.terminate()
    try:
        web.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        web.process.kill()
        web.process.wait()


@pytest.fixture()
def two_web_processes(shared, tmp_path, object_store) -> Iterator[tuple[WebProcess, WebProcess]]:
    first = start_web("web-a", shared, tmp_path, object_store.settings)
    try:
        second = start_web("web-b", shared, tmp_path, object_store.settings)
    except BaseException:
        stop(first)
        raise
    yield first, second
    for web in (first, second):
        stop(web)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One person's browser: a cookie jar (cookies ignore the port, like a browser's) and the forms' hidden fields."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, url: str, body: bytes | None = None, content_type: str | None = None) -> Answer:
        request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, exc.read(), dict(exc.headers))

    def hidden_fields(self, base: str, page: str, action: str) -> dict[str, str]:
        """The hidden inputs (CSRF token) of the form of ``page`` posting to ``action``."""
        text = self.request(base + page).text
        forms = re.findall(r"<form\b.*?</form>", text, re.S)
        # A form posts to its own page when it names no action.
        form = next((f for f in forms if f'action="{action}"' in f.split(">", 1)[0]
                     or (action == page and "action=" not in f.split(">", 1)[0])), None)
        assert form, f"no form posting to {action} on {page}"
        fields = {}
        for tag in re.findall(r"<input[^>]*>", form):
            if 'type="hidden"' in tag:
                name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
                fields[name.group(1)] = html.unescape(value.group(1) if value else "")
        return fields

    def submit(self, base: str, page: str, action: str, data: dict) -> Answer:
        fields = self.hidden_fields(base, page, action) | data
        if any(isinstance(v, FileStorage) for v in fields.values()):
            boundary, body = encode_multipart(fields)
            return self.request(base + action, body, f"multipart/form-data; boundary={boundary}")
        return self.request(base + action, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def log_in(self, base: str, email: str) -> None:
        answer = self.submit(base, "/compte/connexion", "/compte/connexion",
                             {"email": email, "password": factories.PASSWORD})
        assert answer.status == 200, answer.text[:500]
        assert json.loads(self.request(base + "/api/me").body)["email"] == email


def matcher_in_service(web: WebProcess) -> dict:
    with urllib.request.urlopen(f"{web.url}/healthz/matcher", timeout=10) as response:
        return json.loads(response.read())


def wait_for(check, what, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what()}")
        time.sleep(0.3)


def outcomes_to_learn_from(app) -> None:
    """Twelve missions, each with a hired and a declined freelancer: enough for a refit to be accepted."""
    with app.app_context():
        factories.CURRENT_SESSION = app.extensions["marketplace.db"].session
        try:
            for _ in range(12):
                mission = factories.MissionFactory(description="Organiser le déménagement des bureaux et les notes de frais.")
                good = factories.FreelancerProfileFactory(
                    bio="J'ai organisé deux déménagements et géré les notes de frais.")
                weak = factories.FreelancerProfileFactory(
                    bio="Accueil et standard.", skill_finance_procurement=1, years_experience=4)
                factories.ApplicationFactory(mission=mission, freelancer=good, status=ApplicationStatus.ACCEPTED.value)
                factories.ApplicationFactory(mission=mission, freelancer=weak, status=ApplicationStatus.DECLINED.value)
            factories.FreelancerProfileFactory(status="draft", user__email="lea@example.test")
            factories.FreelancerProfileFactory(user__email="autre-om@example.test")
        finally:
            factories.CURRENT_SESSION = None


def test_two_machines_share_files_models_and_jobs(shared, two_web_processes, object_store, redis_url):
    web_a, web_b = two_web_processes
    outcomes_to_learn_from(shared)
    lea = Browser()
    lea.log_in(web_a.url, "lea@example.test")

    # (a) A document uploaded through the first process is served by the second.
    answer = lea.submit(web_a.url, "/freelance/profil/justificatifs", "/freelance/profil/justificatifs/insurance",
                        {"insurance-file": FileStorage(io.BytesIO(PDF_BYTES), "assurance-rc-pro.pdf"),
                         "insurance-expires_on": (date.today() + timedelta(days=200)).isoformat()})
    assert answer.status == 200 and "document enregistré" in answer.text, re.findall(r'-error">(.*?)<', answer.text)
    with shared.app_context():
        document = db.session.scalar(select(Document).where(Document.original_name == "assurance-rc-pro.pdf"))
        db.session.expunge_all()
    assert object_store.names() == [f"files/{document.storage_key}"]
    for web in (web_a, web_b):  # no file on either machine's disk
        assert not (web.instance / "uploads").exists()
    page = lea.request(web_b.url + "/freelance/profil/justificatifs").text
    link = re.search(r'href="(/fichiers/\d+)">assurance-rc-pro\.pdf<', page).group(1)
    served = lea.request(web_b.url + link)
    assert served.status == 200 and served.body == PDF_BYTES
    assert "attachment" in served.headers["Content-Disposition"]
    other = Browser()
    other.log_in(web_b.url, "autre-om@example.test")
    assert other.request(web_b.url + link).status == 404 and other.request(web_a.url + link).status == 404

    # (c) A job enqueued by one process is run by a worker started elsewhere: the data export
    # asked on the second process is built by the worker (its own instance folder), which
    # reads the document from the bucket and stores the archive there; the first one serves it.
    answer = lea.submit(web_b.url, "/compte/parametres", "/compte/donnees/export", {})
    assert answer.status == 200
    with shared.app_context():
        intent = db.session.scalar(select(JobIntent).where(JobIntent.name == "privacy.build_export"))
        assert intent.status == JobStatus.PENDING.value
    assert f"intent-{intent.id}" in Queue("default", connection=Redis.from_url(redis_url)).job_ids
    run_worker(shared, "default", **object_store.settings)
    with shared.app_context():
        export = db.session.scalar(select(DataExport))
        assert export.status == "ready" and f"files/{export.storage_key}" in object_store.names()
        db.session.expunge_all()
    settings = lea.request(web_a.url + "/compte/parametres").text
    download = html.unescape(re.search(r'href="(/compte/donnees/export/[^"]+)"', settings).group(1))
    archive = lea.request(web_a.url + download)
    assert archive.status == 200 and archive.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.body)) as zf:
        assert PDF_BYTES in [zf.read(name) for name in zf.namelist() if name.startswith("fichiers/")]

    # (b) A model refitted by a worker is used by both processes.
    before = [matcher_in_service(web)["model_version"] for web in (web_a, web_b)]
    assert before[0] == before[1]
    with shared.app_context():
        jobs.enqueue(db.session, "matching.retrain")
        commit()
    run_worker(shared, "default", **object_store.settings)
    with shared.app_context():
        retrain = db.session.scalar(select(JobIntent).where(JobIntent.name == "matching.retrain"))
        assert retrain.status == JobStatus.DONE.value, retrain.last_error
        refitted = db.session.scalar(select(func.max(MatcherModel.version)))
    assert refitted is not None and refitted != before[0]  # the refit was accepted: a new version in the database
    wait_for(lambda: all(matcher_in_service(web)["model_version"] == refitted for web in (web_a, web_b)),
             lambda: f"both web processes on model v{refitted}: {[matcher_in_service(web) for web in (web_a, web_b)]}")
