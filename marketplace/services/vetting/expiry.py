"""Document expiry: notices to freelancers, matching suspension, re-running stale checks.

The daily run (cron) e-mails a freelancer 30 days and 7 days before a document
expires and on expiry, once per stage; suspends *matching eligibility* (never the
account) while a required document is expired; and lifts it as soon as a valid
document replaces it (the documents check calls :func:`refresh_matching_suspension`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.formatting import PARIS, date_fr, plural_fr
from marketplace.i18n import Later
from marketplace.models.documents import DOCUMENT_KIND_LABELS, Document, DocumentKind
from marketplace.models.freelancers import FreelancerProfile, ProfileStatus
from marketplace.models.vetting import CheckStatus, VettingCheck
from marketplace.platform import events, mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.vetting import rules, scheduling

log = logging.getLogger(__name__)

# Profiles whose documents are followed: in vetting or vetted.
FOLLOWED_STATUSES = (
    ProfileStatus.SUBMITTED.value, ProfileStatus.IN_REVIEW.value, ProfileStatus.APPROVED.value, ProfileStatus.SUSPENDED.value,
)


@dataclass
class ExpiryReport:
    notices: int = 0
    suspended: int = 0
    restored: int = 0
    rechecked: int = 0

    def __str__(self) -> str:
        return (f"{self.notices} avis d'échéance, {self.suspended} "
                f"{plural_fr(self.suspended, 'suspension', 'suspensions')} du rapprochement, "
                f"{self.restored} {plural_fr(self.restored, 'rétablissement', 'rétablissements')}, {self.rechecked} "
                f"{plural_fr(self.rechecked, 'vérification relancée', 'vérifications relancées')}")


def notice_stage(expires_on: date, today: date) -> int | None:
    """0 once expired, else the smallest notice threshold reached (30, 7), else None."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return 0
    reached = [d for d in rules.EXPIRY_NOTICE_DAYS if d > 0 and days_left <= d]
    return min(reached) if reached else None


def expired_required(session: Session, profile_id: int, today: date) -> list[Document]:
    """Current required documents (URSSAF, insurance) whose validity has passed."""
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.profile_id == profile_id,
                Document.superseded_at.is_(None),
                Document.kind.in_([k.value for k in rules.REQUIRED_EXPIRING_DOCUMENTS]),
                Document.expires_on < today,
            )
            .order_by(Document.kind)
        )
    )


def suspension_reason(documents: list[Document]) -> str | None:
    if not documents:
        return None
    return " ; ".join(f"{DOCUMENT_KIND_LABELS[DocumentKind(d.kind)]} expirée le {date_fr(d.expires_on)}" for d in documents)


def suspension_reason_here(documents: list[Document]) -> str:
    """The suspension's reason in the reader's language (the stored one is French)."""
    return " ; ".join(gettext("%(document)s expirée le %(date)s", document=gettext(DOCUMENT_KIND_LABELS[DocumentKind(d.kind)]),
                              date=date_fr(d.expires_on)) for d in documents)


def refresh_matching_suspension(session: Session, profile: FreelancerProfile, today: date) -> bool:
    """Suspend or restore matching eligibility from the required documents; True if changed."""
    reason = suspension_reason(expired_required(session, profile.id, today))
    previous = profile.matching_suspended_reason
    if reason == previous:
        return False
    profile.matching_suspended_reason = reason
    notify = profile.status == ProfileStatus.APPROVED.value
    if reason:
        record(session, None, "vetting.matching_suspended", profile, reason=reason)
        if notify and previous is None:
            mail.send(session, to=profile.user.email, subject=_l("Votre profil n'apparaît plus dans les recherches"),
                      template="matching_suspended", user_id=profile.user_id, profile=profile,
                      reason=Later(suspension_reason_here, expired_required(session, profile.id, today)),
                      link=external_url("freelancer.dashboard"))
    else:
        record(session, None, "vetting.matching_restored", profile, reason=previous)
        if notify:
            mail.send(session, to=profile.user.email, subject=_l("Votre profil apparaît de nouveau dans les recherches"),
                      template="matching_restored", user_id=profile.user_id, profile=profile)
    events.profile_updated.send(session, profile=profile, fields={"matching_suspended_reason"})
    return True




