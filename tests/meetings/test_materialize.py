import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import ActionItem, Attendance, Meeting, MeetingSeries
from tests.meetings.factories import series_for

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _rows(series):
    return list(
        Meeting.objects.filter(series=series)
        .order_by("occurrence_date")
        .values_list("pk", "occurrence_date", "starts_at", "ends_at", "status")
    )


def _log(meeting, now):
    for attendance in meeting.attendance.all():
        attendance.status = Attendance.Status.PRESENT
        attendance.save()
    return services.meeting_mark_held(meeting=meeting, now=now)


def test_it_materializes_the_rolling_window(weekly, settings):
    meetings = Meeting.objects.filter(series=weekly)
    assert meetings.count() == settings.MEETING_WINDOW_WEEKS
    first = meetings.first()
    assert first.starts_at == datetime.datetime(2026, 11, 24, 15, 0, tzinfo=datetime.UTC)
    assert first.ends_at - first.starts_at == datetime.timedelta(minutes=30)
    assert first.attendance.count() == 2


def test_it_gives_the_same_rows_when_run_twice(weekly, now):
    before = _rows(weekly)
    attendance_before = Attendance.objects.count()

    result = services.series_materialize(series_id=weekly.pk, now=now)

    assert result == services.MaterializeResult()
    assert _rows(weekly) == before
    assert Attendance.objects.count() == attendance_before


def test_it_extends_the_window_as_time_passes(weekly, now, settings):
    services.series_materialize(series_id=weekly.pk, now=now + datetime.timedelta(weeks=2))
    assert Meeting.objects.filter(series=weekly).count() == settings.MEETING_WINDOW_WEEKS + 2


def test_it_keeps_logged_meetings_when_the_series_changes(weekly, now):
    logged = Meeting.objects.filter(series=weekly).first()
    logged.notes = "We agreed the speaker line-up."
    logged.save()
    later = now + datetime.timedelta(days=2)
    _log(logged, later)

    weekly.start_time = datetime.time(11, 0)
    weekly.recurrence = "FREQ=WEEKLY;BYDAY=WE"
    weekly.first_date = datetime.date(2026, 11, 25)
    services.series_update(series=weekly)
    services.series_materialize(series_id=weekly.pk, now=later)

    logged.refresh_from_db()
    assert logged.status == Meeting.Status.HELD
    assert logged.starts_at == datetime.datetime(2026, 11, 24, 15, 0, tzinfo=datetime.UTC)
    assert logged.notes == "We agreed the speaker line-up."
    upcoming = Meeting.objects.filter(series=weekly, starts_at__gt=later)
    assert {meeting.local_start.strftime("%a %H:%M") for meeting in upcoming} == {"Wed 11:00"}


def test_it_moves_upcoming_meetings_to_the_new_time_of_the_same_day(weekly, now):
    meeting = Meeting.objects.filter(series=weekly)[1]
    meeting.agenda = "Review the landing page"
    meeting.save()

    weekly.start_time = datetime.time(9, 0)
    weekly.duration_minutes = 45
    services.series_update(series=weekly)
    services.series_materialize(series_id=weekly.pk, now=now)

    meeting.refresh_from_db()
    assert meeting.local_start.time() == datetime.time(9, 0)
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=45)
    assert meeting.agenda == "Review the landing page"


def test_it_keeps_a_moved_and_a_cancelled_meeting_across_regeneration(weekly, now):
    moved, cancelled = Meeting.objects.filter(series=weekly)[2:4]
    new_start = moved.starts_at + datetime.timedelta(days=1, hours=2)
    services.meeting_reschedule(meeting=moved, starts_at=new_start)
    services.meeting_cancel(meeting=cancelled)

    weekly.title = "Weekly webinar sync"
    services.series_update(series=weekly)
    services.series_materialize(series_id=weekly.pk, now=now)
    services.series_materialize(series_id=weekly.pk, now=now)

    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.starts_at == new_start and moved.is_rescheduled
    assert cancelled.status == Meeting.Status.CANCELLED


