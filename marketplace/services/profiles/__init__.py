"""The freelancer's profile, one module per editor step.

* :mod:`.rules` — limits and the fields the vetting reads;
* :mod:`.steps` — the editor's steps, a step's result, announcing changes;
* :mod:`.presentation`, :mod:`.experience`, :mod:`.skills`, :mod:`.location`,
  :mod:`.availability`, :mod:`.business`, :mod:`.mandate`, :mod:`.documents`,
  :mod:`.references` — one step each;
* :mod:`.submission` — completeness and submission to vetting;
* :mod:`.queries` — what the freelancer's pages show; :mod:`.seed` — demo profiles.

Each step saves what is valid and reports what is not, field by field, so a
half-finished step is kept and the freelancer only fixes the flagged fields. Once a
profile has been submitted, every change is announced with ``events.profile_updated``
(the vetting re-checks what it reads, the matcher refreshes); documents announce
themselves with ``events.document_uploaded``.
"""
