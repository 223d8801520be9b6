"""The e-mail telling the other side that messages wait: at most one per thread and recipient per window.

A posted message records the job ``messaging.notify``; it e-mails each recipient who has
unread messages nobody told them of, unless that recipient was e-mailed about the thread
less than ``rules.NOTIFY_EVERY`` ago. What arrives within the window is told by the next
e-mail, which the periodic job ``messaging.notify_pending`` sends once the window is over.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.models.contracts import Party
from marketplace.models.messaging import Message, MessageThread, ThreadReader
from marketplace.models.users import CompanyRole, User
from marketplace.platform import mail
from marketplace.platform.links import external_url
from marketplace.services.messaging import rules
from marketplace.services.messaging.threads import reader

PAGE_ENDPOINTS = {
    (Party.SME.value, "application"): "sme.application_messages",
    (Party.SME.value, "contract"): "sme.contract_messages",
    (Party.FREELANCER.value, "application"): "freelancer.application_messages",
    (Party.FREELANCER.value, "contract"): "freelancer.contract_messages",
}


def thread_url(thread: MessageThread, side: str) -> str:
    """The thread's page for one side (the contract's once there is one)."""
    if thread.contract_id is not None:
        return external_url(PAGE_ENDPOINTS[(side, "contract")], contract_id=thread.contract_id)
    return external_url(PAGE_ENDPOINTS[(side, "application")], application_id=thread.application_id)


def recipients(session: Session, thread: MessageThread, side: str) -> list[User]:
    """Who is told on ``side``: the freelancer; for the company, its active owners and every member who took part."""
    if side == Party.FREELANCER.value:
        user = thread.freelancer.user
        return [user] if user.active and user.erased_at is None else []
    readers = set(session.scalars(select(ThreadReader.user_id).where(ThreadReader.thread_id == thread.id)))
    return [u for u in thread.company.members
            if u.active and u.erased_at is None and (u.company_role == CompanyRole.OWNER.value or u.id in readers)]


def send_due(session: Session, thread_id: int, now: datetime | None = None) -> int:
    """E-mail every recipient of the thread whose window is over and who has untold unread messages; how many."""
    now = now or utcnow()
    thread = session.get(MessageThread, thread_id, with_for_update=True)
    if thread is None:
        return 0
    sent = 0
    for side in (Party.SME.value, Party.FREELANCER.value):
        other = Party.FREELANCER.value if side == Party.SME.value else Party.SME.value
        latest = session.scalar(select(func.max(Message.id)).where(
            Message.thread_id == thread.id, Message.sender_side == other, Message.erased_at.is_(None))) or 0
        if not latest:
            continue
        for user in recipients(session, thread, side):
            state = reader(session, thread, user)
            told = max(state.last_read_message_id, state.notified_message_id)
            if latest <= told:
                continue
            if state.notified_at is not None and now - state.notified_at < rules.NOTIFY_EVERY:
                continue  # the periodic job tells them once the window is over
            _send(session, thread, side, other, user, told, now)
            state.notified_message_id = latest
            state.notified_at = now
            sent += 1
    session.flush()
    return sent


def _send(session: Session, thread: MessageThread, side: str, other: str, user: User, told: int,
          now: datetime) -> None:
    waiting = list(session.scalars(select(Message).where(
        Message.thread_id == thread.id, Message.sender_side == other, Message.id > told,
        Message.erased_at.is_(None)).order_by(Message.id)))
    last = waiting[-1]
    if other == Party.SME.value:
        author = thread.company.legal_name
    else:
        author = thread.freelancer.display_name
    about = thread.contract.title if thread.contract is not None else (
        thread.application.mission.title if thread.application is not None else "")
    count = len(waiting)
    subject = lazy_ngettext("Nouveau message de %(author)s", "%(num)s nouveaux messages de %(author)s", count, author=author)
    excerpt = last.body if len(last.body) <= rules.EXCERPT_CHARS else last.body[:rules.EXCERPT_CHARS].rstrip() + "…"
    mail.send(session, to=user.email, subject=subject, template=rules.NOTIFY_TEMPLATE, user_id=user.id,
              person=user, author=author, about=about, count=count, excerpt=excerpt,
              url=thread_url(thread, side))


def send_all_due(session: Session, now: datetime | None = None) -> int:
    """The periodic catch-up: every recently active thread's due e-mails; how many were sent."""
    now = now or utcnow()
    ids = list(session.scalars(select(MessageThread.id).where(
        MessageThread.last_message_at >= now - rules.NOTIFY_LOOKBACK).order_by(MessageThread.id)))
    return sum(send_due(session, thread_id, now) for thread_id in ids)
