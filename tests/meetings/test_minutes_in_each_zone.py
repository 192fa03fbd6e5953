"""Minutes give each reader the meeting's time in their own zone, and go out in the facilitator's name."""

import email
from email import policy

from django.core import mail

from campaigns.models import Reminder
from campaigns.outbox.reminders import reminder_send
from meetings import services
from meetings.minutes import MINUTES
from meetings.models import Meeting


def test_a_berlin_reader_gets_the_minutes_in_berlin_time_from_the_facilitator(weekly, team, carol):
    carol.person.time_zone = "Europe/Berlin"
    carol.person.save()
    meeting = Meeting.objects.filter(series=weekly).order_by("starts_at").first()  # Tue 24 Nov, 10:00 New York

    services.meeting_log(meeting=meeting, attendance={team[0]: "present", team[1]: "present"}, now=meeting.ends_at)
    row = Reminder.objects.get(kind=MINUTES, person=carol.person)
    reminder_send(reminder_id=row.pk, now=meeting.ends_at)  # logged as it ended

    (sent,) = [message for message in mail.outbox if carol.person.email in message.to[0]]
    assert "on Tue 24 Nov 2026, 16:00 your time (Europe/Berlin)" in sent.body
    parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    assert parsed["From"].addresses[0].display_name == "Alice via Co-marketing tracker"
    assert parsed["Reply-To"].addresses[0].addr_spec == team[0].person.email
