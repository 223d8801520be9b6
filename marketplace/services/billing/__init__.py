"""Invoices issued under the billing mandate, the platform's fee invoices, Factur-X.

* :mod:`.queries` — what the dashboards show, and what « to pay » means.
"""
