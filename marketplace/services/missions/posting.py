"""Missions on the SME side: a draft from a perimeter, edited, published, duplicated, closed or filled.

A published mission may still be edited: each edit is kept as a version and the
applicants are told of material changes (see :mod:`.versions`). A filled or closed
mission no longer changes; it can be duplicated into a new draft.

Every change sends ``events.mission_changed`` and is written to the audit log. The
rules on a mission's content (weekdays against days/week, budget, start date, work
mode, KPIs…) are checked here once, all together, so a form can show every problem
beside its field; nothing is saved while one remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Sequence

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import utcnow
from marketplace.domain import (
    SECTORS,
    SKILL_CODES,
    SUB_SKILLS,
    WEEKDAYS,
    WorkMode,
    normalize_tools,
    weekdays_needed,
)
from marketplace.errors import DomainError
from marketplace.formatting import decimal_fr, euros
from marketplace.geo import find_commune
from marketplace.i18n import Later
from marketplace.models.companies import Company
from marketplace.models.missions import (
    DEFAULT_KPIS,
    DEFAULT_SPENDING_THRESHOLD_CENTS,
    Application,
    ApplicationStatus,
    Mission,
    MissionStatus,
    PerimeterLine,
)
from marketplace.models.users import User
from marketplace.platform import events
from marketplace.platform.audit import record
from marketplace.services.missions import hiring, versions
from marketplace.services.missions.rules import (
    CLOSE_REASONS,
    DEFAULT_BUDGET_CENTS,
    DEFAULT_MIN_YEARS,
    DEFAULT_TITLE,
    MAX_BUDGET_CENTS,
    MAX_MIN_YEARS,
    MAX_SPENDING_THRESHOLD_CENTS,
    MAX_START_DAYS_AHEAD,
    MAX_TASK_MINUTES,
    MAX_TASKS,
    MAX_TOOLS,
    MIN_BUDGET_CENTS,
    MIN_DESCRIPTION_LENGTH,
)
from marketplace.services.missions.sizing import (
    SIGNALS_BY_CODE,
    InvalidInput,
    TaskLine,
    VolumeRecommendation,
    raise_if_any,
    recommend_volume,
    suggested_levels,
)

# --- perimeter -------------------------------------------------------------------

def validate_perimeter(lines: Sequence[TaskLine]) -> None:
    """Each task named, timed and rated; at least one task (InvalidInput otherwise)."""
    if not lines:
        raise InvalidInput([DomainError(
            _l("Ajoutez au moins une tâche au périmètre : choisissez-la dans le catalogue ou décrivez-la, "
            "avec ses heures par mois."), "perimeter")])
    if len(lines) > MAX_TASKS:
        raise InvalidInput([DomainError(_l("Un périmètre compte au plus %(MAX_TASKS)s tâches.", MAX_TASKS=MAX_TASKS), "perimeter")])
    errors: list[DomainError] = []
    for index, line in enumerate(lines):
        prefix = f"lines-{index}-"
        if not line.task.strip():
            errors.append(DomainError(_l("Choisissez ou décrivez la tâche."), prefix + "label"))
        elif len(line.task) > 200:
            errors.append(DomainError(_l("200 caractères au plus."), prefix + "label"))
        if line.minutes_per_month is None or line.minutes_per_month <= 0:
            errors.append(DomainError(_l("Indiquez un nombre d'heures par mois supérieur à 0."), prefix + "hours"))
        elif line.minutes_per_month > MAX_TASK_MINUTES:
            errors.append(DomainError(_l("Une tâche ne peut pas dépasser 160 h par mois."), prefix + "hours"))
        if line.criticality not in (1, 2, 3, 4, 5):
            errors.append(DomainError(_l("La criticité va de 1 à 5."), prefix + "criticality"))
        if line.catalogue_code is not None and line.catalogue_code not in SUB_SKILLS:
            errors.append(DomainError(_l("Tâche inconnue du catalogue."), prefix + "task"))
        if line.dimension is not None and line.dimension not in SKILL_CODES:
            errors.append(DomainError(_l("Dimension inconnue."), prefix + "task"))
        if len(line.current_owner or "") > 120:
            errors.append(DomainError(_l("120 caractères au plus."), prefix + "owner"))
    raise_if_any(errors)


def _clean_line(line: TaskLine) -> TaskLine:
    dimension = line.dimension
    if line.catalogue_code:
        dimension = SUB_SKILLS[line.catalogue_code].code
    return TaskLine(
        task=line.task.strip(), minutes_per_month=line.minutes_per_month, criticality=line.criticality,
        current_owner=(line.current_owner or "").strip(), catalogue_code=line.catalogue_code, dimension=dimension,
    )


def task_lines(mission: Mission) -> list[TaskLine]:
    """The mission's perimeter as the sizing reads it."""
    return [
        TaskLine(task=p.task, minutes_per_month=p.minutes_per_month, criticality=p.criticality,
                 current_owner=p.current_owner, catalogue_code=p.catalogue_code, dimension=p.dimension)
        for p in mission.perimeter
    ]


