"""The operations: find or open a thread, post a message, mark a thread read."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.domain import Role
from marketplace.errors import DomainError, NotFound
from marketplace.models.contracts import Contract, Party
from marketplace.models.messaging import Message, MessageThread, ThreadReader
from marketplace.models.missions import Application
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.services.messaging import rules

_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def for_application(session: Session, application: Application) -> MessageThread | None:
    """The thread of an application (None before its first message)."""
    return session.scalar(select(MessageThread).where(MessageThread.application_id == application.id))


def for_contract(session: Session, contract: Contract) -> MessageThread | None:
    """The thread of a contract: its own, or the one of the application it was drafted from."""
    clauses = [MessageThread.contract_id == contract.id]
    if contract.application_id is not None:
        clauses.append(MessageThread.application_id == contract.application_id)
    return session.scalar(select(MessageThread).where(or_(*clauses))
                          .order_by((MessageThread.contract_id == contract.id).desc(), MessageThread.id).limit(1))


def contract_of(session: Session, application: Application) -> Contract | None:
    """The contract drafted from an application, if any."""
    return session.scalar(select(Contract).where(Contract.application_id == application.id))


def side_of(user: User | None, *, company_id: int, freelancer_id: int) -> str:
    """Which side ``user`` speaks for (``"sme"`` or ``"freelancer"``); NotFound for anybody else."""
    if user is not None and getattr(user, "is_authenticated", False):
        if user.role == Role.SME.value and user.company_id == company_id and user.active:
            return Party.SME.value
        profile = user.freelancer_profile if user.role == Role.FREELANCER.value else None
        if profile is not None and profile.id == freelancer_id:
            return Party.FREELANCER.value
    raise NotFound()


def clean_body(body: str) -> str:
    """The text as stored: line breaks as ``\\n``, trailing blanks gone; DomainError when empty or too long."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if "\x00" in text:
        raise DomainError(_l("Ce message contient un caractère invisible non autorisé : retapez-le."), "body")
    if not text.strip():
        raise DomainError(_l("Écrivez votre message avant de l'envoyer."), "body")
    if len(text) > rules.MESSAGE_MAX_CHARS:
        count = format(rules.MESSAGE_MAX_CHARS, ",").replace(",", "\u202f")
        raise DomainError(_l("Un message tient en %(count)s caractères au plus (%(count2)s saisis).", count=count, count2=len(text)), "body")
    return text


def _open(session: Session, *, company_id: int, freelancer_id: int, application_id: int | None,
          contract_id: int | None) -> MessageThread:
    """Create a thread; when another request created it first (unique application/contract), use theirs."""
    thread = MessageThread(company_id=company_id, freelancer_id=freelancer_id, application_id=application_id,
                           contract_id=contract_id)
    try:
        with session.begin_nested():
            session.add(thread)
            session.flush()
    except IntegrityError:
        key = (MessageThread.application_id == application_id if application_id is not None
               else MessageThread.contract_id == contract_id)
        thread = session.scalar(select(MessageThread).where(key))
        if thread is None:
            raise
    return thread


def post_on_application(session: Session, application: Application, user: User, body: str,
                        now: datetime | None = None) -> Message:
    """Write on an application's thread (opened by its first message)."""
    side = side_of(user, company_id=application.mission.company_id, freelancer_id=application.freelancer_id)
    contract = contract_of(session, application)
    if contract is not None:  # the conversation goes on with the contract
        return post_on_contract(session, contract, user, body, now)
    if application.status not in rules.WRITABLE_APPLICATION_STATUSES:
        raise DomainError(_l("Cette candidature est close : la conversation reste lisible, mais on n'y écrit plus."),
                          "body")
    text = clean_body(body)
    thread = for_application(session, application) or _open(
        session, company_id=application.mission.company_id, freelancer_id=application.freelancer_id,
        application_id=application.id, contract_id=None)
    return _add(session, thread, user, side, text, now)


def post_on_contract(session: Session, contract: Contract, user: User, body: str,
                     now: datetime | None = None) -> Message:
    """Write on a contract's thread (the application's, continued; or a new one)."""
    side = side_of(user, company_id=contract.company_id, freelancer_id=contract.freelancer_id)
    text = clean_body(body)
    thread = for_contract(session, contract)
    if thread is None:
        thread = _open(session, company_id=contract.company_id, freelancer_id=contract.freelancer_id,
                       application_id=contract.application_id, contract_id=contract.id)
    elif thread.contract_id is None:
        thread.contract_id = contract.id
    return _add(session, thread, user, side, text, now)


def _add(session: Session, thread: MessageThread, user: User, side: str, text: str,
         now: datetime | None) -> Message:
    now = now or utcnow()
    message = Message(thread=thread, sender_id=user.id, sender_side=side, body=text, created_at=now)
    session.add(message)
    thread.last_message_at = now
    session.flush()
    # The author has read their own thread up to here.
    mark_read(session, thread, user)
    jobs.enqueue(session, "messaging.notify", thread.id, dedupe_key=f"messaging.notify:{thread.id}")
    return message


def reader(session: Session, thread: MessageThread, user: User) -> ThreadReader:
    """The read state of ``user`` on ``thread`` (created at the first look)."""
    found = session.scalar(select(ThreadReader).where(ThreadReader.thread_id == thread.id,
                                                      ThreadReader.user_id == user.id))
    if found is None:
        found = ThreadReader(thread_id=thread.id, user_id=user.id)
        try:
            with session.begin_nested():
                session.add(found)
                session.flush()
        except IntegrityError:  # the same person's other tab got there first
            found = session.scalar(select(ThreadReader).where(ThreadReader.thread_id == thread.id,
                                                              ThreadReader.user_id == user.id))
    return found


def mark_read(session: Session, thread: MessageThread | None, user: User) -> int:
    """Record that ``user`` has seen every message of ``thread``; the highest message id seen."""
    if thread is None:
        return 0
    latest = session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    state = reader(session, thread, user)
    if latest > state.last_read_message_id:
        state.last_read_message_id = latest
        session.flush()
    return latest
