"""Keeping partner scorecards (`PartnerScorecard`) up to date: the figures are worked out from scratch for the
relationships that need it, a chunk of relationships at a time, so a refresh costs as much as the campaigns
those pairs share, not as much as every campaign.

A change to a campaign's rows marks the scorecards of the pairs taking part in it stale (on commit, with the
fresh health check) and asks for a refresh; the periodic refresh also works out again the figures older than
`SCORECARD_MAX_AGE_SECONDS` (the 90-day window moves on, and bulk updates send no signal).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from campaigns.models import PartnerScorecard, Party
from campaigns.selectors.scorecard import scorecard_figures
from partners.models import PartnerRelationship
from utilities.bulk_rows import chunked
from utilities.tasks import enqueue_on_commit

REFRESH_CHUNK = 200  # relationships worked out together: one set of grouped queries per chunk
REFRESH_TASK = "campaigns.refresh_scorecards"


def scorecards_refresh(*, relationship_ids: Iterable[int] | None = None, now: datetime.datetime | None = None) -> int:
    """Work out the scorecards of `relationship_ids` (default: those missing, stale or older than
    SCORECARD_MAX_AGE_SECONDS) and store them. Returns how many were stored."""
    now = now or timezone.now()
    relationships = PartnerRelationship.objects.order_by("pk")
    if relationship_ids is not None:
        relationships = relationships.filter(pk__in=list(relationship_ids))
    else:
        relationships = relationships.filter(_needing_refresh(now))
    stored = 0
    for ids in chunked(relationships.values_list("pk", flat=True), REFRESH_CHUNK):
        chunk = list(PartnerRelationship.objects.filter(pk__in=ids))
        figures = scorecard_figures(chunk, now)
        PartnerScorecard.objects.bulk_create(
            [
                PartnerScorecard(
                    relationship=relationship,
                    recent=figures[(relationship.vendor_id, relationship.partner_id)][0],
                    all_time=figures[(relationship.vendor_id, relationship.partner_id)][1],
                    computed_at=now,
                )
                for relationship in chunk
            ],
            update_conflicts=True,
            unique_fields=["relationship"],
            update_fields=["recent", "all_time", "computed_at"],
        )
        # A change that came in while these figures were worked out keeps its mark for the next refresh.
        PartnerScorecard.objects.filter(relationship__in=chunk, stale_since__lte=now).update(stale_since=None)
        stored += len(chunk)
    return stored


def _needing_refresh(now: datetime.datetime) -> Q:
    too_old = now - datetime.timedelta(seconds=settings.SCORECARD_MAX_AGE_SECONDS)
    return Q(scorecard__isnull=True) | Q(scorecard__stale_since__isnull=False) | Q(scorecard__computed_at__lt=too_old)


def scorecards_mark_stale(*, campaign_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """Mark stale the scorecards of the pairs that both take part in one of `campaign_ids`, and ask for a
    refresh once the transaction commits. Returns how many were marked."""
    campaign_ids = list(campaign_ids)
    both_take_part = Party.objects.filter(
        campaign_id__in=campaign_ids,
        organization_id=OuterRef("relationship__vendor_id"),
        campaign__parties__organization_id=OuterRef("relationship__partner_id"),
    )
    # Narrowed first to the companies of those campaigns, so a save reads a few relationships, not all of them.
    companies = Party.objects.filter(campaign_id__in=campaign_ids).values("organization_id")
    marked = PartnerScorecard.objects.filter(
        Exists(both_take_part),
        relationship__vendor_id__in=companies,
        relationship__partner_id__in=companies,
        stale_since__isnull=True,
    ).update(stale_since=now or timezone.now())
    if marked:
        enqueue_on_commit(REFRESH_TASK)
    return marked
