"""What the periodic sweeps remember between runs, so a run reads only what changed or fell due since the last.

- `SweepWatermark`: when each sweep last completed (and last completed in full). No watermark means the next
  run is a full one; the webhook sweep reads events from the watermark (less a margin for late commits) on.
- `SweepDue`: per sweep and campaign, whether the campaign's rows changed since the sweep last looked at it
  (`changes`, set by the receivers when a change commits) and the next moment at which something about it falls
  due by time alone (`due_at`: a deliverable becomes overdue, a reminder's 09:00 comes), computed when the sweep
  looks at the campaign. A steady-state run reads these two index ranges and the campaigns they name, nothing
  else.
"""

from django.db import models
from django.db.models import Q

from campaigns.models.core import Campaign


class SweepWatermark(models.Model):
    name = models.CharField(max_length=64, unique=True)
    last_completed_at = models.DateTimeField()
    last_full_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_completed_at:%Y-%m-%d %H:%M}"


class SweepDue(models.Model):
    sweep = models.CharField(max_length=32)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Non-zero once a change to the campaign's rows committed; the sweep sets it back to 0 as it takes the campaign.
    changes = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sweep", "campaign"], name="sweep_due_one_per_campaign")]
        indexes = [
            models.Index(fields=["sweep", "due_at"], name="sweep_due_moment_idx"),
            # Few campaigns changed at any moment: found without reading the others.
            models.Index(fields=["sweep"], condition=Q(changes__gt=0), name="sweep_due_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sweep} of campaign {self.campaign_id}"
