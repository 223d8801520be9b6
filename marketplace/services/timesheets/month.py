"""The month of a contract as the CRA calendar shows it: weekdays, public holidays, what may be declared.

French public holidays come from the ``holidays`` package (France, without the Alsace-
Moselle extras). A date may be declared when it is a Monday–Friday, not a public
holiday, and inside the contract's period; the month allows as many half days as the
contract's weekly slots fall on such dates (the terms in force on each date).
"""

from __future__ import annotations

import calendar as _calendar  # the standard library
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from marketplace.domain import HALVES, WEEKDAY_LABELS, WEEKDAYS
from marketplace.models.contracts import Contract
from marketplace.services.contracts.queries import terms_on
from marketplace.services.contracts.terms import slots_to_week


@lru_cache(maxsize=32)
def public_holidays(year: int) -> dict[date, str]:
    """France's public holidays of ``year``, named in French."""
    return dict(holidays.France(years=year, language="fr"))


def holiday_name(day: date) -> str | None:
    return public_holidays(day.year).get(day)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=_calendar.monthrange(month.year, month.month)[1])


def previous_month(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def working_days_after(start: date, count: int) -> date:
    """The date ``count`` working days (Monday–Friday, not public holidays) after ``start``."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and holiday_name(day) is None:
            count -= 1
    return day


@dataclass(frozen=True)
class CalendarDay:
    day: date
    weekday: str | None          # "mon"… or None on week-ends
    in_period: bool              # inside the contract's start and end dates
    holiday: str | None          # the public holiday's name
    planned_half_days: int       # 0, 1 or 2: the contract's slots on this weekday

    @property
    def declarable(self) -> bool:
        return self.weekday is not None and self.in_period and self.holiday is None

    @property
    def label(self) -> str:
        return f"{WEEKDAY_LABELS[self.weekday]} {self.day.day}" if self.weekday else str(self.day.day)


def month_days(contract: Contract, month: date) -> list[CalendarDay]:
    """Every date of ``month`` for ``contract``'s calendar."""
    days = []
    for number in range(1, month_end(month).day + 1):
        day = month.replace(day=number)
        weekday = WEEKDAYS[day.weekday()] if day.weekday() < 5 else None
        in_period = contract.start_date <= day and (contract.end_date is None or day <= contract.end_date)
        planned = 0
        if weekday is not None and in_period:
            week = slots_to_week(terms_on(contract, day).slots)
            planned = sum(1 for half in HALVES if week.has(weekday, half))
        days.append(CalendarDay(day, weekday, in_period, holiday_name(day), planned))
    return days


def allowed_half_days(days: list[CalendarDay]) -> int:
    """The most half days the month allows: the contract's slots on the declarable dates."""
    return sum(d.planned_half_days for d in days if d.declarable)
