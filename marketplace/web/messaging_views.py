"""The message threads both sides share: per application, then per contract, and the inbox.

The SME and the freelancer blueprints each :func:`register` these views under their own
names (``sme.application_messages``, ``freelancer.contract_messages``…). Applications and
contracts are read through the current user's scope (another tenant gets 404); reading a
thread marks it read; posting hands one service call to the request boundary.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.db import db
from marketplace.models.contracts import Contract
from marketplace.models.missions import Application
from marketplace.services.messaging import queries, rules, threads
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.boundary import attempt
from marketplace.web.context import add_nav_item
from marketplace.web.forms import REQUIRED, BaseForm


class MessageForm(BaseForm):
    body = TextAreaField(_l("Votre message"), validators=[
        DataRequired(REQUIRED),
        # Worded as the raw-input bound (web/forms.py), so one message shows, not two.
        Length(max=rules.MESSAGE_MAX_CHARS, message=_l("%(count)s caractères au plus.", count="5\u202f000")),
    ])


def _show(page: queries.ThreadPage, form: MessageForm, status: int = 200):
    """The thread's page; reading it marks it read (committed on its own, nothing else is pending)."""
    if page.thread is not None and page.unread and request.method == "GET":
        attempt(lambda: threads.mark_read(db.session, page.thread, current_user), quiet=True)
    return render_template("messaging/thread.html", page=page, form=form, side=request.blueprint), status


def _thread(owner, post, page_of, endpoint: str, **ids):
    """One conversation page (an application's or a contract's); a post adds a message."""
    form = MessageForm()
    if request.method == "POST" and form.validate():
        done = attempt(lambda: post(db.session, owner, current_user, form.body.data),
                       form=form, success=_("Message envoyé."))
        if done:
            return redirect(url_for(f"{request.blueprint}.{endpoint}", **ids) + f"#message-{done.value.id}")
    return _show(page_of(db.session, owner, current_user), form, 422 if request.method == "POST" else 200)


def application_messages(application_id: int):
    """The conversation about one application."""
    application = get_scoped_or_404(Application, application_id)
    return _thread(application, threads.post_on_application, queries.application_page,
                   "application_messages", application_id=application.id)


def contract_messages(contract_id: int):
    """The conversation about one contract (begun on its application)."""
    contract = get_scoped_or_404(Contract, contract_id)
    return _thread(contract, threads.post_on_contract, queries.contract_page,
                   "contract_messages", contract_id=contract.id)


def messages():
    """Every conversation of the company or the freelancer, the most recent first."""
    return render_template("messaging/inbox.html", rows=queries.inbox(db.session, current_user),
                           side=request.blueprint)


def _application_summary(application: Application) -> queries.Summary:
    """A row's thread figures; the side's threads are read once per request (lists of applications)."""
    if "message_summaries" not in g:
        g.message_summaries = queries.summaries_by_application(db.session, current_user)
    return g.message_summaries.get(application.id, queries.Summary(0, 0))


def _contract_summary(contract: Contract) -> queries.Summary:
    return queries.contract_summary(db.session, current_user, contract)


def _contract_page(contract: Contract) -> queries.ThreadPage:
    return queries.contract_page(db.session, contract, current_user)


ROUTES = (
    ("/messages", "messages", messages, ("GET",)),
    ("/candidatures/<int:application_id>/messages", "application_messages", application_messages, ("GET", "POST")),
    ("/contrats/<int:contract_id>/messages", "contract_messages", contract_messages, ("GET", "POST")),
)


def register(bp: Blueprint) -> None:
    """Add the message pages to a party's blueprint, its menu entry and the unread badge."""
    for rule, endpoint, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint, view, methods=list(methods))
    add_nav_item(bp.name, f"{bp.name}.messages", _l("Messages"))
    bp.add_app_template_global(_application_summary, "application_messages_summary")
    bp.add_app_template_global(_contract_summary, "contract_messages_summary")
    bp.add_app_template_global(_contract_page, "contract_messages_page")
    bp.add_app_template_global(nav_badge, "nav_badge")


def nav_badge(endpoint: str) -> int:
    """The count shown beside a menu entry: unread messages beside « Messages » (once per request)."""
    if not endpoint.endswith(".messages") or not has_request_context():
        return 0
    if "unread_messages" not in g:
        authenticated = getattr(current_user, "is_authenticated", False)
        g.unread_messages = queries.unread_total(db.session, current_user) if authenticated else 0
    return g.unread_messages
