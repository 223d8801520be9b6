"""The contract pages both parties share: list, page, edit or amend, accept, sign, compare, abandon, end.

The SME and the freelancer blueprints each :func:`register` these views under their own
names (``sme.contract``, ``freelancer.contract``…). Every contract is read through the
current user's scope; every action validates its form and hands one service call to
the request boundary. What a status allows comes from ``queries.page`` (its ``can``).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.db import db, today
from marketplace.formatting import date_fr
from marketplace.models.contracts import Contract, Party, VersionStatus
from marketplace.services.contracts import (
    ending,
    negotiation,
    parties,
    queries,
    signing,
)
from marketplace.services.contracts.terms import Terms, describe_slots
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.boundary import attempt, submit
from marketplace.web.contract_forms import (
    AcceptForm,
    CancelForm,
    EndAnswerForm,
    EndProposalForm,
    NoticeForm,
    SignForm,
    TermsForm,
)
from marketplace.web.forms import BaseForm, client_ip

# A version number in the compare page's query string is at most this long.
MAX_VERSION_DIGITS = 6


def scoped_contract(contract_id: int) -> Contract:
    """The current user's contract, or 404."""
    return get_scoped_or_404(Contract, contract_id)


def page_of(contract: Contract) -> queries.Page:
    """What the contract's page shows to the current user, as of today."""
    return queries.page(db.session, contract, current_user, today())


def url(endpoint: str, contract: Contract, **args) -> str:
    """A contract URL of the side serving the request (``sme.contract``, ``freelancer.contract``…)."""
    return url_for(f"{request.blueprint}.{endpoint}", contract_id=contract.id, **args)


def render_page(contract: Contract, status: int = 200, **forms):
    """The contract's page; a form given (a refused POST) replaces its blank one, errors and typing kept."""
    blank = {"sign_form": SignForm(formdata=None), "cancel_form": CancelForm(formdata=None),
             "end_form": EndProposalForm(formdata=None)}
    return render_template("contracts/contract.html", page=page_of(contract), side=request.blueprint,
                           **{**blank, **forms}), status


# --- reading ------------------------------------------------------------------------------------


def contracts():
    """Every contract of the company or the freelancer, those waiting for something first."""
    if request.blueprint == Party.SME.value:
        rows = queries.for_company(db.session, current_user.company_id)
    else:
        profile = current_user.freelancer_profile
        rows = queries.for_freelancer(db.session, profile.id) if profile else []
    return render_template("contracts/list.html", contracts=rows, side=request.blueprint,
                           awaited=queries.awaited_by_contract(db.session, rows, current_user, today()))


def contract(contract_id: int):
    """One contract: what it waits for, its clauses and week, the PDF to sign, its versions."""
    return render_page(scoped_contract(contract_id))


def _version_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_VERSION_DIGITS:
        return int(raw)
    return None


def contract_versions(contract_id: int):
    """Two versions side by side, word by word (``?de=1&a=2``; by default the latest against the one before)."""
    item = scoped_contract(contract_id)
    latest = item.latest_version
    if latest is None:
        abort(404)
    second = _version_arg("a") or latest.number
    first = _version_arg("de") or max(second - 1, 1)
    changes = queries.compare(item, first, second)
    if changes is None:
        abort(404)
    return render_template("contracts/compare.html", contract=item, first=first, second=second, changes=changes,
                           versions=list(reversed(item.versions)), side=request.blueprint)


# --- negotiating ----------------------------------------------------------------------------------


def _base_terms(view: queries.Page) -> tuple[Terms, date | None]:
    """What the edit form starts from: the amendment under way, the terms in force, or the latest proposal."""
    if view.amendment is not None:
        return Terms.from_content(view.amendment.content), view.amendment.effective_from
    return (view.in_force or view.terms), None


def contract_edit(contract_id: int):
    """Propose edits to the draft (a new version), or an amendment to the running contract."""
    item = scoped_contract(contract_id)
    view = page_of(item)
    if not (view.can["edit"] or view.can["amend"]):
        flash(_("Ce contrat ne se modifie plus : seul un contrat en cours de rédaction ou en cours (avenant) "
              "peut changer."), "info")
        return redirect(url("contract", item))
    amending = view.can["amend"]
    if request.method == "GET":
        terms, effective_from = _base_terms(view)
        form = TermsForm.of(terms, effective_from=effective_from)
        return render_template("contracts/edit.html", form=form, page=view, amending=amending, side=request.blueprint)
    form = TermsForm()
    done = submit(
        form,
        lambda: negotiation.propose(
            db.session, item, current_user, form.terms(), note=form.note.data or "",
            confirm_wording=bool(form.confirm_wording.data),
            effective_from=form.effective_from.data if amending else None),
        success=lambda version: (
            f"{'Avenant' if amending else 'Version'} {version.number} envoyé{'' if amending else 'e'} : "
            f"{parties.party_name(item, parties.other(view.party))} peut l'accepter ou répondre par ses "
            "modifications."),
    )
    if done:
        return redirect(url("contract", item))
    return render_template("contracts/edit.html", form=form, page=view, amending=amending,
                           side=request.blueprint), 422


def contract_accept(contract_id: int):
    """Accept the version under discussion (its number is the one the page showed)."""
    item = scoped_contract(contract_id)
    form = AcceptForm()
    if form.validate():
        attempt(lambda: negotiation.accept(db.session, item, current_user, form.version_number), success=lambda v: (
            f"Vous avez accepté la version {v.number}. Son PDF est en préparation : vous pourrez le signer ici."
            if v.status == VersionStatus.AGREED.value else
            f"Vous avez accepté la version {v.number} : elle attend l'accord de "
            f"{parties.party_name(item, parties.other(parties.party_of(current_user, item)))}."))
    return redirect(url("contract", item))