def volume_for(mission: Mission) -> VolumeRecommendation | None:
    """The recommended volume for the mission's perimeter and its company's headcount."""
    lines = task_lines(mission)
    return recommend_volume(lines, mission.company.headcount) if lines else None


def _set_perimeter(mission: Mission, lines: Sequence[TaskLine]) -> None:
    mission.perimeter = [
        PerimeterLine(
            position=index, task=line.task, dimension=line.dimension, catalogue_code=line.catalogue_code,
            minutes_per_month=line.minutes_per_month, criticality=line.criticality,
            current_owner=line.current_owner,
        )
        for index, line in enumerate(lines)
    ]


def default_description(company: Company, lines: Sequence[TaskLine], signals: Sequence[str] = ()) -> str:
    """A first description from the perimeter and the diagnostic, for the SME to rewrite."""
    sector = SECTORS.get(company.sector, company.sector).lower()
    parts = [
        f"{company.legal_name}, {company.headcount} personnes ({sector}) à {company.city}.",
        "",
        "Nous cherchons un office manager senior pour prendre en charge :",
    ]
    for line in lines:
        hours = decimal_fr(line.minutes_per_month / 60)
        owner = f" (aujourd'hui : {line.current_owner})" if line.current_owner else ""
        parts.append(f"- {line.task} — {hours} h par mois{owner}")
    known = [SIGNALS_BY_CODE[code] for code in signals if code in SIGNALS_BY_CODE]
    if known:
        parts += ["", "Ce que nous constatons aujourd'hui :"]
        parts += [f"- {signal.label}" for signal in known]
    return "\n".join(parts)


def create_draft(
    session: Session, company: Company, actor: User, lines: Sequence[TaskLine], *, signals: Sequence[str] = ()
) -> Mission:
    """A draft mission from its perimeter, pre-filled from the sizing and the diagnostic."""
    validate_perimeter(lines)
    lines = [_clean_line(line) for line in lines]
    volume = recommend_volume(lines, company.headcount)
    mission = Mission(
        company=company,
        created_by=actor,
        title=DEFAULT_TITLE,
        description=default_description(company, lines, signals),
        half_days_per_week=volume.recommended_half_days,
        weekdays=[],
        work_mode=WorkMode.HYBRID.value,
        onsite_days_per_week=1,
        site_city=company.city,
        site_latitude=company.latitude,
        site_longitude=company.longitude,
        max_daily_rate_cents=DEFAULT_BUDGET_CENTS,
        min_years_experience=DEFAULT_MIN_YEARS,
        spending_threshold_cents=DEFAULT_SPENDING_THRESHOLD_CENTS,
        kpis=[dict(k) for k in DEFAULT_KPIS],
        status=MissionStatus.DRAFT.value,
    )
    for code, level in suggested_levels(lines).items():
        mission.set_min_level(code, level)
    _set_perimeter(mission, lines)
    session.add(mission)
    session.flush()
    record(session, actor, "mission.created", mission, details={
        "tasks": len(lines), "minutes_per_month": volume.minutes_per_month,
        "recommended_half_days": volume.recommended_half_days, "signals": list(signals),
    })
    events.mission_changed.send(session, mission=mission)
    return mission


def _require_draft(mission: Mission) -> None:
    if mission.status != MissionStatus.DRAFT.value:
        raise DomainError(_l("Cette mission est déjà publiée."))


