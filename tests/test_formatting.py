"""French formats shown in the UI."""

from datetime import UTC, date, datetime
from decimal import Decimal

from marketplace.domain import WeekSlots, normalize_tools
from marketplace.formatting import (
    NNBSP,
    date_fr,
    datetime_fr,
    days_fr,
    decimal_fr,
    euros,
    money,
    month_fr,
    percent,
    weekdays_fr,
)

NB = "\u00a0"


def test_money_is_french():
    assert money(123456) == f"1{NNBSP}234,56{NB}€"
    assert money(-5) == f"-0,05{NB}€"
    assert euros(46000) == f"460{NB}€"
    assert euros(4890000) == f"48{NNBSP}900{NB}€"
    assert euros(46050) == f"460,50{NB}€"


def test_dates_are_shown_in_paris_time():
    assert date_fr(date(2026, 11, 23)) == "23/11/2026"
    # 23:30 UTC on 23 November is already the 24th in Paris (UTC+1).
    assert date_fr(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == "24/11/2026"
    assert datetime_fr(datetime(2026, 7, 1, 12, 5, tzinfo=UTC)) == "01/07/2026 à 14:05"
    assert month_fr(date(2026, 10, 1)) == "octobre 2026"


def test_numbers_and_rates():
    assert decimal_fr(1.5) == "1,5"
    assert decimal_fr(2) == "2"
    assert percent(Decimal("0.135")) == f"13,5{NB}%"
    assert days_fr(1.5) == "1,5 jour"
    assert days_fr(2) == "2 jours"


def test_weekdays_in_week_order():
    assert weekdays_fr(["thu", "tue"]) == "mardi et jeudi"
    assert weekdays_fr(["mon", "wed", "fri"]) == "lundi, mercredi et vendredi"
    assert weekdays_fr([]) == "jours flexibles"


def test_week_slots_half_days():
    slots = WeekSlots.from_days(["tue"]) | WeekSlots.from_pairs([("thu", "am")])
    assert slots.full_days() == ["tue"]
    assert slots.half_days() == 3
    assert (slots - WeekSlots.from_days(["tue"])).pairs() == [("thu", "am")]


def test_tools_are_normalised_once():
    assert normalize_tools(["notion", "Notion ", "NOTION", "google workspace", "gsuite", "airtable"]) == [
        "Airtable", "Google Workspace", "Notion",
    ]
