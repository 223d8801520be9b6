"""The vetting console: queue, one profile's file with its decisions, expiry calendar.

Every action posts back to the profile page, so an operator reads the checks, the
documents, the reference answers and the fraud signals, and decides, on one page.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.db import db, today, utcnow
from marketplace.legal import urssaf_expiry
from marketplace.models.freelancers import PROFILE_STATUS_LABELS, FreelancerProfile
from marketplace.services.vetting import decisions, queries, references
from marketplace.services.vetting.checks import (
    CHECK_LABELS,
    DOCUMENT_LABELS,
    STATUS_LABELS,
)
from marketplace.services.vetting.score import breakdown
from marketplace.web.admin import bp
from marketplace.web.admin.vetting_forms import (
    VERIFICATION_RESULTS,
    VerifyDocumentForm,
    decision_forms,
)
from marketplace.web.boundary import attempt, submit
from marketplace.web.context import add_nav_item
from marketplace.web.forms import BaseForm, client_ip, page_arg, query_text

PAGE_SIZE = 30

add_nav_item("admin", "admin.vetting_queue", _l("Vérification"))
add_nav_item("admin", "admin.vetting_calendar", _l("Échéances"))


@bp.context_processor
def _vetting_helpers() -> dict:
    # A callable, so only the pages that show the overview pay for its queries.
    return {"vetting_overview": lambda: queries.overview(db.session, utcnow(), today())}


@bp.route("/verification/")
def vetting_queue():
    """Profiles waiting for vetting, oldest first, filterable by status and flag."""
    status = query_text("statut", 20)
    flag = query_text("signal", 30)
    q = query_text("q")
    page = page_arg()
    rows, total = queries.queue(db.session, status=status, flag=flag, q=q, page=page, page_size=PAGE_SIZE, now=utcnow())
    return render_template(
        "admin/vetting/queue.html", rows=rows, total=total, page=page, page_size=PAGE_SIZE, status=status, flag=flag,
        q=q, statuses=PROFILE_STATUS_LABELS, flags={k: v[0] for k, v in queries.FLAGS.items()},
        form=BaseForm(),
    )


def _render_profile(profile_id: int, status_code: int = 200, **forms):
    file = queries.profile_file(db.session, profile_id)
    if file is None:
        abort(404)
    context = decision_forms()
    # Badges the checks back are ticked by default.
    context["approve_form"].badges.data = [b for b in decisions.suggested_badges(db.session, profile_id) if b != "verified"]
    context.update(forms)
    urssaf = file.documents.get("urssaf_certificate")
    verify_form = context.pop("verify_form", None)
    if verify_form is None:
        verify_form = VerifyDocumentForm(prefix="verify", formdata=None)
    return render_template(
        "admin/vetting/profile.html",
        file=file,
        profile=file.profile,
        score_lines=breakdown(file.checks),
        check_labels=CHECK_LABELS,
        document_labels=DOCUMENT_LABELS,
        status_labels=STATUS_LABELS,
        unresolved=decisions.unresolved_checks(db.session, profile_id),
        warnings=decisions.open_warning_items(db.session, profile_id),
        flag_labels=references.FLAG_LABELS,
        request_status_labels=references.REQUEST_STATUS_LABELS,
        would_rehire=references.WOULD_REHIRE,
        rating_dimensions=references.RATING_DIMENSIONS,
        urssaf_valid_until=urssaf_expiry(urssaf.issued_on) if urssaf and urssaf.issued_on else None,
        verify_form=verify_form,
        verification_results=VERIFICATION_RESULTS,
        action_form=BaseForm(),
        **context,
    ), status_code


@bp.route("/verification/<int:profile_id>")
def vetting_profile(profile_id: int):
    """One profile's checks, documents, references and signals, with the decision actions."""
    return _render_profile(profile_id)


def _back(profile_id: int, anchor: str = ""):
    return redirect(url_for("admin.vetting_profile", profile_id=profile_id) + (f"#{anchor}" if anchor else ""))


def _act(profile_id: int, form, action, success: str, form_key: str, anchor: str = "decision"):
    """Validate ``form``, run ``action``, commit and come back; errors stay beside their field."""
    if db.session.get(FreelancerProfile, profile_id) is None:
        abort(404)
    if submit(form, action, success=success):
        return _back(profile_id, anchor)
    flash(_("Rien n'a été enregistré : corrigez le formulaire ci-dessous."), "danger")
    return _render_profile(profile_id, 200, **{form_key: form})


@bp.route("/verification/<int:profile_id>/prendre-en-charge", methods=["POST"])
def vetting_claim(profile_id: int):
    """Take a submitted profile in review."""
    form = BaseForm()
    return _simple(profile_id, form, lambda: decisions.claim(db.session, current_user, profile_id, ip_address=client_ip()),
                   "Profil pris en charge : il est en cours de vérification.")


