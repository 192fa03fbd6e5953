"""The weekly meetings of `manage.py bench`'s synthetic campaigns: a series per campaign with two past meetings
(every other one held, with attendance) and one ahead; for the pages, action items of the held meetings."""

import datetime

from django.db import connection

from campaigns.demo import bench, bench_pages
from meetings.models import ActionItem, Attendance, Meeting, MeetingSeries


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


def add_action_items(world, today: datetime.date) -> None:
    """For the pages: an action item per held meeting, owned by its facilitator and due that day, half of them
    done; written by the database (INSERT … SELECT), not row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ActionItem._meta.db_table}
                (version, meeting_id, title, owner_id, due_date, status, created_at, updated_at)
            SELECT 1, m.id, 'Follow up on meeting ' || m.id, s.facilitator_id, m.occurrence_date,
                   CASE WHEN m.id %% 2 = 0 THEN %s ELSE %s END, m.starts_at, m.starts_at
            FROM {Meeting._meta.db_table} m JOIN {MeetingSeries._meta.db_table} s ON s.id = m.series_id
            WHERE m.status = %s AND s.facilitator_id IS NOT NULL
            """,
            [ActionItem.Status.DONE, ActionItem.Status.OPEN, Meeting.Status.HELD],
        )


bench_pages.page_data.append(add_action_items)
