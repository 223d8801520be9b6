"""Payments: collecting from the SME, paying the freelancer out, reconciling.

* :mod:`.queries` — what the dashboards show.
"""
