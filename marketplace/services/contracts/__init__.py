"""Scoping contracts: drafted on acceptance, negotiated in versions, signed, booked, amended, ended.

* :mod:`.terms` — the clauses as one value object: rules, wording checks, diff;
* :mod:`.negotiation` — drafting from an accepted application, proposals, acceptance, abandon;
* :mod:`.signing` — signatures, activation and the weekdays it books, amendments in force;
* :mod:`.documents` — the PDF to sign and the sealed signed PDF (jobs);
* :mod:`.ending` — notice, ends agreed by both, the daily job;
* :mod:`.vigilance` — the URSSAF certificate a large contract requires;
* :mod:`.satisfaction` — the quarterly survey and its averages;
* :mod:`.bookings` — the half days held by contracts (read by matching, availability, hiring);
* :mod:`.queries` — lists and what each contract page shows.
"""
