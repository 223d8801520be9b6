"""Vetting of freelancers: automatic checks run as jobs, references, fraud signals, decisions.

* :mod:`.rules` — every threshold and delay in one configurable place;
* :mod:`.scheduling` — which checks a change invalidates, recorded pending and enqueued;
* :mod:`.running` — running a group of checks and storing its results (the job body);
* :mod:`.checks` — identifiers and documents; :mod:`.references` — referee questionnaires;
  :mod:`.fraud` — duplicates and experience consistency; :mod:`.score` — the summary score;
* :mod:`.decisions` — the operator's actions; :mod:`.expiry` — the daily expiry run;
* :mod:`.queries` — the read side of the admin console (queue, overview, calendar);
* :mod:`.jobs` — the jobs, by name; :mod:`.subscribers` — reactions to profile events;
  :mod:`.seed` — the demo's documents, answers, checks and decisions.

The score and the checks inform the operator; only an operator's decision changes a
profile's status.
"""
