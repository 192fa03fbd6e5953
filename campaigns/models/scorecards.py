"""A partner's scorecard as last worked out: read by "My work" and the scorecards API instead of working out
every partner's figures over all campaigns on every request (issue 24: 40 s at 100,000 campaigns)."""

from django.db import models

from partners.models import PartnerRelationship


class PartnerScorecard(models.Model):
    """The figures of one relationship, per window, and when they were worked out. Written only by
    `campaigns.services.scorecards`; `stale_since` is set when a campaign both companies take part in changes,
    and the refresh works those out first."""

    relationship = models.OneToOneField(PartnerRelationship, on_delete=models.CASCADE, related_name="scorecard")
    recent = models.JSONField(help_text="The figures of the last 90 days.")
    all_time = models.JSONField(help_text="The figures of all time.")
    computed_at = models.DateTimeField(help_text="When these figures were worked out.")
    stale_since = models.DateTimeField(
        null=True, blank=True, help_text="When an input changed after these figures were worked out."
    )

    class Meta:
        indexes = [models.Index(fields=["stale_since", "computed_at"], name="scorecard_refresh_order")]

    def __str__(self) -> str:
        return f"Scorecard of {self.relationship}"
