"""Pair features of (mission, freelancer), computed column-wise for many freelancers at once.

One function serves training, the index's top-K and the explanations, so the model
always sees the features it was fitted on. Inputs are NumPy columns already gathered
for the candidate rows; nothing here loops over profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marketplace.domain import SKILL_CODES, WorkMode

__all__ = ["FEATURE_NAMES", "FEATURE_GROUPS", "MODE_CODES", "Candidates", "MissionQuery", "pair_features"]

MODE_CODES = {WorkMode.ONSITE: 0, WorkMode.HYBRID: 1, WorkMode.REMOTE: 2}

# (name, explanation group). Groups are what the SME reads: one line per group.
_FEATURES: tuple[tuple[str, str], ...] = (
    ("exp_gap", "experience"),  # years minus the minimum asked, clipped
    ("exp_short", "experience"),  # years missing below the minimum
    ("exp_log", "experience"),  # log(1 + years): seniority in general
    ("skill_short_sum", "skills"),  # levels missing on the required dimensions
    ("skill_short_max", "skills"),
    ("skill_met_frac", "skills"),  # share of required dimensions at level
    ("skill_surplus_mean", "skills"),  # levels above what is asked
    ("skill_req_level", "skills"),  # mean level on the required dimensions
    ("skill_other_level", "skills"),  # mean level elsewhere: breadth
    ("need_skill_level", "skills"),  # mean level on the dimensions of the needs asked
    ("free_days_slack", "availability"),  # free weekdays beyond those needed
    ("max_days_slack", "availability"),  # weekly capacity beyond the volume asked
    ("tools_cov", "tools"),  # share of the mission's tools mastered
    ("tools_missing", "tools"),
    ("rate_ratio", "rate"),  # daily rate / budget
    ("rate_over", "rate"),
    ("rate_under", "rate"),
    ("mode_same", "work_mode"),
    ("distance_frac", "work_mode"),  # distance / mobility radius (on-site work)
    ("need_cov", "needs"),  # share of the needs asked shown in the bio
    ("need_missing", "needs"),
    ("need_dim_cov", "needs"),  # needs asked whose dimension the bio covers
    ("bio_needs", "needs"),  # breadth of projects shown
    ("text_sim", "needs"),  # TF-IDF cosine of description and bio
    ("mode_combo", "work_mode"),  # categorical: mission mode × freelancer mode
)
FEATURE_NAMES: tuple[str, ...] = tuple(name for name, _ in _FEATURES)
FEATURE_GROUPS: dict[str, str] = dict(_FEATURES)
CATEGORICAL = ("mode_combo",)
NUMERIC = tuple(n for n in FEATURE_NAMES if n not in CATEGORICAL)


@dataclass(frozen=True)
class MissionQuery:
    """A mission reduced to what the vectorised features need."""

    min_years: float
    required: np.ndarray  # (5,) required level per dimension, 0 = not asked
    need_dims: np.ndarray  # (5,) bool: dimensions of the needs in the text
    need_count: int
    needed_days: int
    half_days: int
    budget_cents: int
    tools_count: int
    mode: int


@dataclass(frozen=True)
class Candidates:
    """Columns of the candidate freelancers, gathered from the index."""

    years: np.ndarray  # (n,)
    skills: np.ndarray  # (n, 5)
    free_days: np.ndarray  # (n,) number of free weekdays
    max_half_days: np.ndarray  # (n,)
    tools_overlap: np.ndarray  # (n,) mission tools mastered
    rate_cents: np.ndarray  # (n,)
    mode: np.ndarray  # (n,)
    distance_frac: np.ndarray  # (n,) 0 for remote missions
    needs_covered: np.ndarray  # (n,) needs asked that the bio shows
    need_dims_covered: np.ndarray  # (n,) needs asked whose dimension the bio shows
    bio_needs: np.ndarray  # (n,)
    text_sim: np.ndarray  # (n,)


def pair_features(q: MissionQuery, c: Candidates) -> np.ndarray:
    """Feature matrix (n candidates × len(FEATURE_NAMES)), float64."""
    n = len(c.years)
    years = c.years.astype(np.float64)
    gap = years - q.min_years
    req_mask = q.required > 0
    n_req = int(req_mask.sum())
    skills = c.skills.astype(np.float64)
    if n_req:
        diff = skills[:, req_mask] - q.required[req_mask]
        short = np.clip(-diff, 0, None)
        skill_short_sum = short.sum(axis=1)
        skill_short_max = short.max(axis=1)
        skill_met = (diff >= 0).mean(axis=1)
        surplus = np.clip(diff, 0, None).mean(axis=1)
        req_level = skills[:, req_mask].mean(axis=1)
    else:  # nothing asked: nothing missing
        skill_short_sum = skill_short_max = surplus = np.zeros(n)
        skill_met = np.ones(n)
        req_level = skills.mean(axis=1)
    other = ~req_mask
    other_level = skills[:, other].mean(axis=1) if other.any() else np.zeros(n)
    need_level = skills[:, q.need_dims].mean(axis=1) if q.need_dims.any() else skills.mean(axis=1)
    if q.tools_count:
        tools_cov = c.tools_overlap / q.tools_count
        tools_missing = q.tools_count - c.tools_overlap
    else:
        tools_cov, tools_missing = np.ones(n), np.zeros(n)
    ratio = c.rate_cents / max(q.budget_cents, 1)
    if q.need_count:
        need_cov = c.needs_covered / q.need_count
        need_missing = q.need_count - c.needs_covered
        need_dim_cov = c.need_dims_covered / q.need_count
    else:
        need_cov, need_missing, need_dim_cov = np.ones(n), np.zeros(n), np.ones(n)
    columns = {
        "exp_gap": np.clip(gap, -10, 15),
        "exp_short": np.clip(-gap, 0, None),
        "exp_log": np.log1p(years),
        "skill_short_sum": skill_short_sum,
        "skill_short_max": skill_short_max,
        "skill_met_frac": skill_met,
        "skill_surplus_mean": surplus,
        "skill_req_level": req_level,
        "skill_other_level": other_level,
        "need_skill_level": need_level,
        "free_days_slack": c.free_days - q.needed_days,
        "max_days_slack": (c.max_half_days - q.half_days) / 2,
        "tools_cov": tools_cov,
        "tools_missing": tools_missing,
        "rate_ratio": ratio,
        "rate_over": np.clip(ratio - 1, 0, None),
        "rate_under": np.clip(1 - ratio, 0, None),
        "mode_same": (c.mode == q.mode).astype(np.float64),
        "distance_frac": c.distance_frac,
        "need_cov": need_cov,
        "need_missing": need_missing,
        "need_dim_cov": need_dim_cov,
        "bio_needs": c.bio_needs,
        "text_sim": c.text_sim,
        "mode_combo": (q.mode * 3 + c.mode).astype(np.float64),
    }
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in FEATURE_NAMES])


SKILL_COUNT = len(SKILL_CODES)
