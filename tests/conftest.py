"""Test fixtures: one schema per session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL`` points
at one. Tests marked ``services`` use the real Redis (``REDIS_URL``) and a real
``rq worker``; they are skipped only when ``MARKETPLACE_REQUIRE_SERVICES`` is unset,
and fail (never skip) when it is set and a service is missing.

Under pytest-xdist (``-n 2``) each worker process gets its own PostgreSQL database
(the configured one's name with ``_gw0``, ``_gw1``… appended, made and dropped here)
and its own Redis database number, so the workers never see each other's rows or jobs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select

import marketplace.models  # noqa: F401  (registers every table)
from marketplace import create_app
from marketplace.db import Base, make_engine
from marketplace.models.outbox import OutboundEmail

TEST_SECRET = "test-secret-key-not-for-production"
REQUIRE_SERVICES = bool(os.environ.get("MARKETPLACE_REQUIRE_SERVICES"))


def normalized_database_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _xdist_worker() -> int | None:
    """The number of this pytest-xdist worker (``gw1`` → 1), or None outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else None


def _worker_database(url: str, worker: int, *, create: bool) -> str:
    """The worker's own PostgreSQL database next to ``url``'s: made empty, or dropped."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    own = make_url(normalized_database_url(url))
    name = f"{own.database}_gw{worker}"
    admin = create_engine(own, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return own.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    worker = _xdist_worker()
    url = os.environ.get("DATABASE_URL", "")
    if worker is not None and url.startswith(("postgres://", "postgresql")):
        config._marketplace_database = url  # type: ignore[attr-defined]
        os.environ["DATABASE_URL"] = _worker_database(url, worker, create=True)
    if worker is not None and os.environ.get("REDIS_URL"):
        from redis.connection import parse_url

        base = int(parse_url(os.environ["REDIS_URL"]).get("db") or 0)
        redis_url = re.sub(r"(/\d+)?$", "", os.environ["REDIS_URL"].split("?")[0].rstrip("/"), count=1)
        os.environ["REDIS_URL"] = f"{redis_url}/{(base - worker) % 16}"
    # Tests never read the developer's shell settings by accident.
    os.environ.setdefault("SECRET_KEY", TEST_SECRET)
    os.environ.pop("MARKETPLACE_ENV", None)
    # Hashing cost is not what the tests check; a cheap method keeps them fast.
    from marketplace.models import users

    users.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def pytest_unconfigure(config: pytest.Config) -> None:
    url = getattr(config, "_marketplace_database", None)
    if url:
        _worker_database(url, _xdist_worker(), create=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REQUIRE_SERVICES:
        return
    skip = pytest.mark.skip(reason="services tests need MARKETPLACE_REQUIRE_SERVICES=1, REDIS_URL and a database")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalized_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def engine(database_url: str):
    engine = make_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


def make_test_app(engine, instance_path: Path, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
        "DB_BIND": engine,
        "REDIS_URL": None,
        "WTF_CSRF_ENABLED": False,
        "INSTANCE_PATH": str(instance_path),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        # Throttling is tested on its own (tests/test_security.py); the rest of the suite
        # logs in hundreds of times from one address.
        "THROTTLING": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(engine, instance_path: Path) -> Flask:
    return make_test_app(engine, instance_path)


@pytest.fixture()
def db_session(app: Flask, engine):
    """The app's session bound to a connection whose transaction is rolled back.

    No app context stays pushed: each test request gets its own, as in production
    (a shared one would share ``g``, and with it the logged-in user). Tests calling
    services directly use the ``app_ctx`` fixture.
    """
    from tests import factories

    connection = engine.connect()
    transaction = connection.begin()
    state = app.extensions["marketplace.db"]
    state.session.remove()
    state.session.configure(bind=connection)
    state.keep_session = True
    # The matcher's index mirrors the database: start each test from an empty one.
    app.extensions.pop("marketplace.matching", None)
    factories.CURRENT_SESSION = state.session
    yield state.session
    factories.CURRENT_SESSION = None
    state.session.remove()
    state.keep_session = False
    transaction.rollback()
    connection.close()
    state.session.configure(bind=engine)


@pytest.fixture()
def app_ctx(app: Flask, db_session):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield app


@pytest.fixture()
def client(app: Flask, db_session):
    # Not used as a context manager: a kept request context would share ``g``
    # (and the logged-in user) with every later request of the test.
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db_session):
    return app.test_cli_runner()


class Outbox:
    """The e-mails the app recorded during a test, newest last."""

    def __init__(self, session) -> None:
        self.session = session

    def messages(self) -> list[OutboundEmail]:
        return list(self.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))

    def last_to(self, address: str) -> OutboundEmail:
        found = [m for m in self.messages() if m.to_address == address]
        assert found, f"no e-mail to {address}"
        return found[-1]

    @staticmethod
    def links(email: OutboundEmail) -> list[str]:
        return re.findall(r"https?://\S+", email.body_text)


@pytest.fixture()
def outbox(db_session) -> Outbox:
    return Outbox(db_session)


def login(client, email: str, password: str, remember: bool = False):
    """Log in through the real form; returns the response after redirects."""
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/compte/connexion", data=data, follow_redirects=True)


def wipe(engine) -> None:
    """Delete every row (services tests commit for real)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture()
