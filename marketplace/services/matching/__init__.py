"""Matching as the application sees it, over the pure library ``marketplace.matching``.

* :mod:`.facade` — eligibility, scores, rankings, snapshots, retraining: the one entry
  point of pages, the API, jobs and the CLI;
* :mod:`.store` — the fitted models, kept in the database so every machine sees them;
* :mod:`.snapshots` — the prepared indexes, kept in the database and mapped by every process;
* :mod:`.jobs` — the nightly refit and snapshot; :mod:`.subscribers` — keeping the index fresh.
"""
