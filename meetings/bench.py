"""The weekly meetings of `manage.py bench`'s synthetic campaigns: a series per campaign with two past meetings
(every other one held, with attendance) and one ahead; for the pages, action items of the held meetings."""

import datetime

from django.db import connection

from campaigns.demo import bench, bench_floors, bench_pages, bench_sql
from campaigns.models import Member
from meetings.models import ActionItem, Attendance, Decision, Meeting, MeetingSeries
from partners.models import Person


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
                (version, meeting_id, title, owner_id, owner_company_id, due_date, status, created_at, updated_at)
            SELECT 1, m.id, 'Follow up on meeting ' || m.id, s.facilitator_id, p.organization_id, m.occurrence_date,
                   CASE WHEN m.id %% 2 = 0 THEN %s ELSE %s END, m.starts_at, m.starts_at
            FROM {Meeting._meta.db_table} m JOIN {MeetingSeries._meta.db_table} s ON s.id = m.series_id
                JOIN {Member._meta.db_table} f ON f.id = s.facilitator_id
                JOIN {Person._meta.db_table} p ON p.id = f.person_id
            WHERE m.status = %s AND s.facilitator_id IS NOT NULL
            """,
            [ActionItem.Status.DONE, ActionItem.Status.OPEN, Meeting.Status.HELD],
        )


bench_pages.page_data.append(add_action_items)


def generate_meetings(layout: bench_sql.Layout) -> None:
    """The same series, meetings and attendance as `add_meetings`, generated in the database."""
    series0, meeting0 = bench_sql.next_id(MeetingSeries), bench_sql.next_id(Meeting)
    today = f"DATE '{layout.today.isoformat()}'"
    bench_sql.insert_generated(
        MeetingSeries,
        layout.campaigns,
        {
            "id": f"{series0} + i",
            "campaign": f"{layout.first_campaign} + i",
            "first_date": f"{today} - 14",
            "start_time": "'10:00'",
            "time_zone": "'Europe/Berlin'",
            "recurrence": "'FREQ=WEEKLY'",
            "facilitator": f"{layout.first_member} + 4 * i",
        },
    )
    # Meeting 3s + j of series s: two past ones (every other series' held) and one ahead.
    offset = "CASE WHEN (i / 3) % 7 = 0 THEN (ARRAY[-14, -7, 1])[1 + i % 3] ELSE (ARRAY[-13, -6, 2])[1 + i % 3] END"
    day = f"({today} + {offset})"
    start = f"(({day})::timestamp + time '09:00') AT TIME ZONE 'UTC'"
    held = "(i % 3 < 2 AND (i / 3) % 2 = 1)"
    bench_sql.insert_generated(
        Meeting,
        3 * layout.campaigns,
        {
            "id": f"{meeting0} + i",
            "series": f"{series0} + i / 3",
            "occurrence_date": day,
            "original_start": start,
            "starts_at": start,
            "ends_at": f"{start} + interval '30 minutes'",
            "status": f"CASE WHEN {held} THEN 'held' ELSE 'scheduled' END",
            "logged_at": f"CASE WHEN {held} THEN {start} + interval '1 hour' END",
        },
    )
    meeting_held = "((i / 4) % 3 < 2 AND (i / 12) % 2 = 1)"
    bench_sql.insert_generated(
        Attendance,
        12 * layout.campaigns,
        {
            "meeting": f"{meeting0} + i / 4",
            "member": f"{layout.first_member} + 4 * (i / 12) + i % 4",
            "status": f"CASE WHEN {meeting_held} THEN CASE WHEN i % 4 = 3 THEN 'absent' ELSE 'present' END "
            "ELSE 'expected' END",
        },
    )


bench_sql.per_generation.append(generate_meetings)


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


def _held_meeting(campaign_id: int) -> int:
    """The campaign's latest held meeting (the one a facilitator would be logging or reading)."""
    held = Meeting.objects.filter(series__campaign_id=campaign_id).order_by(
        "status", "-starts_at"
    )  # "held" sorts first
    return held.values_list("pk", flat=True).first()


def meeting_page_floor(user, campaign_id: int) -> dict:
    meeting = _held_meeting(campaign_id)
    return {
        "meeting": Meeting.objects.for_user(user).filter(pk=meeting).values().first(),
        "attendance": list(Attendance.objects.filter(meeting_id=meeting).values("id", "member__person__full_name")),
        "decisions": list(Decision.objects.filter(campaign_id=campaign_id).values("id", "text", "status")),
        "action_items": list(ActionItem.objects.filter(meeting_id=meeting).values("id", "title", "owner_id")),
    }


bench_pages.FLOORS["meeting-page"] = meeting_page_floor
bench_pages.PAGES.append(
    bench_pages.PageKind(
        "meeting page (agenda, attendance, log)",
        lambda campaign: f"/admin/meetings/meeting/{_held_meeting(campaign)}/log/",
        "meeting-page",
    )
)