def send_notices(session: Session, today: date) -> int:
    """E-mail each freelancer once per stage about documents expiring within 30 days."""
    horizon = today + timedelta(days=rules.EXPIRY_WINDOW_DAYS)
    documents = session.scalars(
        select(Document)
        .join(FreelancerProfile, Document.profile_id == FreelancerProfile.id)
        .where(
            Document.superseded_at.is_(None),
            Document.expires_on.is_not(None),
            Document.expires_on <= horizon,
            Document.kind.in_([k.value for k in rules.VETTED_DOCUMENTS]),
            FreelancerProfile.status.in_(FOLLOWED_STATUSES),
        )
        .order_by(Document.profile_id, Document.expires_on)
        .with_for_update(of=Document, skip_locked=True)
    ).all()
    due: dict[int, list[tuple[Document, int]]] = defaultdict(list)
    for document in documents:
        stage = notice_stage(document.expires_on, today)
        if stage is None:
            continue
        if document.expiry_notice_days is None or stage < document.expiry_notice_days:
            due[document.profile_id].append((document, (document.expires_on - today).days))
            document.expiry_notice_days = stage
    for profile_id, items in due.items():
        profile = session.get(FreelancerProfile, profile_id)
        lines = [
            {
                "label": DOCUMENT_KIND_LABELS[DocumentKind(doc.kind)],
                "expires_on": date_fr(doc.expires_on),
                "days_left": days_left,
                "expired": days_left < 0,
                "required": DocumentKind(doc.kind) in rules.REQUIRED_EXPIRING_DOCUMENTS,
            }
            for doc, days_left in items
        ]
        expired = any(line["expired"] for line in lines)
        subject = _l("Un de vos documents a expiré") if expired else _l("Vos documents arrivent à échéance")
        mail.send(session, to=profile.user.email, subject=subject, template="documents_expiring", user_id=profile.user_id,
                  profile=profile, lines=lines, link=external_url("freelancer.profile_documents"))
        record(session, None, "vetting.expiry_notice", profile,
               details={"documents": [doc.id for doc, _ in items], "stages": [doc.expiry_notice_days for doc, _ in items]})
    return sum(len(items) for items in due.values())


def refresh_suspensions(session: Session, today: date) -> tuple[int, int]:
    """Suspend profiles with an expired required document; restore those that no longer have one."""
    expired_owner = select(Document.profile_id).where(
        Document.superseded_at.is_(None),
        Document.kind.in_([k.value for k in rules.REQUIRED_EXPIRING_DOCUMENTS]),
        Document.expires_on < today,
    )
    profiles = session.scalars(
        select(FreelancerProfile)
        .where(
            FreelancerProfile.status.in_(FOLLOWED_STATUSES),
            or_(FreelancerProfile.id.in_(expired_owner), FreelancerProfile.matching_suspended_reason.is_not(None)),
        )
        .order_by(FreelancerProfile.id)
    ).all()
    suspended = restored = 0
    for profile in profiles:
        before = profile.matching_suspended_reason
        if refresh_matching_suspension(session, profile, today):
            if profile.matching_suspended_reason and not before:
                suspended += 1
            elif not profile.matching_suspended_reason:
                restored += 1
    return suspended, restored


def rerun_expired_checks(session: Session, now: datetime) -> int:
    """Re-run the groups holding a check whose result expired since it last ran."""

    rows = session.execute(
        select(VettingCheck.profile_id, VettingCheck.kind)
        .where(
            VettingCheck.expires_at <= now,
            VettingCheck.run_at < VettingCheck.expires_at,
            VettingCheck.status != CheckStatus.PENDING.value,
        )
        .distinct()
    ).all()
    group_of = {kind.value: group for group, kinds in scheduling.GROUPS.items() for kind in kinds}
    wanted: dict[int, set[str]] = defaultdict(set)
    for profile_id, kind in rows:
        wanted[profile_id].add(group_of[kind])
    count = 0
    for profile_id, groups in sorted(wanted.items()):
        profile = session.get(FreelancerProfile, profile_id)
        if profile is not None and scheduling.is_vetted(profile):
            count += len(scheduling.schedule(session, profile, sorted(groups), force=True))
    return count


def run_daily(session: Session, now: datetime | None = None) -> ExpiryReport:
    """The daily expiry run (cron); running it twice the same day changes nothing more."""
    now = now or utcnow()
    today = now.astimezone(PARIS).date()
    report = ExpiryReport()
    report.notices = send_notices(session, today)
    report.suspended, report.restored = refresh_suspensions(session, today)
    report.rechecked = rerun_expired_checks(session, now)
    log.info("vetting expiry run for %s: %s", today, report)
    return report
