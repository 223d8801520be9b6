"""Limits of missions and applications, and what each application status means.

The field figures of the diagnostic, the simulator and the perimeter sizing live
with their rules in :mod:`.sizing`.
"""

from __future__ import annotations

from datetime import timedelta

from marketplace.models.missions import ApplicationStatus

# --- missions -------------------------------------------------------------------------

MIN_BUDGET_CENTS = 10_000
MAX_BUDGET_CENTS = 200_000
DEFAULT_BUDGET_CENTS = 50_000
DEFAULT_MIN_YEARS = 7
MAX_MIN_YEARS = 40
MAX_SPENDING_THRESHOLD_CENTS = 10_000_000
MIN_DESCRIPTION_LENGTH = 50
MAX_TASKS = 40
MAX_TASK_MINUTES = 160 * 60
MAX_TOOLS = 25
MAX_START_DAYS_AHEAD = 365
DEFAULT_TITLE = "Office manager à temps partagé"

CLOSE_REASONS: dict[str, str] = {
    "cancelled": "Besoin abandonné ou reporté",
    "hired_elsewhere": "Poste pourvu en dehors de la plateforme",
    "budget": "Budget non validé",
    "no_match": "Aucun profil adapté",
    "other": "Autre raison",
}

# --- what an application's status means ---------------------------------------------------

# Open: neither side has closed it (an invitation waits for the freelancer).
OPEN_STATUSES = (
    ApplicationStatus.APPLIED.value,
    ApplicationStatus.SHORTLISTED.value,
    ApplicationStatus.INVITED.value,
)
# Waiting for the SME's decision: what dashboards count as « candidatures en attente ».
AWAITING_SME = (ApplicationStatus.APPLIED.value, ApplicationStatus.SHORTLISTED.value)
# Told by e-mail when a published mission changes materially: every application still alive.
TOLD_OF_CHANGES = (*OPEN_STATUSES, ApplicationStatus.ACCEPTED.value)
# Statuses the freelancer may still withdraw from (the SME has not decided yet).
WITHDRAWABLE = AWAITING_SME
# Statuses from which applying again updates the same application.
REAPPLICABLE = (ApplicationStatus.INVITED.value, ApplicationStatus.WITHDRAWN.value)

# --- messages and reminders -------------------------------------------------------------------

NOTE_MIN_CHARS = 20
NOTE_MAX_CHARS = 3000
MAX_MESSAGE_LENGTH = 2000
DEFAULT_DECLINE_MESSAGE = (
    "Bonjour,\n\nMerci pour votre candidature et le temps que vous y avez consacré. Nous avons retenu un profil "
    "plus proche de nos besoins actuels pour cette mission.\n\nBonne continuation,"
)
# An SME owner is reminded of applications waiting this long (one digest per day).
DIGEST_AFTER = timedelta(days=2)
DIGEST_TEMPLATE = "sme_applications_waiting"
