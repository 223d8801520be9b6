"""Monthly activity reports (CRA): days declared by the freelancer, approved by the SME.

* :mod:`.queries` — what the dashboards show.
"""
