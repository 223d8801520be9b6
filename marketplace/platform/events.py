"""Domain events: services announce what changed, other areas react.

Handlers run synchronously in the caller's transaction and receive the session as
sender; they record work (a job intent, a row) rather than doing slow things. This
keeps areas decoupled: the vetting re-runs its checks and the matcher refreshes its
index without the profile service knowing about either.

    from marketplace.platform import events
    events.profile_updated.send(session, profile=profile, fields={"siret"})

    @events.profile_updated.connect
    def _recheck(session, profile, fields): ...
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A freelancer submitted their profile for vetting. kwargs: profile
profile_submitted = _signals.signal("profile-submitted")
# Profile data changed. kwargs: profile, fields (set of attribute names)
profile_updated = _signals.signal("profile-updated")
# The vetting status changed (approved, rejected, suspended…). kwargs: profile, old, new
profile_status_changed = _signals.signal("profile-status-changed")
# A document was uploaded or replaced. kwargs: document
document_uploaded = _signals.signal("document-uploaded")
# A freelancer's booked weekdays changed (contract signed or ended). kwargs: freelancer_id
bookings_changed = _signals.signal("bookings-changed")
# A mission was created, edited, published or closed. kwargs: mission
mission_changed = _signals.signal("mission-changed")
# An application changed status (shortlisted, invited, hired, declined…). kwargs: application, old, new
application_status_changed = _signals.signal("application-status-changed")
# A contract changed status (drafted, signed, in notice, ended, abandoned). kwargs: contract, old, new, party
contract_status_changed = _signals.signal("contract-status-changed")
# A monthly activity report was approved (by the SME or the daily job). kwargs: timesheet
timesheet_approved = _signals.signal("timesheet-approved")
# An approved report was replaced by a new version (a correction). kwargs: old, new, reason
timesheet_replaced = _signals.signal("timesheet-replaced")
# An invoice was issued (by a billing run or a correction). kwargs: invoice
invoice_issued = _signals.signal("invoice-issued")
