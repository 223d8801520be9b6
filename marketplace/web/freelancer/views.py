"""The freelancer area: everything is scoped to the current user's profile."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from marketplace.db import db
from marketplace.domain import SKILL_DIMENSIONS, TOOLS_CATALOGUE, Role, fold
from marketplace.errors import DomainError, NotFound, raise_if_any
from marketplace.legal import (
    MANDATE_CONTEST_DAYS,
    MANDATE_TITLE,
    MANDATE_VERSION,
    mandate_clauses,
)
from marketplace.models.documents import DOCUMENT_KIND_LABELS, DocumentKind
from marketplace.models.freelancers import ExperienceEntry, Reference
from marketplace.models.missions import (
    APPLICATION_STATUS_LABELS,
    Application,
    ApplicationStatus,
)
from marketplace.platform.identifiers import format_iban, format_siret
from marketplace.services.billing import queries as billing_queries
from marketplace.services.contracts import queries as contract_queries
from marketplace.services.matching import bands
from marketplace.services.missions import applications as application_service
from marketplace.services.missions import opportunities
from marketplace.services.missions import queries as mission_queries
from marketplace.services.missions import versions as mission_versions
from marketplace.services.payments import queries as payment_queries
from marketplace.services.profiles import (
    availability,
    business,
    documents,
    experience,
    location,
    mandate,
    presentation,
    references,
    rules,
    skills,
    steps,
    submission,
)
from marketplace.services.timesheets import queries as timesheet_queries
from marketplace.web.authz import get_scoped_or_404, protect_blueprint
from marketplace.web.billing_views import freelancer_turnover
from marketplace.web.boundary import attempt, submit
from marketplace.web.forms import BaseForm, client_ip, page_arg, safe_next
from marketplace.web.freelancer import bp
from marketplace.web.freelancer.forms import (
    ApplyForm,
    AvailabilityForm,
    BusinessForm,
    DocumentForm,
    ExperienceEntryForm,
    ExperienceYearsForm,
    LocationForm,
    MandateForm,
    MissionFilterForm,
    PresentationForm,
    ReferenceForm,
    SkillsForm,
)
from marketplace.web.payment_views import PAYOUT_STATUS_LABELS, connect_status

protect_blueprint(bp, Role.FREELANCER)

PARTIAL_SAVE = "Les autres informations de cette étape sont enregistrées : corrigez les champs signalés."


def _profile():
    profile = current_user.freelancer_profile
    if profile is None:  # every freelancer account is created with its profile
        abort(404)
    return profile


def _step_page(template: str, step_code: str, **context):
    """Render a step of the editor with the stepper and the completeness meter."""
    profile = _profile()
    return render_template(
        template,
        profile=profile,
        step=steps.STEP_BY_CODE[step_code],
        steps=steps.STEPS,
        completeness=submission.completeness(db.session, profile),
        **context,
    )


def _save_step(step_code: str, save, form) -> object | None:
    """Run a step's save and commit what it kept; redirect when all is well, else None (re-render).

    A step keeps every valid field and reports the others: it commits either way. When the
    form itself refuses a field, nothing is saved, but the service is still asked what else
    it refuses, so that every error shows in this one answer.
    """
    if not form.validate():
        submit(form, lambda: raise_if_any(save().errors), valid=False)
        return None
    done = attempt(save, form=form)
    if not done:
        return None
    if not done.value.ok:
        for error in done.value.errors:
            form.add_domain_error(error)
        flash(PARTIAL_SAVE, "warning")
        return None
    flash(_("Étape enregistrée."), "success")
    return redirect(_next_url(step_code))


def _next_url(step_code: str) -> str:
    if request.form.get("action") == "stay":
        return url_for(steps.STEP_BY_CODE[step_code].endpoint)
    codes = [s.code for s in steps.STEPS]
    index = codes.index(step_code)
    if index + 1 < len(codes):
        return url_for(steps.STEPS[index + 1].endpoint)
    return url_for("freelancer.profile")


# --- dashboard ------------------------------------------------------------------------


@bp.route("/")
def dashboard():
    """Profile status, what expires, invitations, applications, contracts, CRAs, invoices, payouts."""
    profile = _profile()
    apps = mission_queries.freelancer_applications(db.session, profile.id)
    by_status: dict[str, list[Application]] = {}
    for application in apps:
        by_status.setdefault(application.status, []).append(application)
    suggestions = []
    if application_service.why_cannot_apply(profile) is None:
        suggestions = opportunities.suggestions(db.session, profile, applied=[a.mission_id for a in apps])
    return render_template(
        "freelancer/dashboard.html",
        profile=profile,
        completeness=submission.completeness(db.session, profile),
        explanation=submission.status_explanation(profile),
        expiring=documents.expiring_documents(db.session, profile),
        invitations=by_status.get(ApplicationStatus.INVITED.value, []),
        applications=[a for a in apps if a.status != ApplicationStatus.INVITED.value],
        by_status=by_status,
        status_labels=APPLICATION_STATUS_LABELS,
        contracts=contract_queries.current_for_freelancer(db.session, profile.id),
        timesheets=timesheet_queries.to_send_for_freelancer(db.session, profile.id),
        reporting=bool(timesheet_queries.contracts_for_freelancer(db.session, profile.id)),
        invoices=billing_queries.issued_for_freelancer(db.session, profile.id, limit=8),
        fee_invoices=billing_queries.fee_invoices_for_freelancer(db.session, profile.id, limit=8),
        turnover=freelancer_turnover(profile),
        payouts=payment_queries.payouts_for_freelancer(db.session, profile.id),
        payout_labels=PAYOUT_STATUS_LABELS,
        connect=connect_status(profile),
        week=availability.week(db.session, profile),
        booked_week=contract_queries.booked_week_for_freelancer(db.session, profile.id),
        suggestions=suggestions,
        withdraw_form=BaseForm(),
    )


# --- profile overview and submission ----------------------------------------------------


@bp.route("/profil")
def profile():
    """The profile at a glance: status, what is missing per step, submission."""
    profile = _profile()
    return render_template(
        "freelancer/profile/overview.html",
        profile=profile,
        steps=steps.STEPS,
        completeness=submission.completeness(db.session, profile),
        explanation=submission.status_explanation(profile),
        documents=documents.current_documents(db.session, profile),
        document_kinds=rules.PROFILE_DOCUMENT_KINDS,
        week=availability.week(db.session, profile),
        form=BaseForm(),
    )


@bp.route("/profil/soumettre", methods=["POST"])
def profile_submit():
    """Send the complete profile to vetting."""
    profile = _profile()
    form = BaseForm()
    if form.validate_on_submit():
        attempt(lambda: submission.submit(db.session, profile, actor=current_user, ip_address=client_ip()),
                success="Votre profil est soumis : l'équipe va le vérifier et contacter vos références.")
    return redirect(url_for("freelancer.profile"))


# --- step 1: presentation ---------------------------------------------------------------


@bp.route("/profil/presentation", methods=["GET", "POST"])
def profile_presentation():
    """Name, headline, bio and languages."""
    profile = _profile()
    user = profile.user
    form = PresentationForm(
        data={
            "first_name": user.first_name, "last_name": user.last_name, "phone": user.phone or "",
            "headline": profile.headline, "bio": profile.bio, "languages": profile.languages,
        }
    )
    if form.is_submitted():
        response = _save_step("presentation", lambda: presentation.save_presentation(
            db.session, profile, first_name=form.first_name.data, last_name=form.last_name.data,
            phone=form.phone.data, headline=form.headline.data, bio=form.bio.data,
            languages=form.languages.data, actor=current_user,
        ), form)
        if response:
            return response
    return _step_page("freelancer/profile/presentation.html", "presentation", form=form)


# --- step 2: experience -----------------------------------------------------------------


@bp.route("/profil/experience", methods=["GET", "POST"])
def profile_experience():
    """Years of experience and the dated positions of the career."""
    profile = _profile()
    form = ExperienceYearsForm(
        data={"years_experience": profile.years_experience, "freelance_years": profile.freelance_years}
    )
    entry_form = ExperienceEntryForm(prefix="exp", formdata=None)
    if form.is_submitted():
        response = _save_step("experience", lambda: experience.save_experience_years(
            db.session, profile, years_experience=form.years_experience.data,
            freelance_years=form.freelance_years.data, actor=current_user,
        ), form)
        if response:
            return response
    return _experience_page(form, entry_form)


def _experience_page(form, entry_form, editing: ExperienceEntry | None = None):
    profile = _profile()
    return _step_page(
        "freelancer/profile/experience.html", "experience", form=form, entry_form=entry_form,
        editing=editing, dated_years=experience.dated_years(profile), delete_form=BaseForm(),
    )


def _experience_data(form: ExperienceEntryForm) -> experience.ExperienceData:
    return experience.ExperienceData(
        title=form.title.data, organisation=form.organisation.data, start_date=form.start_date.data,
        end_date=form.end_date.data, is_freelance=form.is_freelance.data, description=form.description.data,
    )


@bp.route("/profil/experience/postes", methods=["POST"])
def experience_add():
    """Add a dated position."""
    profile = _profile()
    entry_form = ExperienceEntryForm(prefix="exp")
    if entry_form.is_submitted() and submit(
        entry_form,
        lambda: experience.add_experience(db.session, profile, _experience_data(entry_form), actor=current_user),
        success="Poste ajouté à votre parcours.",
    ):
        return redirect(url_for("freelancer.profile_experience"))
    form = ExperienceYearsForm(
        formdata=None, data={"years_experience": profile.years_experience, "freelance_years": profile.freelance_years}
    )
    return _experience_page(form, entry_form)


@bp.route("/profil/experience/postes/<int:entry_id>", methods=["GET", "POST"])
def experience_edit(entry_id: int):
    """Correct a dated position."""
    profile = _profile()
    entry = get_scoped_or_404(ExperienceEntry, entry_id)
    entry_form = ExperienceEntryForm(
        prefix="exp",
        data={
            "title": entry.title, "organisation": entry.organisation, "start_date": entry.start_date,
            "end_date": entry.end_date, "is_freelance": entry.is_freelance, "description": entry.description,
        },
    )
    if entry_form.is_submitted() and submit(
        entry_form,
        lambda: experience.update_experience(db.session, profile, entry, _experience_data(entry_form), actor=current_user),
        success="Poste mis à jour.",
    ):
        return redirect(url_for("freelancer.profile_experience"))
    form = ExperienceYearsForm(
        formdata=None, data={"years_experience": profile.years_experience, "freelance_years": profile.freelance_years}
    )
    return _experience_page(form, entry_form, editing=entry)


@bp.route("/profil/experience/postes/<int:entry_id>/supprimer", methods=["POST"])
def experience_delete(entry_id: int):
    """Remove a dated position."""
    profile = _profile()
    entry = get_scoped_or_404(ExperienceEntry, entry_id)
    if BaseForm().validate_on_submit():
        attempt(lambda: experience.delete_experience(db.session, profile, entry, actor=current_user),
                success="Poste retiré de votre parcours.")
    return redirect(url_for("freelancer.profile_experience"))


# --- step 3: skills and tools -----------------------------------------------------------


@bp.route("/profil/competences", methods=["GET", "POST"])
def profile_skills():
    """Level and sub-skills in each dimension, tools."""
    profile = _profile()
    catalogue = {fold(t) for t in TOOLS_CATALOGUE}
    data = {
        "tools": [t for t in profile.tools if fold(t) in catalogue],
        "other_tools": ", ".join(skills.tool_suggestions(profile)),
    }
    for dim in SKILL_DIMENSIONS:
        data[f"level_{dim.code}"] = profile.skill(dim.code)
        data[f"sub_{dim.code}"] = [code for code, _ in dim.sub_skills if code in (profile.sub_skills or [])]
    form = SkillsForm(data=data)
    if form.is_submitted():
        response = _save_step("skills", lambda: skills.save_skills(
            db.session, profile,
            levels={dim.code: form[f"level_{dim.code}"].data for dim in SKILL_DIMENSIONS},
            sub_skills=[code for dim in SKILL_DIMENSIONS for code in form[f"sub_{dim.code}"].data],
            tools=[*form.tools.data, *skills.parse_tools(form.other_tools.data)],
            actor=current_user,
        ), form)
        if response:
            return response
    return _step_page("freelancer/profile/skills.html", "skills", form=form, dimensions=SKILL_DIMENSIONS)


# --- step 4: place, mode, rate ------------------------------------------------------------


@bp.route("/profil/conditions", methods=["GET", "POST"])
def profile_location():
    """City, mobility, work mode, daily rate, client sectors."""
    profile = _profile()
    form = LocationForm(
        data={
            "city": profile.city, "mobility_km": profile.mobility_km, "work_mode": profile.work_mode,
            "daily_rate": profile.daily_rate_cents,
            "client_sectors": profile.client_sectors,
        }
    )
    if form.is_submitted():
        response = _save_step("location", lambda: location.save_location(
            db.session, profile, city=form.city.data, mobility_km=form.mobility_km.data,
            work_mode=form.work_mode.data, daily_rate_cents=form.daily_rate.data,
            client_sectors=form.client_sectors.data, actor=current_user,
        ), form)
        if response:
            return response
    return _step_page("freelancer/profile/location.html", "location", form=form)


# --- step 5: weekday availability -----------------------------------------------------------


@bp.route("/profil/disponibilites", methods=["GET", "POST"])
def profile_availability():
    """The Monday–Friday grid of half days offered; booked ones are shown with their client."""
    profile = _profile()
    week = availability.week(db.session, profile)
    form = AvailabilityForm(data={"slots": [f"{d}-{h}" for d, h in week.offered.pairs()]})
    if form.is_submitted():
        response = _save_step("availability", lambda: availability.set_offered(
            db.session, profile, availability.parse_slots(form.slots.data), actor=current_user,
        ), form)
        if response:
            return response
    selected = set(form.slots.data or [])
    return _step_page("freelancer/profile/availability.html", "availability", form=form, week=week, selected=selected)


# --- step 6: business identity ------------------------------------------------------------


def _business_data(form: BusinessForm) -> business.BusinessData:
    return business.BusinessData(
        business_name=form.business_name.data, legal_form=form.legal_form.data or None, siret=form.siret.data,
        vat_regime=form.vat_regime.data or None, vat_number=form.vat_number.data,
        vat_debits_option=form.vat_debits_option.data, iban=form.iban.data, bic=form.bic.data,
        billing_address_line=form.billing_address_line.data, billing_postal_code=form.billing_postal_code.data,
        billing_city=form.billing_city.data, off_platform_turnover_cents=form.off_platform_turnover.data,
        share_capital_cents=form.share_capital.data, rcs_city=form.rcs_city.data,
    )


@bp.route("/profil/entreprise", methods=["GET", "POST"])
def profile_business():
    """Legal form, SIRET, VAT, IBAN, billing address."""
    profile = _profile()
    form = BusinessForm(
        data={
            "business_name": profile.business_name, "legal_form": profile.legal_form or "",
            "siret": format_siret(profile.siret) if profile.siret else "", "vat_regime": profile.vat_regime,
            "vat_number": profile.vat_number or "", "vat_debits_option": profile.vat_debits_option,
            "iban": format_iban(profile.iban) if profile.iban else "", "bic": profile.bic or "",
            "billing_address_line": profile.billing_address_line, "billing_postal_code": profile.billing_postal_code,
            "billing_city": profile.billing_city,
            "off_platform_turnover": profile.off_platform_turnover_cents or None,
            "share_capital": profile.share_capital_cents, "rcs_city": profile.rcs_city or "",
        }
    )
    if form.is_submitted():
        response = _save_step("business", lambda: business.save_business(
            db.session, profile, _business_data(form), actor=current_user, ip_address=client_ip()), form)
        if response:
            return response
    return _step_page("freelancer/profile/business.html", "business", form=form)


# --- step 7: billing mandate ----------------------------------------------------------------


@bp.route("/profil/mandat", methods=["GET", "POST"])
def profile_mandate():
    """Read and accept the billing mandate (time, version and IP are recorded)."""
    profile = _profile()
    form = MandateForm()
    if form.validate_on_submit() and attempt(
        lambda: mandate.accept_mandate(db.session, profile, actor=current_user, ip_address=client_ip()),
        success="Mandat de facturation accepté.",
    ):
        return redirect(_next_url("mandate"))
    return _step_page(
        "freelancer/profile/mandate.html", "mandate", form=form, clauses=mandate_clauses(),
        mandate_title=MANDATE_TITLE, mandate_version=MANDATE_VERSION, contest_days=MANDATE_CONTEST_DAYS,
        mandate_current=mandate.mandate_is_current(profile),
    )


# --- step 8: documents ----------------------------------------------------------------------


def _document_forms(posted_kind: str | None = None, posted_form=None) -> dict[str, DocumentForm]:
    forms = {}
    for kind in rules.PROFILE_DOCUMENT_KINDS:
        if kind.value == posted_kind and posted_form is not None:
            forms[kind.value] = posted_form
        else:
            forms[kind.value] = DocumentForm(prefix=kind.value, formdata=None)
    return forms


def _documents_page(forms: dict[str, DocumentForm]):
    profile = _profile()
    return _step_page(
        "freelancer/profile/documents.html", "documents", forms=forms,
        kinds=rules.PROFILE_DOCUMENT_KINDS, labels=DOCUMENT_KIND_LABELS,
        documents=documents.current_documents(db.session, profile),
        expiring={e.document.id: e for e in documents.expiring_documents(db.session, profile)},
    )


@bp.route("/profil/justificatifs")
def profile_documents():
    """The four documents the vetting needs, with their dates."""
    return _documents_page(_document_forms())


@bp.route("/profil/justificatifs/<kind>", methods=["POST"])
def document_upload(kind: str):
    """Upload (or replace) one document; its type is judged from its content."""
    profile = _profile()
    if kind not in {k.value for k in rules.PROFILE_DOCUMENT_KINDS}:
        abort(404)
    form = DocumentForm(prefix=kind)
    # A valid form stores the file; a wrong one only has the rest judged (the file read, nothing stored).
    if submit(
        form,
        lambda: documents.upload_document(
            db.session, profile, kind=kind, stream=form.file.data.stream, filename=form.file.data.filename or "",
            issued_on=form.issued_on.data, expires_on=form.expires_on.data,
            security_code=form.security_code.data, actor=current_user, ip_address=client_ip(),
        ),
        success=f"{DOCUMENT_KIND_LABELS[DocumentKind(kind)]} : document enregistré.",
        check=lambda: documents.upload_errors(
            kind, stream=form.file.data.stream if form.file.data else None, issued_on=form.issued_on.data,
            expires_on=form.expires_on.data, security_code=form.security_code.data),
    ):
        return redirect(url_for("freelancer.profile_documents"))
    return _documents_page(_document_forms(kind, form)), 422


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A file far above the limit never reaches the form: say so on the documents page."""
    flash(_("Le fichier dépasse la taille autorisée (10 Mo au plus)."), "danger")
    return redirect(url_for("freelancer.profile_documents"))


