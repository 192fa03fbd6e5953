"""The outbox life cycle every row shares (campaigns.outbox.lifecycle), case by case: what an earlier mutation run
showed no test held (an outcome touching only its own row, the compare-and-set against a late worker, the attempt
cap, back-off, the retry window's boundary, a sent row's old error)."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Reminder
from campaigns.outbox import lifecycle

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
Status = Reminder.Status


@pytest.fixture
def row(alice):
    def make(subject: str = "deliverable:1", **fields) -> Reminder:
        values = {"status": Status.PENDING, "next_attempt_at": NOW, "due_at": NOW, **fields}
        return Reminder.objects.create(kind="deliverable_due", subject=subject, person=alice.person, **values)

    return make


def _fresh(reminder: Reminder) -> Reminder:
    return Reminder.objects.get(pk=reminder.pk)


def test_claim_takes_a_due_row_once(row):
    reminder = row()
    assert lifecycle.claim(Reminder, reminder.pk, NOW) is True
    assert lifecycle.claim(Reminder, reminder.pk, NOW) is False
    claimed = _fresh(reminder)
    assert (claimed.status, claimed.attempts, claimed.claimed_at) == (Status.SENDING, 1, NOW)


def test_claim_leaves_a_row_in_back_off_until_its_moment(row):
    reminder = row(next_attempt_at=NOW + datetime.timedelta(seconds=1))
    assert lifecycle.claim(Reminder, reminder.pk, NOW) is False
    assert lifecycle.claim(Reminder, reminder.pk, NOW + datetime.timedelta(seconds=1)) is True


def test_claim_refuses_a_row_at_the_attempt_cap(row, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    assert lifecycle.claim(Reminder, row(attempts=3).pk, NOW) is False
    assert lifecycle.claim(Reminder, row(subject="deliverable:2", attempts=2).pk, NOW) is True


def test_claim_takes_over_a_row_whose_worker_went_silent_only_after_the_sending_timeout(row, settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 600
    claimed_at = NOW - datetime.timedelta(seconds=600)
    reminder = row(status=Status.SENDING, claimed_at=claimed_at, attempts=1)
    assert lifecycle.claim(Reminder, reminder.pk, NOW) is False  # exactly at the timeout: still its worker's
    assert lifecycle.claim(Reminder, reminder.pk, NOW + datetime.timedelta(seconds=1)) is True
    assert _fresh(reminder).attempts == 2


def test_an_outcome_touches_only_its_own_row(row):
    first, second, third = row(), row(subject="deliverable:2"), row(subject="deliverable:3")
    for reminder in (first, second, third):
        lifecycle.claim(Reminder, reminder.pk, NOW)
    # Each outcome lands while other rows are still being sent, and must leave them so.
    assert lifecycle.mark_sent(_fresh(first), NOW).status == "sent"
    assert (_fresh(second).status, _fresh(third).status) == (Status.SENDING, Status.SENDING)
    assert lifecycle.mark_dropped(_fresh(second), "The deliverable is done.").status == "dropped"
    assert _fresh(third).status == Status.SENDING
    assert (_fresh(first).status, _fresh(second).status) == (Status.SENT, Status.DROPPED)
    assert (_fresh(first).sent_at, _fresh(first).dropped_reason) == (NOW, "")
    assert (_fresh(second).sent_at, _fresh(second).dropped_reason) == (None, "The deliverable is done.")


def test_a_failure_touches_only_its_own_row(row):
    first, second = row(), row(subject="deliverable:2")
    for reminder in (first, second):
        lifecycle.claim(Reminder, reminder.pk, NOW)
    lifecycle.after_failure(_fresh(first), "550 no such user", now=NOW, transient=False)
    assert (_fresh(first).status, _fresh(second).status) == (Status.FAILED, Status.SENDING)
    assert _fresh(second).last_error == ""


def test_a_late_worker_does_not_overwrite_a_row_another_worker_took_over(row, settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 600
    reminder = row()
    lifecycle.claim(Reminder, reminder.pk, NOW)
    late = _fresh(reminder)  # the first worker's copy
    later = NOW + datetime.timedelta(seconds=601)
    lifecycle.claim(Reminder, reminder.pk, later)  # a second worker takes the silent row over …
    lifecycle.mark_sent(_fresh(reminder), later)  # … and sends it
    lifecycle.after_failure(late, "timed out", now=later, transient=True)  # the first worker wakes up
    lifecycle.mark_dropped(late, "too late")
    stored = _fresh(reminder)
    assert (stored.status, stored.last_error, stored.dropped_reason) == (Status.SENT, "", "")


def test_a_sent_row_clears_the_error_of_an_earlier_attempt(row):
    reminder = row(last_error="421 try again later")
    lifecycle.claim(Reminder, reminder.pk, NOW)
    lifecycle.mark_sent(_fresh(reminder), NOW)
    assert _fresh(reminder).last_error == ""


def test_a_transient_failure_backs_off_within_the_retry_window(row, settings):
    settings.REMINDER_RETRY_WINDOW_SECONDS = 3600
    settings.REMINDER_RETRY_BASE_SECONDS = 30
    reminder = row()
    lifecycle.claim(Reminder, reminder.pk, NOW)
    outcome = lifecycle.after_failure(_fresh(reminder), "421 busy", now=NOW, transient=True)
    stored = _fresh(reminder)
    assert outcome.status == "retry" and 15 <= outcome.retry_in <= 30
    assert stored.status == Status.PENDING and stored.last_error == "421 busy"
    assert stored.retry_until == NOW + datetime.timedelta(seconds=3600)
    assert stored.next_attempt_at == stored.enqueued_at == NOW + datetime.timedelta(seconds=outcome.retry_in)


def test_the_retry_window_ends_exactly_at_its_boundary(row):
    until = NOW + datetime.timedelta(hours=1)
    before, at = row(retry_until=until), row(subject="deliverable:2", retry_until=until)
    for reminder, moment in ((before, until - datetime.timedelta(seconds=1)), (at, until)):
        lifecycle.claim(Reminder, reminder.pk, NOW)
        lifecycle.after_failure(_fresh(reminder), "421 busy", now=moment, transient=True)
    assert _fresh(before).status == Status.PENDING
    assert _fresh(at).status == Status.FAILED
    assert _fresh(at).last_error.startswith("Gave up after 1 attempt(s) over the retry window. 421 busy")


def test_a_retry_never_waits_past_the_retry_window(row, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 600
    reminder = row(retry_until=NOW + datetime.timedelta(seconds=5))
    lifecycle.claim(Reminder, reminder.pk, NOW)
    outcome = lifecycle.after_failure(_fresh(reminder), "421 busy", now=NOW, transient=True)
    assert outcome.retry_in == 5


def test_a_permanent_failure_ends_at_once_and_says_so(row):
    reminder = row()
    lifecycle.claim(Reminder, reminder.pk, NOW)
    outcome = lifecycle.after_failure(_fresh(reminder), "550 no such user", now=NOW, transient=False)
    assert outcome.status == "failed"
    assert _fresh(reminder).last_error == "Not retried (a permanent error). 550 no such user"


def test_the_last_allowed_attempt_is_not_retried(row, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    reminder = row(attempts=1)
    lifecycle.claim(Reminder, reminder.pk, NOW)
    assert lifecycle.after_failure(_fresh(reminder), "421 busy", now=NOW, transient=True).status == "failed"


def test_enqueueing_takes_due_rows_and_lost_messages_but_not_rows_in_back_off(row, settings):
    settings.REMINDER_REQUEUE_AFTER_SECONDS = 600
    due = row()
    waiting = row(subject="deliverable:2", next_attempt_at=NOW + datetime.timedelta(seconds=1))
    on_its_way = row(subject="deliverable:3", enqueued_at=NOW - datetime.timedelta(seconds=600))
    lost = row(subject="deliverable:4", enqueued_at=NOW - datetime.timedelta(seconds=601))
    failed, queued = lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", NOW, enqueue=False)
    assert (failed, sorted(queued)) == (0, sorted([due.pk, lost.pk]))
    assert _fresh(due).enqueued_at == NOW and _fresh(waiting).enqueued_at is None
    assert _fresh(on_its_way).enqueued_at == NOW - datetime.timedelta(seconds=600)


def test_a_row_abandoned_on_its_last_attempt_ends_failed(row, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 600
    silent_since = NOW - datetime.timedelta(seconds=601)
    last = row(status=Status.SENDING, attempts=2, claimed_at=silent_since)
    not_last = row(subject="deliverable:2", status=Status.SENDING, attempts=1, claimed_at=silent_since)
    recent = row(subject="deliverable:3", status=Status.SENDING, attempts=2, claimed_at=NOW)
    waiting = row(subject="deliverable:4", status=Status.PENDING, attempts=2, claimed_at=silent_since)
    assert lifecycle.fail_abandoned(Reminder, NOW) == 1
    assert _fresh(waiting).status == Status.PENDING  # only a row left "sending" is abandoned
    assert _fresh(last).status == Status.FAILED
    assert _fresh(last).last_error == (
        "The worker stopped while sending (no answer within the sending timeout) on the last attempt."
    )
    assert (_fresh(not_last).status, _fresh(recent).status) == (Status.SENDING, Status.SENDING)


def test_resend_gives_a_failed_row_a_fresh_set_of_attempts(row):
    reminder = row(status=Status.FAILED, attempts=7, retry_until=NOW, enqueued_at=NOW)
    sent = row(subject="deliverable:2", status=Status.SENT, attempts=1)
    again = lifecycle.resend(reminder)
    assert (again.status, again.attempts, again.enqueued_at, again.retry_until) == (Status.PENDING, 0, None, None)
    assert lifecycle.resend(sent).status == Status.SENT  # only a failed row is sent again


def test_one_sweep_hands_over_at_most_a_thousand_rows_earliest_due_first(alice):
    """A sweep's work stays bounded: the thousand rows due longest ago go now, the rest at the next sweep."""
    Reminder.objects.bulk_create(
        Reminder(
            kind="deliverable_due",
            subject=f"deliverable:{number}",
            person=alice.person,
            status=Status.PENDING,
            due_at=NOW,
            next_attempt_at=NOW - datetime.timedelta(minutes=number),
        )
        for number in range(1001)
    )
    _, first_sweep = lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", NOW, enqueue=False)
    assert len(first_sweep) == 1000
    assert Reminder.objects.get(subject="deliverable:0").enqueued_at is None  # due most recently: waits
    later = NOW + datetime.timedelta(seconds=1)
    assert len(lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", later, enqueue=False)[1]) == 1


def test_rows_handed_over_are_sent_to_the_worker_by_default(row, monkeypatch):
    sent_to_worker = []
    monkeypatch.setattr(lifecycle, "enqueue_on_commit", lambda task, row_id: sent_to_worker.append((task, row_id)))
    due = row()
    lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", NOW)
    assert sent_to_worker == [("campaigns.send_reminder", due.pk)]


def test_enqueueing_never_hands_over_a_row_that_is_done(row):
    for number, status in enumerate((Status.SENT, Status.FAILED, Status.DROPPED)):
        row(subject=f"deliverable:{number}", status=status)
    assert lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", NOW, enqueue=False)[1] == []


def test_a_row_whose_worker_went_silent_is_handed_over_again_unless_its_new_message_is_on_the_way(row, settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 600
    settings.REMINDER_REQUEUE_AFTER_SECONDS = 3600  # longer than the sending timeout: a taken message is not lost
    silent_since = NOW - datetime.timedelta(seconds=601)

    def stale(subject: str, enqueued_at, claimed_at=silent_since):
        return row(subject=subject, status=Status.SENDING, attempts=1, claimed_at=claimed_at, enqueued_at=enqueued_at)

    never_enqueued = stale("deliverable:1", None)
    # Sent again after the worker went silent, and that message was lost too.
    message_lost = stale("deliverable:2", NOW - datetime.timedelta(seconds=3601), NOW - datetime.timedelta(hours=2))
    message_taken_then_worker_died = stale("deliverable:3", silent_since - datetime.timedelta(seconds=1))
    new_message_on_its_way = stale("deliverable:4", NOW - datetime.timedelta(seconds=10))
    queued = lifecycle.enqueue_due(Reminder, "campaigns.send_reminder", NOW, enqueue=False)[1]
    assert sorted(queued) == sorted([never_enqueued.pk, message_lost.pk, message_taken_then_worker_died.pk])
    assert new_message_on_its_way.pk not in queued


def test_a_resent_row_is_due_at_once_even_if_its_last_retry_was_planned_later(row):
    later = timezone.now() + datetime.timedelta(days=1)
    reminder = row(status=Status.FAILED, attempts=3, next_attempt_at=later)
    lifecycle.resend(reminder)
    assert lifecycle.claim(Reminder, reminder.pk, timezone.now()) is True


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 60), (2, 120), (3, 240), (4, 300), (9, 300)])
def test_back_off_doubles_from_the_base_up_to_the_cap_scaled_by_half_to_whole(attempt, ceiling, settings, monkeypatch):
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    settings.REMINDER_RETRY_MAX_SECONDS = 300
    monkeypatch.setattr(lifecycle.random, "uniform", lambda low, high: low)
    assert lifecycle.retry_delay(attempt) == ceiling / 2
    monkeypatch.setattr(lifecycle.random, "uniform", lambda low, high: high)
    assert lifecycle.retry_delay(attempt) == ceiling


