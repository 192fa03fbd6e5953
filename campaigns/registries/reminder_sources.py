"""Registry of reminder sources (issue: Celery reminders).

Each app that owns the data registers a source per reminder kind, in two parts:

- `find(now)` gives every reminder that is due (its due moment computed in the recipient's own time zone) as
  a bare key: a subject, a recipient, a moment and a campaign. Preferably as a queryset made with `due_rows`,
  which the sweep stores in ONE `INSERT … SELECT` (the database computes due moments with `LocalMoment` and
  skips opt-outs and rows already in the outbox; nothing goes through Python, so a steady-state sweep costs
  the queries alone). A source whose due moment needs Python (a recurrence rule, a per-person digest) yields
  `DueReminder`s instead, streamed into the outbox a fixed-size chunk at a time. Either way the outbox keeps
  one row per (kind, subject, recipient, due moment), so sources may return the same reminder on every run.
- `render(reminder)` writes the e-mail of one outbox row when it is sent: composing bodies for rows the outbox
  then rejects as already present was most of a steady-state sweep. Rendering at the moment of sending also
  re-checks the reminder (a render raises `NoLongerDue` when its condition cleared) and words "today" or
  "tomorrow" from that moment, in the recipient's zone.

A reminder about a campaign goes only to people of the companies taking part in it: the outbox leaves the others
out when it stores a source's reminders and drops them when it sends (a company that left keeps its team rows
as history). A kind written for people outside the campaign (an invitation, the notice to a company that it left)
gives its own `recipient_check` instead.
"""

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models import CharField, DateField, DateTimeField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.dispatch import receiver
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


# Due reminders as bare keys in Python, or as a queryset made by `due_rows` (stored by the database).
SourceFunction = Callable[[datetime.datetime], "Iterable[DueReminder] | QuerySet"]
# Gets the outbox row (campaigns.models.Reminder, with its person loaded).
RenderFunction = Callable[[Any], Message]
# (open campaigns, now) -> the moments after `now` at which reminders about a campaign fall due (registries.due;
# a queryset, or a list of them).
DueFunction = Callable[[QuerySet, datetime.datetime], "QuerySet | list[QuerySet]"]
# Gets the outbox row's HTML body; returns the body as sent (an image that could not be drawn replaced by what
# stands in for it) and the images it shows inline, by Content-ID (cid -> PNG).
ImagesFunction = Callable[[str], tuple[str, dict[str, bytes]]]
# Gets the outbox row (with its person loaded); raises `NoLongerDue` when its recipient is no longer to hear of it.
RecipientCheck = Callable[[Any], None]


@dataclass(frozen=True)
class ReminderSource:
    kind: str
    label: str
    find: SourceFunction
    render: RenderFunction | None  # None: the message is composed when the row is made (event notices)
    images: ImagesFunction | None = None
    # None: the recipient's company must take part in the reminder's campaign (the outbox checks it).
    recipient_check: RecipientCheck | None = None
    # How an incremental sweep follows a queryset source: `changes_only` when only a change to the campaign's rows
    # makes new reminders due, `due` when time does too (the moments they fall due); with neither, the whole
    # source runs on every sweep.
    changes_only: bool = False
    due: DueFunction | None = None
    # A source answering in Python declares `due` and `takes_campaigns`: an incremental sweep then calls
    # `find(now, open_campaigns=…)` with the campaigns to look at (a queryset source is filtered by the sweep).
    takes_campaigns: bool = False

    @property
    def incremental(self) -> bool:
        return self.changes_only or self.due is not None


sources: dict[str, ReminderSource] = {}


def reminder_source(
    kind: str,
    *,
    label: str,
    render: RenderFunction | None,
    images: ImagesFunction | None = None,
    recipient_check: RecipientCheck | None = None,
    changes_only: bool = False,
    due: DueFunction | None = None,
    takes_campaigns: bool = False,
) -> Callable[[SourceFunction], SourceFunction]:
    def decorator(find: SourceFunction) -> SourceFunction:
        if kind in sources and sources[kind].find is not find:
            raise ValueError(f"Reminder kind {kind!r} is registered twice")
        sources[kind] = ReminderSource(
            kind=kind,
            label=label,
            find=find,
            render=render,
            images=images,
            recipient_check=recipient_check,
            changes_only=changes_only,
            due=due,
            takes_campaigns=takes_campaigns,
        )
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


# --- The same, computed by the database: due moments as SQL expressions, due reminders as a queryset -----------

# The columns of `due_rows`, named so they cannot clash with a field of the model queried.
DUE_COLUMNS = ("due_subject", "due_person", "due_at", "due_campaign")
# One more column, not stored: the recipient's company, which the sweep checks against the campaign's parties.
DUE_COMPANY = "due_company"


def subject_of(kind: str, id_expression) -> Concat:
    """A subject ("deliverable:12") as SQL, from the kind of thing and its id (a field name or an expression):
    how outbox rows and webhook deliveries are matched to what they are about."""
    return Concat(Value(f"{kind}:"), Cast(id_expression, CharField()), output_field=CharField())


def due_rows(queryset: QuerySet, *, subject: str, subject_id, person, company: str, due_at, campaign) -> QuerySet:
    """A source's due reminders as a queryset the sweep inserts into the outbox in one statement: `subject` is
    the kind of thing ("deliverable"), `subject_id` its id, then the recipient's person id and their company's
    id (a path through the rows the query joins already: the sweep keeps only companies taking part in the
    campaign), the due moment (an expression such as `LocalMoment`) and the campaign id, each a field name or an
    expression."""
    expressions = [
        subject_of(subject, subject_id),
        F(person) if isinstance(person, str) else person,
        due_at,
        F(campaign) if isinstance(campaign, str) else campaign,
    ]
    columns = {**dict(zip(DUE_COLUMNS, expressions, strict=True)), DUE_COMPANY: F(company)}
    return queryset.values(**columns).order_by().distinct()