# --- step 9: references ---------------------------------------------------------------------


def _reference_data(form: ReferenceForm) -> references.ReferenceData:
    return references.ReferenceData(
        name=form.name.data, company=form.company.data, role=form.role.data, email=form.email.data,
        relationship_label=form.relationship_label.data, phone=form.phone.data or "",
        is_current_client=form.is_current_client.data, period=form.period.data or "",
    )


def _references_page(form: ReferenceForm, editing: Reference | None = None, status: int = 200):
    return _step_page(
        "freelancer/profile/references.html", "references", form=form, editing=editing, delete_form=BaseForm(),
        min_references=rules.MIN_REFERENCES, max_references=rules.MAX_REFERENCES,
    ), status


@bp.route("/profil/references", methods=["GET", "POST"])
def profile_references():
    """The referees the vetting will contact (two at least)."""
    profile = _profile()
    form = ReferenceForm()
    if form.is_submitted() and submit(
        form,
        lambda: references.add_reference(db.session, profile, _reference_data(form), actor=current_user),
        success="Référence ajoutée.",
    ):
        return redirect(url_for("freelancer.profile_references"))
    return _references_page(form)


@bp.route("/profil/references/<int:reference_id>", methods=["GET", "POST"])
def reference_edit(reference_id: int):
    """Correct a referee's details."""
    profile = _profile()
    reference = get_scoped_or_404(Reference, reference_id)
    form = ReferenceForm(
        data={
            "name": reference.name, "company": reference.company, "role": reference.role, "email": reference.email,
            "phone": reference.phone or "", "relationship_label": reference.relationship_label,
            "period": reference.period, "is_current_client": reference.is_current_client,
        }
    )
    if form.is_submitted() and submit(
        form,
        lambda: references.update_reference(db.session, profile, reference, _reference_data(form), actor=current_user),
        success="Référence mise à jour.",
    ):
        return redirect(url_for("freelancer.profile_references"))
    return _references_page(form, editing=reference)


