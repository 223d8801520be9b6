"""Which checks a change invalidates, and recording them pending with their job.

Checks come in four groups, each one job (``vetting.run_group``) keyed by profile and
group. Every group has an *input fingerprint*: a hash of exactly the data its checks
read. :func:`schedule` marks a group's rows pending and enqueues its job in the
caller's transaction when that fingerprint moved (or when forced, e.g. on submission);
:mod:`.running` recomputes the group and updates the same rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.vetting import (
    CheckKind,
    CheckStatus,
    ReferenceRequest,
    VettingCheck,
)
from marketplace.platform import jobs
from marketplace.services.vetting import checks

log = logging.getLogger(__name__)

RUN_GROUP = "vetting.run_group"

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
        # A file also uploaded on another profile is a duplicate signal.
        "files": sorted(doc.sha256 for doc in checks.current_documents(session, profile.id).values()),
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
        enqueue_group(session, profile.id, group)
        scheduled.append(group)
    session.flush()
    return scheduled


def enqueue_group(session: Session, profile_id: int, group: str) -> None:
    """Record the job running one group of a profile (one pending job per profile and group)."""
    jobs.enqueue(session, RUN_GROUP, profile_id, group, dedupe_key=dedupe_key(profile_id, group))