def test_ending_a_series_stops_future_meetings_and_keeps_past_ones(weekly, now):
    first = Meeting.objects.filter(series=weekly).first()
    later = now + datetime.timedelta(days=2)
    _log(first, later)
    with_item = Meeting.objects.filter(series=weekly)[5]
    ActionItem.objects.create(
        meeting=with_item,
        title="Book studio",
        owner=first.attendance.first().member,
        due_date=datetime.date(2027, 1, 5),
    )

    services.series_end(series=weekly, last_date=datetime.date(2026, 12, 8))
    services.series_materialize(series_id=weekly.pk, now=later)

    remaining = Meeting.objects.filter(series=weekly)
    assert [m.occurrence_date for m in remaining.exclude(status=Meeting.Status.CANCELLED)] == [
        datetime.date(2026, 11, 24),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
    ]
    # A meeting that already holds an action item is cancelled, not deleted.
    with_item.refresh_from_db()
    assert with_item.status == Meeting.Status.CANCELLED
    weekly.refresh_from_db()
    assert weekly.last_start == datetime.datetime(2026, 12, 8, 15, 0, tzinfo=datetime.UTC)


def test_it_refuses_to_end_a_series_before_it_starts(weekly):
    with pytest.raises(ValidationError):
        services.series_end(series=weekly, last_date=datetime.date(2026, 1, 1))


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))  # before the first meeting
def test_it_invites_new_default_attendees_and_uninvites_removed_ones(weekly, shared_campaign, team, company_a, now):
    from tests.campaigns.factories import member_of

    newcomer = member_of(shared_campaign, company_a)
    services.series_update(series=weekly, default_attendees=[team[0], newcomer])  # on the tests' clock (conftest)
    services.series_materialize(series_id=weekly.pk, now=now)

    upcoming = Attendance.objects.filter(meeting__series=weekly)
    assert set(upcoming.values_list("member", flat=True)) == {team[0].pk, newcomer.pk}


def test_it_refuses_default_attendees_from_another_campaign(weekly, other_campaign):
    with pytest.raises(ValidationError) as error:
        services.series_update(series=weekly, default_attendees=[other_campaign.members.first()])
    assert "Only this campaign's team can be invited" in str(error.value)


def test_it_invites_the_whole_team_when_nobody_is_named(shared_campaign, team, now):
    from tests.meetings.factories import series_for

    series = series_for(shared_campaign, facilitator=team[0], now=now)
    assert set(series.default_attendees.all()) == set(team)


def test_a_logged_meeting_cannot_be_deleted_through_its_series(weekly, now):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        weekly.delete()


def test_regeneration_never_touches_past_unlogged_meetings(weekly, now):
    past = Meeting.objects.filter(series=weekly).first()
    later = past.starts_at + datetime.timedelta(days=1)

    weekly.start_time = datetime.time(14, 0)
    services.series_update(series=weekly)
    services.series_materialize(series_id=weekly.pk, now=later)

    past.refresh_from_db()
    assert past.local_start.time() == datetime.time(10, 0)
    assert past.status == Meeting.Status.SCHEDULED


def test_it_stops_at_its_occurrence_budget_and_keeps_what_it_did_not_reach(weekly, now, settings):
    settings.MEETING_MATERIALIZE_MAX_OCCURRENCES = 3
    before = _rows(weekly)

    services.series_materialize(series_id=weekly.pk, now=now)

    assert _rows(weekly) == before  # meetings after the budget's end are neither recomputed nor deleted


def test_a_brand_new_daily_series_gets_no_more_meetings_than_the_budget(shared_campaign, team, now, settings):
    settings.MEETING_MATERIALIZE_MAX_OCCURRENCES = 5
    series = series_for(shared_campaign, facilitator=team[0], recurrence="FREQ=DAILY", now=now)
    assert Meeting.objects.filter(series=series).count() == 5


def test_a_rule_stored_before_the_bounds_is_skipped_not_crashed_on(weekly, now):
    MeetingSeries.objects.filter(pk=weekly.pk).update(recurrence="FREQ=DAILY;INTERVAL=-1")
    before = _rows(weekly)

    assert services.series_materialize(series_id=weekly.pk, now=now) == services.MaterializeResult()
    assert _rows(weekly) == before


def test_changes_to_the_default_attendees_are_in_the_series_history(weekly, team, alice):
    services.series_update(series=weekly, default_attendees=[team[0]], user=alice)

    invited = [
        {row.member_id for row in record.default_attendees.all()} for record in weekly.history.order_by("history_id")
    ]
    assert {team[0].pk, team[1].pk} in invited
    assert invited[-1] == {team[0].pk}
    assert weekly.history.latest().history_user == alice
