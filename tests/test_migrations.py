"""Upgrading an empty database to head gives exactly the models."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from marketplace.commands import upgrade_database
from marketplace.db import Base, make_engine
from tests.conftest import REQUIRE_SERVICES, make_test_app


def _assert_head_matches_models(engine, instance_path):
    app = make_test_app(engine, instance_path, DATABASE_URL=engine.url.render_as_string(hide_password=False))
    with app.app_context():
        upgrade_database()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    # Autogenerate does not compare CHECK constraints: every one the models declare is there.
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in Base.metadata.sorted_tables:
            declared = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
            present = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert declared <= present, (table.name, declared - present)


def test_sqlite_upgrade_to_head_matches_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    try:
        _assert_head_matches_models(engine, tmp_path)
    finally:
        engine.dispose()


def test_postgresql_upgrade_to_head_matches_models(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        if REQUIRE_SERVICES:
            pytest.fail("MARKETPLACE_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL")
        pytest.skip("DATABASE_URL is not PostgreSQL (CI runs this test on PostgreSQL)")
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(database_url).set(database=name).render_as_string(hide_password=False))
    try:
        _assert_head_matches_models(engine, tmp_path)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_db_upgrade_command(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    app = make_test_app(engine, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Base à jour" in result.output
    with engine.connect() as connection:
        assert "missions" in inspect(connection).get_table_names()
    engine.dispose()


def test_migration_files_sort_in_revision_order():
    """Each file's number is its revision, and each revises the one before it."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from marketplace.commands import MIGRATIONS

    names = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    script = ScriptDirectory(str(MIGRATIONS))
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert [name.split("_", 1)[0] for name in names] == chain
    assert all(Path(MIGRATIONS / "versions" / n).read_text().count(f"revision = '{n.split('_', 1)[0]}'") == 1 for n in names)


def test_a_database_stamped_with_a_renamed_revision_still_upgrades(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    app = make_test_app(engine, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        upgrade_database("0003")
        with engine.begin() as connection:  # as a demo made before the renumbering left it
            connection.execute(text("UPDATE alembic_version SET version_num = 'v001'"))
        upgrade_database()
    from alembic.script import ScriptDirectory

    from marketplace.commands import MIGRATIONS

    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == (
            ScriptDirectory(str(MIGRATIONS)).get_current_head()
        )
    engine.dispose()
