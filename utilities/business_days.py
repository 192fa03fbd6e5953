"""Counting in business days: Monday to Friday, weekends skipped (the unit of every kickoff lead time), and,
for a company with a country, that country's public holidays (the `holidays` package) skipped too."""

import datetime
import functools
from collections.abc import Collection

import holidays

SATURDAY = 5
ONE_DAY = datetime.timedelta(days=1)
NO_DAYS_OFF: frozenset[datetime.date] = frozenset()


def is_business_day(day: datetime.date, days_off: Collection[datetime.date] = NO_DAYS_OFF) -> bool:
    return day.weekday() < SATURDAY and day not in days_off


def add_business_days(
    day: datetime.date, count: int, days_off: Collection[datetime.date] = NO_DAYS_OFF
) -> datetime.date:
    """The date `count` business days after `day` (before it when negative), `days_off` skipped too. From a
    weekend day, the first step lands on the nearest business day in that direction."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, days_off):
            remaining -= 1
    return day


def business_days_between(
    start: datetime.date, end: datetime.date, days_off: Collection[datetime.date] = NO_DAYS_OFF
) -> int:
    """Business days after `start` up to and including `end` (negative when `end` is earlier), less the weekdays
    among `days_off` in that span."""
    if end < start:
        return -business_days_between(end, start, days_off)
    weeks, extra = divmod((end - start).days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if is_business_day(start + datetime.timedelta(days=offset)):
            count += 1
    return count - sum(1 for day in days_off if start < day <= end and day.weekday() < SATURDAY)


def is_known_country(code: str) -> bool:
    return code in holidays.list_supported_countries()


@functools.lru_cache(maxsize=256)
def public_holidays(country: str, first_year: int, last_year: int) -> frozenset[datetime.date]:
    """The public holidays of `country` (ISO 3166 code, "" for none) in those years: national ones, as the
    `holidays` package knows them."""
    if not country or not is_known_country(country):
        return NO_DAYS_OFF
    return frozenset(holidays.country_holidays(country, years=range(first_year, last_year + 1)))


PLANNING_HORIZON = datetime.timedelta(days=3 * 365)


def within_planning_horizon(day: datetime.date, today: datetime.date) -> bool:
    """Plans are counted day by day: an event years away is a typing error, not a plan."""
    return abs(day - today) <= PLANNING_HORIZON
