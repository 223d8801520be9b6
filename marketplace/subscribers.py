"""Every module that connects handlers to ``marketplace.events`` is imported here once."""

import marketplace.services.matching  # noqa: F401  (profile/booking changes refresh matching)
import marketplace.services.vetting.subscribers  # noqa: F401  (submissions and edits re-run vetting checks)
import marketplace.services.hiring  # noqa: F401  (a new application e-mails the company's owners)
