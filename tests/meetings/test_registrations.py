"""Health checks, reminders and digest lines meetings registers with campaigns' registries."""

import datetime
import zoneinfo

import pytest

from campaigns.models import Campaign
from campaigns.registries import checks as health
from campaigns.registries import digest
from meetings import services
from meetings.models import ActionItem, Attendance, Meeting
from meetings.summary import render_notes_summary
from tests.campaigns.sweep_helpers import due_reminders, written
from tests.conftest import member_of_user
from tests.meetings.factories import series_for

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def _open():
    return Campaign.objects.open()


def _hold(meeting, statuses, now):
    for attendance in meeting.attendance.select_related("member__person"):
        attendance.status = statuses.get(attendance.member.person.organization.name, Attendance.Status.PRESENT)
        attendance.save()
    return services.meeting_mark_held(meeting=meeting, now=now)


def _planning(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PLANNING)


# --- Health checks -------------------------------------------------------------------------------------------


def test_no_meeting_cadence_flags_a_campaign_in_planning_without_an_active_series(
    shared_campaign, other_campaign, team, now
):
    _planning(shared_campaign)
    _planning(other_campaign)
    series_for(other_campaign, facilitator=other_campaign.members.first(), now=now)

    findings = list(health.checks["no_meeting_cadence"].find(_open(), now))

    assert [finding.campaign_id for finding in findings] == [shared_campaign.pk]


def test_an_ended_series_is_no_cadence(shared_campaign, weekly, now):
    _planning(shared_campaign)
    assert list(health.checks["no_meeting_cadence"].find(_open(), now)) == []
    services.series_end(series=weekly, last_date=datetime.date(2026, 11, 24))

    later = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    assert [f.campaign_id for f in health.checks["no_meeting_cadence"].find(_open(), later)] == [shared_campaign.pk]


def test_meeting_not_logged_flags_a_meeting_over_a_day_past(weekly, now):
    first = Meeting.objects.filter(series=weekly).first()
    assert list(health.checks["meeting_not_logged"].find(_open(), first.ends_at + datetime.timedelta(hours=23))) == []

    [finding] = health.checks["meeting_not_logged"].find(_open(), first.ends_at + datetime.timedelta(hours=25))

    assert finding.subject == f"meeting:{first.pk}"
    assert "Tue 24 Nov" in finding.detail


def test_party_absent_flags_a_company_absent_from_the_last_two_held_meetings(weekly, shared_campaign, company_b):
    first, second, third = Meeting.objects.filter(series=weekly)[:3]
    later = third.ends_at + datetime.timedelta(hours=1)
    _hold(first, {}, later)
    _hold(second, {"Company B": Attendance.Status.ABSENT}, later)
    assert list(health.checks["party_absent"].find(_open(), later)) == []

    _hold(third, {"Company B": Attendance.Status.EXCUSED}, later)
    [finding] = health.checks["party_absent"].find(_open(), later)

    assert (finding.campaign_id, finding.subject) == (shared_campaign.pk, f"organization:{company_b.pk}")
    assert "Nobody from Company B attended the last two meetings (Tue 1 Dec and Tue 8 Dec)" in finding.detail


def test_health_checks_are_one_query_each_whatever_the_number_of_campaigns(
    django_assert_max_num_queries, weekly, secret_series, now
):
    later = now + datetime.timedelta(days=30)
    for code, limit in [("no_meeting_cadence", 1), ("meeting_not_logged", 1), ("party_absent", 3)]:
        with django_assert_max_num_queries(limit):
            health.checks[code].find(_open(), later)


# --- Reminders --------------------------------------------------------------------------------------------------


@pytest.fixture
def far_apart(shared_campaign, company_a, company_b):
    """A person in Tokyo and one in Los Angeles, on the team, invited to a Tuesday 10:00 New York series."""
    from tests.partners.factories import company_user

    tokyo = member_of_user(shared_campaign, company_user(company_a, time_zone="Asia/Tokyo", name="Kenji"))
    los_angeles = member_of_user(shared_campaign, company_user(company_b, time_zone="America/Los_Angeles", name="Lily"))
    return tokyo, los_angeles


