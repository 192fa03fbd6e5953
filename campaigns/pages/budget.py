"""The "Budget" panel of a campaign's home page: each company's totals (every party sees them; lines stay the paying
company's unless shared), what the spend bought, and the way to the lines and rates."""

from django.urls import reverse

from campaigns.models import CampaignBudget
from campaigns.pages.home import campaign_home
from campaigns.selectors.budget import budget_summary, totals_row


@campaign_home.panel("Budget", "campaigns/home/budget.html", order=50)
def budget(request, campaign):
    summary = budget_summary(campaign)
    settings = CampaignBudget.objects.filter(campaign=campaign).values_list("pk", flat=True).first()
    return {
        "summary": summary,
        "rows": [totals_row(company, summary.currency) for company in summary.companies],
        "total": totals_row(summary.total, summary.currency),
        "lines_url": reverse("admin:campaigns_budgetline_changelist") + f"?campaign__id__exact={campaign.pk}",
        "add_url": reverse("admin:campaigns_budgetline_add") + f"?campaign={campaign.pk}",
        "rates_url": (
            reverse("admin:campaigns_campaignbudget_change", args=[settings])
            if settings
            else reverse("admin:campaigns_campaignbudget_add") + f"?campaign={campaign.pk}"
        ),
    }
