"""Missions of the SME: perimeter, sizing, posting, preview, publication, edits, duplicates, closing.

Scoped to the company: another company's mission is a 404 on every route.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.db import db, today
from marketplace.domain import SKILL_CODES, TOOLS_CATALOGUE
from marketplace.models.missions import (
    MISSION_STATUS_LABELS,
    Mission,
    MissionStatus,
)
from marketplace.services.matching import facade as matching
from marketplace.services.missions import posting, queries, sizing, versions
from marketplace.web.authz import get_scoped_or_404
from marketplace.web.boundary import attempt, submit
from marketplace.web.forms import query_text
from marketplace.web.sme import bp
from marketplace.web.sme.forms import (
    OWNER_SUGGESTIONS,
    ActionForm,
    CloseMissionForm,
    InviteForm,
    MissionForm,
    PerimeterForm,
)

ADD_ROWS = 4
RECOMMENDED_COUNT = 5


def _row(line: sizing.TaskLine) -> dict:
    return {
        "task": line.catalogue_code or (f"other:{line.dimension}" if line.dimension else "other"),
        "label": "" if line.catalogue_code else line.task,
        "hours": Decimal(line.minutes_per_month) / 60,
        "criticality": str(line.criticality),
        "owner": line.current_owner,
    }


def _render_perimeter(form: PerimeterForm, mission: Mission | None = None, status: int = 200):
    company = current_user.company
    return render_template(
        "sme/perimeter.html",
        form=form,
        mission=mission,
        band=sizing.headcount_band(company.headcount),
        company=company,
        owner_suggestions=OWNER_SUGGESTIONS,
    ), status


def _add_rows(form: PerimeterForm) -> None:
    for _row in range(ADD_ROWS):
        if len(form.lines.entries) >= form.lines.max_entries:
            break
        form.lines.append_entry()


@bp.route("/missions")
def missions_list():
    """The company's missions, by status."""
    status = query_text("statut", 20)
    status = status if status in MissionStatus.values() else None
    company_id = current_user.company_id
    rows = queries.company_missions(db.session, company_id, status)
    return render_template(
        "sme/missions.html", missions=rows, status=status,
        counts=queries.status_counts(db.session, company_id), labels=MISSION_STATUS_LABELS,
        waiting=queries.waiting_counts(db.session, [m.id for m in rows]),
    )


@bp.route("/missions/nouvelle", methods=["GET", "POST"])
def mission_new():
    """Step 1: the perimeter (tasks × hours × criticality × who does it today)."""
    if request.method == "GET":
        signals = sizing.parse_signal_codes(query_text("signaux", 400))
        if request.args.get("modele") == "exemple":
            lines = sizing.field_example()
        else:
            lines = [sizing.catalogue_line(code) for code in sizing.diagnose(signals).suggested_tasks]
        form = PerimeterForm(data={"lines": [_row(line) for line in lines], "signals": ",".join(signals)})
        if len(form.lines.entries) < len(lines) + 2:
            _add_rows(form)
        return _render_perimeter(form)
    form = PerimeterForm()
    if request.form.get("action") == "add_rows":
        _add_rows(form)
        return _render_perimeter(form)
    done = submit(
        form,
        lambda: posting.create_draft(
            db.session, current_user.company, current_user, form.task_lines(),
            signals=sizing.parse_signal_codes(form.signals.data),
        ),
        success="Périmètre enregistré. Voici le volume que nous recommandons : complétez la mission.",
    )
    if done:
        return redirect(url_for("sme.mission_edit", mission_id=done.value.id))
    return _render_perimeter(form, status=422)


@bp.route("/missions/<int:mission_id>/perimetre", methods=["GET", "POST"])
def mission_perimeter(mission_id: int):
    """Change the perimeter of a draft or a published mission (applicants are told)."""
    mission = get_scoped_or_404(Mission, mission_id)
    if not posting.is_editable(mission):
        flash(posting.NOT_EDITABLE, "warning")
        return redirect(url_for("sme.mission", mission_id=mission.id))
    if request.method == "GET":
        form = PerimeterForm(data={"lines": [_row(line) for line in posting.task_lines(mission)]})
        _add_rows(form)
        return _render_perimeter(form, mission)
    form = PerimeterForm()
    if request.form.get("action") == "add_rows":
        _add_rows(form)
        return _render_perimeter(form, mission)
    done = submit(
        form,
        lambda: posting.replace_perimeter(db.session, mission, current_user, form.task_lines()),
        success=lambda volume: (f"Périmètre mis à jour : nous recommandons "
                                f"{sizing.days_label(volume.recommended_half_days)} par semaine."),
    )
    if done:
        return redirect(url_for("sme.mission_edit", mission_id=mission.id))
    return _render_perimeter(form, mission, status=422)


