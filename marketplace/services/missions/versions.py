"""Versions of a published mission: what it said, what changed, who had to be told.

A mission keeps its first version when it is published; every later edit adds one
with the list of the fields that changed. A change to what an applicant signed up
for — weekdays, volume, budget, work mode or place, start date, scope — is
*material*: every applicant still in the running (applied, shortlisted, invited,
accepted) gets an e-mail with the change list, and sees it on their application
page. Other changes (a typo in the description, a KPI reworded) are only versioned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace import i18n
from marketplace.db import utcnow
from marketplace.domain import N_, SKILL_CODES, SKILL_LABELS, WORK_MODE_LABELS
from marketplace.formatting import date_fr, decimal_fr, euros, weekdays_fr
from marketplace.models.missions import Application, Mission, MissionVersion
from marketplace.models.users import User
from marketplace.platform import mail
from marketplace.platform.audit import record
from marketplace.platform.links import external_url
from marketplace.services.missions.rules import TOLD_OF_CHANGES
from marketplace.services.missions.sizing import days_label

# Field → French label, in the order a change list is shown.
FIELD_LABELS: dict[str, str] = {
    "half_days_per_week": N_("Volume"),
    "weekdays": N_("Jours de présence"),
    "max_daily_rate_cents": N_("Budget (TJM maximum)"),
    "work_mode": N_("Mode de travail"),
    "onsite_days_per_week": N_("Jours sur site"),
    "site_city": N_("Lieu de travail"),
    "start_date": N_("Date de démarrage"),
    "perimeter": N_("Périmètre"),
    "title": N_("Titre"),
    "description": N_("Description"),
    "min_years_experience": N_("Expérience minimum"),
    "levels": N_("Niveaux attendus"),
    "tools": N_("Outils"),
    "non_compete": N_("Non-concurrence"),
    "spending_threshold_cents": N_("Délégation de dépenses"),
    "kpis": N_("Indicateurs de réussite"),
}
# What an applicant agreed to: a change here is told to them.
MATERIAL_FIELDS = frozenset({
    "half_days_per_week", "weekdays", "max_daily_rate_cents", "work_mode", "onsite_days_per_week", "site_city",
    "start_date", "perimeter",
})


def snapshot(mission: Mission) -> dict[str, Any]:
    """The mission's fields as plain JSON (what a version keeps)."""
    return {
        "title": mission.title,
        "description": mission.description,
        "half_days_per_week": mission.half_days_per_week,
        "weekdays": list(mission.weekdays or []),
        "work_mode": mission.work_mode,
        "onsite_days_per_week": mission.onsite_days_per_week,
        "site_city": mission.site_city,
        "start_date": mission.start_date.isoformat() if mission.start_date else None,
        "max_daily_rate_cents": mission.max_daily_rate_cents,
        "min_years_experience": mission.min_years_experience,
        "levels": {code: mission.min_level(code) for code in SKILL_CODES},
        "tools": list(mission.tools or []),
        "non_compete": mission.non_compete,
        "spending_threshold_cents": mission.spending_threshold_cents,
        "kpis": [{"label": k.get("label", ""), "target": k.get("target", "")} for k in mission.kpis or []],
        "perimeter": [
            {"task": line.task, "minutes_per_month": line.minutes_per_month, "criticality": line.criticality}
            for line in mission.perimeter
        ],
    }


def _shown(name: str, value: Any, mission: Mission) -> str:
    """A field's value as a person reads it (French formats)."""
    if name == "half_days_per_week":
        return f"{days_label(value)} par semaine"
    if name == "weekdays":
        return weekdays_fr(value) if value else "jours flexibles"
    if name in ("max_daily_rate_cents",):
        return f"{euros(value)} par jour"
    if name == "spending_threshold_cents":
        return euros(value)
    if name == "work_mode":
        return str(WORK_MODE_LABELS.get(value, value))
    if name == "onsite_days_per_week":
        return f"{value} j par semaine"
    if name == "start_date":
        return date_fr(date.fromisoformat(value)) if value else "—"
    if name == "min_years_experience":
        return f"{value} ans"
    if name == "non_compete":
        return "oui" if value else "non"
    if name == "levels":
        asked = [f"{SKILL_LABELS[c]} {lvl}/5" for c, lvl in value.items() if lvl]
        return ", ".join(asked) or "aucun"
    if name == "tools":
        return ", ".join(value) or "aucun"
    if name == "kpis":
        return "; ".join(f"{k['label']} : {k['target']}" for k in value) or "aucun"
    if name == "perimeter":
        hours = sum(line["minutes_per_month"] for line in value) / 60
        tasks = len(value)
        return f"{tasks} tâche{'s' if tasks > 1 else ''}, {decimal_fr(hours)} h par mois"
    if name == "description":
        return f"{len(value)} caractères"
    return str(value or "—")


def diff(before: dict[str, Any], after: dict[str, Any], mission: Mission) -> list[dict[str, Any]]:
    """What changed between two snapshots, material changes first."""
    changes = []
    for name, label in FIELD_LABELS.items():
        if before.get(name) == after.get(name):
            continue
        if name == "onsite_days_per_week" and after.get("work_mode") != "hybrid" and before.get("work_mode") != "hybrid":
            continue  # derived from the work mode: said once, under « mode de travail »
        changes.append({
            "field": name, "label": label, "material": name in MATERIAL_FIELDS,
            "before": _shown(name, before.get(name), mission), "after": _shown(name, after.get(name), mission),
            "before_value": before.get(name), "after_value": after.get(name),
        })
    return sorted(changes, key=lambda c: not c["material"])


