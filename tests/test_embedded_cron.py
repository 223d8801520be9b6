"""The embedded mode runs the cron table in-process: what is due runs once, through the same jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.db import commit, today
from marketplace.models.documents import Document
from marketplace.models.outbox import JobIntent
from marketplace.platform import cron
from tests.factories import SubmittedProfileFactory, submit, upload_valid_documents

TABLE = (
    ("jobs.sweep", {"interval": 60}),
    ("vetting.expiry", {"cron": "30 6 * * *"}),
    ("billing.monthly_run", {"cron": "0 6 10 * *"}),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_due_entries_run_once_per_occurrence_and_old_ones_are_not_replayed():
    now = at("2026-12-01T09:00")
    # First tick: the sweep, this morning's expiry run; not the billing run of 10 November.
    assert cron.due(TABLE, {}, now) == ["jobs.sweep", "vetting.expiry"]
    state = {"jobs.sweep": now, "vetting.expiry": now, "billing.monthly_run": now}
    later = now + timedelta(minutes=1)
    assert cron.due(TABLE, state, later) == ["jobs.sweep"]
    assert cron.due(TABLE, state, at("2026-12-02T06:29")) == ["jobs.sweep"]
    assert cron.due(TABLE, state, at("2026-12-02T06:30")) == ["jobs.sweep", "vetting.expiry"]
    # A machine asleep a week catches up the last day only; the 10th's billing run is due that day.
    assert cron.due(TABLE, state, at("2026-12-10T06:05")) == ["jobs.sweep", "vetting.expiry", "billing.monthly_run"]


def test_cron_table_is_the_one_the_worker_schedules():
    from worker.cron_config import CRON_TABLE

    assert CRON_TABLE is cron.CRON_TABLE and ("vetting.expiry", {"cron": "30 6 * * *"}) in CRON_TABLE


@pytest.fixture()
def own_instance(app, tmp_path, monkeypatch):
    """The tick's state file in a folder of this test's own."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def expiring_profile(session, days_left: int):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None)
    upload_valid_documents(profile, insurance_until=today() + timedelta(days=days_left))
    submit(profile)
    profile.status = "approved"
    commit(session)
    return profile


def test_an_in_process_tick_sends_the_expiry_notice(app_ctx, db_session, outbox, own_instance):
    profile = expiring_profile(db_session, 6)
    insurance = db_session.scalars(select(Document).where(Document.profile_id == profile.id,
                                                          Document.kind == "insurance")).one()
    assert insurance.expiry_notice_days is None  # « Avis envoyé : aucun »

    ran = cron.tick(datetime.now(UTC).replace(hour=7, minute=0), table=TABLE)
    assert [line.split(":")[0] for line in ran] == ["jobs.sweep", "vetting.expiry"]
    db_session.expire_all()
    assert insurance.expiry_notice_days == 7
    sent = [m for m in outbox.messages() if m.to_address == profile.user.email and m.template == "documents_expiring"]
    assert len(sent) == 1 and "assurance" in sent[0].body_text
    intent = db_session.scalars(select(JobIntent).where(JobIntent.name == "vetting.expiry")).one()
    assert intent.status == "done"
    # The next tick the same morning runs only the sweep: one notice, one job.
    assert [line.split(":")[0] for line in cron.tick(datetime.now(UTC).replace(hour=7, minute=1), table=TABLE)] == ["jobs.sweep"]
    assert len(db_session.scalars(select(JobIntent).where(JobIntent.name == "vetting.expiry")).all()) == 1
    assert (own_instance / "cron_state.json").exists()


def test_cron_tick_command(app, db_session, outbox, own_instance):
    with app.app_context():
        profile = expiring_profile(db_session, 5)
    result = app.test_cli_runner().invoke(args=["cron", "tick", "--at", f"{today().isoformat()}T08:00"])
    assert result.exit_code == 0, result.output
    assert "tâche(s) périodique(s) exécutée(s)" in result.output and "vetting.expiry" in result.output
    assert any(m.to_address == profile.user.email and m.template == "documents_expiring" for m in outbox.messages())
    result = app.test_cli_runner().invoke(args=["cron", "tick", "--at", "demain"])
    assert result.exit_code != 0 and "AAAA-MM-JJTHH:MM" in result.output
