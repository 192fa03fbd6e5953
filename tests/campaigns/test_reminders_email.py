"""E-mail that always goes out: proper recipients, one-line headers, retries without an operator, one Message-ID."""

import datetime
from email.utils import formataddr, getaddresses

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns.models import Campaign, Deliverable, Reminder
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from tests.campaigns.email_backends import OutageBackend, RefusingBackend
from tests.campaigns.sweep_helpers import (  # noqa: F401  (fixtures)
    UTC,
    assigned_deliverable,
    core_checks_only,
    healthy_campaign,
    team_member,
)
from utilities.validation import save_validated

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.usefixtures("core_checks_only"), pytest.mark.django_db]


def _overdue(count=1, campaign=None):
    campaign = campaign or healthy_campaign()
    members = [team_member(campaign) for _ in range(count)]
    for member in members:
        assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member)
    reminder_sweep(now=NOW, enqueue=False)
    return members


def _send_until_settled(limit=500) -> datetime.datetime:
    """Send every pending row at its next attempt moment, as the retry tasks would, until none is pending."""
    moment = NOW
    for _ in range(limit):
        pending = Reminder.objects.filter(status="pending").order_by("next_attempt_at").first()
        if pending is None:
            return moment
        moment = max(moment, pending.next_attempt_at)
        with time_machine.travel(moment, tick=False):
            reminder_send(reminder_id=pending.pk, now=moment)
    raise AssertionError("still pending")


@pytest.mark.parametrize("name", ["Lund, Erik", "Erik; Lund", "Erik <Lund>", 'Erik "the Red" Lund', "Jörg Müller"])
def test_a_recipient_with_punctuation_in_the_name_gets_the_reminder(name):
    (member,) = _overdue()
    member.person.full_name = name
    member.person.save()

    assert reminder_send(reminder_id=Reminder.objects.get().pk, now=NOW).status == "sent"
    (message,) = mail.outbox
    assert message.to == [formataddr((name, member.person.email))]
    assert getaddresses([str(message.message()["To"])])[0][1] == member.person.email


def test_a_line_break_stored_in_a_title_is_flattened_in_the_subject():
    campaign = healthy_campaign()
    _overdue(campaign=campaign)
    # Stored before titles were checked (the e-mail is written when sent, from the rows as they are then).
    Deliverable.objects.update(title="Launch\r\nBcc: victim@example.com")
    Campaign.objects.filter(pk=campaign.pk).update(name="Joint\nwebinar")

    assert reminder_send(reminder_id=Reminder.objects.get().pk, now=NOW).status == "sent"
    (message,) = mail.outbox
    assert message.subject == "Overdue: “Launch Bcc: victim@example.com” (Joint webinar)"
    assert "Bcc" not in message.message().keys()


@pytest.mark.parametrize("row_of", [lambda deliverable: deliverable.campaign, lambda deliverable: deliverable])
def test_a_campaign_name_or_deliverable_title_with_a_line_break_is_refused(row_of):
    row = row_of(assigned_deliverable(healthy_campaign(), due_date=datetime.date(2026, 12, 1)))
    field = "name" if isinstance(row, Campaign) else "title"
    setattr(row, field, "First line\r\nBcc: victim@example.com")
    with pytest.raises(ValidationError) as error:
        save_validated(row)
    assert "one line" in error.value.message_dict[field][0]


def test_an_hour_long_mail_server_outage_ends_with_everything_sent_and_no_operator(settings):
    settings.EMAIL_BACKEND = "tests.campaigns.email_backends.OutageBackend"
    OutageBackend.OUTAGE_UNTIL = NOW + datetime.timedelta(hours=1)
    try:
        _overdue(3)
        settled_at = _send_until_settled()
    finally:
        OutageBackend.OUTAGE_UNTIL = None

    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 3
    # Back-off is capped (15 minutes), so the last one goes within that of the server coming back.
    assert settled_at <= NOW + datetime.timedelta(hours=1, seconds=settings.REMINDER_RETRY_MAX_SECONDS)
    assert all(r.attempts > 5 for r in Reminder.objects.all())  # more than the old fixed 5 attempts


def test_an_outage_longer_than_the_retry_window_ends_failed(settings):
    settings.EMAIL_BACKEND = "tests.campaigns.email_backends.OutageBackend"
    settings.REMINDER_RETRY_WINDOW_SECONDS = 3600
    OutageBackend.OUTAGE_UNTIL = NOW + datetime.timedelta(days=2)
    try:
        _overdue(1)
        _send_until_settled()
    finally:
        OutageBackend.OUTAGE_UNTIL = None
    reminder = Reminder.objects.get()
    assert reminder.status == "failed" and "over the retry window. ConnectionRefusedError" in reminder.last_error
    assert reminder.next_attempt_at <= NOW + datetime.timedelta(hours=1)


@pytest.mark.parametrize(("refusal", "status"), [((550, b"No such user"), "failed"), ((451, b"Try later"), "retry")])
def test_a_5xx_answer_fails_at_once_and_a_4xx_is_retried(settings, refusal, status):
    settings.EMAIL_BACKEND = "tests.campaigns.email_backends.RefusingBackend"
    RefusingBackend.REFUSAL = refusal
    _overdue(1)
    assert reminder_send(reminder_id=Reminder.objects.get().pk, now=NOW).status == status


def test_a_copy_sent_again_after_a_crash_carries_the_same_message_id(settings):
    _overdue(1)
    reminder = Reminder.objects.get()
    assert reminder_send(reminder_id=reminder.pk, now=NOW).status == "sent"
    # The worker died after the mail server took the message and before the row was marked sent.
    Reminder.objects.update(status="sending", claimed_at=NOW)
    later = NOW + datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 1)
    assert reminder_send(reminder_id=reminder.pk, now=later).status == "sent"

    first, second = mail.outbox
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert first.message()["Message-ID"].startswith("<reminder.")


def test_different_reminders_have_different_message_ids():
    _overdue(2)
    for reminder in Reminder.objects.all():
        reminder_send(reminder_id=reminder.pk, now=NOW)
    assert len({message.message()["Message-ID"] for message in mail.outbox}) == 2
