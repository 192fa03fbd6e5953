"""A reminder is checked again at the moment it is sent: a cleared condition or an opt-out drops it (with the
reason kept), and "today" or "tomorrow" is worded from that moment in the recipient's zone."""

import datetime

import pytest
import time_machine
from django.core import mail

from campaigns.models import Deliverable, Reminder, ReminderOptOut
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from meetings.models import Meeting
from tests.campaigns.sweep_helpers import (  # noqa: F401  (fixtures)
    UTC,
    assigned_deliverable,
    core_checks_only,
    healthy_campaign,
    team_member,
)
from tests.meetings.factories import series_for

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _overdue_reminder():
    campaign = healthy_campaign()
    member = team_member(campaign)
    deliverable = assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member)
    reminder_sweep(now=NOW, enqueue=False)
    return deliverable, Reminder.objects.get(kind="deliverable_overdue", person=member.person)


@pytest.mark.django_db
@pytest.mark.usefixtures("core_checks_only")
def test_a_reminder_whose_condition_cleared_before_sending_is_dropped_with_the_reason():
    deliverable, reminder = _overdue_reminder()
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.PUBLISHED)

    with time_machine.travel(NOW, tick=False):
        outcome = reminder_send(reminder_id=reminder.pk)

    reminder.refresh_from_db()
    assert outcome.status == "dropped" and reminder.status == "dropped"
    assert reminder.dropped_reason == "The deliverable is published." and mail.outbox == []


@pytest.mark.django_db
@pytest.mark.usefixtures("core_checks_only")
def test_an_opt_out_made_after_queueing_is_respected():
    _deliverable, reminder = _overdue_reminder()
    ReminderOptOut.objects.create(person=reminder.person, kind="deliverable_overdue")

    with time_machine.travel(NOW, tick=False):
        assert reminder_send(reminder_id=reminder.pk).status == "dropped"
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "sent_at", "subject_starts"),
    [
        # The meeting: Wed 25 Nov 2026, 16:00 UTC = Thu 01:00 in Tokyo, Wed 08:00 in Los Angeles.
        ("Asia/Tokyo", datetime.datetime(2026, 11, 25, 0, 0, tzinfo=UTC), "Tomorrow 01:00"),  # 09:00 Wed, Tokyo
        ("Asia/Tokyo", datetime.datetime(2026, 11, 25, 15, 30, tzinfo=UTC), "Today 01:00"),  # 00:30 Thu, Tokyo
        ("America/Los_Angeles", datetime.datetime(2026, 11, 24, 17, 0, tzinfo=UTC), "Tomorrow 08:00"),  # 09:00 Tue
        ("America/Los_Angeles", datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC), "Today 08:00"),  # 01:00 Wed
    ],
)
def test_tomorrow_is_right_for_tokyo_and_los_angeles_at_the_moment_of_sending(zone, sent_at, subject_starts):
    campaign = healthy_campaign()
    member = team_member(campaign)
    member.person.time_zone = zone
    member.person.save()
    series = series_for(
        campaign,
        facilitator=member,
        attendees=[member],
        first_date=datetime.date(2026, 11, 25),
        start_time=datetime.time(16, 0),
        time_zone="UTC",
        now=NOW,
    )
    meeting = series.meetings.order_by("starts_at").first()
    reminder = Reminder.objects.create(
        kind="meeting_tomorrow",
        subject=f"meeting:{meeting.pk}",
        person=member.person,
        campaign=campaign,
        due_at=sent_at,
        next_attempt_at=sent_at,
    )

    with time_machine.travel(sent_at, tick=False):
        assert reminder_send(reminder_id=reminder.pk).status == "sent"

    assert mail.outbox[0].subject.startswith(subject_starts), mail.outbox[0].subject


@pytest.mark.django_db
def test_a_meeting_reminder_after_the_meeting_began_is_dropped():
    campaign = healthy_campaign()
    member = team_member(campaign)
    series = series_for(
        campaign,
        facilitator=member,
        attendees=[member],
        first_date=datetime.date(2026, 11, 25),
        start_time=datetime.time(16, 0),
        time_zone="UTC",
        now=NOW,
    )
    meeting = series.meetings.order_by("starts_at").first()
    late = datetime.datetime(2026, 11, 25, 16, 5, tzinfo=UTC)
    reminder = Reminder.objects.create(
        kind="meeting_tomorrow",
        subject=f"meeting:{meeting.pk}",
        person=member.person,
        campaign=campaign,
        due_at=late,
        next_attempt_at=late,
    )

    with time_machine.travel(late, tick=False):
        assert reminder_send(reminder_id=reminder.pk).status == "dropped"
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled" and mail.outbox == []