def _form_data(mission: Mission) -> dict:
    data = posting.data_from_mission(mission)
    catalogue = [t for t in data.tools if t in TOOLS_CATALOGUE]
    return {
        "title": data.title,
        "description": data.description,
        "days_per_week": str(data.half_days_per_week),
        "flexible_weekdays": data.flexible_weekdays,
        "weekdays": data.weekdays,
        "work_mode": data.work_mode,
        "onsite_days_per_week": data.onsite_days_per_week,
        "site_city": data.site_city,
        "start_date": data.start_date,
        "budget": data.max_daily_rate_cents,
        "min_years_experience": data.min_years_experience,
        **{f"min_{code}": str(level) for code, level in data.levels.items()},
        "tools": catalogue,
        "other_tools": ", ".join(t for t in data.tools if t not in catalogue),
        "non_compete": data.non_compete,
        "spending_threshold": data.spending_threshold_cents,
        "kpis": data.kpis,
    }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _mission_data(form: MissionForm) -> posting.MissionData:
    tools = list(form.tools.data or []) + [t for t in (form.other_tools.data or "").split(",") if t.strip()]
    levels = {}
    for code in SKILL_CODES:
        level = _int_or_none(getattr(form, f"min_{code}").data)
        levels[code] = -1 if level is None else level
    return posting.MissionData(
        title=form.title.data or "",
        description=form.description.data or "",
        half_days_per_week=_int_or_none(form.days_per_week.data),
        flexible_weekdays=bool(form.flexible_weekdays.data),
        weekdays=list(form.weekdays.data or []),
        work_mode=form.work_mode.data or "",
        onsite_days_per_week=form.onsite_days_per_week.data,
        site_city=form.site_city.data or "",
        start_date=form.start_date.data,
        max_daily_rate_cents=form.budget.data,
        min_years_experience=form.min_years_experience.data,
        levels=levels,
        tools=tools,
        non_compete=bool(form.non_compete.data),
        spending_threshold_cents=form.spending_threshold.data,
        kpis=[{"code": e.form.code.data, "label": e.form.label.data, "target": e.form.target.data} for e in form.kpis.entries],
    )


def _render_edit(mission: Mission, form: MissionForm, status: int = 200):
    return render_template(
        "sme/mission_form.html", mission=mission, form=form, volume=posting.volume_for(mission),
        today=today(), told=queries.told_of_changes_count(db.session, mission.id),
    ), status


def _edit_message(version) -> str:
    if version is None:
        return "Aucun changement à enregistrer."
    if version.material:
        return "Modifications enregistrées. Les candidats en cours ont été prévenus par e-mail de ce qui a changé."
    return "Modifications enregistrées (sans changement des conditions : les candidats ne sont pas relancés)."


@bp.route("/missions/<int:mission_id>/modifier", methods=["GET", "POST"])
def mission_edit(mission_id: int):
    """Step 2: the mission itself, with the recommended volume; « Aperçu » saves the draft and shows it."""
    mission = get_scoped_or_404(Mission, mission_id)
    if not posting.is_editable(mission):
        flash(posting.NOT_EDITABLE, "warning")
        return redirect(url_for("sme.mission", mission_id=mission.id))
    if request.method == "GET":
        return _render_edit(mission, MissionForm(data=_form_data(mission)))
    form = MissionForm()
    if form.validate():
        if mission.status == MissionStatus.DRAFT.value:
            previewing = request.form.get("action") == "preview"
            done = attempt(
                lambda: posting.update(db.session, mission, current_user, _mission_data(form), today()), form=form,
                success=None if previewing else "Brouillon enregistré. Passez à l'aperçu pour publier la mission.",
            )
            if done:
                return redirect(url_for("sme.mission_preview" if previewing else "sme.mission_edit",
                                        mission_id=mission.id))
        else:
            before = versions.latest(db.session, mission)
            done = attempt(
                lambda: posting.update(db.session, mission, current_user, _mission_data(form), today()), form=form,
            )
            if done:
                after = versions.latest(db.session, mission)
                flash(_edit_message(after if after is not None and after is not before else None), "success")
                return redirect(url_for("sme.mission", mission_id=mission.id))
    else:  # the service's refusals join the form's, so every error shows in this one answer
        submit(form, lambda: posting.update(db.session, mission, current_user, _mission_data(form), today()),
               valid=False)
    return _render_edit(mission, form, status=422)


