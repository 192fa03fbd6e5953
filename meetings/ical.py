"""iCalendar (RFC 5545) rendering of meetings: a series is one VEVENT with its RRULE, plus its exceptions.

Times carry the series' TZID with a VTIMEZONE, so calendar clients show each subscriber their own local time.
Within the materialized range the stored meetings are the truth:
- an occurrence of the rule without a meeting (or with a cancelled one) becomes an EXDATE;
- a meeting at another time than its occurrence (moved, or logged before the series changed) becomes an
  override with the occurrence as RECURRENCE-ID;
- a meeting whose occurrence the rule no longer has is exported as an event of its own.
"""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from meetings.models import Meeting, MeetingSeries

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODUCT_ID = "-//Co-marketing campaign tracker//Meetings//EN"
UID_DOMAIN = "comarketing-tracker"


def _calendar(name: str, time_zone: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    if time_zone:
        calendar.add("x-wr-timezone", time_zone)
    return calendar


def _describe(series: MeetingSeries) -> str:
    lines = [f"Campaign: {series.campaign}", f"Facilitator: {series.facilitator.person.full_name}"]
    if series.video_link:
        lines.append(f"Join: {series.video_link}")
    return "\n".join(lines)


def _event(series: MeetingSeries, uid: str, start: datetime.datetime, end: datetime.datetime) -> Event:
    zone = series.zone
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", f"{series.title} — {series.campaign}")
    event.add("description", _describe(series))
    if series.video_link:
        event.add("location", series.video_link)
        event.add("url", series.video_link)
    return event


def _series_uid(series: MeetingSeries) -> str:
    return f"meeting-series-{series.pk}@{UID_DOMAIN}"


def _meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def _with_agenda(event: Event, meeting: Meeting) -> Event:
    if meeting.agenda:
        event["description"] = f"{event['description']}\n\nAgenda:\n{meeting.agenda}"
    return event


def _ending_with_campaign(recurrence: vRecur, series: MeetingSeries) -> vRecur:
    """The rule ends with the campaign (UNTIL its end date, the end of that day in the series' zone, in UTC as RFC
    5545 asks with a zoned start): a calendar shows no meetings of a campaign that is over."""
    end = series.campaign.end_date
    if end is None or "COUNT" in recurrence:
        return recurrence
    until = datetime.datetime.combine(end, datetime.time(23, 59, 59), tzinfo=series.zone).astimezone(datetime.UTC)
    own = recurrence.get("UNTIL")
    if own and _as_utc(own[0], series.zone) <= until:
        return recurrence
    recurrence["UNTIL"] = [until]
    return recurrence


def _as_utc(moment: datetime.datetime | datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(23, 59, 59))
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(datetime.UTC)


def series_events(series: MeetingSeries, meetings: Iterable[Meeting]) -> list[Event]:
    """The series' master VEVENT with RRULE and EXDATEs, its overrides and its detached meetings."""
    zone = series.zone
    meetings = list(meetings)
    rule = series.parsed_recurrence.rule
    last_day = max((meeting.occurrence_date for meeting in meetings), default=None)
    occurrences: set[datetime.datetime] = set()
    if last_day is not None:
        last_moment = datetime.datetime.combine(last_day, datetime.time.max, tzinfo=zone)
        occurrences = {
            local.astimezone(datetime.UTC) for local in rule.between(series.first_start, last_moment, inc=True)
        }
    by_occurrence = {meeting.original_start: meeting for meeting in meetings}

    master = _event(series, _series_uid(series), series.first_start, series.first_start + series.duration)
    master.add("rrule", _ending_with_campaign(vRecur.from_ical(series.parsed_recurrence.text), series))
    excluded = sorted(
        occurrence
        for occurrence in occurrences
        if occurrence not in by_occurrence or by_occurrence[occurrence].status == Meeting.Status.CANCELLED
    )
    if excluded:
        master.add("exdate", [occurrence.astimezone(zone) for occurrence in excluded])
    events = [master]
    for meeting in meetings:
        if meeting.status == Meeting.Status.CANCELLED:
            continue
        if meeting.original_start not in occurrences:
            events.append(
                _with_agenda(_event(series, _meeting_uid(meeting), meeting.starts_at, meeting.ends_at), meeting)
            )
        elif (meeting.starts_at, meeting.ends_at) != (meeting.original_start, meeting.original_start + series.duration):
            override = _event(series, _series_uid(series), meeting.starts_at, meeting.ends_at)
            override.add("recurrence-id", meeting.original_start.astimezone(zone))
            events.append(_with_agenda(override, meeting))
    return events


def _finish(calendar: Calendar, events: Iterable[Event]) -> bytes:
    starts = []
    for event in events:
        calendar.add_component(event)
        starts.append(event.decoded("dtstart"))
    if starts:
        # VTIMEZONEs covering the events (and a few years of the rule beyond them), instead of 1970–2038.
        first = min(starts).date() - datetime.timedelta(days=366)
        last = max(max(starts).date(), timezone.now().date()) + datetime.timedelta(days=366 * 5)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def feed(
    name: str,
    series_with_meetings: Iterable[tuple[MeetingSeries, list[Meeting]]],
    single_meetings: Iterable[Meeting] = (),
    time_zone: str | None = None,
) -> bytes:
    events = [event for series, meetings in series_with_meetings for event in series_events(series, meetings)]
    events += [
        _with_agenda(_event(meeting.series, _meeting_uid(meeting), meeting.starts_at, meeting.ends_at), meeting)
        for meeting in single_meetings
    ]
    return _finish(_calendar(name, time_zone), events)


def single_meeting(meeting: Meeting) -> bytes:
    """One meeting as an .ics file to download (its own UID: it is not tied to a subscription)."""
    event = _with_agenda(_event(meeting.series, _meeting_uid(meeting), meeting.starts_at, meeting.ends_at), meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return _finish(_calendar(str(meeting)), [event])
