"""French formatting of the figures the matcher shows (euros, weekdays, lists)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from marketplace.domain import SECTORS, WEEKDAY_LABELS, WEEKDAYS

NBSP = "\u202f"  # narrow no-break space: the French thousands separator


def format_eur(cents: int) -> str:
    """French display of an amount in cents: 123456 → "1 234,56 €", 48000 → "480 €"."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    whole = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{whole},{rest:02d} €" if rest else f"{sign}{whole} €"


def join_fr(items: Sequence[str]) -> str:
    """ "a", "a et b", "a, b et c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def weekdays_fr(days: Iterable[str]) -> str:
    """ "mardi et jeudi" for ("tue", "thu"), in week order."""
    wanted = set(days)
    return join_fr([WEEKDAY_LABELS[d] for d in WEEKDAYS if d in wanted])


def days_fr(count: float) -> str:
    """ "1 jour", "1,5 jour", "2 jours"."""
    text = f"{count:g}".replace(".", ",")
    return f"{text} jour" + ("s" if count >= 2 else "")


def years_fr(count: int) -> str:
    return f"{count} an" + ("s" if count >= 2 else "")


def sector_fr(code: str) -> str:
    """Label of a sector code; unknown codes are shown readable ("agence_web" → "agence web")."""
    return SECTORS.get(code, code.replace("_", " "))
