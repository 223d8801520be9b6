"""Constants of payments: reminder stages, the aged balance, what a payment method may be."""

from __future__ import annotations

# Late-payment reminders: on the due date, then 7 and 15 days after it.
REMINDER_STAGES: dict[str, int] = {"due": 0, "d7": 7, "d15": 15}
# The aged balance: days past the due date.
AGED_BUCKETS: tuple[tuple[str, int, int | None], ...] = (("0–30 jours", 0, 30), ("31–60 jours", 31, 60),
                                                          ("Plus de 60 jours", 61, None))
METHOD_TYPES = ("card", "sepa_debit")
MAX_REASON = 2_000