def is_editable(mission: Mission) -> bool:
    """Drafts and published missions change; filled or closed ones are history."""
    return mission.status in (MissionStatus.DRAFT.value, MissionStatus.PUBLISHED.value)


NOT_EDITABLE = (
    "Une mission pourvue ou clôturée ne se modifie plus : elle reste telle que les candidats l'ont vue. "
    "Dupliquez-la pour publier un nouveau besoin."
)


def _begin_edit(session: Session, mission: Mission) -> dict[str, Any] | None:
    """Refuse a filled or closed mission; for a published one, lock it and return its snapshot."""
    if not is_editable(mission):
        raise DomainError(NOT_EDITABLE)
    if mission.status != MissionStatus.PUBLISHED.value:
        return None
    hiring.lock_mission(session, mission.id)  # two edits at once get consecutive version numbers
    if not is_editable(mission):
        raise DomainError(NOT_EDITABLE)
    return versions.snapshot(mission)


def replace_perimeter(session: Session, mission: Mission, actor: User, lines: Sequence[TaskLine]) -> VolumeRecommendation:
    """New perimeter for a draft or a published mission; dimensions it adds get their suggested level."""
    before = _begin_edit(session, mission)
    validate_perimeter(lines)
    lines = [_clean_line(line) for line in lines]
    _set_perimeter(mission, lines)
    for code, level in suggested_levels(lines).items():
        if mission.min_level(code) == 0:
            mission.set_min_level(code, level)
    session.flush()
    volume = recommend_volume(lines, mission.company.headcount)
    record(session, actor, "mission.perimeter_updated", mission, details={
        "tasks": len(lines), "minutes_per_month": volume.minutes_per_month,
        "recommended_half_days": volume.recommended_half_days,
    })
    if before is not None:
        versions.record_edit(session, mission, actor, before)
    events.mission_changed.send(session, mission=mission)
    return volume


# --- content ----------------------------------------------------------------------

@dataclass
class MissionData:
    """What the SME fills in about a mission (money in cents, days/week in half days)."""

    title: str = ""
    description: str = ""
    half_days_per_week: int | None = None
    flexible_weekdays: bool = False
    weekdays: list[str] = field(default_factory=list)
    work_mode: str = WorkMode.HYBRID.value
    onsite_days_per_week: int | None = None
    site_city: str = ""
    start_date: date | None = None
    max_daily_rate_cents: int | None = None
    min_years_experience: int | None = DEFAULT_MIN_YEARS
    levels: dict[str, int] = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    non_compete: bool = False
    spending_threshold_cents: int | None = DEFAULT_SPENDING_THRESHOLD_CENTS
    kpis: list[dict[str, Any]] = field(default_factory=list)


def data_from_mission(mission: Mission) -> MissionData:
    """The mission's current content, to fill a form or re-check before publishing."""
    return MissionData(
        title=mission.title,
        description=mission.description,
        half_days_per_week=mission.half_days_per_week,
        flexible_weekdays=not mission.weekdays,
        weekdays=list(mission.weekdays or []),
        work_mode=mission.work_mode,
        onsite_days_per_week=mission.onsite_days_per_week,
        site_city=mission.site_city,
        start_date=mission.start_date,
        max_daily_rate_cents=mission.max_daily_rate_cents,
        min_years_experience=mission.min_years_experience,
        levels={code: mission.min_level(code) for code in SKILL_CODES},
        tools=list(mission.tools or []),
        non_compete=mission.non_compete,
        spending_threshold_cents=mission.spending_threshold_cents,
        kpis=[dict(k) for k in mission.kpis or []],
    )


@dataclass
class _Checked:
    data: MissionData
    latitude: float | None = None
    longitude: float | None = None
    city: str = ""
    kpis: list[dict[str, Any]] = field(default_factory=list)