@bp.route("/verification/<int:profile_id>/relancer", methods=["POST"])
def vetting_recheck(profile_id: int):
    """Run every automatic check again."""
    form = BaseForm()
    return _simple(profile_id, form, lambda: decisions.recheck(db.session, current_user, profile_id, ip_address=client_ip()),
                   "Les vérifications automatiques sont relancées.")


def _simple(profile_id: int, form, action, success: str):
    if db.session.get(FreelancerProfile, profile_id) is None:
        abort(404)
    if form.validate_on_submit():
        attempt(action, success=success)
    return _back(profile_id)


@bp.route("/verification/<int:profile_id>/approuver", methods=["POST"])
def vetting_approve(profile_id: int):
    """Approve the profile: it becomes eligible for matching."""
    form = decision_forms(formdata=request.form)["approve_form"]
    return _act(
        profile_id, form,
        lambda: decisions.approve(db.session, current_user, profile_id, badges=form.badges.data or [],
                                  note=form.note.data, confirmed=bool(form.confirm.data), ip_address=client_ip()),
        "Profil approuvé : le freelance apparaît désormais dans le rapprochement.", "approve_form",
    )


@bp.route("/verification/<int:profile_id>/refuser", methods=["POST"])
def vetting_reject(profile_id: int):
    """Reject the profile with a reason e-mailed to the freelancer."""
    form = decision_forms(formdata=request.form)["reject_form"]
    return _act(
        profile_id, form,
        lambda: decisions.reject(db.session, current_user, profile_id, reason=form.reason.data, ip_address=client_ip()),
        "Profil refusé : la raison a été envoyée au freelance.", "reject_form",
    )


@bp.route("/verification/<int:profile_id>/demander-des-complements", methods=["POST"])
def vetting_request_information(profile_id: int):
    """Send the profile back to draft with the list of what is missing."""
    form = decision_forms(formdata=request.form)["info_form"]
    return _act(
        profile_id, form,
        lambda: decisions.request_information(db.session, current_user, profile_id, missing=form.missing.data or [],
                                              details=form.details.data, ip_address=client_ip()),
        "Demande de compléments envoyée : le profil repasse en brouillon.", "info_form",
    )


@bp.route("/verification/<int:profile_id>/suspendre", methods=["POST"])
def vetting_suspend(profile_id: int):
    """Suspend an approved profile with a reason."""
    form = decision_forms(formdata=request.form)["suspend_form"]
    return _act(
        profile_id, form,
        lambda: decisions.suspend(db.session, current_user, profile_id, reason=form.reason.data, ip_address=client_ip()),
        "Profil suspendu : il n'apparaît plus dans aucun résultat.", "suspend_form",
    )


@bp.route("/verification/<int:profile_id>/reactiver", methods=["POST"])
def vetting_reinstate(profile_id: int):
    """Lift a suspension."""
    form = decision_forms(formdata=request.form)["reinstate_form"]
    return _act(
        profile_id, form,
        lambda: decisions.reinstate(db.session, current_user, profile_id, note=form.note.data, ip_address=client_ip()),
        "Suspension levée : le profil est de nouveau vérifié.", "reinstate_form",
    )


@bp.route("/verification/documents/<int:document_id>/controle", methods=["POST"])
def vetting_verify_document(document_id: int):
    """Record the URSSAF security-code verification of an attestation."""
    from marketplace.models.documents import Document

    document = db.session.get(Document, document_id)
    if document is None or document.profile_id is None:
        abort(404)
    form = VerifyDocumentForm(prefix="verify")
    return _act(
        document.profile_id, form,
        lambda: decisions.verify_document(db.session, current_user, document_id, authentic=form.result.data == "authentic",
                                          note=form.verification_note.data, ip_address=client_ip()),
        "Vérification de l'attestation enregistrée.", "verify_form", anchor="documents",
    )


@bp.route("/verification/references/<int:request_id>/renvoyer", methods=["POST"])
def vetting_resend_reference(request_id: int):
    """E-mail a referee a fresh questionnaire link (the previous one stops working)."""
    from marketplace.models.vetting import ReferenceRequest

    reference_request = db.session.get(ReferenceRequest, request_id)
    if reference_request is None:
        abort(404)
    profile_id = reference_request.profile_id
    return _simple(
        profile_id, BaseForm(),
        lambda: references.resend(db.session, current_user, request_id, ip_address=client_ip()),
        "Nouveau questionnaire envoyé au référent.",
    )


@bp.route("/verification/echeances")
def vetting_calendar():
    """Documents expiring this month (or the month asked), and those already expired."""
    current = today()
    start, end = queries.month_bounds(query_text("mois", 7), current)
    entries = queries.calendar_entries(db.session, start, end, current)
    overdue = queries.overdue_entries(db.session, start, current) if start == current.replace(day=1) else []
    previous_month = (start - timedelta(days=1)).replace(day=1)
    next_month = end + timedelta(days=1)
    return render_template(
        "admin/vetting/calendar.html", entries=entries, overdue=overdue, start=start, end=end, today=current,
        previous_month=previous_month, next_month=next_month,
    )