def _shown_here(name: str, value: Any) -> str:
    """A field's value in the current language (French formats stay French)."""
    if value is None or value == "":
        return "—"
    if name == "half_days_per_week":
        return gettext("%(days)s par semaine", days=i18n.days(value / 2))
    if name == "weekdays":
        return i18n.weekdays(value)
    if name == "max_daily_rate_cents":
        return gettext("%(amount)s par jour", amount=euros(value))
    if name == "spending_threshold_cents":
        return euros(value)
    if name == "work_mode":
        return i18n.work_mode(value)
    if name == "onsite_days_per_week":
        return gettext("%(days)s par semaine", days=i18n.days(value))
    if name == "start_date":
        return date_fr(date.fromisoformat(value))
    if name == "min_years_experience":
        return i18n.years(value)
    if name == "non_compete":
        return gettext("oui") if value else gettext("non")
    if name == "levels":
        asked = [f"{gettext(SKILL_LABELS[c])} {lvl}/5" for c, lvl in value.items() if lvl and c in SKILL_LABELS]
        return ", ".join(asked) or gettext("aucun")
    if name == "tools":
        return ", ".join(value) or gettext("aucun")
    if name == "kpis":
        return "; ".join(i18n.typography(f"{k['label']} : {k['target']}") for k in value) or gettext("aucun")
    if name == "perimeter":
        hours = sum(line["minutes_per_month"] for line in value) / 60
        return ngettext("%(num)s tâche, %(hours)s h par mois", "%(num)s tâches, %(hours)s h par mois", len(value),
                        hours=i18n.number(hours))
    if name == "description":
        return ngettext("%(num)s caractère", "%(num)s caractères", len(value))
    return str(value)


class _Shown:
    """A field's value, worded in the language current when it is shown (escaped like any text)."""

    def __init__(self, field: str, value: Any) -> None:
        self.field, self.value = field, value

    def __str__(self) -> str:
        return _shown_here(self.field, self.value)


def shown_change(change: dict[str, Any]) -> dict[str, Any]:
    """A stored change as the reader reads it: label and values in their language, worded when shown.

    Changes recorded before the raw values were kept show their French text.
    """
    def value(side: str):
        if f"{side}_value" not in change:
            return change.get(side, "")
        return _Shown(change["field"], change[f"{side}_value"])

    return {**change, "label": _l(change.get("label", "")), "before": value("before"), "after": value("after")}


def _next_number(session: Session, mission: Mission) -> int:
    return (session.scalar(select(func.max(MissionVersion.number)).where(MissionVersion.mission_id == mission.id)) or 0) + 1


def record_published(session: Session, mission: Mission, actor: User | None) -> MissionVersion:
    """Version 1 (or the next one): the content as published."""
    version = MissionVersion(
        mission=mission, number=_next_number(session, mission), author=actor, snapshot=snapshot(mission),
        changes=[], material=False,
    )
    session.add(version)
    session.flush()
    return version


def record_edit(
    session: Session, mission: Mission, actor: User, before: dict[str, Any], now: datetime | None = None
) -> MissionVersion | None:
    """Keep the edit of a published mission as a version; tell applicants of a material change.

    ``before`` is :func:`snapshot` taken before the edit. Nothing is kept when nothing
    changed. A mission published before versions existed gets its baseline first.
    """
    after = snapshot(mission)
    changes = diff(before, after, mission)
    if not changes:
        return None
    if _next_number(session, mission) == 1:
        session.add(MissionVersion(
            mission=mission, number=1, author=mission.created_by, snapshot=before, changes=[], material=False,
            created_at=mission.published_at or mission.created_at,
        ))
        session.flush()
    material = any(c["material"] for c in changes)
    version = MissionVersion(
        mission=mission, number=_next_number(session, mission), author=actor, snapshot=after, changes=changes,
        material=material, created_at=now or utcnow(),
    )
    session.add(version)
    session.flush()
    told = _tell_applicants(session, mission, version) if material else 0
    record(session, actor, "mission.revised", mission, details={
        "version": version.number, "fields": [c["field"] for c in changes], "material": material, "told": told,
    })
    return version


def _tell_applicants(session: Session, mission: Mission, version: MissionVersion) -> int:
    applications = session.scalars(
        select(Application).where(Application.mission_id == mission.id, Application.status.in_(TOLD_OF_CHANGES))
        .order_by(Application.id)
    ).all()
    told = 0
    for application in applications:
        user = application.freelancer.user
        if not user.active:
            continue
        told += 1
        mail.send(
            session, to=user.email, user_id=user.id, template="mission_changed",
            subject=_l("La mission « %(title)s » a changé", title=mission.title),
            application=application, mission=mission, company=mission.company, freelancer=application.freelancer,
            changes=version.material_changes, mission_url=external_url("freelancer.mission", mission_id=mission.id),
        )
    return told


def latest(session: Session, mission: Mission) -> MissionVersion | None:
    """The newest version of a mission (None before its first publication)."""
    return session.scalar(
        select(MissionVersion).where(MissionVersion.mission_id == mission.id)
        .order_by(MissionVersion.number.desc()).limit(1)
    )


def history(session: Session, mission: Mission) -> list[MissionVersion]:
    """Every version of a mission, newest first."""
    return list(session.scalars(
        select(MissionVersion).where(MissionVersion.mission_id == mission.id).order_by(MissionVersion.number.desc())
    ))


def changes_since_applied(session: Session, application: Application | None) -> list[MissionVersion]:
    """The material versions of the mission made since this application, oldest first.

    Only for applications still alive (the ones told by e-mail); [] otherwise.
    """
    if application is None or application.status not in TOLD_OF_CHANGES:
        return []
    return list(session.scalars(
        select(MissionVersion).where(
            MissionVersion.mission_id == application.mission_id, MissionVersion.material.is_(True),
            MissionVersion.created_at > application.created_at,
        ).order_by(MissionVersion.number)
    ))
