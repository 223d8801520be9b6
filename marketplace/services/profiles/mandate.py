"""Step 7: the billing mandate, accepted with its version, time and IP (art. 289-I-2 CGI)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.legal import MANDATE_VERSION
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.platform.audit import record
from marketplace.services.profiles.steps import announce_changes


def mandate_is_current(profile: FreelancerProfile) -> bool:
    return profile.mandate_accepted_at is not None and profile.mandate_version == MANDATE_VERSION


def accept_mandate(
    session: Session, profile: FreelancerProfile, *, actor: User | None = None, ip_address: str | None = None
) -> FreelancerProfile:
    """Record the acceptance of the current billing mandate: when, which version, from where."""
    if mandate_is_current(profile):
        return profile
    profile.mandate_accepted_at = utcnow()
    profile.mandate_version = MANDATE_VERSION
    profile.mandate_ip = ip_address
    record(
        session, actor or profile.user, "profile.mandate_accepted", profile,
        details={"version": MANDATE_VERSION}, ip_address=ip_address,
    )
    announce_changes(session, profile, {"mandate_version"}, actor or profile.user, ip_address)
    return profile
