"""The matcher: hard constraints, then an explained score, for missions and freelancers.

Pure Python, NumPy, SciPy and scikit-learn: no Flask, no database. The app turns its
rows into records and calls the same functions from the web pages, the JSON API, the
jobs and the CLI.

    from marketplace.matching import FreelancerRecord, MissionRecord, ProfileIndex

    index = ProfileIndex.build(records)            # once per process, from the profiles
    index.upsert(record)                           # profile saved / vetting approved
    index.set_booked_weekdays(fid, ["tue", "thu"]) # contract signed or ended
    index.remove(fid)                              # profile suspended or deleted
    matches = index.top_k(mission, 20)             # SME: ranked, explained shortlist
    for_you = index.rank_missions(fid, open_missions, 10)  # freelancer: "missions pour vous"

    missions = MissionIndex.build(open_missions)   # open missions, analysed once
    for_you = missions.rank_for(index, fid, 10)    # same result, no loop over missions
    snapshot.write(path, snapshot.dump(index, missions))  # job: prepared indexes, versioned
    loaded = snapshot.load(path)                   # any process: memory-mapped, in milliseconds

    store = ModelStore(backend)                    # versions in the database (or a folder)
    store.refit(pairs_from_outcomes(outcomes))     # RQ job: all outcomes so far, idempotent

Modules: `records` (records, exchange format), `text` (French analysis, needs
taxonomy), `constraints` (hard rules, French reasons), `features` (pair features),
`model` (the scikit-learn model and its artifact), `training` (fitting,
cross-validation), `store` (versions, validated refit, atomic swap), `index`
(column-wise index, top-K), `missions` (the open missions, column-wise), `snapshot`
(the prepared indexes as one memory-mappable file), `explain` (French breakdowns), `ranking` (one entry
point), `evaluation` (metrics), `cli` (console commands).
"""

from marketplace.matching.constraints import exclusion_reason, is_eligible
from marketplace.matching.explain import Explanation, ExplanationItem
from marketplace.matching.index import (
    AnalysedText,
    Match,
    ProfileIndex,
    analyse_missions,
)
from marketplace.matching.missions import MissionIndex
from marketplace.matching.model import OUTCOME_GRADES, MatchModel, packaged_model
from marketplace.matching.ranking import rank, rank_file, rank_missions
from marketplace.matching.records import (
    FreelancerRecord,
    MissionRecord,
    dump_exchange,
    load_exchange,
)
from marketplace.matching.store import (
    DirectoryBackend,
    ModelBackend,
    ModelStore,
    RefitResult,
)
from marketplace.matching.text import extract_needs
from marketplace.matching.training import fit_model, pairs_from_outcomes

__all__ = [
    "OUTCOME_GRADES",
    "AnalysedText",
    "MissionIndex",
    "analyse_missions",
    "Explanation",
    "ExplanationItem",
    "FreelancerRecord",
    "Match",
    "MatchModel",
    "MissionRecord",
    "ModelBackend",
    "ModelStore",
    "DirectoryBackend",
    "ProfileIndex",
    "RefitResult",
    "packaged_model",
    "dump_exchange",
    "exclusion_reason",
    "extract_needs",
    "fit_model",
    "is_eligible",
    "load_exchange",
    "pairs_from_outcomes",
    "rank",
    "rank_file",
    "rank_missions",
]
