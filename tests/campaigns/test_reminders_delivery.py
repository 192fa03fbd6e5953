import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from campaigns.models import Reminder
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from campaigns.tasks import run_reminder_sweep, send_reminder
from tests.campaigns.email_backends import UNREACHABLE_DOMAIN
from tests.campaigns.sweep_helpers import (  # noqa: F401  (fixtures)
    UTC,
    assigned_deliverable,
    core_checks_only,
    eager_celery,
    healthy_campaign,
    team_member,
)

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday: no weekly digest in the way
pytestmark = pytest.mark.usefixtures("core_checks_only")


def overdue_for(count, *, campaign=None):
    """`count` people, each Responsible for an overdue deliverable: one overdue reminder each at NOW."""
    campaign = campaign or healthy_campaign()
    people = []
    for _ in range(count):
        member = team_member(campaign)
        assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member)
        people.append(member.person)
    return people


def sent_ids():
    return sorted(int(message.extra_headers["X-Reminder-Id"]) for message in mail.outbox)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_the_sweep_twice_and_each_task_twice_send_every_reminder_once(django_capture_on_commit_callbacks):
    overdue_for(3)
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                run_reminder_sweep()
        reminders = list(Reminder.objects.order_by("pk"))
        for reminder in reminders:
            assert send_reminder(reminder.pk) == "skipped"  # already sent by the sweep's task

    assert len(reminders) == 3 and {r.status for r in reminders} == {"sent"}
    assert sent_ids() == [r.pk for r in reminders]


@pytest.mark.django_db
def test_the_email_has_text_and_html_and_goes_to_the_person():
    (person,) = overdue_for(1)
    reminder_sweep(now=NOW, enqueue=False)
    reminder = Reminder.objects.get()
    assert reminder.body_text == ""  # written when sent
    assert reminder_send(reminder_id=reminder.pk, now=NOW).status == "sent"
    reminder.refresh_from_db()  # keeps what was sent
    (message,) = mail.outbox
    assert message.to == [f"{person.full_name} <{person.email}>"]
    assert message.subject == reminder.subject_line and "was due on" in message.body
    assert message.alternatives[0].mimetype == "text/html" and "<a href=" in message.alternatives[0].content
    assert reminder.sent_at is not None and reminder.attempts == 1


@pytest.mark.django_db
def test_a_failing_mail_server_is_retried_with_back_off_then_recorded_failed_and_others_still_go(settings):
    settings.EMAIL_BACKEND = "tests.campaigns.email_backends.FailingForOneDomainBackend"
    settings.REMINDER_RETRY_WINDOW_SECONDS = 100  # 15-30 s, then 30-60 s, then what is left of the window
    good, other, unreachable = overdue_for(3)
    unreachable.email = f"someone{UNREACHABLE_DOMAIN}"
    unreachable.save()
    reminder_sweep(now=NOW, enqueue=False)
    failing = Reminder.objects.get(person=unreachable)

    moment, delays = NOW, []
    for reminder in Reminder.objects.order_by("person__email"):
        reminder_send(reminder_id=reminder.pk, now=moment)
    for _ in range(10):
        failing.refresh_from_db()
        if failing.status == "failed":
            break
        assert failing.status == "pending" and "SMTPServerDisconnected" in failing.last_error
        assert reminder_send(reminder_id=failing.pk, now=moment).status == "skipped"  # still backing off
        delays.append((failing.next_attempt_at - moment).total_seconds())
        moment = failing.next_attempt_at
        with time_machine.travel(moment, tick=False):
            reminder_send(reminder_id=failing.pk, now=moment)

    assert failing.status == "failed" and failing.attempts >= 3
    assert failing.next_attempt_at <= NOW + datetime.timedelta(seconds=100)
    assert "attempt(s) over the retry window. SMTPServerDisconnected" in failing.last_error
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60  # exponential, with jitter
    assert set(Reminder.objects.exclude(pk=failing.pk).values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{p.full_name} <{p.email}>" for p in (good, other))
    assert reminder_send(reminder_id=failing.pk, now=moment + datetime.timedelta(days=1)).status == "skipped"


@pytest.mark.django_db
def test_a_bug_while_sending_is_not_retried(monkeypatch):
    overdue_for(1)
    reminder_sweep(now=NOW, enqueue=False)
    reminder = Reminder.objects.get()

    def broken(self, fail_silently=False):
        raise ValueError("template bug")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert reminder_send(reminder_id=reminder.pk, now=NOW).status == "failed"
    reminder.refresh_from_db()
    assert reminder.attempts == 1 and "Not retried (a permanent error)" in reminder.last_error
    assert "template bug" in reminder.last_error


@pytest.mark.django_db
def test_a_row_left_sending_by_a_dead_worker_is_sent_by_the_next_sweep(settings):
    overdue_for(1)
    reminder_sweep(now=NOW, enqueue=False)
    reminder = Reminder.objects.get()
    Reminder.objects.filter(pk=reminder.pk).update(status="sending", attempts=1, claimed_at=NOW)  # then SIGKILL

    assert reminder_send(reminder_id=reminder.pk, now=NOW + datetime.timedelta(seconds=10)).status == "skipped"
    later = NOW + datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 1)
    assert reminder_sweep(now=later, enqueue=False).queued == [reminder.pk]
    assert reminder_send(reminder_id=reminder.pk, now=later).status == "sent"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, len(mail.outbox)) == ("sent", 2, 1)


@pytest.mark.django_db
def test_a_dead_worker_on_the_last_attempt_ends_failed_not_stuck(settings):
    overdue_for(1)
    reminder_sweep(now=NOW, enqueue=False)
    Reminder.objects.update(status="sending", attempts=settings.REMINDER_MAX_ATTEMPTS, claimed_at=NOW)
    later = NOW + datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 1)
    result = reminder_sweep(now=later, enqueue=False)
    assert result.failed_stale == 1 and result.queued == []
    assert Reminder.objects.get().status == "failed"


@pytest.mark.django_db
def test_a_lost_message_is_enqueued_again_but_not_before_the_requeue_delay(settings):
    overdue_for(1)
    assert len(reminder_sweep(now=NOW, enqueue=False).queued) == 1
    assert reminder_sweep(now=NOW + datetime.timedelta(minutes=5), enqueue=False).queued == []
    later = NOW + datetime.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS + 1)
    assert len(reminder_sweep(now=later, enqueue=False).queued) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_celery")
def test_two_sweeps_at_the_same_moment_send_every_reminder_once():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the concurrent run is meaningful on PostgreSQL (CI).")
    people = overdue_for(20)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            with time_machine.travel(NOW, tick=False):
                reminder_sweep()
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    reminders = Reminder.objects.filter(kind="deliverable_overdue")
    assert reminders.count() == len(people) and set(reminders.values_list("status", flat=True)) == {"sent"}
    assert sent_ids() == sorted(reminders.values_list("pk", flat=True))
