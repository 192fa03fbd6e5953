"""Registry of reminder sources (issue: Celery reminders).

Each app that owns the data registers a source per reminder kind. A source is
one set-based query: given the current time it returns every reminder that is
due (its due moment already computed in the recipient's own time zone). The
reminder sweep turns them into outbox rows with a unique key per
(kind, subject, recipient, due moment), so sources may return the same
reminder on every run.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DueReminder:
    kind: str
    subject: str  # "<kind>:<id>", e.g. "meeting:42"
    person_id: int
    due_at: datetime.datetime  # aware; the moment it may be sent
    campaign_id: int | None
    subject_line: str
    body_text: str
    body_html: str = ""


SourceFunction = Callable[[datetime.datetime], Iterable[DueReminder]]


@dataclass(frozen=True)
class ReminderSource:
    kind: str
    label: str
    find: SourceFunction


sources: dict[str, ReminderSource] = {}


def reminder_source(kind: str, *, label: str) -> Callable[[SourceFunction], SourceFunction]:
    def decorator(find: SourceFunction) -> SourceFunction:
        if kind in sources and sources[kind].find is not find:
            raise ValueError(f"Reminder kind {kind!r} is registered twice")
        sources[kind] = ReminderSource(kind=kind, label=label, find=find)
        return find

    return decorator
