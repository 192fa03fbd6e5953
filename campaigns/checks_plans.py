"""Health check of the lead-time engine: a deliverable that can no longer be done in time (three queries)."""

import datetime

from campaigns import health
from campaigns.models import Deliverable
from campaigns.selectors.plans import plans_of, with_owner_company


@health.health_check("deliverable_infeasible", severity=health.CRITICAL, title="Deliverable cannot be done in time")
def deliverable_infeasible(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    """Not started, due today or later, and fewer business days left than its lead time and reviews need."""
    today = now.date()
    waiting = Deliverable.objects.filter(
        campaign__in=open_campaigns, status=Deliverable.Status.NOT_STARTED, due_date__gte=today
    ).order_by("campaign_id", "due_date", "pk")
    return [
        health.Finding(plan.deliverable.campaign_id, f"deliverable:{plan.deliverable.pk}", plan.explain(today))
        for plan in plans_of(with_owner_company(waiting))
        if plan.cannot_be_done_in_time(today)
    ]
