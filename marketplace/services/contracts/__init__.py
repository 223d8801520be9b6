"""Scoping contracts and the weekdays they book.

* :mod:`.bookings` — the half days held by active contracts (read by matching,
  availability and hiring).
"""