def due_since_lookback(now: datetime.datetime) -> tuple[Q, Q]:
    """Conditions on a `due_at` alias: its moment has come, and was missed by no more than `lookback()`."""
    return Q(due_at__lte=now), Q(due_at__gte=now - lookback())


class LocalDate(Func):
    """The calendar date of a moment where the person lives (a time-zone name column): SQL for
    `local_date`."""

    arity = 2  # the moment, the time-zone name
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s)::date)", arg_joiner=" AT TIME ZONE ")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="comarketing_local_date")


class LocalMoment(Func):
    """`at` o'clock, `days` after the date `day`, where the person lives (a time-zone name column), as a moment:
    SQL for `local_moment` (DST-correct on both databases)."""

    output_field = DateTimeField()

    def __init__(self, day, time_zone, *, days: int = 0, at: datetime.time = DAILY_REMINDER_TIME):
        super().__init__(day, Value(days), Value(at.isoformat()), time_zone)

    def as_postgresql(self, compiler, connection, **extra):
        day, days, at, zone = (compiler.compile(expression) for expression in self.get_source_expressions())
        sql = f"(((({day[0]})::date + ({days[0]})::integer) + ({at[0]})::time) AT TIME ZONE ({zone[0]}))"
        return sql, (*day[1], *days[1], *at[1], *zone[1])

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="comarketing_local_moment")


class DayLabel(Func):
    """A date as `day_label` writes it ("Mon 7 Dec 2026"; with `year=False`, "Mon 7 Dec"), in SQL: for findings the
    database writes itself."""

    output_field = CharField()

    def __init__(self, day, *, year: bool = True):
        super().__init__(day)
        self.year = year

    def as_postgresql(self, compiler, connection, **extra):
        # Dy and Mon are English whatever the server's locale (only the TM prefix translates them); FM drops the
        # day's leading zero.
        pattern = "Dy FMDD Mon YYYY" if self.year else "Dy FMDD Mon"
        return self.as_sql(compiler, connection, template=f"to_char(%(expressions)s, '{pattern}')")

    def as_sqlite(self, compiler, connection, **extra):
        function = "comarketing_day_label" if self.year else "comarketing_short_day_label"
        return self.as_sql(compiler, connection, function=function)


def _sqlite_day_label(day: str | None) -> str | None:
    return None if day is None else day_label(datetime.date.fromisoformat(day[:10]))


def _sqlite_short_day_label(day: str | None) -> str | None:
    return None if day is None else short_day_label(datetime.date.fromisoformat(day[:10]))


def _sqlite_local_moment(day: str | None, days: int, at: str, time_zone: str | None) -> str | None:
    if day is None or time_zone is None:
        return None
    moment = local_moment(
        datetime.date.fromisoformat(day) + datetime.timedelta(days=days), datetime.time.fromisoformat(at), time_zone
    )
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")  # how SQLite rows store moments


def _sqlite_local_date(moment: str | None, time_zone: str | None) -> str | None:
    if moment is None or time_zone is None:
        return None
    return local_date(datetime.datetime.fromisoformat(moment).replace(tzinfo=datetime.UTC), time_zone).isoformat()


@receiver(connection_created)
def _sqlite_time_zone_functions(sender, connection, **kwargs) -> None:
    """SQLite has no time-zone arithmetic nor day names: `LocalMoment`, `LocalDate` and `DayLabel` call these
    Python functions there."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("comarketing_local_moment", 4, _sqlite_local_moment, deterministic=True)
        connection.connection.create_function("comarketing_local_date", 2, _sqlite_local_date, deterministic=True)
        connection.connection.create_function("comarketing_day_label", 1, _sqlite_day_label, deterministic=True)
        connection.connection.create_function(
            "comarketing_short_day_label", 1, _sqlite_short_day_label, deterministic=True
        )


@cache  # a sweep labels tens of thousands of findings with a few hundred distinct dates
def day_label(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def short_day_label(day: datetime.date) -> str:
    """A date within the year people have in mind ("Tue 24 Nov")."""
    return f"{day:%a} {day.day} {day:%b}"


def relative_day(day: datetime.date, time_zone: str, now: datetime.datetime) -> str:
    """ "today", "tomorrow", "yesterday" or the date, as the recipient reads it at `now` (the moment of sending)."""
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


def compose(
    full_name: str,
    paragraphs: list[str],
    link: str,
    items: Iterable[str] = (),
    answers: Iterable[tuple[str, str]] = (),
) -> tuple[str, str]:
    """The text and HTML bodies of a reminder e-mail (plain words, then a list, then the one-click answers (label,
    link) of the recipient, then the link)."""
    items, answers = list(items), list(answers)
    text = "\n\n".join([f"Hello {full_name},", *paragraphs])
    if items:
        text += "\n\n" + "\n".join(f"- {item}" for item in items)
    if answers:
        text += "\n\nAnswer in one click (you confirm on the page it opens):\n"
        text += "\n".join(f"{label}: {url}" for label, url in answers)
    text += f"\n\nOpen it in the tracker: {link}\n"
    html = format_html("<p>Hello {},</p>", full_name) + format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs))
    if items:
        html += format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items)))
    if answers:
        html += format_html(
            "<p>Answer in one click (you confirm on the page it opens): {}</p>",
            format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in answers)),
        )
    html += format_html('<p><a href="{}">Open it in the tracker</a></p>', link)
    return text, str(html)