def test_an_outcome_arriving_after_the_row_ended_changes_nothing(row):
    failed = row(status=Status.FAILED, last_error="Gave up.")
    lifecycle.mark_sent(failed, NOW)
    lifecycle.mark_dropped(failed, "The deliverable is done.")
    assert (_fresh(failed).status, _fresh(failed).sent_at, _fresh(failed).dropped_reason) == (Status.FAILED, None, "")


def test_claiming_one_row_leaves_the_other_due_rows_to_their_own_senders(row):
    first, second = row(), row(subject="deliverable:2")
    assert lifecycle.claim(Reminder, first.pk, NOW) is True
    assert (_fresh(second).status, _fresh(second).attempts) == (Status.PENDING, 0)


def test_a_long_reason_for_dropping_is_kept_to_its_first_300_characters(row):
    reminder = row()
    lifecycle.claim(Reminder, reminder.pk, NOW)
    lifecycle.mark_dropped(_fresh(reminder), "x" * 299 + "yz")
    assert _fresh(reminder).dropped_reason == "x" * 299 + "y"


def test_resend_leaves_the_other_failed_rows_alone(row):
    chosen, other = (
        row(status=Status.FAILED, attempts=7),
        row(subject="deliverable:2", status=Status.FAILED, attempts=7),
    )
    lifecycle.resend(chosen)
    assert (_fresh(other).status, _fresh(other).attempts) == (Status.FAILED, 7)


