"""What a new password must be: long enough, not common, not a pattern, not the person's own name.

Applied to every new or changed password (sign-up, team invitation, reset, change,
admin). The demo's printed passwords are set directly and only ever exist in the
embedded demo.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from typing import Iterable

from marketplace.errors import DomainError
from marketplace.services.accounts.rules import MIN_PASSWORD_LENGTH

# Rows of French and English keyboards, the alphabet and the digits: runs along them are patterns.
_RUNS = ("azertyuiopqsdfghjklmwxcvbn", "qwertyuiopasdfghjklzxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
         "abcdefghijklmnopqrstuvwxyz", "01234567890")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (French ones included), lower-cased."""
    text = (files("marketplace") / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _is_repetition(word: str) -> bool:
    """« abcabcabcabc », « 111111111111 », « motdepassemotdepasse »: one short unit repeated."""
    return any(len(word) % size == 0 and word == word[:size] * (len(word) // size) for size in range(1, len(word) // 2 + 1))


def _is_run(word: str) -> bool:
    """A stretch of a keyboard row, the alphabet or the digits, forwards or backwards."""
    return len(word) >= 4 and any(word in row or word in row[::-1] for row in _RUNS)


def problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused (French), or None when it may be used."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit comporter au moins {MIN_PASSWORD_LENGTH} caractères."
    folded = _fold(password)
    core = re.sub(r"\d+$", "", folded) or folded  # « motdepasse2026 » is « motdepasse »
    common = common_passwords()
    if folded in common or core in common or _is_repetition(folded) or _is_run(folded) or folded.isdigit():
        return "Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un autre."
    for word in personal:
        word = _fold(word or "")
        if len(word) >= 4 and word in folded:
            return "Le mot de passe ne doit pas contenir votre nom ni votre adresse e-mail."
    return None


def check(password: str, field: str = "password", *, personal: Iterable[str] = ()) -> None:
    """Refuse a weak password with a French message beside ``field``."""
    reason = problem(password, personal)
    if reason:
        raise DomainError(reason, field)
