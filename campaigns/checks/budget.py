"""Health checks of the joint budget: a company spending more than it planned, and a company with no approved
budget once the campaign is being planned. (A company that names no budget owner is flagged by checks.core.)"""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Sum, Value, When

from campaigns.models import BudgetLine, Campaign, Party
from campaigns.registries import checks as health
from campaigns.selectors.budget import money

# From Planning on, each company should know what it will spend.
BUDGETED_STATUSES = (Campaign.Status.PLANNING, Campaign.Status.EXECUTION, Campaign.Status.REPORTING)


@health.health_check("spend_over_plan", severity=health.WARNING, title="Spend over plan", changes_only=True)
def spend_over_plan(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    """A company whose actual spend is above what it planned, in any currency of its lines."""
    over = (
        BudgetLine.objects.filter(campaign__in=open_campaigns)
        .values("campaign_id", "organization_id", "organization__name", "currency")
        .annotate(planned=Sum("planned_amount"), actual=Sum("actual_amount"))
        .filter(actual__gt=F("planned"))
        .order_by("campaign_id", "organization__name", "currency")
    )
    by_company = defaultdict(list)
    for row in over:
        by_company[row["campaign_id"], row["organization_id"], row["organization__name"]].append(
            f"{money(row['actual'], row['currency'])} against {money(row['planned'], row['currency'])} planned"
        )
    for (campaign_id, organization_id, name), amounts in by_company.items():
        yield health.Finding(
            campaign_id,
            f"organization:{organization_id}",
            f"{name} has spent more than it planned: {'; '.join(amounts)}.",
        )


@health.health_check(
    "no_approved_budget", severity=health.WARNING, title="No approved budget", changes_only=True, selected=True
)
def no_approved_budget(open_campaigns, now: datetime.datetime) -> QuerySet:
    """A company with no approved budget line on a campaign in Planning or later."""
    approved = BudgetLine.objects.filter(
        campaign=OuterRef("campaign"), organization=OuterRef("organization"), status=BudgetLine.Status.APPROVED
    )
    parties = Party.objects.filter(campaign__in=open_campaigns.filter(status__in=BUDGETED_STATUSES)).filter(
        ~Exists(approved)
    )
    status_label = Case(*(When(campaign__status=status, then=Value(str(status.label))) for status in BUDGETED_STATUSES))
    return health.found_rows(
        parties,
        "organization",
        "organization_id",
        F("organization__name"),
        " has no approved budget line and the campaign is in ",
        status_label,
        ": its budget owner approves its planned spend.",
    )
