"""Matching as the application sees it, over the pure library ``marketplace.matching``.

* :mod:`.facade` — eligibility, scores, rankings, snapshots, retraining: the one entry
  point of pages, the API, jobs and the CLI;
* :mod:`.store` — the fitted models, kept in the database so every machine sees them;
* :mod:`.jobs` — the nightly refit; :mod:`.subscribers` — keeping the index fresh.
"""