def check_mission_data(data: MissionData, today: date, *, kept_start: date | None = None) -> _Checked:
    """Every rule on a mission's content, all at once (InvalidInput lists each problem).

    ``kept_start``: a published mission's start date, which stays acceptable once past.
    """
    errors: list[DomainError] = []
    checked = _Checked(data)

    title = (data.title or "").strip()
    if len(title) < 5:
        errors.append(DomainError(_l("Donnez un titre à la mission (5 caractères au moins)."), "title"))
    elif len(title) > 160:
        errors.append(DomainError(_l("160 caractères au plus."), "title"))
    if len((data.description or "").strip()) < MIN_DESCRIPTION_LENGTH:
        errors.append(DomainError(
            _l("Décrivez la mission en quelques phrases (%(MIN_DESCRIPTION_LENGTH)s caractères au moins) : contexte, enjeux, ce que vous attendez.", MIN_DESCRIPTION_LENGTH=MIN_DESCRIPTION_LENGTH), "description"))

    half_days = data.half_days_per_week
    if half_days is None or not 1 <= half_days <= 10:
        errors.append(DomainError(_l("Choisissez un volume entre une demi-journée et 5 jours par semaine."), "days_per_week"))
        half_days = None
    raw_days = list(data.weekdays or [])
    days = sorted(set(raw_days), key=WEEKDAYS.index) if all(d in WEEKDAYS for d in raw_days) else []
    if len(days) != len(set(raw_days)):
        errors.append(DomainError(_l("Jour de la semaine inconnu."), "weekdays"))
    elif not data.flexible_weekdays and half_days is not None:
        wanted = weekdays_needed(half_days)
        if not days:
            errors.append(DomainError(_l("Choisissez les jours de présence, ou cochez « jours flexibles »."), "weekdays"))
        elif len(days) != wanted:
            if half_days % 2:
                message = lazy_ngettext(
                    "Pour %(days)s par semaine, choisissez %(num)s jour dont une demi-journée (vous en avez coché %(count)s), ou cochez « jours flexibles ».",
                    "Pour %(days)s par semaine, choisissez %(num)s jours dont une demi-journée (vous en avez coché %(count)s), ou cochez « jours flexibles ».",
                    wanted, days=Later(i18n.half_days, half_days), count=len(days))
            else:
                message = lazy_ngettext(
                    "Pour %(days)s par semaine, choisissez %(num)s jour (vous en avez coché %(count)s), ou cochez « jours flexibles ».",
                    "Pour %(days)s par semaine, choisissez %(num)s jours (vous en avez coché %(count)s), ou cochez « jours flexibles ».",
                    wanted, days=Later(i18n.half_days, half_days), count=len(days))
            errors.append(DomainError(message, "weekdays"))

    if data.work_mode not in WorkMode.values():
        errors.append(DomainError(_l("Choisissez sur site, hybride ou à distance."), "work_mode"))
    elif data.work_mode == WorkMode.HYBRID.value and half_days is not None:
        top = weekdays_needed(half_days)
        onsite = data.onsite_days_per_week
        if onsite is None or not 1 <= onsite <= top:
            errors.append(DomainError(
                lazy_ngettext("En hybride, indiquez entre 1 et %(num)s jour sur site par semaine.",
                              "En hybride, indiquez entre 1 et %(num)s jours sur site par semaine.", top),
                "onsite_days_per_week"))
    if data.work_mode in (WorkMode.ONSITE.value, WorkMode.HYBRID.value) or (data.site_city or "").strip():
        commune = find_commune((data.site_city or "").strip())
        if commune is None:
            errors.append(DomainError(
                _l("Ville inconnue : choisissez une commune dans la liste proposée.") if (data.site_city or "").strip() else _l("Indiquez la ville du lieu de travail."), "site_city"))
        else:
            checked.city, checked.latitude, checked.longitude = commune.name, commune.latitude, commune.longitude

    if data.start_date is None:
        errors.append(DomainError(_l("Indiquez la date de démarrage souhaitée."), "start_date"))
    elif data.start_date < today and data.start_date != kept_start:
        errors.append(DomainError(_l("La date de démarrage ne peut pas être dans le passé."), "start_date"))
    elif data.start_date > today + timedelta(days=MAX_START_DAYS_AHEAD):
        errors.append(DomainError(_l("La date de démarrage doit être dans les douze prochains mois."), "start_date"))

    budget = data.max_daily_rate_cents
    if budget is None or not MIN_BUDGET_CENTS <= budget <= MAX_BUDGET_CENTS:
        errors.append(DomainError(
            _l("Le budget (TJM maximum) doit être compris entre %(amount)s et %(amount2)s par jour.", amount=euros(MIN_BUDGET_CENTS), amount2=euros(MAX_BUDGET_CENTS)), "budget"))
    if data.min_years_experience is None or not 0 <= data.min_years_experience <= MAX_MIN_YEARS:
        errors.append(DomainError(_l("Indiquez un nombre d'années entre 0 et %(MAX_MIN_YEARS)s.", MAX_MIN_YEARS=MAX_MIN_YEARS), "min_years_experience"))
    for code in SKILL_CODES:
        if data.levels.get(code, 0) not in range(0, 6):
            errors.append(DomainError(_l("Le niveau va de 0 à 5."), f"min_{code}"))
    if len(data.tools) > MAX_TOOLS:
        errors.append(DomainError(_l("%(MAX_TOOLS)s outils au plus.", MAX_TOOLS=MAX_TOOLS), "other_tools"))
    threshold = data.spending_threshold_cents
    if threshold is None or not 0 <= threshold <= MAX_SPENDING_THRESHOLD_CENTS:
        errors.append(DomainError(
            _l("Le seuil de délégation des dépenses doit être compris entre 0 € et 100 000 €."), "spending_threshold"))

    kpis = []
    for index, kpi in enumerate(data.kpis):
        label, target = (kpi.get("label") or "").strip(), (kpi.get("target") or "").strip()
        if not label and not target:
            continue
        if not label:
            errors.append(DomainError(_l("Nommez l'indicateur."), f"kpis-{index}-label"))
        elif not target:
            errors.append(DomainError(_l("Indiquez la cible (par exemple « ≥ 7/10 chaque trimestre »)."), f"kpis-{index}-target"))
        kpis.append({"code": kpi.get("code") or "custom", "label": label[:160], "target": target[:160]})
    if not kpis:
        errors.append(DomainError(_l("Gardez au moins un indicateur de réussite : il sera repris dans le contrat."), "kpis"))
    checked.kpis = kpis
    raise_if_any(errors)
    return checked


