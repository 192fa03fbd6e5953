"""Health checks of multi-partner programs (seed 001): short cycles, one point of contact per partner."""

import datetime
from collections.abc import Iterator

from django.db.models import F
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, Party
from campaigns.registries import checks as health
from utilities.bulk_rows import streamed

LONGEST_CYCLE_DAYS = 60  # multi-partner programs run in 30-60 day cycles
# The point of contact and the cycle's dates are set on the campaign's form.
CAMPAIGN_FORM = health.campaign_page("admin:campaigns_campaign_change")


@health.health_check(
    "program_without_point_of_contact",
    severity=health.WARNING,
    title="Partner without a point of contact",
    changes_only=True,
    fix=CAMPAIGN_FORM,
)
def program_without_point_of_contact(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    """Each company of a multi-partner program names a single point of contact. One query."""
    rows = (
        Party.objects.filter(
            campaign__in=open_campaigns.filter(kind=Campaign.Kind.MULTI_PARTNER), point_of_contact__isnull=True
        )
        .values_list("campaign_id", "organization_id", "organization__name")
        .order_by("campaign_id", "organization__name")
    )
    return (
        health.Finding(
            campaign_id,
            f"organization:{organization_id}",
            f"{name} has named no point of contact: a multi-partner program needs one person per company.",
        )
        for campaign_id, organization_id, name in streamed(rows)
    )


@health.health_check(
    "program_cycle_too_long",
    severity=health.WARNING,
    title="Program cycle longer than 60 days",
    changes_only=True,
    fix=CAMPAIGN_FORM,
)
def program_cycle_too_long(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    """A multi-partner program whose cycle (kickoff, else launch, to end) runs over 60 days. One query."""
    rows = (
        open_campaigns.filter(kind=Campaign.Kind.MULTI_PARTNER, end_date__isnull=False)
        .annotate(cycle_start=Coalesce(F("kickoff_date"), F("launch_date")))
        .filter(cycle_start__isnull=False)
        .values_list("pk", "cycle_start", "end_date")
        .order_by("pk")
    )
    return (
        health.Finding(
            campaign_id,
            "",
            f"This cycle runs {(end - start).days} days ({start:%-d %b} – {end:%-d %b %Y}); multi-partner programs "
            f"work in 30-{LONGEST_CYCLE_DAYS} day cycles: end this one sooner and plan the next.",
        )
        for campaign_id, start, end in streamed(rows)
        if (end - start).days > LONGEST_CYCLE_DAYS
    )
