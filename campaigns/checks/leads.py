"""The lead-sharing terms' health check: a registration form planned while the terms are not agreed. It cannot
be approved or published until they are (Deliverable.clean), so the flag is raised as soon as the form is
planned, not when someone tries to approve it."""

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, QuerySet

from campaigns.models import Deliverable, KpiRound
from campaigns.registries.checks import CRITICAL, Finding, health_check
from utilities.bulk_rows import streamed


# Its findings change only with the campaign's deliverables and KPI rounds, whose changes mark the campaign.
@health_check("lead_terms_not_agreed", severity=CRITICAL, title="Lead-sharing terms not agreed", changes_only=True)
def find_lead_terms_not_agreed(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    agreed = KpiRound.objects.filter(
        campaign_id=OuterRef("campaign_id"), locked_at__isnull=False, agreed_lead_terms__isnull=False
    )
    forms = (
        Deliverable.objects.filter(campaign__in=open_campaigns, type=Deliverable.Type.REGISTRATION_FORM)
        .exclude(status=Deliverable.Status.CANCELLED)
        .exclude(Exists(agreed))
        .order_by("campaign_id", "due_date", "pk")
        .values_list("campaign_id", "pk", "title", "due_date")
    )
    for campaign_id, pk, title, due_date in streamed(forms):
        due = f" (due {due_date:%d %b %Y})" if due_date else ""
        yield Finding(
            campaign_id=campaign_id,
            subject=f"deliverable:{pk}",
            detail=(
                f"The registration form “{title}”{due} cannot be approved until every company agrees the "
                "lead-sharing terms: who receives which registrant fields, the consent text, retention and "
                "follow-up."
            ),
        )
