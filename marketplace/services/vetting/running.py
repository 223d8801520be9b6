"""Running a group of checks: recompute it and store the results on the same rows (idempotent)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.formatting import PARIS
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.vetting import CheckKind, VettingCheck
from marketplace.services.vetting import checks, expiry, fraud, references, score
from marketplace.services.vetting.checks import Outcome
from marketplace.services.vetting.scheduling import (
    GROUPS,
    enqueue_group,
    fingerprint,
    is_vetted,
    rows_of,
)

log = logging.getLogger(__name__)


def _run_identifiers(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    return checks.identifier_outcomes(session, profile)


def _run_documents(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    return checks.document_outcomes(session, profile, paris_today_of(now))


def _run_references(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    references.ensure_requests(session, profile, now)
    return references.reference_outcomes(session, profile, now)


def _run_fraud(session: Session, profile: FreelancerProfile, now: datetime) -> list[Outcome]:
    return fraud.fraud_outcomes(session, profile, now)


RUNNERS: dict[str, Callable[[Session, FreelancerProfile, datetime], list[Outcome]]] = {
    "identifiers": _run_identifiers,
    "documents": _run_documents,
    "references": _run_references,
    "fraud": _run_fraud,
}


def paris_today_of(now: datetime):
    """The Paris calendar date of ``now`` (tests pass a fixed ``now``)."""
    return now.astimezone(PARIS).date()


def run(session: Session, profile_id: int, group: str, now: datetime | None = None) -> list[VettingCheck]:
    """Recompute one group of checks and store them on the same rows (idempotent)."""
    if group not in GROUPS:
        raise ValueError(f"unknown vetting group {group!r}")
    # One group at a time per profile: the score reads every group's rows.
    profile = session.get(FreelancerProfile, profile_id, with_for_update=True)
    if profile is None:
        log.warning("vetting: profile %s no longer exists", profile_id)
        return []
    now = now or utcnow()
    outcomes = RUNNERS[group](session, profile, now)
    session.flush()
    rows = store(session, profile, group, outcomes, fingerprint(session, profile, group), now)
    profile.vetting_score = score.compute(session, profile.id)
    if group == "documents":
        expiry.refresh_matching_suspension(session, profile, paris_today_of(now))
    elif group == "fraud":
        _refresh_counterparts(session, profile, rows)
    return rows


def run_all(session: Session, profile_id: int, now: datetime | None = None) -> None:
    """Run every group now, in this transaction (demo seeding, CLI)."""
    for group in GROUPS:
        run(session, profile_id, group, now)


def store(
    session: Session, profile: FreelancerProfile, group: str, outcomes: list[Outcome], input_fingerprint: str, now: datetime
) -> list[VettingCheck]:
    """Upsert one row per outcome; rows the group no longer produces are deleted."""
    existing = {(r.kind, r.subject): r for r in rows_of(session, profile.id, group)}
    rows = []
    for outcome in outcomes:
        key = (outcome.kind.value, outcome.subject)
        row = existing.pop(key, None)
        if row is None:
            row = VettingCheck(profile_id=profile.id, kind=outcome.kind.value, subject=outcome.subject)
            session.add(row)
        row.status = outcome.status.value
        row.summary = outcome.summary
        row.details = outcome.details
        row.input_fingerprint = input_fingerprint
        row.run_at = now
        row.expires_at = outcome.expires_at
        row.attempts = (row.attempts or 0) + 1
        rows.append(row)
    for stale in existing.values():
        session.delete(stale)
    session.flush()
    return rows


def _refresh_counterparts(session: Session, profile: FreelancerProfile, rows: list[VettingCheck]) -> None:
    """A newly found duplicate is shown on both profiles: re-check the other one once."""
    duplicates = next((r for r in rows if r.kind == CheckKind.DUPLICATES.value), None)
    if duplicates is None:
        return
    for other_id in sorted({s["profile_id"] for s in duplicates.details.get("signals", []) if s.get("profile_id")}):
        other = session.get(FreelancerProfile, other_id)
        if other is None or not is_vetted(other):
            continue
        theirs = session.scalar(
            select(VettingCheck).where(
                VettingCheck.profile_id == other_id,
                VettingCheck.kind == CheckKind.DUPLICATES.value,
                VettingCheck.subject == "",
            )
        )
        listed = {s.get("profile_id") for s in (theirs.details.get("signals", []) if theirs else [])}
        if profile.id not in listed:
            # Only the job is recorded: touching the other profile's rows here could
            # deadlock with that profile's own fraud job running at the same time.
            enqueue_group(session, other_id, "fraud")
