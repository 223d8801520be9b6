"""Profiles brought into the vetting queue, and their referees answering (console and safeguard tests)."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.db import commit
from marketplace.models.vetting import ReferenceRequest
from marketplace.services.vetting import references
from tests.factories import SubmittedProfileFactory, submit, upload_valid_documents


def vetted(session, **values):
    """A profile submitted with valid documents, its checks recorded."""
    profile = SubmittedProfileFactory(status="draft", submitted_at=None, **values)
    upload_valid_documents(profile)
    submit(profile)
    commit(session)
    return profile


def answer_all(session, profile, ip="203.0.113.5"):
    """Every referee of ``profile`` answers well, from ``ip``."""
    for request in session.scalars(select(ReferenceRequest).where(ReferenceRequest.profile_id == profile.id)):
        answer = references.Answer(role="DAF", period="2022–2025", would_rehire="yes",
                                   ratings={"finance_procurement": 5, "operations_process": 4}, comment="Rigoureuse et fiable.")
        references.answer(session, references.token_for(request), answer, ip_address=ip)
    commit(session)