@bp.route("/profil/references/<int:reference_id>/supprimer", methods=["POST"])
def reference_delete(reference_id: int):
    """Remove a referee."""
    profile = _profile()
    reference = get_scoped_or_404(Reference, reference_id)
    if BaseForm().validate_on_submit():
        attempt(lambda: references.delete_reference(db.session, profile, reference, actor=current_user),
                success="Référence retirée.")
    return redirect(url_for("freelancer.profile_references"))


# --- missions for you -------------------------------------------------------------------


@bp.route("/missions")
def missions():
    """Published missions ranked for this freelancer, with the reasons; filters."""
    profile = _profile()
    form = MissionFilterForm(request.args)
    filters = opportunities.MissionFilters()
    if form.validate():
        filters = opportunities.MissionFilters(
            weekday=form.weekday.data or None, city=form.city.data or "", remote_only=form.remote_only.data,
            min_rate_cents=form.min_rate.data, dimension=form.dimension.data or None,
        )
    page = page_arg()
    try:
        found = opportunities.search(db.session, profile, filters, page=page)
    except DomainError as exc:
        form.add_domain_error(exc)
        found = opportunities.search(db.session, profile, opportunities.MissionFilters(), page=page)
    # The filters as asked, kept by the previous/next links (the form bounds what is used).
    kept = {name: request.args[name][:120] for name in ("weekday", "city", "remote_only", "min_rate", "dimension")
            if request.args.get(name)} if filters.active else {}
    return render_template(
        "freelancer/missions.html", profile=profile, form=form, found=found, filters=filters, kept=kept,
        page_size=opportunities.PAGE_SIZE, refusal=application_service.why_cannot_apply(profile),
    )


