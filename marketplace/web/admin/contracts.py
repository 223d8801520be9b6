"""Contracts in the operator's console: every contract by status, and each one's page, read-only."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from marketplace.db import db, today
from marketplace.models.contracts import CONTRACT_STATUS_LABELS, ContractStatus
from marketplace.services.contracts import queries
from marketplace.services.contracts.terms import describe_slots
from marketplace.web.admin import bp
from marketplace.web.context import add_nav_item
from marketplace.web.contract_views import page_of, scoped_contract
from marketplace.web.forms import page_arg, query_text

add_nav_item("admin", "admin.contracts", _l("Contrats"))
bp.add_app_template_global(describe_slots, "describe_slots")


@bp.route("/contrats")
def contracts():
    """Every contract, optionally of one status, a page at a time, with the count of each status."""
    status = query_text("statut", 20)
    status = status if status in ContractStatus.values() else ""
    page = page_arg()
    rows, total = queries.for_admin(db.session, status or None, page)
    return render_template(
        "admin/contracts.html", contracts=rows, total=total, page=page, page_size=queries.ADMIN_PAGE_SIZE,
        status=status, counts=queries.status_counts(db.session), labels=CONTRACT_STATUS_LABELS,
        awaited=queries.awaited_by_contract(db.session, rows, None, today()),
    )


@bp.route("/contrats/<int:contract_id>")
def contract(contract_id: int):
    """One contract as the parties see it, without their actions."""
    return render_template("contracts/contract.html", page=page_of(scoped_contract(contract_id)), side=None)