def contract_sign(contract_id: int):
    """Sign the agreed PDF: the typed name, « Lu et approuvé », the hash of the file the page showed."""
    item = scoped_contract(contract_id)
    form = SignForm()
    outcome = submit(form, lambda: signing.sign(db.session, item, current_user, signing.SignatureData(
        full_name=form.full_name.data or "", read_and_approved=bool(form.read_and_approved.data),
        document_hash=form.document_hash.data or "", ip_address=client_ip(),
        user_agent=request.user_agent.string)))
    if not outcome:
        return render_page(item, 422, sign_form=form)
    signed = outcome.value
    if signed.conflict:
        flash(signed.conflict, "danger")
    elif signed.completed:
        flash(_("Signé par les deux parties : les jours convenus sont réservés. Le PDF signé et scellé sera joint à "
              "cette page dans quelques instants."), "success")
    else:
        flash(_("Votre signature est enregistrée. Le contrat attend maintenant celle de %(party_name)s.", party_name=parties.party_name(item, parties.other(signed.signature.party))), "success")
    return redirect(url("contract", item))


def contract_cancel(contract_id: int):
    """Abandon the contract before it is signed, with a reason the other side reads."""
    item = scoped_contract(contract_id)
    form = CancelForm()
    done = submit(form, lambda: negotiation.cancel(db.session, item, current_user, form.reason.data or ""),
                  success="Contrat abandonné. L'autre partie est prévenue.", category="info")
    if done:
        return redirect(url("contract", item))
    return render_page(item, 422, cancel_form=form)


def contract_withdraw_amendment(contract_id: int):
    """Drop the amendment under discussion: the contract goes on as signed."""
    item = scoped_contract(contract_id)
    if BaseForm().validate():
        attempt(lambda: negotiation.withdraw_amendment(db.session, item, current_user),
                success="Avenant retiré : le contrat continue aux conditions en vigueur.", category="info")
    return redirect(url("contract", item))


# --- ending -----------------------------------------------------------------------------------------


def contract_notice(contract_id: int):
    """Give notice: the page shows the earliest end date before anything is sent."""
    item = scoped_contract(contract_id)
    view = page_of(item)
    if not view.can["notice"]:
        flash(_("Le préavis se donne sur un contrat en cours."), "info")
        return redirect(url("contract", item))
    form = NoticeForm()
    if request.method == "POST":
        done = submit(
            form, lambda: ending.give_notice(db.session, item, current_user, form.reason.data or "", form.end_date.data),
            success=lambda c: f"Préavis donné : le contrat se termine le {date_fr(c.end_date)}. "
                              "L'autre partie est prévenue.")
        if done:
            return redirect(url("contract", item))
    status = 422 if request.method == "POST" else 200
    return render_template("contracts/notice.html", form=form, page=view, side=request.blueprint), status


def contract_end(contract_id: int):
    """Propose to end on an agreed date (today included); the other side accepts or not."""
    item = scoped_contract(contract_id)
    form = EndProposalForm()
    done = submit(
        form, lambda: ending.propose_end(db.session, item, current_user, form.end_date.data, form.reason.data or ""),
        success=lambda c: f"Fin proposée au {date_fr(c.end_proposed_date)} : "
                          f"{parties.party_name(c, parties.other(c.end_requested_by))} doit répondre.")
    if done:
        return redirect(url("contract", item))
    return render_page(item, 422, end_form=form)


def contract_end_answer(contract_id: int):
    """Accept or decline the end the other side proposed."""
    item = scoped_contract(contract_id)
    form = EndAnswerForm()
    accepted = form.accepted
    if accepted is None:
        flash(_("Choisissez d'accepter ou de refuser la fin proposée."), "danger")
    elif form.validate():
        attempt(lambda: ending.answer_end(db.session, item, current_user, accepted),
                success=lambda c: (f"Fin acceptée : le contrat se termine le {date_fr(c.end_date)}." if accepted
                                   else "Fin refusée : le contrat continue."), category="success" if accepted else "info")
    return redirect(url("contract", item))


ROUTES = (
    ("/contrats", "contracts", contracts, ("GET",)),
    ("/contrats/<int:contract_id>", "contract", contract, ("GET",)),
    ("/contrats/<int:contract_id>/modifier", "contract_edit", contract_edit, ("GET", "POST")),
    ("/contrats/<int:contract_id>/accepter", "contract_accept", contract_accept, ("POST",)),
    ("/contrats/<int:contract_id>/signer", "contract_sign", contract_sign, ("POST",)),
    ("/contrats/<int:contract_id>/versions", "contract_versions", contract_versions, ("GET",)),
    ("/contrats/<int:contract_id>/abandonner", "contract_cancel", contract_cancel, ("POST",)),
    ("/contrats/<int:contract_id>/avenant/retirer", "contract_withdraw_amendment", contract_withdraw_amendment,
     ("POST",)),
    ("/contrats/<int:contract_id>/preavis", "contract_notice", contract_notice, ("GET", "POST")),
    ("/contrats/<int:contract_id>/fin", "contract_end", contract_end, ("POST",)),
    ("/contrats/<int:contract_id>/fin/reponse", "contract_end_answer", contract_end_answer, ("POST",)),
)


def register(bp: Blueprint) -> None:
    """Add the shared contract pages to a party's blueprint (``<bp>.contracts``, ``<bp>.contract``…)."""
    for rule, endpoint, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint, view, methods=list(methods))
    bp.add_app_template_global(describe_slots, "describe_slots")
