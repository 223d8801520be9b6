"""Step 3: level and sub-skills in each dimension, and the tools (normalised)."""

from __future__ import annotations

import re
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.domain import (
    SKILL_CODES,
    SUB_SKILLS,
    TOOLS_CATALOGUE,
    fold,
    normalize_tools,
)
from marketplace.errors import DomainError
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.users import User
from marketplace.services.profiles.rules import MAX_TOOLS
from marketplace.services.profiles.steps import Edit, StepResult, announce_changes


def save_skills(
    session: Session,
    profile: FreelancerProfile,
    *,
    levels: dict[str, int | None],
    sub_skills: Iterable[str],
    tools: Iterable[str],
    actor: User | None = None,
) -> StepResult:
    """Level 0–5 per dimension, the sub-skills ticked, and the tools (normalised)."""
    edit = Edit(profile)
    for code in SKILL_CODES:
        level = levels.get(code)
        if level is None:
            continue
        if not 0 <= level <= 5:
            edit.fail(DomainError(_l("Choisissez un niveau entre 0 et 5."), f"level_{code}"))
        else:
            edit.set(f"skill_{code}", level)
    ticked = list(sub_skills or [])
    if any(code not in SUB_SKILLS for code in ticked):
        edit.fail(DomainError(_l("Choisissez les compétences dans la liste proposée."), "sub_skills"))
    else:
        ordered = [code for dim in SUB_SKILLS.values() for code, _ in dim.sub_skills]
        edit.set("sub_skills", [code for code in dict.fromkeys(ordered) if code in ticked])
    cleaned = normalize_tools(t for t in tools or [] if t and t.strip())
    if any(len(t) > 40 for t in cleaned):
        edit.fail(DomainError(_l("Le nom d'un outil ne peut pas dépasser 40 caractères."), "other_tools"))
    elif len(cleaned) > MAX_TOOLS:
        edit.fail(DomainError(_l("Indiquez %(MAX_TOOLS)s outils au plus.", MAX_TOOLS=MAX_TOOLS), "other_tools"))
    else:
        edit.set("tools", cleaned)
    announce_changes(session, profile, edit.result.changed, actor or profile.user)
    return edit.result


def parse_tools(text: str) -> list[str]:
    """Tools typed as free text, separated by commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]




def tool_suggestions(profile: FreelancerProfile) -> list[str]:
    """The free (non-catalogue) tools of a profile, as typed in the "other tools" field."""
    catalogue = {fold(t) for t in TOOLS_CATALOGUE}
    return [t for t in profile.tools or [] if fold(t) not in catalogue]
