"""Counting in business days: Monday to Friday, weekends skipped (the unit of every kickoff lead time)."""

import datetime

SATURDAY = 5
ONE_DAY = datetime.timedelta(days=1)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < SATURDAY


def add_business_days(day: datetime.date, count: int) -> datetime.date:
    """The date `count` business days after `day` (before it when negative). From a weekend day, the first
    step lands on the nearest business day in that direction."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -business_days_between(end, start)
    weeks, extra = divmod((end - start).days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if is_business_day(start + datetime.timedelta(days=offset)):
            count += 1
    return count


PLANNING_HORIZON = datetime.timedelta(days=3 * 365)


def within_planning_horizon(day: datetime.date, today: datetime.date) -> bool:
    """Plans are counted day by day: an event years away is a typing error, not a plan."""
    return abs(day - today) <= PLANNING_HORIZON