@bp.route("/missions/<int:mission_id>/apercu")
def mission_preview(mission_id: int):
    """The draft as office managers will read it, with how many fit today; « Publier » is here only."""
    draft = get_scoped_or_404(Mission, mission_id)
    if draft.status != MissionStatus.DRAFT.value:
        return redirect(url_for("sme.mission", mission_id=draft.id))
    return _render_mission(draft, preview=True)


@bp.route("/missions/<int:mission_id>/dupliquer", methods=["POST"])
def mission_duplicate(mission_id: int):
    """A new draft pre-filled from this mission (any status)."""
    mission = get_scoped_or_404(Mission, mission_id)
    if not ActionForm().validate():
        return redirect(url_for("sme.mission", mission_id=mission.id))
    done = attempt(lambda: posting.duplicate(db.session, mission, current_user),
                   success="Copie créée en brouillon : ajustez-la, puis passez à l'aperçu pour la publier.")
    if done:
        return redirect(url_for("sme.mission_edit", mission_id=done.value.id))
    return redirect(url_for("sme.mission", mission_id=mission.id))


@bp.route("/missions/<int:mission_id>")
def mission(mission_id: int):
    """One mission: summary, perimeter, applications, recommended freelancers, actions."""
    found = get_scoped_or_404(Mission, mission_id)
    if found.status == MissionStatus.DRAFT.value:
        return redirect(url_for("sme.mission_preview", mission_id=found.id))
    return _render_mission(found)


def _render_mission(mission: Mission, *, preview: bool = False):
    recommended, potential = [], None
    if mission.status == MissionStatus.PUBLISHED.value:
        taken = queries.applicant_ids(db.session, mission.id)
        recommended = matching.recommended(db.session, mission, RECOMMENDED_COUNT, exclude_ids=taken)
    elif mission.status == MissionStatus.DRAFT.value and mission.perimeter:
        potential = len(matching.rank_freelancers(db.session, mission, 200))
    return render_template(
        "sme/mission.html", mission=mission, volume=posting.volume_for(mission),
        counts=queries.application_counts(db.session, mission.id),
        recommended=recommended, potential=potential,
        action_form=ActionForm(), invite_form=InviteForm(),
        accepted=queries.accepted_application(db.session, mission.id),
        preview=preview, versions=versions.history(db.session, mission),
        duplicate_form=ActionForm(),
    )


@bp.route("/missions/<int:mission_id>/publier", methods=["POST"])
def mission_publish(mission_id: int):
    """Publish a draft; if something is missing, the form opens with each problem beside its field."""
    mission = get_scoped_or_404(Mission, mission_id)
    if not ActionForm().validate():
        return redirect(url_for("sme.mission", mission_id=mission.id))
    form = MissionForm(formdata=None, data=_form_data(mission))
    done = attempt(
        lambda: posting.publish(db.session, mission, current_user, today()),
        form=form if mission.status == MissionStatus.DRAFT.value else None,
        success="Votre mission est publiée : les office managers qui correspondent peuvent candidater.",
    )
    if not done and mission.status == MissionStatus.DRAFT.value:
        flash(_("Complétez la mission avant de la publier : les points à revoir sont signalés."), "warning")
        return _render_edit(mission, form, status=422)
    return redirect(url_for("sme.mission", mission_id=mission.id))


@bp.route("/missions/<int:mission_id>/cloturer", methods=["GET", "POST"])
def mission_close(mission_id: int):
    """Close a draft or a published mission, with a reason."""
    mission = get_scoped_or_404(Mission, mission_id)
    form = CloseMissionForm()
    open_count = queries.open_application_count(db.session, mission.id)
    if form.is_submitted():
        told = " Les candidats en attente ont été prévenus." if open_count else ""
        done = submit(
            form, lambda: posting.close(db.session, mission, current_user, form.reason.data or "", form.details.data or ""),
            success=f"Mission clôturée.{told}", category="info",
        )
        if done:
            return redirect(url_for("sme.mission", mission_id=mission.id))
    status = 422 if form.errors or form.all_form_errors else 200
    return render_template("sme/mission_close.html", mission=mission, form=form, open_count=open_count), status


@bp.route("/missions/<int:mission_id>/pourvue", methods=["POST"])
def mission_fill(mission_id: int):
    """Mark a published mission as filled (an application has been accepted)."""
    mission = get_scoped_or_404(Mission, mission_id)
    if ActionForm().validate():
        attempt(lambda: posting.mark_filled(db.session, mission, current_user),
                success="Mission pourvue. Les autres candidats ont été prévenus.")
    return redirect(url_for("sme.mission", mission_id=mission.id))
