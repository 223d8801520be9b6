"""Monthly activity reports (CRA): dates worked, sent, approved or disputed, corrected by versions.

* :mod:`.month` — the calendar of a contract's month (weekdays, public holidays, the cap);
* :mod:`.reports` — open, fill, send, approve, dispute, correct; the daily auto-approval;
* :mod:`.queries` — what lists and dashboards show.
"""
