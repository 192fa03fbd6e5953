"""The notes summary of a logged meeting, as plain text and HTML (sent to people who missed it)."""

import zoneinfo
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from meetings.models import Attendance, Meeting


@dataclass(frozen=True)
class NotesSummary:
    subject: str
    text: str
    html: str


def render_notes_summary(meeting: Meeting, time_zone: str | None = None) -> NotesSummary:
    """Attendance, notes, decisions and action items of `meeting`, its time shown in `time_zone`.

    Prefetch with `selectors.meeting_log_prefetches()` to render many meetings without a query each.
    """
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else meeting.series.zone
    attendance = list(meeting.attendance.all())
    context = {
        "meeting": meeting,
        "campaign": meeting.series.campaign,
        "local_start": meeting.starts_at.astimezone(zone),
        "zone": str(zone),
        "present": [row for row in attendance if row.status == Attendance.Status.PRESENT],
        "missed": [row for row in attendance if row.status in Attendance.MISSED],
        "decisions": list(meeting.decisions.all()),
        "action_items": list(meeting.action_items.all()),
    }
    subject = f"Notes: {meeting.series.title}, {context['local_start']:%a %d %b} — {meeting.series.campaign}"
    # Templates show datetimes in the active zone: make it the reader's.
    with timezone.override(zone):
        return NotesSummary(
            subject=subject,
            text=render_to_string("meetings/notes_summary.txt", context).strip() + "\n",
            html=render_to_string("meetings/notes_summary.html", context),
        )