def update(session: Session, mission: Mission, actor: User, data: MissionData, today: date) -> Mission:
    """Save a draft's or a published mission's content; nothing changes if any rule fails.

    A published mission's edit is kept as a version; its applicants are e-mailed the
    material changes.
    """
    before = _begin_edit(session, mission)
    checked = check_mission_data(data, today, kept_start=mission.start_date if before is not None else None)
    mission.title = data.title.strip()
    mission.description = data.description.strip()
    mission.half_days_per_week = data.half_days_per_week
    mission.weekdays = [] if data.flexible_weekdays else sorted(set(data.weekdays), key=WEEKDAYS.index)
    mission.work_mode = data.work_mode
    needed = weekdays_needed(data.half_days_per_week)
    mission.onsite_days_per_week = {
        WorkMode.ONSITE.value: needed,
        WorkMode.REMOTE.value: 0,
    }.get(data.work_mode, data.onsite_days_per_week or 0)
    mission.site_city = checked.city
    mission.site_latitude = checked.latitude
    mission.site_longitude = checked.longitude
    mission.start_date = data.start_date
    mission.max_daily_rate_cents = data.max_daily_rate_cents
    mission.min_years_experience = data.min_years_experience
    for code in SKILL_CODES:
        mission.set_min_level(code, data.levels.get(code, 0))
    mission.tools = normalize_tools(data.tools)
    mission.non_compete = data.non_compete
    mission.spending_threshold_cents = data.spending_threshold_cents
    mission.kpis = checked.kpis
    session.flush()
    record(session, actor, "mission.updated", mission)
    if before is not None:
        versions.record_edit(session, mission, actor, before)
    events.mission_changed.send(session, mission=mission)
    return mission


