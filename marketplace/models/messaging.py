"""Message threads between an SME and a freelancer: one per application, continued by its contract."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, enum_check, utcnow
from marketplace.models._mixins import Timestamps
from marketplace.models.contracts import Party

if TYPE_CHECKING:
    from marketplace.models.companies import Company
    from marketplace.models.contracts import Contract
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.missions import Application
    from marketplace.models.users import User

# Longest message body, in characters (also a CHECK constraint).
MESSAGE_MAX_CHARS = 5_000


class MessageThread(Timestamps, Base):
    """The conversation of one SME and one freelancer about one application, then its contract."""

    __tablename__ = "message_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("freelancer_profiles.id", ondelete="CASCADE"), index=True)
    # The application it started from (gone when the freelancer's account is erased), and the
    # contract drafted from that application, which continues the same thread.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), unique=True)
    last_message_at: Mapped[datetime | None] = mapped_column(index=True)

    company: Mapped["Company"] = relationship()
    freelancer: Mapped["FreelancerProfile"] = relationship()
    application: Mapped["Application | None"] = relationship()
    contract: Mapped["Contract | None"] = relationship()
    messages: Mapped[list["Message"]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Message.id")

    @classmethod
    def company_scope(cls, company_id: int):
        return cls.company_id == company_id

    @classmethod
    def freelancer_scope(cls, profile_id: int):
        return cls.freelancer_id == profile_id

    def __repr__(self) -> str:
        return f"<MessageThread {self.id} application={self.application_id} contract={self.contract_id}>"


class Message(Base):
    """One message; its body is plain text (escaped when shown), line breaks kept."""

    __tablename__ = "messages"
    __table_args__ = (
        enum_check("sender_side", Party),
        CheckConstraint(f"length(body) <= {MESSAGE_MAX_CHARS}", name="body_bounded"),
        Index("ix_messages_thread_id_id", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sender_side: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the sender's account was erased: the body is gone, the place in the thread stays.
    erased_at: Mapped[datetime | None]

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    sender: Mapped["User | None"] = relationship()


class ThreadReader(Base):
    """What one participant has read of a thread, and what they were last told of by e-mail."""

    __tablename__ = "message_thread_readers"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Highest message id seen on the thread's page (0: nothing read yet).
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    # Highest message id an e-mail told of, and when that e-mail was sent (the batching window).
    notified_message_id: Mapped[int] = mapped_column(default=0)
    notified_at: Mapped[datetime | None]

    thread: Mapped[MessageThread] = relationship()
    user: Mapped["User"] = relationship()
