"""Vetting of freelancers: automatic checks run as jobs, references, fraud signals, decisions.

* :mod:`.rules` — every threshold and delay in one configurable place;
* :mod:`.pipeline` — which checks a change invalidates, recorded pending and enqueued;
* :mod:`.checks` — identifiers and documents; :mod:`.references` — referee questionnaires;
  :mod:`.fraud` — duplicates and experience consistency; :mod:`.score` — the summary score;
* :mod:`.decisions` — the operator's actions; :mod:`.expiry` — the daily expiry run;
* :mod:`.console` — the read side of the admin console (queue, overview, calendar).

The score and the checks inform the operator; only an operator's decision changes a
profile's status.
"""