# --- Pauses: a destination that refuses everything waits, instead of failing every row ---------------------------

MINUTE = datetime.timedelta(minutes=1)


def test_the_first_failure_pauses_a_channel_unless_told_to_wait_for_more():
    assert lifecycle.pause_after_failure("mail", "554 go away", now=NOW, seconds=300) == NOW + 5 * MINUTE
    pause = lifecycle.pause_of("mail")
    assert (pause.reason, pause.since, pause.paused_until, pause.failures) == ("554 go away", NOW, NOW + 5 * MINUTE, 1)
    assert lifecycle.pause_of("webhook:1") is None


def test_a_channel_is_paused_from_the_nth_failure_in_a_row_and_keeps_when_it_began():
    def fail(minute: int) -> datetime.datetime | None:
        at = NOW + minute * MINUTE
        return lifecycle.pause_after_failure("webhook:7", f"503 at {minute}", now=at, seconds=600, after_failures=3)

    assert (fail(0), fail(1)) == (None, None)
    assert fail(2) == NOW + 12 * MINUTE
    pause = lifecycle.pause_of("webhook:7")
    assert (pause.failures, pause.since, pause.reason, pause.paused_until) == (3, NOW, "503 at 2", NOW + 12 * MINUTE)


def test_a_shorter_pause_never_cuts_a_longer_one_short():
    lifecycle.pause_after_failure("mail", "554", now=NOW, seconds=3600)
    assert lifecycle.pause_after_failure("mail", "554", now=NOW + MINUTE, seconds=60) == NOW + 60 * MINUTE
    assert lifecycle.pause_of("mail").paused_until == NOW + 60 * MINUTE


