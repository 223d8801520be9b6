"""E-mail: rendered and recorded in the caller's transaction, delivered by a job.

With ``MAIL_SERVER`` set, delivery goes through SMTP; otherwise each message is
written as an ``.eml`` file under ``instance/outbox/`` and logged, so nothing is
ever silently dropped.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import LazyString, force_locale
from jinja2 import TemplateNotFound
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.models.outbox import EmailStatus, OutboundEmail
from marketplace.models.users import User
from marketplace.platform import jobs

log = logging.getLogger(__name__)


def send(
    session: Session,
    *,
    to: str,
    subject: str | LazyString,
    template: str,
    user_id: int | None = None,
    locale: str | None = None,
    **context,
) -> OutboundEmail:
    """Render ``emails/<template>.txt`` (and ``.html`` if any) and queue the delivery.

    Everything is rendered in the recipient's language (``locale``, else the account's of
    ``user_id``, else French), whoever's request sends it: the subject may be a lazy string
    (``lazy_gettext``) and the templates translate with ``_()``.
    """
    if locale is None:
        recipient = session.get(User, user_id) if user_id is not None else None
        locale = recipient.locale if recipient is not None and recipient.locale else "fr"
    with force_locale(locale):
        # A subject is one line: a name with a line break (refused by the forms, but who knows
        # what old data holds) must not break the message's headers.
        subject = " ".join(str(subject).split())[:255]
        context.setdefault("subject", subject)
        text = render_template(f"emails/{template}.txt", **context)
        try:
            html = render_template(f"emails/{template}.html", **context)
        except TemplateNotFound:
            html = None
    email = OutboundEmail(
        to_address=to, subject=subject, body_text=text, body_html=html, template=template, user_id=user_id
    )
    session.add(email)
    session.flush()
    jobs.enqueue(session, "mail.deliver", email.id)
    return email


def build_message(email: OutboundEmail) -> EmailMessage:
    """The MIME message of a recorded e-mail."""
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to_address
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = make_msgid(idstring=f"email{email.id}", domain="marketplace.local")
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    return message


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def remove_copy(outbox_path: str | None) -> None:
    """Delete the ``.eml`` copy an e-mail left in the outbox folder (erasure, log retention)."""
    if not outbox_path:
        return
    path = Path(outbox_path)
    if path.parent == outbox_dir():  # only ever our own folder's files
        path.unlink(missing_ok=True)


@jobs.job("mail.deliver")
def deliver(session: Session, email_id: int) -> OutboundEmail | None:
    """Deliver one recorded e-mail once; a second call does nothing."""
    email = session.get(OutboundEmail, email_id, with_for_update=True)
    if email is None or email.status == EmailStatus.SENT.value:
        return email
    email.attempts += 1
    message = build_message(email)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        log.info("e-mail %s sent to %s by SMTP: %s", email.id, email.to_address, email.subject)
    else:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{email.created_at:%Y%m%dT%H%M%S}-{email.id:06d}-{email.template}.eml"
        path.write_bytes(bytes(message))
        email.outbox_path = str(path)
        log.info("e-mail %s to %s written to %s: %s", email.id, email.to_address, path, email.subject)
    email.status = EmailStatus.SENT.value
    email.sent_at = utcnow()
    email.last_error = None
    return email
