"""One entry point for every caller: web pages, JSON API, `rank-file`, benchmarks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from marketplace.matching.index import Match, ProfileIndex
from marketplace.matching.records import FreelancerRecord, MissionRecord, load_exchange

if TYPE_CHECKING:  # pragma: no cover
    from marketplace.matching.model import MatchModel, ModelSource

__all__ = ["rank", "rank_file", "rank_missions"]


def rank(
    missions: Iterable[MissionRecord],
    freelancers: Iterable[FreelancerRecord] | ProfileIndex,
    top: int = 20,
    *,
    model: MatchModel | ModelSource | None = None,
    explain: bool = True,
) -> dict[str, list[Match]]:
    """Best eligible freelancers for each mission, best first, at most `top` each.

    `freelancers` may be records (an index is built for the call) or a long-lived
    `ProfileIndex` the app keeps up to date.
    """
    index = freelancers if isinstance(freelancers, ProfileIndex) else ProfileIndex.build(freelancers, model)
    return {m.id: index.top_k(m, top, explain=explain) for m in missions}


def rank_file(path: str | Path, top: int = 20, *, model: MatchModel | ModelSource | None = None) -> dict:
    """Rank an exchange file: {"rankings": {mission id: [freelancer ids, best first]}}."""
    data = load_exchange(path)
    ranked = rank(data.missions, data.freelancers, top, model=model, explain=False)
    return {"rankings": {mid: [m.id for m in matches] for mid, matches in ranked.items()}}


def rank_missions(
    freelancer: FreelancerRecord | str,
    missions: Sequence[MissionRecord],
    k: int = 10,
    *,
    index: ProfileIndex | None = None,
    model: MatchModel | ModelSource | None = None,
    explain: bool = True,
) -> list[Match]:
    """ "Missions for you": the open missions this freelancer is eligible for, best first.

    Same constraints and same score as the SME side (one index row, scored against
    each mission); explanations are worded for the freelancer.
    """
    if index is None:
        if not isinstance(freelancer, FreelancerRecord):
            raise TypeError("pass a FreelancerRecord, or an id together with its index")
        index = ProfileIndex.build([freelancer], model)
    fid = freelancer.id if isinstance(freelancer, FreelancerRecord) else str(freelancer)
    return index.rank_missions(fid, missions, k, explain=explain, model=model)
