"""Rules of accounts: passwords, reset links, team invitations."""

from __future__ import annotations

from datetime import timedelta

MIN_PASSWORD_LENGTH = 12
# Longer than any passphrase, short enough that hashing it costs nothing special.
MAX_PASSWORD_LENGTH = 200
# Signs password-reset tokens (with the secret key); changing it voids every link in flight.
RESET_SALT = "password-reset"
INVITATION_LIFETIME = timedelta(days=7)
MAX_PENDING_INVITATIONS = 20
