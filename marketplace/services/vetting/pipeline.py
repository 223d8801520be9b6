"""Which checks a change invalidates; recording them pending; running a group as a job.

Checks come in four groups, each one job (``worker.jobs.run_vetting_check``) keyed by
profile and group. Every group has an *input fingerprint*: a hash of exactly the data
its checks read. :func:`schedule` marks a group's rows pending and enqueues its job
in the caller's transaction when that fingerprint moved (or when forced, e.g. on
submission); :func:`run` recomputes the group and updates the same rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import jobs
from marketplace.db import utcnow
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.vetting import CheckKind, CheckStatus, ReferenceRequest, VettingCheck
from marketplace.services.vetting import checks, expiry, fraud, references, score
from marketplace.services.vetting.checks import Outcome

log = logging.getLogger(__name__)

RUN_CHECK = "worker.jobs.run_vetting_check"
QUEUE = "vetting"

GROUPS: dict[str, tuple[CheckKind, ...]] = {
    "identifiers": (CheckKind.SIRET, CheckKind.VAT_NUMBER, CheckKind.IBAN, CheckKind.LEGAL_FORM),
    "documents": (
        CheckKind.URSSAF_CERTIFICATE, CheckKind.REGISTRATION_PROOF, CheckKind.INSURANCE, CheckKind.IDENTITY,
    ),
    "references": (CheckKind.REFERENCES,),
    "fraud": (CheckKind.DUPLICATES, CheckKind.EXPERIENCE),
}
# Statuses in which a profile's data changes re-run its checks (a rejected profile is closed).
LIVE_STATUSES = frozenset(
    {ProfileStatus.SUBMITTED.value, ProfileStatus.IN_REVIEW.value, ProfileStatus.APPROVED.value,
     ProfileStatus.SUSPENDED.value, ProfileStatus.DRAFT.value}
)


def dedupe_key(profile_id: int, group: str) -> str:
    return f"vetting:{profile_id}:{group}"


def is_vetted(profile: FreelancerProfile) -> bool:
    """Whether the profile entered vetting (submitted once) and is not closed."""
    return profile.submitted_at is not None and profile.status in LIVE_STATUSES


# --- inputs and fingerprints ----------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _identifier_inputs(session: Session, profile: FreelancerProfile) -> Any:
    return [profile.siret, profile.vat_number, profile.vat_regime, profile.legal_form, profile.iban, profile.business_name]


def _document_inputs(session: Session, profile: FreelancerProfile) -> Any:
    docs = checks.current_documents(session, profile.id)
    return sorted(
        [
            kind, doc.id, doc.sha256, _iso(doc.issued_on), doc.security_code,
            _iso(doc.verified_at), doc.verified_by_id, doc.verification_note,
        ]
        for kind, doc in docs.items()
    )


def _reference_inputs(session: Session, profile: FreelancerProfile) -> Any:
    requests = session.scalars(
        select(ReferenceRequest).where(ReferenceRequest.profile_id == profile.id).order_by(ReferenceRequest.id)
    )
    return {
        "email": profile.user.email,
        "references": [[r.id, r.email.strip().lower(), r.name, r.company] for r in profile.references],
        "requests": [[q.id, q.reference_id, q.status, q.sent_to, _iso(q.answered_at), sorted(q.flags or [])] for q in requests],
    }


def _fraud_inputs(session: Session, profile: FreelancerProfile) -> Any:
    return {
        "ids": [profile.siret, profile.iban, profile.legal_form, profile.user.email, profile.user.phone],
        "bio": profile.bio,
        "years": [profile.years_experience, profile.freelance_years],
        "experiences": sorted([_iso(e.start_date), _iso(e.end_date), e.is_freelance] for e in profile.experiences),
    }


INPUTS: dict[str, Callable[[Session, FreelancerProfile], Any]] = {
    "identifiers": _identifier_inputs,
    "documents": _document_inputs,
    "references": _reference_inputs,
    "fraud": _fraud_inputs,
}


def fingerprint(session: Session, profile: FreelancerProfile, group: str) -> str:
    """SHA-256 of the data the checks of ``group`` read."""
    payload = json.dumps(INPUTS[group](session, profile), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def expected_keys(profile: FreelancerProfile, group: str) -> list[tuple[str, str]]:
    """The (kind, subject) rows a group holds for this profile."""
    keys = [(kind.value, "") for kind in GROUPS[group]]
    if group == "references":
        keys += [(CheckKind.REFERENCES.value, str(ref.id)) for ref in profile.references if ref.id is not None]
    return keys


def rows_of(session: Session, profile_id: int, group: str) -> list[VettingCheck]:
    return list(
        session.scalars(
            select(VettingCheck)
            .where(VettingCheck.profile_id == profile_id, VettingCheck.kind.in_([k.value for k in GROUPS[group]]))
            .order_by(VettingCheck.id)
        )
    )


# --- scheduling -------------------------------------------------------------------------


def schedule(
    session: Session,
    profile: FreelancerProfile,
    groups: list[str] | tuple[str, ...] | None = None,
    *,
    force: bool = False,
    rerun_only: bool = False,
) -> list[str]:
    """Mark stale groups pending and enqueue their jobs (after the caller's commit).

    A group is stale when forced, when it has never run, or when the data it reads
    changed since it last ran; with ``rerun_only``, groups that never ran are left to
    the submission. Returns the groups scheduled.
    """
    session.flush()  # new references and documents get their ids
    scheduled = []
    for group in groups or GROUPS:
        rows = rows_of(session, profile.id, group)
        if rerun_only and not rows:
            continue
        current = fingerprint(session, profile, group)
        by_key = {(r.kind, r.subject): r for r in rows}
        keys = expected_keys(profile, group)
        stale = force or not rows or any(r.input_fingerprint != current for r in rows) or any(k not in by_key for k in keys)
        if not stale:
            continue
        for kind, subject in keys:
            row = by_key.get((kind, subject))
            if row is None:
                row = VettingCheck(profile_id=profile.id, kind=kind, subject=subject)
                session.add(row)
            row.status = CheckStatus.PENDING.value
        jobs.enqueue(session, RUN_CHECK, profile.id, group, queue=QUEUE, dedupe_key=dedupe_key(profile.id, group))
        scheduled.append(group)
    session.flush()
    return scheduled


# --- running ------------------------------------------------------------------------------


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
    from marketplace.formatting import PARIS

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
            jobs.enqueue(session, RUN_CHECK, other_id, "fraud", queue=QUEUE, dedupe_key=dedupe_key(other_id, "fraud"))
