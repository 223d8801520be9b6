"""Accounts: sign-up, log-in, passwords, SME teams, operator actions on accounts.

* :mod:`.operations` — sign-up as an SME or a freelancer, authentication, password reset;
* :mod:`.teams` — the SME owner's team invitations; :mod:`.admin` — operator actions;
* :mod:`.rules` — password and token rules; :mod:`.queries` — the operator's overview;
* :mod:`.seed` — the demo's accounts and companies, and the helpers every seed shares.
"""
