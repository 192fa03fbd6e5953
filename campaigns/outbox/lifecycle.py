"""The life cycle every outbox row shares (e-mail reminders, webhook deliveries): claimed by exactly one sender,
retried with capped exponential back-off for a retry window after the first transient failure, failed with the
error kept, re-enqueued by the next sweep when its message to the worker was lost; a destination that refuses
everything for now is paused (SendingPause) so its rows wait instead of spending their attempts."""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from campaigns.models.outbox import OutboxRow, SendingPause
from utilities.tasks import enqueue_on_commit

Status = OutboxRow.Status

# The most rows one sweep enqueues; the next sweep takes the rest (keeps a sweep's work bounded).
ENQUEUE_LIMIT = 1000


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "retry", "failed", "dropped" or "skipped" (someone else has it, or it is not due)
    retry_in: float | None = None


def stale_sending(now: datetime.datetime) -> Q:
    stale_before = now - datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS)
    return Q(status=Status.SENDING, claimed_at__lt=stale_before)


def fail_abandoned(model: type[OutboxRow], now: datetime.datetime) -> int:
    """A row whose worker died on its last allowed attempt ends failed, not stuck in "sending"."""
    return model.objects.filter(stale_sending(now), attempts__gte=settings.REMINDER_MAX_ATTEMPTS).update(
        status=Status.FAILED,
        last_error="The worker stopped while sending (no answer within the sending timeout) on the last attempt.",
    )


def claim_for_enqueueing(model: type[OutboxRow], now: datetime.datetime) -> list[int]:
    """Rows due now that have no message on the way: never enqueued, or whose message was lost, or whose
    worker died while sending."""
    requeue_before = now - datetime.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    sendable = Q(status=Status.PENDING, next_attempt_at__lte=now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before)
    )
    stale = stale_sending(now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before) | Q(claimed_at__gt=F("enqueued_at"))
    )
    ids = list(
        model.objects.filter(sendable | stale).order_by("next_attempt_at").values_list("pk", flat=True)[:ENQUEUE_LIMIT]
    )
    if ids:
        model.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def enqueue_due(
    model: type[OutboxRow], task_name: str, now: datetime.datetime, *, enqueue: bool = True
) -> tuple[int, list[int]]:
    """End the rows whose last attempt was abandoned, then hand the rows due now to the task `task_name` (taking
    a row id) when the transaction commits; return (how many ended failed, the ids handed over)."""
    failed_stale = fail_abandoned(model, now)
    queued = claim_for_enqueueing(model, now)
    if enqueue:
        for row_id in queued:
            # A broker hiccup only logs: the row is pending and enqueued_at tells the next sweep to enqueue it
            # again after REMINDER_REQUEUE_AFTER_SECONDS.
            enqueue_on_commit(task_name, row_id)
    return failed_stale, queued


def claim(model: type[OutboxRow], row_id: int, now: datetime.datetime) -> bool:
    """pending -> sending (or a stale "sending" taken over), in one conditional UPDATE: exactly one caller wins."""
    claimable = Q(status=Status.PENDING, next_attempt_at__lte=now) | stale_sending(now)
    return bool(
        model.objects.filter(claimable, pk=row_id, attempts__lt=settings.REMINDER_MAX_ATTEMPTS).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def mark_sent(row: OutboxRow, sent_at: datetime.datetime, **fields) -> SendOutcome:
    type(row).objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=sent_at, last_error="", **fields
    )
    return SendOutcome("sent")


def mark_dropped(row: OutboxRow, reason: str) -> SendOutcome:
    type(row).objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.DROPPED, dropped_reason=reason[:300]
    )
    return SendOutcome("dropped")


def retry_delay(attempt: int) -> float:
    """Exponential back-off with jitter: about base, 2×base, 4×base … capped, each scaled by 0.5–1.0."""
    ceiling = min(settings.REMINDER_RETRY_MAX_SECONDS, settings.REMINDER_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)


def after_failure(
    row: OutboxRow,
    error: str,
    *,
    now: datetime.datetime,
    transient: bool,
    not_before: datetime.datetime | None = None,
    **fields,
) -> SendOutcome:
    """A transient failure goes back to pending with a back-off (and not before `not_before`, the end of a pause)
    until the retry window is over; then, or at once for a permanent one, the row ends failed with the error kept
    for the admin."""
    mine = type(row).objects.filter(pk=row.pk, status=Status.SENDING)
    retry_until = row.retry_until or now + datetime.timedelta(seconds=settings.REMINDER_RETRY_WINDOW_SECONDS)
    if transient and now < retry_until and row.attempts < settings.REMINDER_MAX_ATTEMPTS:
        backoff = retry_delay(row.attempts)
        if not_before is not None:
            backoff = max(backoff, (not_before - now).total_seconds())
        delay = min(backoff, (retry_until - now).total_seconds())
        retry_at = now + datetime.timedelta(seconds=delay)
        # enqueued_at = retry_at: the retry message is on its way; the sweep steps in only if it gets lost.
        mine.update(
            status=Status.PENDING,
            last_error=error,
            next_attempt_at=retry_at,
            enqueued_at=retry_at,
            retry_until=retry_until,
            **fields,
        )
        return SendOutcome("retry", retry_in=delay)
    reason = (
        f"Gave up after {row.attempts} attempt(s) over the retry window. "
        if transient
        else "Not retried (a permanent error). "
    )
    mine.update(status=Status.FAILED, last_error=reason + error, **fields)
    return SendOutcome("failed")


def resend(row: OutboxRow) -> OutboxRow:
    """A second chance for a failed row: a fresh set of attempts, sent at the next sweep."""
    type(row).objects.filter(pk=row.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), enqueued_at=None, retry_until=None
    )
    row.refresh_from_db()
    return row


def pause_of(channel: str) -> SendingPause | None:
    """The channel's pause, expired or not: it stays until a message goes out again."""
    return SendingPause.objects.filter(channel=channel).first()


def paused_until(pause: SendingPause | None, now: datetime.datetime) -> datetime.datetime | None:
    return pause.paused_until if pause is not None and pause.paused_until > now else None


def pause_after_failure(
    channel: str, reason: str, *, now: datetime.datetime, seconds: float, after_failures: int = 1
) -> datetime.datetime | None:
    """Count one more failure in a row of the channel; from the `after_failures`-th on, nothing is sent to it for
    `seconds`. Returns the end of the pause, or None while it is not paused."""
    pause, _ = SendingPause.objects.get_or_create(
        channel=channel, defaults={"reason": reason[:1000], "since": now, "paused_until": now}
    )
    SendingPause.objects.filter(pk=pause.pk).update(failures=F("failures") + 1, reason=reason[:1000])
    pause.refresh_from_db()
    if pause.failures < after_failures:
        return None
    until = now + datetime.timedelta(seconds=seconds)
    SendingPause.objects.filter(pk=pause.pk, paused_until__lt=until).update(paused_until=until)
    return max(until, pause.paused_until)


def resume(channel: str) -> None:
    """A message went out: the destination answers again."""
    SendingPause.objects.filter(channel=channel).delete()
