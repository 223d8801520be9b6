"""The demo's vetting: checks run, referees answer, the operator verifies and decides.

Everything goes through the vetting's own operations, dated in the past so the console
reads like a working week: checks (:mod:`.running`), referees' answers
(:func:`references.answer`), the URSSAF code verification, claims, approvals with the
badges the checks back, refusals, and the daily expiry run that takes an uninsured
freelancer out of matching. Profiles already checked are left as they are.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import SKILL_CODES
from marketplace.models.documents import DocumentKind
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.users import User
from marketplace.services.accounts.seed import rng_for
from marketplace.services.profiles.documents import current_documents
from marketplace.services.profiles.seed import APPROVED, REJECTED
from marketplace.services.vetting import decisions, expiry, references, running

COMMENTS = (
    "Très grande autonomie, a remis de l'ordre dans nos achats en quelques semaines.",
    "Fiable et discrète ; l'équipe la sollicite pour tout.",
    "A organisé notre déménagement sans une journée d'interruption.",
    "",
)


def seed(session: Session, admin: User, profiles: list[FreelancerProfile]) -> None:
    """Run the checks of every submitted profile, collect answers, and record the operator's decisions."""
    rejected = {row[0]: row[5] for row in REJECTED}
    submitted = [p for p in profiles if p.submitted_at is not None]
    submitted += list(session.scalars(
        select(FreelancerProfile).join(FreelancerProfile.user).where(User.email.in_(list(rejected)))
    ))
    for index, profile in enumerate(submitted):
        if profile.vetting_score is not None:
            continue  # checked already (submission only records the checks pending)
        planned = profiles.index(profile) if profile in profiles else None
        approving = planned is not None and planned < APPROVED
        waiting = not approving and profile.user.email not in rejected
        # Decided profiles were checked when they arrived; the queue's are checked now (links still valid).
        checked = utcnow() - timedelta(hours=1) if waiting else profile.submitted_at + timedelta(hours=1)
        running.run_all(session, profile.id, checked)  # the four groups; referees get their questionnaire
        _answers(session, profile, index, leave_one_pending=waiting)
        for group in ("references", "fraud"):
            running.run(session, profile.id, group, min(checked + timedelta(days=2), utcnow()))
        decided = profile.submitted_at + timedelta(hours=rng_for("decided", profile.id).randrange(6, 96))
        if approving:
            _approve(session, admin, profile, decided)
        elif profile.user.email in rejected:
            decisions.claim(session, admin, profile.id, ip_address=None, now=decided - timedelta(hours=2))
            decisions.reject(session, admin, profile.id, reason=rejected[profile.user.email], ip_address=None, now=decided)
        elif profile.status == ProfileStatus.IN_REVIEW.value or index % 2:
            decisions.claim(session, admin, profile.id, ip_address=None, now=decided)
    # The daily run: notices of documents about to expire, an expired insurance out of matching.
    expiry.run_daily(session)
    session.flush()


def _answers(session: Session, profile: FreelancerProfile, index: int, *, leave_one_pending: bool) -> None:
    """Referees answer the questionnaire a few hours after it was sent (one may still be waiting)."""
    rng = rng_for("vetting", index)
    for number, request in enumerate(references.latest_requests(session, profile.id).values()):
        if leave_one_pending and number == 1:
            continue  # this referee's link is in the outbox: the console shows « en attente »
        reference = request.reference
        answered = request.sent_at + timedelta(hours=rng.randrange(3, 60))
        references.answer(
            session, references.token_for(request),
            references.Answer(
                role=f"{reference.role}, {reference.relationship_label.lower()}",
                period=f"depuis {answered.year - rng.randrange(1, 4)}",
                would_rehire="yes" if rng.random() < 0.85 else "reserved",
                ratings={code: rng.choice((4, 4, 5, 5, 5)) if rng.random() < 0.9 else None for code in SKILL_CODES},
                comment=rng.choice(COMMENTS),
            ),
            ip_address=f"203.0.113.{rng.randrange(2, 250)}", now=min(answered, utcnow()),
        )


def _approve(session: Session, admin: User, profile: FreelancerProfile, decided) -> None:
    """Verify the URSSAF code, take the profile in review and approve it with the badges its checks back."""
    certificate = current_documents(session, profile).get(DocumentKind.URSSAF_CERTIFICATE.value)
    if certificate is not None:
        decisions.verify_document(
            session, admin, certificate.id, authentic=True, note="Code vérifié sur le service de l'URSSAF (démo)",
            ip_address=None, now=decided - timedelta(hours=1),
        )
        running.run(session, profile.id, "documents", decided - timedelta(minutes=30))
    decisions.claim(session, admin, profile.id, ip_address=None, now=decided - timedelta(hours=2))
    warnings = decisions.open_warnings(session, profile.id)
    decisions.approve(
        session, admin, profile.id, badges=[b for b in decisions.suggested_badges(session, profile.id) if b != "verified"],
        note="Contrôles en cours de régularisation, validé après entretien (démo)." if warnings else None,
        confirmed=bool(warnings), ip_address=None, now=decided,
    )
