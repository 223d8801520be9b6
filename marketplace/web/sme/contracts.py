"""Contracts on the SME side: the shared contract pages, plus the quarterly survey and the vigilance certificate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db
from marketplace.services.contracts import queries, satisfaction, vigilance
from marketplace.web import contract_views
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.contract_forms import SurveyForm
from marketplace.web.contract_views import page_of, scoped_contract, url
from marketplace.web.forms import BaseForm
from marketplace.web.public.files import stream_file
from marketplace.web.sme import bp

contract_views.register(bp)
add_nav_item("sme", "sme.contracts", _l("Contrats"))


@bp.route("/contrats/<int:contract_id>/satisfaction", methods=["GET", "POST"])
def contract_survey(contract_id: int):
    """The quarter's survey: a score out of 10, where each KPI stands, a comment."""
    contract = scoped_contract(contract_id)
    pending = satisfaction.pending_survey(contract)
    if pending is None:  # answered already, or none opened yet: the page says so
        return render_template("contracts/survey.html", contract=contract, survey=None, form=None, side="sme")
    form = SurveyForm.for_kpis(contract.kpis or [], pending)
    survey = queries.survey_of(db.session, contract, form.survey_id) if request.method == "POST" else pending
    if survey is None:
        abort(404)
    if request.method == "POST":
        done = submit(form, lambda: satisfaction.answer(db.session, survey, current_user, form.answer()),
                      success="Merci : votre avis est enregistré et rejoint le suivi du contrat.")
        if done:
            return redirect(url("contract", contract))
    status = 422 if request.method == "POST" else 200
    return render_template("contracts/survey.html", contract=contract, survey=survey, form=form,
                           quarter=satisfaction.quarter_label(survey.quarter), side="sme"), status


@bp.route("/contrats/<int:contract_id>/attestation-vigilance")
def contract_vigilance(contract_id: int):
    """The freelancer's current URSSAF vigilance certificate, as a download (nothing in it runs)."""
    contract = scoped_contract(contract_id)
    document = vigilance.certificate(db.session, contract.freelancer_id)
    if document is None:
        abort(404)
    return stream_file(document, "attachment")


@bp.route("/contrats/<int:contract_id>/attestation-vigilance/demander", methods=["POST"])
def contract_vigilance_request(contract_id: int):
    """Ask the freelancer for a fresh vigilance certificate."""
    contract = scoped_contract(contract_id)
    if not page_of(contract).can["request_vigilance"]:
        flash(_("Ce contrat est terminé ou abandonné : aucune attestation n'est plus exigée."), "info")
    elif BaseForm().validate():
        attempt(lambda: vigilance.request_certificate(db.session, contract, current_user),
                success=f"Demande envoyée à {contract.freelancer.display_name} : vous serez prévenu·e du dépôt.")
    return redirect(url("contract", contract) + "#vigilance")
