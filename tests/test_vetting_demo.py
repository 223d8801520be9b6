"""The demo shows the vetting console with something to look at, seeded once; the vetting CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from marketplace.db import commit, today, utcnow
from marketplace.demo import seed
from marketplace.models.audit import AuditLog
from marketplace.models.documents import Document
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.vetting import ReferenceRequest, VettingCheck
from marketplace.services.vetting import queries as console
from tests.factories import SubmittedProfileFactory, upload_valid_documents


def counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (VettingCheck, ReferenceRequest, Document, AuditLog)
    )


def test_demo_seeds_documents_answers_checks_and_a_queue_worth_reviewing(demo_app, demo_session):
    from tests.conftest import Outbox

    db_session, outbox = demo_session, Outbox(demo_session)
    first = counts(db_session)

    profiles = db_session.scalars(select(FreelancerProfile).order_by(FreelancerProfile.id)).all()
    vetted = [p for p in profiles if p.submitted_at is not None]
    assert all(p.vetting_score is not None for p in vetted)
    om = next(p for p in profiles if p.user.email == "om@demo.test")
    assert om.status == "approved" and om.matching_suspended_reason is None and om.vetting_score >= 80

    rows = db_session.scalars(select(VettingCheck).where(VettingCheck.subject == "")).all()
    failed = {(r.kind, r.status) for r in rows if r.status == "failed"}
    assert ("duplicates", "failed") in failed and ("experience", "failed") in failed
    flagged = db_session.scalars(select(ReferenceRequest).where(ReferenceRequest.status == "answered")).all()
    assert any("own_domain" in r.flags for r in flagged)
    assert sum(1 for p in profiles if p.matching_suspended_reason) == 1
    waiting = [m for m in outbox.messages() if m.template == "reference_request"]
    assert waiting, "queue profiles have a referee to answer, with a link in the outbox"

    start, end = console.month_bounds(None, today())
    assert len(console.calendar_entries(db_session, start, end)) >= 2
    overview = console.overview(db_session, utcnow(), today())
    assert overview.to_review >= 3 and 0.9 < overview.approval_rate < 1 and overview.median_hours is not None

    with demo_app.app_context():
        seed(db_session)  # a second run adds nothing
        db_session.flush()
    assert counts(db_session) == first


def test_vetting_cli_commands(app_ctx, db_session, runner, outbox):
    profile = SubmittedProfileFactory(status="approved")
    upload_valid_documents(profile, insurance_until=today() + timedelta(days=10))
    commit(db_session)
    result = runner.invoke(args=["vetting", "expiry"])
    assert result.exit_code == 0 and "1 avis d'échéance" in result.output
    assert outbox.last_to(profile.user.email).template == "documents_expiring"
    result = runner.invoke(args=["vetting", "reminders"])
    assert result.exit_code == 0 and "0 relance(s)" in result.output
    result = runner.invoke(args=["vetting", "recheck", str(profile.id)])
    assert result.exit_code == 0 and "1 profil(s)" in result.output
    assert db_session.scalar(select(func.count()).select_from(VettingCheck).where(VettingCheck.profile_id == profile.id)) > 0
    assert runner.invoke(args=["vetting", "recheck"]).exit_code != 0
