"""Health check of the lead-time engine: a deliverable that can no longer be done in time (two queries, and one
per ROWS_PER_STATEMENT deliverables due within the horizon)."""

import datetime
import operator
from collections.abc import Iterator
from functools import reduce

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Greatest

from campaigns.models import Deliverable, KickoffCompanyPart
from campaigns.registries import checks as health
from campaigns.registries.due import due_moments, next_midnight, utc_midnight
from campaigns.selectors.plans import plans_of, with_owner_company
from utilities.bulk_rows import chunked, streamed
from utilities.business_days import add_business_days

PLANNED_PER_QUERY = 250
# The owner company's public holidays lengthen the span a plan needs; no country has more weekday holidays than
# this within the months a lead time covers.
HOLIDAYS_MARGIN = 15
# A company's lead time for each of its processes (KickoffCompanyPart.PROCESSES), in business days.
LEAD_FIELDS = [f"{process}_lead_days" for process in KickoffCompanyPart.PROCESSES]


def _most_days_needed(open_campaigns) -> int:
    """The most business days a deliverable of these campaigns can need: the longest lead time of any company,
    the slowest legal review and the sign-off."""
    longest = KickoffCompanyPart.objects.filter(campaign__in=open_campaigns).aggregate(
        **{name: Max(name) for name in [*LEAD_FIELDS, "legal_turnaround_business_days"]}
    )
    lead = max((longest[name] or 0 for name in LEAD_FIELDS), default=0)
    return lead + (longest["legal_turnaround_business_days"] or 0) + settings.SIGNOFF_TURNAROUND_BUSINESS_DAYS


def _needs_days() -> Q:
    """A deliverable that may need business days before its due date: one needing no sign-off, no legal review
    and in a campaign where no company has a lead time can be done on the day (the planning of 240,000 such
    deliverables was 6.9 s of a first health run at 100,000 campaigns, for no finding)."""
    some_lead = reduce(operator.or_, (Q(**{f"{name}__gt": 0}) for name in LEAD_FIELDS))
    with_lead_time = KickoffCompanyPart.objects.filter(some_lead, campaign=OuterRef("campaign"))
    return Q(needs_signoff=True) | Q(needs_legal_review=True) | Q(Exists(with_lead_time))


def _infeasible_from(open_campaigns, now: datetime.datetime):
    """Each midnight once a deliverable not started comes within twice the most days anything can need (in
    calendar days, a generous bound of the business days), and the midnight after its due date."""
    bound = 2 * _most_days_needed(open_campaigns) + 14
    waiting = Deliverable.objects.filter(
        campaign__in=open_campaigns, status=Deliverable.Status.NOT_STARTED, due_date__gte=now.date()
    )
    moment = Greatest(utc_midnight("due_date", days=-bound), next_midnight(now))
    return due_moments(waiting, campaign="campaign_id", moment=moment)


@health.health_check(
    "deliverable_infeasible",
    severity=health.CRITICAL,
    title="Deliverable cannot be done in time",
    due=_infeasible_from,
    fix=health.change_page("admin:campaigns_deliverable_change"),
)
def deliverable_infeasible(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    """Not started, due today or later, and fewer business days left than its lead time and reviews need."""
    today = now.date()
    # Only a deliverable due within the most days anything can need may be late: the plans of the others (most
    # of them) are not worked out.
    horizon = add_business_days(today, _most_days_needed(open_campaigns) + HOLIDAYS_MARGIN)
    waiting = (
        Deliverable.objects.filter(
            campaign__in=open_campaigns, status=Deliverable.Status.NOT_STARTED, due_date__range=(today, horizon)
        )
        .filter(_needs_days())
        .order_by("campaign_id", "due_date", "pk")
    )
    # Planned a few hundred at a time: at 10,000 campaigns the deliverables within the horizon, as model
    # instances with their channel and company, were most of the sweep's memory.
    for deliverables in chunked(streamed(with_owner_company(waiting)), PLANNED_PER_QUERY):
        for plan in plans_of(deliverables):
            if plan.cannot_be_done_in_time(today):
                yield health.Finding(
                    plan.deliverable.campaign_id, f"deliverable:{plan.deliverable.pk}", plan.explain(today)
                )