def test_a_very_long_refusal_is_kept_to_its_first_thousand_characters():
    lifecycle.pause_after_failure("mail", "5" * 999 + "54", now=NOW, seconds=60)
    assert lifecycle.pause_of("mail").reason == "5" * 999 + "5"
    lifecycle.pause_after_failure("mail", "4" * 999 + "21", now=NOW, seconds=60)
    assert lifecycle.pause_of("mail").reason == "4" * 999 + "2"  # the latest refusal, kept to 1,000 too


def test_a_pause_holds_until_its_moment_and_not_after():
    assert lifecycle.paused_until(None, NOW) is None
    lifecycle.pause_after_failure("mail", "554", now=NOW, seconds=60)
    pause = lifecycle.pause_of("mail")
    assert lifecycle.paused_until(pause, NOW) == NOW + MINUTE
    assert lifecycle.paused_until(pause, NOW + MINUTE) is None


def test_a_message_that_goes_out_lifts_only_its_own_channels_pause():
    for channel in ("mail", "webhook:1"):
        lifecycle.pause_after_failure(channel, "refused", now=NOW, seconds=60)
    lifecycle.resume("mail")
    assert lifecycle.pause_of("mail") is None and lifecycle.pause_of("webhook:1") is not None


def test_a_retry_waits_for_the_end_of_a_pause_but_never_past_the_retry_window(row, settings, monkeypatch):
    settings.REMINDER_RETRY_WINDOW_SECONDS = 3600
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    monkeypatch.setattr(lifecycle.random, "uniform", lambda low, high: high)  # back-off: exactly 60 s

    def retry_in(not_before) -> float:
        reminder = row(subject=f"deliverable:{not_before}")
        lifecycle.claim(Reminder, reminder.pk, NOW)
        return lifecycle.after_failure(_fresh(reminder), "554", now=NOW, transient=True, not_before=not_before).retry_in

    assert retry_in(None) == 60
    assert retry_in(NOW + 10 * MINUTE) == 600  # the pause ends after the back-off
    assert retry_in(NOW + datetime.timedelta(seconds=30)) == 60  # the back-off ends after the pause
    assert retry_in(NOW + 2 * datetime.timedelta(hours=1)) == 3600  # the window ends first


def test_a_failure_counts_and_pauses_only_its_own_channel():
    lifecycle.pause_after_failure("webhook:1", "503", now=NOW, seconds=60, after_failures=5)
    lifecycle.pause_after_failure("mail", "554", now=NOW, seconds=3600)
    other = lifecycle.pause_of("webhook:1")
    assert (other.failures, other.paused_until) == (1, NOW)