@bp.route("/missions/<int:mission_id>", methods=["GET", "POST"])
def mission(mission_id: int):
    """A mission, how it fits, and the application form (or why one cannot apply)."""
    profile = _profile()
    try:
        mission = application_service.visible_mission(db.session, profile, mission_id)
    except NotFound:
        abort(404)
    opportunity = opportunities.for_mission(db.session, profile, mission)
    application = opportunity.application
    form = ApplyForm(
        data={
            "note": application.note if application and application.status != "invited" else "",
            "proposed_rate": (application.proposed_rate_cents if application and application.proposed_rate_cents
                              else profile.daily_rate_cents),
            "weekdays": application_service.default_weekdays(db.session, profile, mission),
        }
    )
    if form.is_submitted():
        if submit(
            form,
            lambda: application_service.apply(db.session, profile, mission, application_service.ApplyData(
                note=form.note.data or "", proposed_rate_cents=form.proposed_rate.data, weekdays=form.weekdays.data,
            ), actor=current_user, ip_address=client_ip()),
            success="Votre candidature est envoyée à l'entreprise.",
        ):
            return redirect(url_for("freelancer.mission", mission_id=mission.id))
    return render_template(
        "freelancer/mission.html", profile=profile, mission=mission, opportunity=opportunity, form=form,
        refusal=application_service.why_cannot_apply(profile), week=availability.week(db.session, profile),
        required_days=application_service.required_days(mission), withdraw_form=BaseForm(),
        blocked_days=application_service.unavailable_mission_days(db.session, profile, mission),
        changes=mission_versions.changes_since_applied(db.session, application),
    )


# --- applications ---------------------------------------------------------------------------


@bp.route("/candidatures")
def applications():
    """Every application and invitation, by status."""
    rows = mission_queries.freelancer_applications(db.session, _profile().id)
    return render_template(
        "freelancer/applications.html", profile=_profile(), applications=rows, withdraw_form=BaseForm(),
        band_of_score=bands.band_for_score,
    )


@bp.route("/candidatures/<int:application_id>/retirer", methods=["POST"])
def application_withdraw(application_id: int):
    """Withdraw a pending application, or decline an invitation."""
    profile = _profile()
    application = get_scoped_or_404(Application, application_id)
    if BaseForm().validate_on_submit():
        was_invited = application.status == ApplicationStatus.INVITED.value
        attempt(lambda: application_service.withdraw(db.session, profile, application, actor=current_user,
                                                     ip_address=client_ip()),
                success="Invitation déclinée." if was_invited else "Candidature retirée.")
    return redirect(safe_next(url_for("freelancer.applications")))
