"""Registry of reminder sources (issue: Celery reminders).

Each app that owns the data registers a source per reminder kind, in two parts:

- `find(now)` yields every reminder that is due (its due moment already computed in the recipient's own time
  zone) as a bare key: a few ids and a moment, read with set-based queries and streamed, so the sweep holds a
  fixed-size chunk of them at a time whatever the number of campaigns. The sweep turns them into outbox rows
  with a unique key per (kind, subject, recipient, due moment), so sources may return the same reminder on
  every run.
- `render(reminder)` writes the e-mail of one outbox row when it is sent: composing bodies for rows the outbox
  then rejects as already present was most of a steady-state sweep. Rendering at the moment of sending also
  re-checks the reminder (a render raises `NoLongerDue` when its condition cleared) and words "today" or
  "tomorrow" from that moment, in the recipient's zone.
"""

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import format_html, format_html_join


@dataclass(frozen=True)
class DueReminder:
    kind: str
    subject: str  # "<kind>:<id>", e.g. "meeting:42"
    person_id: int
    due_at: datetime.datetime  # aware; the moment it may be sent
    campaign_id: int | None


@dataclass(frozen=True)
class Message:
    subject_line: str
    body_text: str
    body_html: str = ""


SourceFunction = Callable[[datetime.datetime], Iterable[DueReminder]]
# Gets the outbox row (campaigns.models.Reminder, with its person loaded).
RenderFunction = Callable[[Any], Message]
# Gets the outbox row's HTML body; returns the images it shows inline, by Content-ID (cid -> PNG).
ImagesFunction = Callable[[str], dict[str, bytes]]


@dataclass(frozen=True)
class ReminderSource:
    kind: str
    label: str
    find: SourceFunction
    render: RenderFunction | None  # None: the message is composed when the row is made (event notices)
    images: ImagesFunction | None = None


sources: dict[str, ReminderSource] = {}


def reminder_source(
    kind: str, *, label: str, render: RenderFunction | None, images: ImagesFunction | None = None
) -> Callable[[SourceFunction], SourceFunction]:
    def decorator(find: SourceFunction) -> SourceFunction:
        if kind in sources and sources[kind].find is not find:
            raise ValueError(f"Reminder kind {kind!r} is registered twice")
        sources[kind] = ReminderSource(kind=kind, label=label, find=find, render=render, images=images)
        return find

    return decorator


# --- What every source shares: when a reminder is due, and how its e-mail reads ---------------------------------

DAILY_REMINDER_TIME = datetime.time(9, 0)


def lookback() -> datetime.timedelta:
    """A due moment missed by at most this much (the sweep was down) is still sent; older ones are dropped."""
    return datetime.timedelta(days=settings.REMINDER_LOOKBACK_DAYS)


def local_moment(day: datetime.date, at: datetime.time, time_zone: str) -> datetime.datetime:
    """`at` o'clock on `day` where the person lives, as an aware datetime (DST-correct)."""
    return datetime.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(time_zone))


def due_soon_moment(
    due_date: datetime.date, days_before: int, time_zone: str, now: datetime.datetime
) -> datetime.datetime | None:
    """09:00 local `days_before` the due date, if that moment has come and the item is not overdue yet."""
    due_at = local_moment(due_date - datetime.timedelta(days=days_before), DAILY_REMINDER_TIME, time_zone)
    overdue_from = local_moment(due_date + datetime.timedelta(days=1), datetime.time(0), time_zone)
    return due_at if due_at <= now < overdue_from and now - due_at <= lookback() else None


def overdue_moment(due_date: datetime.date, time_zone: str, now: datetime.datetime) -> datetime.datetime | None:
    """09:00 local on the day after the due date, if that moment has come (and is not too long ago)."""
    due_at = local_moment(due_date + datetime.timedelta(days=1), DAILY_REMINDER_TIME, time_zone)
    return due_at if due_at <= now and now - due_at <= lookback() else None


def day_label(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def relative_day(day: datetime.date, time_zone: str, now: datetime.datetime) -> str:
    """"today", "tomorrow", "yesterday" or the date, as the recipient reads it at `now` (the moment of sending)."""
    offset = (day - local_date(now, time_zone)).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset, f"on {day_label(day)}")


class NoLongerDue(Exception):
    """Raised by a render function when, at the moment of sending, its reminder no longer applies (the flag
    resolved, the meeting was cancelled or has begun, the item is done); the row is dropped with the reason."""


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def subject_id(reminder) -> int:
    """The id in a reminder's subject ("deliverable:12" -> 12)."""
    return int(reminder.subject.rsplit(":", 1)[1])


def local_date(moment: datetime.datetime, time_zone: str) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def compose(full_name: str, paragraphs: list[str], link: str, items: Iterable[str] = ()) -> tuple[str, str]:
    """The text and HTML bodies of a reminder e-mail (plain words, then a list, then the link)."""
    items = list(items)
    text = "\n\n".join([f"Hello {full_name},", *paragraphs])
    if items:
        text += "\n\n" + "\n".join(f"- {item}" for item in items)
    text += f"\n\nOpen it in the tracker: {link}\n"
    html = format_html("<p>Hello {},</p>", full_name) + format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs))
    if items:
        html += format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items)))
    html += format_html('<p><a href="{}">Open it in the tracker</a></p>', link)
    return text, str(html)
