"""The minutes of a logged meeting, e-mailed once to every person invited and everyone given an action item in it
(absent people's copy says so).

They go through the outbox with `notice_send`, keyed by the meeting and the moment it was logged, so logging
is retried without a second copy.
"""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.urls import reverse

from campaigns.outbox.notices import notice_send
from campaigns.registries import reminder_sources
from meetings.models import Attendance, Decision, Meeting
from meetings.selectors import meeting_with_log

MINUTES = "meeting_minutes"


@reminder_sources.reminder_source(MINUTES, label="Minutes of a meeting", render=None)
def _no_scheduled_minutes(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the meeting is logged, never found by the sweep


def _names(rows: list[Attendance]) -> str:
    return (
        ", ".join(f"{row.member.person.full_name} ({row.member.person.organization.name})" for row in rows) or "nobody"
    )


def _decision_line(decision: Decision) -> str:
    decider = decision.decided_by.person.full_name
    if decision.status == Decision.Status.PENDING:
        needed = f" by {decision.needed_by:%a %-d %b}" if decision.needed_by else ""
        return f"Decision pending: {decision.text} — {decider} decides{needed}."
    if decision.status == Decision.Status.WITHDRAWN:
        return f"Withdrawn: {decision.text} ({decision.state})."
    if decision.status == Decision.Status.SUPERSEDED:
        return f"Decided: {decision.text} ({decider}); since superseded by “{decision.superseded_by}”."
    return f"Decided: {decision.text} ({decider})."


def minutes_paragraphs(meeting: Meeting, time_zone: str) -> list[str]:
    """Attendance, decisions and action items with owners and dates (the meeting prefetched `meeting_with_log`),
    its time in the reader's `time_zone`."""
    attendance = list(meeting.attendance.all())
    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return [
        f"The minutes of “{meeting.series.title}” on {local:%a %-d %b %Y, %H:%M} your time ({time_zone}), "
        f"campaign “{meeting.series.campaign}”.",
        f"Present: {_names([row for row in attendance if row.status == Attendance.Status.PRESENT])}.",
        f"Absent or excused: {_names([row for row in attendance if row.status in Attendance.MISSED])}.",
        *([f"Notes: {meeting.notes}"] if meeting.notes else []),
        *(_decision_line(decision) for decision in meeting.decisions.all()),
        *(
            f"Action item: {item.title} — {item.owner.person.full_name}, due {item.due_date:%a %-d %b}."
            for item in meeting.action_items.all()
        ),
    ]


def minutes_send(*, meeting_id: int) -> list[int]:
    """One copy per invited person and the facilitator, once per logging; returns the outbox rows made."""
    meeting = meeting_with_log(meeting_id=meeting_id)
    attendance = list(meeting.attendance.all())
    missed = {row.member.person for row in attendance if row.status in Attendance.MISSED}
    # Whoever was given an action item is told, invited to the meeting or not.
    owners = {item.owner.person for item in meeting.action_items.all()}
    everyone = {row.member.person for row in attendance} | {meeting.series.facilitator.person} | owners

    def paragraphs(person) -> list[str]:
        return minutes_paragraphs(meeting, person.time_zone)

    you_missed = "You were not at this meeting (recorded absent or excused): here is what you missed."

    def missed_paragraphs(person) -> list[str]:
        return [you_missed, *paragraphs(person)]

    def subject_line(person) -> str:  # the day the meeting was, where the reader lives
        local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(person.time_zone))
        return f"Minutes: {meeting.series.title}, {local:%a %-d %b} — {meeting.series.campaign}"

    common = {
        "kind": MINUTES,
        "subject": f"meeting:{meeting.pk}",
        "campaign": meeting.series.campaign,
        "subject_line": subject_line,
        "link_path": reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        "at": meeting.logged_at,
        "sent_for": meeting.series.facilitator.person,
    }
    return [
        *notice_send(people=sorted(everyone - missed, key=lambda p: p.pk), paragraphs=paragraphs, **common),
        *notice_send(people=sorted(missed, key=lambda p: p.pk), paragraphs=missed_paragraphs, **common),
    ]
