"""Deadlines of a loss or theft (21 CFR 1301.76(b)): DEA notified in writing within one
business day of discovery, DEA Form 106 within 45 days. Pure functions of the discovery time;
business days skip weekends and US federal holidays (with their observed dates)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

FORM_106_DAYS = 45


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    # A Saturday holiday is observed on the Friday before, a Sunday one on the Monday after.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[dt.date]:
    mon, thu = 0, 3
    fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)]
    days = {_observed(dt.date(year, m, d)) for m, d in fixed}
    days |= {
        _nth_weekday(year, 1, mon, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, mon, 3),  # Washington's Birthday
        _last_weekday(year, 5, mon),  # Memorial Day
        _nth_weekday(year, 9, mon, 1),  # Labor Day
        _nth_weekday(year, 10, mon, 2),  # Columbus Day
        _nth_weekday(year, 11, thu, 4),  # Thanksgiving
    }
    # Next year's New Year's Day observed on Dec 31 of this year.
    days.add(_observed(dt.date(year + 1, 1, 1)))
    return frozenset(days)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def dea_notification_due(discovered_at: dt.datetime) -> dt.datetime:
    """The end of the business day after the day of discovery, in the discovery's time zone."""
    day = next_business_day(discovered_at.date())
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=discovered_at.tzinfo)


def form_106_due(discovered_at: dt.datetime) -> dt.date:
    return discovered_at.date() + dt.timedelta(days=FORM_106_DAYS)