def duplicate(session: Session, mission: Mission, actor: User) -> Mission:
    """A new draft of the same company, pre-filled from any of its missions (its perimeter too)."""
    suffix = " (copie)"
    lines = task_lines(mission)
    levels = {code: mission.min_level(code) for code in SKILL_CODES}
    copy = Mission(
        company=mission.company,
        created_by=actor,
        title=mission.title if mission.title.endswith(suffix) else mission.title[: 160 - len(suffix)] + suffix,
        description=mission.description,
        half_days_per_week=mission.half_days_per_week,
        weekdays=list(mission.weekdays or []),
        work_mode=mission.work_mode,
        onsite_days_per_week=mission.onsite_days_per_week,
        site_city=mission.site_city,
        site_latitude=mission.site_latitude,
        site_longitude=mission.site_longitude,
        start_date=mission.start_date,
        max_daily_rate_cents=mission.max_daily_rate_cents,
        min_years_experience=mission.min_years_experience,
        tools=list(mission.tools or []),
        non_compete=mission.non_compete,
        spending_threshold_cents=mission.spending_threshold_cents,
        kpis=[dict(k) for k in mission.kpis or []],
        status=MissionStatus.DRAFT.value,
    )
    session.add(copy)
    for code, level in levels.items():
        copy.set_min_level(code, level)
    _set_perimeter(copy, lines)
    session.flush()
    record(session, actor, "mission.duplicated", copy, details={"from_mission_id": mission.id})
    events.mission_changed.send(session, mission=copy)
    return copy


# --- life cycle ---------------------------------------------------------------------

def publish(session: Session, mission: Mission, actor: User, today: date) -> Mission:
    """Draft → published, once every rule holds (the start date may have passed since)."""
    _require_draft(mission)
    if not mission.perimeter:
        raise InvalidInput([DomainError(_l("Ajoutez au moins une tâche au périmètre avant de publier."), "perimeter")])
    check_mission_data(data_from_mission(mission), today)
    mission.status = MissionStatus.PUBLISHED.value
    mission.published_at = utcnow()
    session.flush()
    versions.record_published(session, mission, actor)
    record(session, actor, "mission.published", mission)
    events.mission_changed.send(session, mission=mission)
    return mission


def close_reason_text(code: str, details: str = "") -> str:
    """The stored reason: the chosen label, then the SME's words."""
    label = CLOSE_REASONS[code]
    details = (details or "").strip()
    return f"{label} : {details}" if details else label


def close(session: Session, mission: Mission, actor: User, reason_code: str, details: str = "") -> Mission:
    """Close a draft or a published mission with a reason; open applications are told."""
    if mission.status not in (MissionStatus.DRAFT.value, MissionStatus.PUBLISHED.value):
        raise DomainError(_l("Cette mission est déjà pourvue ou clôturée."))
    errors = []
    if reason_code not in CLOSE_REASONS:
        errors.append(DomainError(_l("Choisissez la raison de la clôture."), "reason"))
    if reason_code == "other" and not (details or "").strip():
        errors.append(DomainError(_l("Précisez la raison de la clôture."), "details"))
    elif len(details or "") > 1000:
        errors.append(DomainError(_l("1 000 caractères au plus."), "details"))
    raise_if_any(errors)
    hiring.close_open_applications(
        session, mission, actor,
        f"{mission.company.legal_name} a clôturé la mission « {mission.title} » sans la pourvoir. "
        "Merci pour votre intérêt.",
    )
    mission.status = MissionStatus.CLOSED.value
    mission.close_reason = close_reason_text(reason_code, details)
    mission.closed_at = utcnow()
    session.flush()
    record(session, actor, "mission.closed", mission, reason=mission.close_reason)
    events.mission_changed.send(session, mission=mission)
    return mission


def mark_filled(session: Session, mission: Mission, actor: User) -> Mission:
    """Published → filled once an application is accepted; the other candidates are told."""
    if mission.status != MissionStatus.PUBLISHED.value:
        raise DomainError(_l("Seule une mission publiée peut être marquée comme pourvue."))
    accepted = session.scalar(
        select(Application.id).where(
            Application.mission_id == mission.id, Application.status == ApplicationStatus.ACCEPTED.value
        )
    )
    if accepted is None:
        raise DomainError(_l("Acceptez d'abord la candidature retenue : la mission sera alors pourvue."))
    hiring.close_open_applications(
        session, mission, actor,
        f"La mission « {mission.title} » a été pourvue. Merci pour votre candidature.",
    )
    mission.status = MissionStatus.FILLED.value
    # closed_at: when the mission stopped taking applications, whether filled or closed.
    mission.closed_at = utcnow()
    session.flush()
    record(session, actor, "mission.filled", mission, details={"application_id": accepted})
    events.mission_changed.send(session, mission=mission)
    return mission

