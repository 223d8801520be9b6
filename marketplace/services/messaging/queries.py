"""What the messaging pages show: a thread, the inbox, the unread counts of the navigation and dashboards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from marketplace.domain import Role
from marketplace.models.contracts import Contract, Party
from marketplace.models.messaging import Message, MessageThread, ThreadReader
from marketplace.models.missions import Application
from marketplace.models.users import User
from marketplace.services.messaging import rules, threads


def side_of_user(user: User) -> str | None:
    """The side a user speaks for in every thread they see (None: an operator or a visitor)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.SME.value and user.company_id:
        return Party.SME.value
    if user.role == Role.FREELANCER.value and user.freelancer_profile is not None:
        return Party.FREELANCER.value
    return None


def _scope(user: User):
    side = side_of_user(user)
    if side == Party.SME.value:
        return MessageThread.company_id == user.company_id
    if side == Party.FREELANCER.value:
        return MessageThread.freelancer_id == user.freelancer_profile.id
    return None


def unread_counts(session: Session, user: User, thread_ids: list[int] | None = None) -> dict[int, int]:
    """Messages from the other side ``user`` has not seen yet, by thread (threads with none are left out)."""
    scope, side = _scope(user), side_of_user(user)
    if scope is None:
        return {}
    stmt = (
        select(Message.thread_id, func.count(Message.id))
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .outerjoin(ThreadReader, and_(ThreadReader.thread_id == MessageThread.id, ThreadReader.user_id == user.id))
        .where(scope, Message.sender_side != side,
               Message.id > func.coalesce(ThreadReader.last_read_message_id, 0))
        .group_by(Message.thread_id)
    )
    if thread_ids is not None:
        if not thread_ids:
            return {}
        stmt = stmt.where(Message.thread_id.in_(thread_ids))
    return {thread_id: count for thread_id, count in session.execute(stmt)}


def unread_total(session: Session, user: User) -> int:
    """Every unread message of ``user`` (the navigation's badge)."""
    return sum(unread_counts(session, user).values())


@dataclass(frozen=True)
class MessageRow:
    id: int
    side: str
    author: str
    body: str
    at: datetime
    mine: bool
    erased: bool


@dataclass
class ThreadPage:
    """One thread as a side sees it: who with, about what, the messages, whether one may write."""

    side: str
    counterpart: str
    about: str
    thread: MessageThread | None
    application: Application | None
    contract: Contract | None
    messages: list[MessageRow] = field(default_factory=list)
    unread: int = 0
    can_write: bool = True
    closed_reason: str | None = None
    max_chars: int = rules.MESSAGE_MAX_CHARS


def _rows(session: Session, thread: MessageThread | None, user: User, side: str) -> list[MessageRow]:
    if thread is None:
        return []
    rows = []
    for message in session.scalars(select(Message).where(Message.thread_id == thread.id).order_by(Message.id)):
        if message.sender_side == Party.FREELANCER.value:
            author = thread.freelancer.display_name
        else:
            person = message.sender.display_name if message.sender is not None else ""
            author = f"{person} ({thread.company.legal_name})" if person else thread.company.legal_name
        rows.append(MessageRow(
            id=message.id, side=message.sender_side, author=author,
            body=rules.ERASED_BODY if message.erased_at is not None else message.body,
            at=message.created_at, mine=message.sender_side == side,
            erased=message.erased_at is not None))
    return rows


def _page(session: Session, user: User, side: str, thread: MessageThread | None, *, company_name: str,
          freelancer_name: str, about: str, application: Application | None, contract: Contract | None,
          can_write: bool, closed_reason: str | None) -> ThreadPage:
    unread = unread_counts(session, user, [thread.id]).get(thread.id, 0) if thread is not None else 0
    return ThreadPage(
        side=side, counterpart=freelancer_name if side == Party.SME.value else company_name, about=about,
        thread=thread, application=application, contract=contract, messages=_rows(session, thread, user, side),
        unread=unread, can_write=can_write, closed_reason=closed_reason)


def application_page(session: Session, application: Application, user: User) -> ThreadPage:
    """The thread of an application (its contract's once one was drafted from it)."""
    side = threads.side_of(user, company_id=application.mission.company_id, freelancer_id=application.freelancer_id)
    contract = threads.contract_of(session, application)
    thread = threads.for_contract(session, contract) if contract is not None else threads.for_application(
        session, application)
    writable = contract is not None or application.status in rules.WRITABLE_APPLICATION_STATUSES
    return _page(session, user, side, thread, company_name=application.mission.company.legal_name,
                 freelancer_name=application.freelancer.display_name, about=application.mission.title,
                 application=application, contract=contract, can_write=writable,
                 closed_reason=None if writable else "Cette candidature est close : la conversation reste "
                                                     "lisible, mais on n'y écrit plus.")


