"""French formats for the UI: money, dates, weekdays, numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import phonenumbers

from marketplace.domain import SECTORS, WEEKDAY_LABELS, WEEKDAYS

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"  # no-break space: between a figure and its unit (480 €, 13,5 %)
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def group_thousands(number: int) -> str:
    """``1234567`` → ``1 234 567`` with narrow no-break spaces."""
    sign = "-" if number < 0 else ""
    digits = f"{abs(number):,}".replace(",", NNBSP)
    return sign + digits


def money(cents: int | None, *, with_cents: bool = True) -> str:
    """Integer cents as French euros: ``123456`` → ``1 234,56 €``."""
    if cents is None:
        return "—"
    if not with_cents:
        euros = (Decimal(cents) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{group_thousands(int(euros))}{NBSP}€"
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{group_thousands(euros)},{rest:02d}{NBSP}€"


def euros(cents: int | None) -> str:
    """Whole euros when the amount has no cents (``46000`` → ``460 €``)."""
    if cents is None:
        return "—"
    return money(cents, with_cents=cents % 100 != 0)


def decimal_fr(value: Decimal | float | int, places: int = 1) -> str:
    """A number with a French decimal comma, trailing zeros dropped: 1.5 → ``1,5``."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent(rate: Decimal | float, places: int = 1) -> str:
    """A rate as a French percentage: ``Decimal('0.135')`` → ``13,5 %``."""
    return f"{decimal_fr(Decimal(str(rate)) * 100, places)}{NBSP}%"


def date_fr(value: date | datetime | None) -> str:
    """``23/11/2026``; timestamps are first converted to Europe/Paris."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def datetime_fr(value: datetime | None) -> str:
    """``23/11/2026 à 14:05`` in Europe/Paris."""
    if value is None:
        return "—"
    local = value.astimezone(PARIS)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def month_fr(value: date) -> str:
    """``novembre 2026``."""
    return f"{MONTHS_FR[value.month - 1]} {value.year}"


def join_fr(items) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


# Names whose h is mute take the elision (« d'Hôtel Lutetia »); most names' h is sounded.
_MUTE_H = ("hôtel", "hotel", "hôpital", "hopital", "habitat", "histoire", "homme", "horizon", "hélène", "hugo", "humain")


def de(name: str) -> str:
    """« de » + a name, elided before a vowel or a mute h: « d'Atelier Lumen », « de Bureau Vert »."""
    name = (name or "").strip()
    first = name[:1].lower()
    second = name[1:2].lower()
    elide = (
        first in "aàâäeéèêëiîïoôöuùûüœæ"
        or (first == "y" and second not in "aeiouy")  # « d'Yves », but « de Yoplait »
        or (first == "h" and name.lower().startswith(_MUTE_H))
    ) and first != ""
    return f"d'{name}" if elide else f"de {name}"


def plural_fr(count: float, singular: str, plural: str) -> str:
    """The French form for ``count`` (below two is singular: « 0 profil », « 1,5 jour », « 2 profils »),
    for texts stored in French (check summaries, job reports); what a reader sees goes through ngettext."""
    return singular if abs(count) < 2 else plural


def weekdays_fr(codes) -> str:
    """``["tue", "thu"]`` → ``mardi et jeudi`` (in week order); none → flexible days."""
    wanted = set(codes)
    labels = [WEEKDAY_LABELS[c] for c in WEEKDAYS if c in wanted]
    return join_fr(labels) if labels else "jours flexibles"


def days_fr(days: float) -> str:
    """``1 jour``, ``1,5 jour``, ``2 jours``."""
    return f"{decimal_fr(days)} jour" + ("s" if days >= 2 else "")


def years_fr(count: int) -> str:
    """``1 an``, ``11 ans``."""
    return f"{count} an" + ("s" if count >= 2 else "")


def sector_fr(code: str) -> str:
    """Label of a sector code; an unknown code is made readable (``agence_web`` → ``agence web``)."""
    return SECTORS.get(code, code.replace("_", " "))


def format_phone(value: str | None, region: str = "FR") -> str:
    """A stored number as people write it: « 06 11 22 33 44 » in France, « +32 470 12 34 56 » abroad.

    A value that is not a number (typed before numbers were checked) is shown as it is.
    """
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def register_filters(app) -> None:
    """Expose the formats to Jinja templates."""
    app.jinja_env.filters.update(
        money=money,
        euros=euros,
        decimal_fr=decimal_fr,
        percent=percent,
        date_fr=date_fr,
        datetime_fr=datetime_fr,
        month_fr=month_fr,
        weekdays_fr=weekdays_fr,
        days_fr=days_fr,
        sector_fr=sector_fr,
        thousands=group_thousands,
        phone=format_phone,
    )