def redis_url():
    """The services tests' Redis (``REDIS_URL``), emptied before and after; a missing or down Redis fails them."""
    from redis import Redis

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("MARKETPLACE_REQUIRE_SERVICES is set but REDIS_URL is not")
    connection = Redis.from_url(url)
    connection.ping()  # fails the test, never skips it, when Redis is down
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


# --- the demo, seeded once per test session -------------------------------------------


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory) -> tuple[Path, str]:
    """``marketplace demo --no-serve`` run once: its instance folder and what it printed.

    Tests that only read the demo share it (through ``demo_session``, rolled back per
    test); seeding it costs seconds, so it is done once.
    """
    from click.testing import CliRunner

    from marketplace.cli import main

    folder = tmp_path_factory.mktemp("demo")
    saved = {k: os.environ.get(k) for k in ("MARKETPLACE_INSTANCE", "DATABASE_URL", "REDIS_URL")}
    try:
        result = CliRunner().invoke(main, ["demo", "--no-serve", "--instance", str(folder)])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.exit_code == 0, result.output + repr(result.exception)
    return folder, result.output


@pytest.fixture(scope="session")
def demo_engine(demo_instance):
    folder, _ = demo_instance
    engine = make_engine(f"sqlite:///{folder / 'marketplace.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_app(demo_engine, demo_instance) -> Flask:
    folder, _ = demo_instance
    return make_test_app(demo_engine, folder, DATABASE_URL=str(demo_engine.url))


@pytest.fixture()
def demo_session(demo_app, demo_engine):
    """The demo app's session in a transaction rolled back after the test (like ``db_session``)."""
    from tests import factories

    connection = demo_engine.connect()
    transaction = connection.begin()
    state = demo_app.extensions["marketplace.db"]
    state.session.remove()
    state.session.configure(bind=connection)
    state.keep_session = True
    demo_app.extensions.pop("marketplace.matching", None)
    factories.CURRENT_SESSION = state.session
    yield state.session
    factories.CURRENT_SESSION = None
    state.session.remove()
    state.keep_session = False
    transaction.rollback()
    connection.close()
    state.session.configure(bind=demo_engine)


@pytest.fixture()
def demo_client(demo_app, demo_session):
    return demo_app.test_client()


@pytest.fixture()
def demo_server(demo_instance, tmp_path):
    """The demo served over HTTP from a copy of its database (each test starts from the seeded demo)."""
    import shutil
    import threading

    from werkzeug.serving import make_server

    folder, _ = demo_instance
    shutil.copy(folder / "marketplace.sqlite", tmp_path / "marketplace.sqlite")
    if (folder / "uploads").exists():
        shutil.copytree(folder / "uploads", tmp_path / "uploads")
    engine = make_engine(f"sqlite:///{tmp_path / 'marketplace.sqlite'}")
    app = make_test_app(engine, tmp_path, DATABASE_URL=str(engine.url), WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=10)
    engine.dispose()


pytest_plugins = ["tests.factories", "tests.object_store"]

import tests.sample_jobs  # noqa: E402,F401  (registers the jobs of the job-infrastructure tests)

# --- browser journeys --------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        if REQUIRE_SERVICES:
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def live_server(engine, tmp_path):
    """The app served over HTTP from a thread, on committed data wiped afterwards."""
    import threading

    from werkzeug.serving import make_server

    app = make_test_app(engine, tmp_path, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=10)
    wipe(engine)


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.config["BASE_URL"], locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture()
def demo_page(browser, demo_server):
    context = browser.new_context(base_url=demo_server.config["BASE_URL"], locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
