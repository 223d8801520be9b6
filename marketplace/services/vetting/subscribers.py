"""The vetting's reactions to domain events: record pending checks and enqueue their jobs.

Handlers run in the caller's transaction (the session is the sender): rows become
``pending`` and job intents are recorded together with the change that caused them.
"""

from __future__ import annotations

from marketplace.models.freelancers import FreelancerProfile
from marketplace.platform import events
from marketplace.services.vetting import checks, rules, scheduling

VETTED_KINDS = frozenset(k.value for k in rules.VETTED_DOCUMENTS)


@events.profile_submitted.connect
def on_profile_submitted(session, profile: FreelancerProfile, **_kwargs) -> None:
    """A submission runs every check afresh."""
    scheduling.schedule(session, profile, force=True)


@events.profile_updated.connect
def on_profile_updated(session, profile: FreelancerProfile, fields=None, **_kwargs) -> None:
    """Edits re-run the checks whose inputs changed (fingerprints tell which)."""
    if scheduling.is_vetted(profile):
        scheduling.schedule(session, profile, rerun_only=True)


@events.document_uploaded.connect
def on_document_uploaded(session, document, **_kwargs) -> None:
    """A new vetted document: derive its expiry, then re-check the profile's documents (and files shared with others)."""
    if document.profile_id is None or document.kind not in VETTED_KINDS:
        return
    checks.apply_document_rules(document)
    profile = session.get(FreelancerProfile, document.profile_id)
    if profile is not None and scheduling.is_vetted(profile):
        scheduling.schedule(session, profile, ["documents", "fraud"], rerun_only=True)

