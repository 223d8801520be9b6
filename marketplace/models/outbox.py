"""The outbox: work recorded for background jobs, and e-mails waiting to be delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, enum_check
from marketplace.domain import StrEnum
from marketplace.models._mixins import Timestamps


class JobStatus(StrEnum):
    PENDING = "pending"    # recorded, handed (or to be handed) to a queue
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"      # the last attempt raised; retried by RQ, then by an admin


class JobIntent(Timestamps, Base):
    """A job to run, written in the same transaction as the change that causes it.

    It is handed to RQ only after commit; a periodic sweep re-enqueues intents left
    pending, so losing Redis or a worker loses nothing.
    """

    __tablename__ = "job_intents"
    __table_args__ = (
        enum_check("status", JobStatus),
        # One pending intent per key: two transactions recording the same re-check make one job.
        Index(
            "uq_job_intents_pending_dedupe_key", "dedupe_key", unique=True,
            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The registered job name (``marketplace.platform.jobs.job``), e.g. "vetting.run_group".
    name: Mapped[str] = mapped_column(String(120))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    queue: Mapped[str] = mapped_column(String(20), default="default")
    # Jobs with the same key and still unfinished are one job (e.g. one re-check per profile).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    enqueued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    # While it runs, the worker's heartbeat keeps pushing this back; past it, the worker is
    # taken for dead and the sweep hands the job to another one.
    lease_expires_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(Timestamps, Base):
    """An e-mail rendered and recorded, then delivered by a job (SMTP or the outbox folder)."""

    __tablename__ = "outbound_emails"
    __table_args__ = (enum_check("status", EmailStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    outbox_path: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
