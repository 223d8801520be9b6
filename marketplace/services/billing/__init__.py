"""Invoices issued under the billing mandate, the platform's fee invoices, Factur-X.

* :mod:`.document` — the plain, frozen description of an invoice or credit note and
  :func:`.document.totals` (integer cents, EN16931 rounding);
* :mod:`.facturx` — the CII XML (EN16931 profile) and the Factur-X PDF/A-3;
* :mod:`.validation` — XSD, EN16931 and BR-FR schematrons, as the e-invoicing platforms run them;
* :mod:`.queries` — what the dashboards show, and what « to pay » means.
"""
