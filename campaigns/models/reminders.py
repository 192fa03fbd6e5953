"""The reminder outbox: one row per message due to a person, sent exactly once."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from campaigns.models.core import Campaign
from campaigns.models.outbox import OutboxRow
from campaigns.registries import reminder_sources
from partners.models import Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, SELF, VIEW, ScopedQuerySet, own_person


class OwnRowsQuerySet(ScopedQuerySet):
    """Rows addressed to one person: only that person (and superusers) may see them, not their colleagues."""

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "self":
            return Q(person__user=actor.user)
        return super().relation_q(relation, actor)


class ReminderQuerySet(OwnRowsQuerySet):
    # Written by the sweeps and services; a failed one is re-sent by the operator.
    rules = {VIEW: SELF, ADD: NOBODY, CHANGE: NOBODY, DELETE: NOBODY, "resend": NOBODY}


class Reminder(OutboxRow):
    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=100, help_text="What it is about, e.g. “deliverable:12”.")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reminders")
    due_at = models.DateTimeField(help_text="The moment it may be sent, computed in the recipient's time zone.")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders")
    # The person whose act the message tells of (an inviter, a facilitator): it is sent in their name, and a reply
    # goes to them. Empty for the tracker's own reminders.
    sent_for = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, editable=False
    )
    # Written when the reminder is sent (empty until then, except for event notices composed when made).
    subject_line = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta(OutboxRow.Meta):
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "person", "due_at"], name="reminder_once_per_due_moment"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminder_sendable_idx"),
            models.Index(fields=["sent_at"], name="reminder_sent_idx"),  # the webhook sweep's look-back
        ]

    def __str__(self) -> str:
        if self.subject_line:
            return self.subject_line
        source = reminder_sources.sources.get(self.kind)
        return f"{source.label if source else self.kind} ({self.subject}), not written yet"


def validate_reminder_kind(value: str) -> None:
    if value not in reminder_sources.sources:
        known = ", ".join(sorted(reminder_sources.sources))
        raise ValidationError(f"“{value}” is not a kind of reminder. Known kinds: {known}.")


class ReminderOptOutQuerySet(OwnRowsQuerySet):
    rules = {VIEW: SELF, ADD: SELF, CHANGE: NOBODY, DELETE: SELF}
    server_owned = {"person": own_person}


class ReminderOptOut(models.Model):
    """A person who does not want one kind of reminder (every kind, the weekly digest too, is on by default)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminder_opt_outs")
    kind = models.CharField(max_length=64, validators=[validate_reminder_kind])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderOptOutQuerySet.as_manager()

    class Meta:
        verbose_name = "reminder opt-out"
        ordering = ["person_id", "kind"]
        # Each sweep asks, per kind, whether anyone turned it off (to count who is left out).
        indexes = [models.Index(fields=["kind"], name="reminder_opt_out_by_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                name="reminder_opt_out_once_per_kind",
                violation_error_message="You already opted out of this kind of reminder.",
            ),
        ]

    def __str__(self) -> str:
        source = reminder_sources.sources.get(self.kind)
        return f"{self.person.full_name}: no {source.label if source else self.kind}"