def contract_page(session: Session, contract: Contract, user: User) -> ThreadPage:
    """The thread of a contract (begun on its application)."""
    side = threads.side_of(user, company_id=contract.company_id, freelancer_id=contract.freelancer_id)
    return _page(session, user, side, threads.for_contract(session, contract),
                 company_name=contract.company.legal_name, freelancer_name=contract.freelancer.display_name,
                 about=contract.title or contract.mission.title, application=contract.application, contract=contract,
                 can_write=True, closed_reason=None)


@dataclass(frozen=True)
class Summary:
    """A thread's figures for a link: how many messages, how many unread."""

    total: int
    unread: int


def summary(session: Session, user: User, thread: MessageThread | None) -> Summary:
    if thread is None:
        return Summary(0, 0)
    total = session.scalar(select(func.count(Message.id)).where(Message.thread_id == thread.id)) or 0
    return Summary(total, unread_counts(session, user, [thread.id]).get(thread.id, 0))


def application_summary(session: Session, user: User, application: Application) -> Summary:
    contract = threads.contract_of(session, application)
    thread = threads.for_contract(session, contract) if contract is not None else threads.for_application(
        session, application)
    return summary(session, user, thread)


def summaries_by_application(session: Session, user: User) -> dict[int, Summary]:
    """Every thread of ``user``'s side keyed by the application it began on, in three queries.

    For lists of applications (one row each): a contract's thread is the application's,
    so an application maps to its own thread or to the thread of the contract drafted from it.
    """
    scope = _scope(user)
    if scope is None:
        return {}
    rows = session.execute(
        select(MessageThread.id, MessageThread.application_id, Contract.application_id)
        .outerjoin(Contract, Contract.id == MessageThread.contract_id)
        .where(scope)
        .order_by(MessageThread.contract_id.is_(None), MessageThread.id)  # a contract's own thread first
    ).all()
    thread_of: dict[int, int] = {}
    for thread_id, application_id, contract_application_id in rows:
        for key in (contract_application_id, application_id):
            if key is not None:
                thread_of.setdefault(key, thread_id)
    if not thread_of:
        return {}
    ids = sorted(set(thread_of.values()))
    totals = dict(session.execute(select(Message.thread_id, func.count(Message.id))
                                  .where(Message.thread_id.in_(ids)).group_by(Message.thread_id)).all())
    unread = unread_counts(session, user, ids)
    return {application_id: Summary(totals.get(thread_id, 0), unread.get(thread_id, 0))
            for application_id, thread_id in thread_of.items()}


def contract_summary(session: Session, user: User, contract: Contract) -> Summary:
    return summary(session, user, threads.for_contract(session, contract))


def unread_by_application(session: Session, user: User, application_ids: list[int]) -> dict[int, int]:
    """Unread messages per application (for lists of applications)."""
    if not application_ids:
        return {}
    pairs = dict(session.execute(select(MessageThread.id, MessageThread.application_id).where(
        MessageThread.application_id.in_(application_ids))).all())
    counts = unread_counts(session, user, list(pairs))
    return {pairs[thread_id]: count for thread_id, count in counts.items()}


@dataclass(frozen=True)
class InboxRow:
    thread_id: int
    counterpart: str
    about: str
    last_at: datetime | None
    last_excerpt: str
    unread: int
    application_id: int | None
    contract_id: int | None


def inbox(session: Session, user: User, limit: int = 100) -> list[InboxRow]:
    """The user's threads, the most recent first, with their unread counts."""
    scope, side = _scope(user), side_of_user(user)
    if scope is None:
        return []
    found = list(session.scalars(select(MessageThread).where(scope, MessageThread.last_message_at.is_not(None))
                                 .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
                                 .limit(limit)))
    counts = unread_counts(session, user, [t.id for t in found])
    rows = []
    for thread in found:
        last = session.scalar(select(Message).where(Message.thread_id == thread.id)
                              .order_by(Message.id.desc()).limit(1))
        excerpt = "" if last is None else (rules.ERASED_BODY if last.erased_at else " ".join(last.body.split()))
        if thread.contract is not None:
            about = thread.contract.title or thread.contract.mission.title
        elif thread.application is not None:
            about = thread.application.mission.title
        else:
            about = ""
        rows.append(InboxRow(
            thread_id=thread.id,
            counterpart=thread.freelancer.display_name if side == Party.SME.value else thread.company.legal_name,
            about=about, last_at=thread.last_message_at, last_excerpt=excerpt[:160], unread=counts.get(thread.id, 0),
            application_id=thread.application_id, contract_id=thread.contract_id))
    return rows
