"""The weekly meetings of `manage.py bench`'s synthetic campaigns: a series per campaign with two past meetings
(every other one held, with attendance) and one ahead."""

import datetime

from campaigns.demo import bench, bench_floors
from meetings.models import Attendance, Meeting, MeetingSeries


def add_meetings(sides: list[tuple], team: dict[int, list], today: datetime.date) -> None:
    series = MeetingSeries.objects.bulk_create(
        MeetingSeries(
            campaign=campaign,
            first_date=today - datetime.timedelta(days=14),
            start_time=datetime.time(10),
            time_zone="Europe/Berlin",
            recurrence="FREQ=WEEKLY",
            facilitator=team[campaign.pk][0],
        )
        for campaign, *_ in sides
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            series=one,
            occurrence_date=day,
            original_start=start,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=30),
            status=Meeting.Status.HELD if offset < 0 and n % 2 else Meeting.Status.SCHEDULED,
            logged_at=start + datetime.timedelta(hours=1) if offset < 0 and n % 2 else None,
        )
        for n, one in enumerate(series)
        for offset in ((-14, -7, 1) if n % 7 == 0 else (-13, -6, 2))
        for day in [today + datetime.timedelta(days=offset)]
        for start in [datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)]
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=member,
            status=Attendance.Status.ABSENT
            if meeting.status == Meeting.Status.HELD and k == 3
            else Attendance.Status.PRESENT
            if meeting.status == Meeting.Status.HELD
            else Attendance.Status.EXPECTED,
        )
        for meeting, one in zip(meetings, [s for s in series for _ in range(3)], strict=True)
        for k, member in enumerate(team[one.campaign_id])
    )


bench.per_batch.append(add_meetings)


# The meetings' part of the health sweep's independent floor: meetings to log, the last two held meetings of each
# campaign with who was present, series still running, decisions waiting.
bench_floors.floors[bench_floors.HEALTH] += [
    (
        "SELECT s.campaign_id, mt.id, mt.status, mt.ends_at, COUNT(a.id) FROM meetings_meeting mt "
        "JOIN meetings_meetingseries s ON s.id = mt.series_id JOIN campaigns_campaign c ON c.id = s.campaign_id "
        f"LEFT JOIN meetings_attendance a ON a.meeting_id = mt.id AND a.status = 'present' WHERE {bench_floors.OPEN} "
        "AND (mt.status = 'held' OR (mt.status = 'scheduled' AND mt.ends_at <= %s)) GROUP BY s.campaign_id, mt.id, "
        "mt.status, mt.ends_at",
        lambda now: [now - datetime.timedelta(hours=24)],
    ),
    ("SELECT campaign_id FROM meetings_meetingseries WHERE last_start IS NULL OR last_start >= %s", lambda now: [now]),
]
bench_floors.floors[bench_floors.REMINDERS] += [
    (
        "SELECT a.id FROM meetings_attendance a JOIN meetings_meeting mt ON mt.id = a.meeting_id "
        "WHERE mt.status = 'scheduled' AND mt.starts_at > %s AND mt.starts_at <= %s "
        "AND a.status NOT IN ('absent', 'excused') AND NOT EXISTS (SELECT 1 FROM campaigns_reminder o "
        "WHERE o.kind = 'meeting_tomorrow' AND o.subject = 'meeting:' || mt.id)",
        lambda now: [now, now + datetime.timedelta(hours=48)],
    ),
]
