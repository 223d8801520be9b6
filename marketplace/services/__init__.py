"""Business rules, one package per area, every area with the same file roles.

``<area>/`` holds operation modules (plain functions taking a session and values; they
flush, never commit, and raise ``DomainError``), ``rules.py`` (constants and
thresholds), ``queries.py`` (every read a page shows, and what a status means),
``jobs.py`` (job bodies registered by name), ``subscribers.py`` (event handlers) and
``seed.py`` (demo data made through the area's own operations).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable


def load_areas(extra_modules: Iterable[str] = ()) -> None:
    """Import every area's jobs and event handlers: jobs get registered, handlers connected."""
    import marketplace.platform.jobs  # noqa: F401  (jobs.sweep)
    import marketplace.platform.mail  # noqa: F401  (mail.deliver)
    import marketplace.services.billing.jobs  # noqa: F401
    import marketplace.services.billing.subscribers  # noqa: F401
    import marketplace.services.contracts.jobs  # noqa: F401
    import marketplace.services.contracts.subscribers  # noqa: F401
    import marketplace.services.matching.jobs  # noqa: F401
    import marketplace.services.matching.subscribers  # noqa: F401
    import marketplace.services.messaging.jobs  # noqa: F401
    import marketplace.services.missions.jobs  # noqa: F401
    import marketplace.services.missions.subscribers  # noqa: F401
    import marketplace.services.payments.jobs  # noqa: F401
    import marketplace.services.payments.statement_jobs  # noqa: F401
    import marketplace.services.payments.subscribers  # noqa: F401
    import marketplace.services.privacy.jobs  # noqa: F401
    import marketplace.services.timesheets.jobs  # noqa: F401
    import marketplace.services.vetting.jobs  # noqa: F401
    import marketplace.services.vetting.subscribers  # noqa: F401

    for name in extra_modules:  # MARKETPLACE_JOB_MODULES: plugins, the test suite's sample jobs
        importlib.import_module(name)
