import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible


def validate_single_line(value: str) -> None:
    """Names and titles end up in e-mail subjects and headers, where a line break is an error (or an injection).
    (A function, not an inverted RegexValidator: the API schema would publish that regex as the pattern.)"""
    if "\r" in value or "\n" in value:
        raise ValidationError("Write this on one line (no line breaks).", code="multi_line")


def save_validated(instance: models.Model) -> models.Model:
    """Run every model rule (fields, clean, constraints) before writing, so admin, API and tasks share them."""
    instance.full_clean()
    instance.save()
    return instance


def date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The dates people may enter for things they plan: settings say how far back and ahead of today.

    A typo such as 1900 or 9999 is refused with a message instead of being computed (46,000 meetings, or
    a date that overflows when a time zone or a duration is added to it).
    """
    today = today or timezone.localdate()
    return (
        today - datetime.timedelta(days=settings.DATE_WINDOW_PAST_DAYS),
        today + datetime.timedelta(days=settings.DATE_WINDOW_FUTURE_DAYS),
    )


def validate_in_date_window(value: datetime.date | datetime.datetime, field: str) -> None:
    """A ValidationError naming `field` when `value` falls outside `date_window()`."""
    earliest, latest = date_window()
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not earliest <= day <= latest:
        raise ValidationError({field: f"Choose a date from {earliest:%d %b %Y} to {latest:%d %b %Y}."})


# Dates people type for the work tracked here (a campaign's dates, due dates, reporting periods): a typo'd year
# such as 0001 or 9999 is refused with a message instead of breaking what computes or draws with it later.
EARLIEST_WORK_DATE = datetime.date(2000, 1, 1)
LATEST_WORK_DATE = datetime.date(2100, 12, 31)
# Dates of what already happened (a partnership's start): as far back as a company may go, never ahead of today.
EARLIEST_PAST_DATE = datetime.date(1900, 1, 1)


@deconstructible
class DateBounds:
    """The one validator of dates people type: refuses a date (or a moment's date) outside `earliest` to `latest`,
    or after today when `up_to_today`, with a message that says which dates may be chosen. A field validator, so
    the admin shows it under the field and the API answers 400 naming the field."""

    def __init__(
        self,
        earliest: datetime.date = EARLIEST_WORK_DATE,
        latest: datetime.date = LATEST_WORK_DATE,
        *,
        up_to_today: bool = False,
    ):
        self.earliest, self.latest, self.up_to_today = earliest, latest, up_to_today

    def __call__(self, value: datetime.date | datetime.datetime) -> None:
        day = value.date() if isinstance(value, datetime.datetime) else value
        latest = min(self.latest, timezone.localdate()) if self.up_to_today else self.latest
        if not self.earliest <= day <= latest:
            end = "today" if self.up_to_today else f"{latest:%d %b %Y}"
            raise ValidationError(
                "Choose a date from %(earliest)s to %(latest)s.",
                code="date_out_of_bounds",
                params={"earliest": f"{self.earliest:%d %b %Y}", "latest": end},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateBounds) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.earliest, self.latest, self.up_to_today))


work_date = DateBounds()
past_date = DateBounds(EARLIEST_PAST_DATE, LATEST_WORK_DATE, up_to_today=True)

# A reporting period (a figure, a CRM export) covers at most a year: the figures are cumulative to its end.
MAX_PERIOD_DAYS = 366


def validate_period_span(start: datetime.date | None, end: datetime.date | None, field: str = "period_end") -> None:
    """A ValidationError naming `field` when the period covers more than MAX_PERIOD_DAYS (an end before the start
    is the models' check constraint's to refuse)."""
    if start is not None and end is not None and (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({field: f"A period covers at most {MAX_PERIOD_DAYS} days (a year)."})