def test_meeting_tomorrow_is_due_at_nine_the_day_before_in_each_recipients_zone(shared_campaign, far_apart, now):
    tokyo, los_angeles = far_apart
    series = series_for(
        shared_campaign,
        facilitator=tokyo,
        attendees=[tokyo, los_angeles],
        first_date=datetime.date(2026, 12, 1),
        now=now,
    )
    meeting = Meeting.objects.filter(series=series).first()  # Tue 1 Dec 10:00 New York = 15:00 UTC
    meeting.agenda = "Speaker line-up"
    meeting.save()
    ActionItem.objects.create(
        meeting=meeting, title="Send bios", owner=los_angeles, due_date=datetime.date(2026, 12, 4)
    )

    def find(moment):
        return due_reminders("meeting_tomorrow", moment)

    # Tokyo: the meeting is Wed 2 Dec 00:00 local, so the reminder is Tue 1 Dec 09:00 Tokyo (= 00:00 UTC).
    tokyo_due = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
    # Los Angeles: the meeting is Tue 1 Dec 07:00 local; reminder Mon 30 Nov 09:00 LA (= 17:00 UTC).
    la_due = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=LOS_ANGELES)

    assert list(find(la_due - datetime.timedelta(minutes=1))) == []
    [for_la] = list(find(la_due))
    assert (for_la.person_id, for_la.due_at) == (los_angeles.person_id, la_due)
    assert "Tuesday 1 December at 07:00 your time (America/Los_Angeles)" in written(for_la).body_text
    assert "Speaker line-up" in written(for_la).body_text
    assert "Send bios — you, due Fri 4 Dec 2026" in written(for_la).body_text

    reminders = {reminder.person_id: reminder for reminder in find(tokyo_due)}
    assert reminders[tokyo.person_id].due_at == tokyo_due
    assert "Wednesday 2 December at 00:00 your time (Asia/Tokyo)" in written(reminders[tokyo.person_id]).body_text
    assert list(find(meeting.starts_at)) == []  # once it has started, it is too late


def test_action_item_due_and_overdue_reach_the_owner_at_nine_their_time(weekly, far_apart, now):
    tokyo, _ = far_apart
    meeting = Meeting.objects.filter(series=weekly).first()
    item = ActionItem.objects.create(
        meeting=meeting, title="Book the studio", owner=tokyo, due_date=datetime.date(2026, 12, 4)
    )

    def due_soon(moment):
        return due_reminders("action_item_due", moment)

    def overdue(moment):
        return due_reminders("action_item_overdue", moment)

    soon_at = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=TOKYO)
    assert list(due_soon(soon_at - datetime.timedelta(seconds=1))) == []
    [reminder] = list(due_soon(soon_at))
    assert (reminder.subject, reminder.person_id, reminder.due_at) == (
        f"action_item:{item.pk}",
        tokyo.person_id,
        soon_at,
    )

    late_at = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=TOKYO)
    assert list(due_soon(late_at)) == []
    [late] = list(overdue(late_at))
    assert late.due_at == late_at and "still open" in written(late).body_text
    item.status = ActionItem.Status.DONE
    item.save()
    assert list(overdue(late_at)) == []


def test_reminder_sources_use_a_constant_number_of_queries(django_assert_max_num_queries, weekly, far_apart, now):
    moment = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)
    for kind, limit in [
        ("meeting_tomorrow", 2),
        ("action_item_due", 1),
        ("action_item_overdue", 1),
    ]:
        with django_assert_max_num_queries(limit):
            due_reminders(kind, moment)


# --- Digest and summary -----------------------------------------------------------------------------------------


def test_the_digest_lists_each_persons_open_action_items(weekly, team, now):
    meeting = Meeting.objects.filter(series=weekly).first()
    ActionItem.objects.create(meeting=meeting, title="Send bios", owner=team[1], due_date=datetime.date(2026, 11, 20))
    ActionItem.objects.create(
        meeting=meeting,
        title="Done one",
        owner=team[1],
        due_date=datetime.date(2026, 11, 20),
        status=ActionItem.Status.DONE,
    )
    source = next(source for source in digest.sources if source.__module__ == "meetings.digest_lines")

    [line] = source([team[1].person_id], now)

    assert line.person_id == team[1].person_id
    assert line.text == "Action item “Send bios” — due Fri 20 Nov 2026 (overdue)"  # the digest names the campaign


def test_the_notes_summary_shows_the_time_in_the_readers_zone(weekly, team, now):
    meeting = Meeting.objects.filter(series=weekly).first()
    meeting.notes = "Title agreed."
    meeting.save()
    services.meeting_log(meeting=meeting, attendance={team[0]: "present", team[1]: "excused"}, now=meeting.ends_at)

    summary = render_notes_summary(meeting, "Europe/Berlin")

    assert "Tuesday 24 November 2026, 16:00 (Europe/Berlin)" in summary.text
    assert "Present: Alice (Company A)" in summary.text
    assert "Title agreed." in summary.html
