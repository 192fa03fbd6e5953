"""Health flags: a detected risk on a campaign, open until the sweep no longer finds it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models.core import PARTY, Campaign, CampaignChildQuerySet
from campaigns.registries.checks import CRITICAL, INFO, SEVERITY_ORDER, WARNING, where_to_fix
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW
from utilities.validation import work_date


class FlagQuerySet(CampaignChildQuerySet):
    # Raised and resolved by the sweep; any party acknowledges or snoozes one.
    rules = {VIEW: PARTY, ADD: NOBODY, CHANGE: PARTY, DELETE: NOBODY}

    def open(self) -> "FlagQuerySet":
        return self.filter(resolved_at__isnull=True)

    def needing_attention(self, today: datetime.date) -> "FlagQuerySet":
        """Open flags nobody acknowledged and nobody snoozed past `today`."""
        return self.open().filter(acknowledged_at__isnull=True).exclude(snoozed_until__gt=today)


def severity_rank() -> Case:
    """0 for critical, 1 for warning, 2 for info: the worst severity is the smallest rank."""
    return Case(
        *(When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_ORDER.items()),
        output_field=IntegerField(),
    )


class Flag(models.Model):
    class Severity(models.TextChoices):
        CRITICAL = CRITICAL, "Critical"
        WARNING = WARNING, "Warning"
        INFO = INFO, "Info"

    # Indexed below (the campaign as the first column of flag_campaign_open_idx, the code by one plain index): the
    # health sweep inserts every new flag and each row is written into every index, so the table keeps only those
    # its queries use.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="flags", db_index=False)
    code = models.CharField(max_length=64)
    subject = models.CharField(
        max_length=100,
        blank=True,
        help_text="What in the campaign it is about, e.g. “organization:3”; empty for the campaign.",
    )
    severity = models.CharField(max_length=16, choices=Severity.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Set by the sweep once the condition cleared.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    snoozed_until = models.DateField(
        null=True, blank=True, validators=[work_date], help_text="Hidden from the campaign's warnings until then."
    )
    attention_reason = models.TextField(blank=True, help_text="Why it was acknowledged or snoozed.")

    history = HistoricalRecords()
    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["resolved_at", "campaign_id", "severity", "code", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="flag_one_open_per_subject",
                violation_error_message="This flag is already open on the campaign.",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "resolved_at"], name="flag_campaign_open_idx"),
            # The flags list in its order: a hub's page is read through it, not sorted out of a million flags.
            models.Index(fields=["resolved_at", "campaign", "severity", "code", "subject"], name="flag_list_order_idx"),
            models.Index(fields=["code"], name="flag_code_idx"),  # equality only: no pattern-matching twin
            # Few flags are acknowledged: the rows of a deleted user are found without indexing every empty one.
            models.Index(
                fields=["acknowledged_by"], condition=Q(acknowledged_by__isnull=False), name="flag_acknowledged_by_idx"
            ),
            # The webhook sweep reads the flags raised or cleared in its look-back window.
            models.Index(fields=["opened_at"], name="flag_opened_idx"),
            models.Index(fields=["resolved_at"], name="flag_resolved_idx"),
            # The reminder sweep alerts on critical flags opened in its look-back window: a few among the open
            # flags, found without reading the others whatever the planner's statistics say.
            models.Index(
                fields=["opened_at"],
                condition=Q(resolved_at__isnull=True, severity=CRITICAL, acknowledged_at__isnull=True),
                name="flag_open_critical_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.detail}" if self.detail else self.title

    @property
    def fix_url(self) -> str:
        """Where the finding is fixed (its check says; the campaign's home page otherwise)."""
        return where_to_fix(self.code, self.campaign_id, self.subject)

    @property
    def state(self) -> str:
        if self.resolved_at:
            return "resolved"
        if self.acknowledged_at:
            return "acknowledged"
        if self.snoozed_until and self.snoozed_until > timezone.localdate():
            return "snoozed"
        return "open"

    def clean(self) -> None:
        if (self.acknowledged_at or self.snoozed_until) and not self.attention_reason.strip():
            raise ValidationError({"attention_reason": "Say why, so your partners understand the decision."})
