"""Checks recorded pending with the change, run as jobs after commit, rerun when their inputs change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.db import commit, today
from marketplace.models.outbox import JobIntent, JobStatus
from marketplace.models.vetting import CheckStatus, VettingCheck
from marketplace.platform import events
from marketplace.services.vetting import running, scheduling, score
from tests.factories import (
    FreelancerProfileFactory,
    SubmittedProfileFactory,
    submit,
    upload_document,
    upload_valid_documents,
)


def rows(session, profile_id=None):
    session.expire_all()
    stmt = select(VettingCheck).order_by(VettingCheck.id)
    if profile_id:
        stmt = stmt.where(VettingCheck.profile_id == profile_id)
    return list(session.scalars(stmt))


def snapshot(session, profile_id):
    return [(r.id, r.kind, r.subject, r.status, r.summary, r.details, r.input_fingerprint) for r in rows(session, profile_id)]


def intents(session):
    return [(i.args[1], i.queue, i.dedupe_key, i.status) for i in session.scalars(select(JobIntent).where(
        JobIntent.name == scheduling.RUN_GROUP).order_by(JobIntent.id))]


def draft(session):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None)
    upload_valid_documents(profile)
    return profile


def test_submission_records_pending_checks_and_jobs_in_the_same_transaction(app_ctx, db_session):
    profile = draft(db_session)
    submit(profile)
    pending = rows(db_session, profile.id)
    assert {r.status for r in pending} == {"pending"}
    assert {(r.kind, r.subject) for r in pending} >= {("siret", ""), ("urssaf_certificate", ""), ("references", ""),
                                                     ("duplicates", ""), ("experience", "")}
    assert len([r for r in pending if r.kind == "references" and r.subject]) == 2  # one per referee
    assert intents(db_session) == [
        (group, "vetting", f"vetting:{profile.id}:{group}", "pending") for group in ("identifiers", "documents", "references", "fraud")
    ]

    commit(db_session)  # after commit, the jobs run (in-process without Redis)
    done = {(r.kind, r.subject): r for r in rows(db_session, profile.id)}
    assert done[("siret", "")].status == CheckStatus.PASSED
    assert done[("urssaf_certificate", "")].status == CheckStatus.WARNING  # security code still to verify
    assert done[("references", "")].status == CheckStatus.PENDING  # waiting for the referees
    assert all(r.run_at is not None and r.input_fingerprint for r in done.values())
    assert {status for *_, status in intents(db_session)} == {JobStatus.DONE.value}
    assert profile.vetting_score == score.compute(db_session, profile.id) == 73
    assert profile.status == "submitted"  # the score never decides


def test_rerunning_any_group_gives_the_same_rows(app_ctx, db_session):
    profile = draft(db_session)
    submit(profile)
    commit(db_session)
    before = snapshot(db_session, profile.id)
    attempts = {r.id: r.attempts for r in rows(db_session, profile.id)}
    for group in scheduling.GROUPS:
        running.run(db_session, profile.id, group)
    commit(db_session)
    assert snapshot(db_session, profile.id) == before
    assert all(r.attempts == attempts[r.id] + 1 for r in rows(db_session, profile.id))


def test_an_edit_reruns_only_the_checks_that_read_the_changed_data(app_ctx, db_session):
    profile = draft(db_session)
    submit(profile)
    commit(db_session)
    done_before = len(intents(db_session))

    events.profile_updated.send(db_session, profile=profile, fields={"headline"})  # read by no check
    assert len(intents(db_session)) == done_before

    profile.iban = "FR7630006000011234567890188"  # wrong key
    events.profile_updated.send(db_session, profile=profile, fields={"iban"})
    events.profile_updated.send(db_session, profile=profile, fields={"iban"})  # twice: one job per group
    new = intents(db_session)[done_before:]
    assert [(group, status) for group, _q, _k, status in new] == [("identifiers", "pending"), ("fraud", "pending")]
    by_kind = {r.kind: r for r in rows(db_session, profile.id) if not r.subject}
    assert by_kind["iban"].status == "pending" and by_kind["insurance"].status == "passed"

    commit(db_session)
    by_kind = {r.kind: r for r in rows(db_session, profile.id) if not r.subject}
    assert by_kind["iban"].status == CheckStatus.FAILED and "clé de contrôle" in by_kind["iban"].summary


def test_edits_of_a_profile_never_submitted_run_nothing(app_ctx, db_session):
    profile = FreelancerProfileFactory(status="draft")
    events.profile_updated.send(db_session, profile=profile, fields={"siret"})
    upload_document(profile, "insurance")
    assert intents(db_session) == [] and rows(db_session) == []


def test_a_new_document_reruns_the_document_checks(app_ctx, db_session):
    profile = SubmittedProfileFactory(status="draft", submitted_at=None)
    submit(profile)
    commit(db_session)
    urssaf = {r.kind: r for r in rows(db_session, profile.id)}["urssaf_certificate"]
    assert urssaf.status == CheckStatus.FAILED and "Aucune attestation" in urssaf.summary

    issued = today() - timedelta(days=10)
    document = upload_document(profile, "urssaf_certificate", issued_on=issued, security_code="ZZ99")
    # The documents, and the files shared with other profiles (a duplicate signal).
    assert [i[0] for i in intents(db_session)[-2:]] == ["documents", "fraud"]
    commit(db_session)
    urssaf = {r.kind: r for r in rows(db_session, profile.id)}["urssaf_certificate"]
    assert urssaf.status == CheckStatus.WARNING and urssaf.details["document_id"] == document.id


def test_removed_reference_loses_its_row(app_ctx, db_session):
    profile = draft(db_session)
    submit(profile)
    commit(db_session)
    removed = profile.references[1]
    profile.references.remove(removed)
    db_session.flush()
    events.profile_updated.send(db_session, profile=profile, fields={"references"})
    commit(db_session)
    subjects = sorted(r.subject for r in rows(db_session, profile.id) if r.kind == "references")
    assert subjects == ["", str(profile.references[0].id)]


def test_a_duplicate_shows_on_both_profiles(app_ctx, db_session):
    first = draft(db_session)
    submit(first)
    commit(db_session)
    second = SubmittedProfileFactory(status="draft", submitted_at=None, iban=first.iban)
    submit(second)
    commit(db_session)
    duplicates = {r.profile_id: r for r in rows(db_session) if r.kind == "duplicates"}
    assert duplicates[second.id].status == CheckStatus.FAILED
    assert duplicates[first.id].status == CheckStatus.FAILED  # refreshed once, no loop
    assert [s["profile_id"] for s in duplicates[first.id].details["signals"]] == [second.id]
    fraud_jobs = [k for g, _q, k, _s in intents(db_session) if g == "fraud"]
    assert fraud_jobs.count(f"vetting:{first.id}:fraud") == 2 and fraud_jobs.count(f"vetting:{second.id}:fraud") == 1


def test_score_weights_passed_full_warning_half(app_ctx, db_session):
    profile = draft(db_session)
    submit(profile)
    commit(db_session)
    lines = {line.kind: line for line in score.breakdown(rows(db_session, profile.id))}
    assert lines["siret"].points == 10 and lines["urssaf_certificate"].points == 7.5 and lines["references"].points == 0
    assert sum(line.weight for line in lines.values()) == 100
