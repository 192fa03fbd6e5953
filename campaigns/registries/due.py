"""Due moments for incremental sweeps: when time alone may change what a check finds or a reminder source offers.

A check or source that declares `due=` gives, for the open campaigns it is handed, every moment after `now` at
which its answer for a campaign may change without any row changing (a deliverable becomes overdue at midnight
after its due date, a reminder's 09:00 comes in its recipient's zone), as a queryset made with `due_moments`.
The sweep keeps the earliest moment per campaign and reads, on its next runs, only the campaigns whose moment
has come (and those whose rows changed). An early moment costs one needless look; a missing one loses a flag or a
reminder until the nightly full run, so when in doubt a check declares the next midnight.
"""

import datetime

from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value

from campaigns.registries.reminder_sources import LocalMoment


def due_moments(queryset: QuerySet, *, campaign: str, moment) -> QuerySet:
    """The (campaign, moment) rows the sweep keeps the earliest of, per campaign (`campaign` a path to its id)."""
    return queryset.values(due_campaign=F(campaign), due_moment=moment).order_by()


def utc_midnight(date_field: str, *, days: int = 0) -> LocalMoment:
    """Midnight UTC `days` after a date column: when a check comparing it with UTC's today changes its mind."""
    return LocalMoment(date_field, Value("UTC"), days=days, at=datetime.time(0))


def next_midnight(now: datetime.datetime) -> Value:
    """The next midnight UTC, for a check that compares dates with today in ways not worth working out ahead."""
    tomorrow = now.astimezone(datetime.UTC).date() + datetime.timedelta(days=1)
    return Value(datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=datetime.UTC), DateTimeField())


def after(moment_field: str, delta: datetime.timedelta) -> ExpressionWrapper:
    """A moment column plus a fixed duration (an invitation unanswered for a week)."""
    return ExpressionWrapper(F(moment_field) + Value(delta), output_field=DateTimeField())
