"""Settings: production refuses to start without a secret; embedded keeps one."""

from __future__ import annotations

import stat

import pytest

from marketplace import create_app
from marketplace.config import embedded_secret_key, load_settings
from marketplace.errors import ConfigurationError


def test_production_without_secret_key_stops_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/x")
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/0")
    with pytest.raises(ConfigurationError, match="SECRET_KEY est obligatoire en production"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_sqlite_and_missing_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETPLACE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        load_settings(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/x")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        load_settings(tmp_path)


def test_embedded_mode_generates_the_secret_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MARKETPLACE_ENV", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    second = load_settings(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert embedded_secret_key(tmp_path) == first


def test_embedded_mode_defaults_to_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("MARKETPLACE_ENV", raising=False)
    settings = load_settings(tmp_path)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'marketplace.sqlite'}"


def test_postgres_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_settings(tmp_path)["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_fee_rate_is_a_decimal_and_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("PLATFORM_FEE_RATE", "0.12")
    from decimal import Decimal

    assert load_settings(tmp_path)["PLATFORM_FEE_RATE"] == Decimal("0.12")
    monkeypatch.setenv("PLATFORM_FEE_RATE", "douze")
    with pytest.raises(ConfigurationError, match="PLATFORM_FEE_RATE"):
        load_settings(tmp_path)
    monkeypatch.setenv("PLATFORM_FEE_RATE", "1.5")
    with pytest.raises(ConfigurationError, match="entre 0 et 1"):
        load_settings(tmp_path)
