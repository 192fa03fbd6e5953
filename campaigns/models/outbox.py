"""What every outbox row has: e-mail reminders and webhook deliveries share one life cycle (pending, claimed by
one sender, retried with back-off, failed with the error kept, or dropped when no longer due)."""

from django.db import models


class OutboxRow(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        DROPPED = "dropped", "Not sent (no longer applies)"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    dropped_reason = models.CharField(
        max_length=300,
        blank=True,
        db_default="",  # the sweeps insert rows in SQL, naming only the columns they fill
        help_text="Why it was not sent: checked again at the moment of sending.",
    )
    next_attempt_at = models.DateTimeField(help_text="Not claimed before this moment (back-off after a failure).")
    retry_until = models.DateTimeField(
        null=True, blank=True, help_text="Transient failures are retried until then (set at the first one)."
    )
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
