"""Missions: sizing, posting, hiring, applications and the freelancer's opportunities.

* :mod:`.sizing` — the diagnostic, the cost simulator and the perimeter → volume rules;
* :mod:`.posting` — draft, edit, publish, close, fill a mission;
* :mod:`.hiring` — the SME's decisions on applications (shortlist, invite, decline, accept);
* :mod:`.applications` — the freelancer's side (apply, answer an invitation, withdraw);
* :mod:`.opportunities` — « missions pour vous » and one mission as a freelancer sees it;
* :mod:`.rules` — limits and what each application status means; :mod:`.queries` — the
  SME's pages; :mod:`.jobs`, :mod:`.subscribers`, :mod:`.seed`.
"""
