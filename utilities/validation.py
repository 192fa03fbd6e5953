import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


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
