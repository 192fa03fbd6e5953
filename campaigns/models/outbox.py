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


class SendingPause(models.Model):
    """A destination that refuses all our messages for now, not one of them (the mail server refusing our sender
    or its greeting, a webhook address failing again and again): its rows wait until `paused_until` instead of
    spending attempts, and the operator (or the company) is told. Cleared by the first message that goes out."""

    MAIL = "mail"

    channel = models.CharField(max_length=64, unique=True, help_text="“mail”, or “webhook:<endpoint id>”.")
    reason = models.TextField(help_text="The answer that paused it, as the destination gave it.")
    since = models.DateTimeField(help_text="When the destination first refused (kept while it goes on refusing).")
    paused_until = models.DateTimeField(help_text="Nothing is sent to it before this moment.")
    failures = models.PositiveIntegerField(default=0, help_text="Failures in a row since the last success.")

    def __str__(self) -> str:
        return f"{self.channel} paused until {self.paused_until:%Y-%m-%d %H:%M} UTC"
