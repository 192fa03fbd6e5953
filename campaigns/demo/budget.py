"""Demo step: both companies' budgets on the joint webinar being planned (Northwind in EUR, Bluefin in USD, some of
it approved, spent and shared) and on the spring webinar, whose results report shows spend, cost per lead and ROI."""

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from campaigns.demo.core import _person, _team
from campaigns.demo.results import SPRING
from campaigns.models import BudgetLine, Campaign, CampaignBudget, ExchangeRate
from campaigns.services.budget import budget_line_approve
from partners import demo
from utilities.validation import save_validated

# A one-page PDF, the receipt of the spring webinar's promotion.
RECEIPT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# Campaign name -> budget owners, and lines: (paid by, what, currency, planned, committed, actual, shared, approved)
BUDGETS = {
    "Forecasting with real data — joint webinar": (
        ["sam@northwind.example", "jonas@bluefin.example"],
        [
            ("sam@northwind.example", "Paid LinkedIn promotion", "EUR", "3000", "1500", "400", False, False),
            ("sam@northwind.example", "Webinar platform licence", "EUR", "1200", "1200", "1200", True, True),
            ("jonas@bluefin.example", "Speaker travel to the studio", "USD", "900", "900", "950", False, True),
            ("jonas@bluefin.example", "Guest expert fee", "USD", "2000", "0", "0", True, False),
        ],
    ),
    SPRING.name: (
        ["maria@northwind.example", "jonas@bluefin.example"],
        [
            ("maria@northwind.example", "Paid LinkedIn promotion", "EUR", "4000", "4000", "3600", True, True),
            ("maria@northwind.example", "Webinar platform licence", "EUR", "1000", "1000", "1000", False, True),
            ("jonas@bluefin.example", "Consultants' invitation campaign", "USD", "1500", "1500", "1500", True, True),
        ],
    ),
}
USD_IN_EUR = Decimal("0.92")


def _budget(campaign: Campaign, owners: list[str], lines: list[tuple]) -> None:
    _team(campaign, {email: ["is_budget_owner"] for email in owners})
    budget = save_validated(CampaignBudget(campaign=campaign, reporting_currency="EUR"))
    save_validated(ExchangeRate(budget=budget, currency="USD", rate=USD_IN_EUR))
    for email, what, currency, planned, committed, actual, shared, approved in lines:
        payer = _person(email)
        line = save_validated(
            BudgetLine(
                campaign=campaign,
                organization=payer.organization,
                what=what,
                currency=currency,
                planned_amount=Decimal(planned),
                committed_amount=Decimal(committed),
                actual_amount=Decimal(actual),
                is_shared=shared,
            )
        )
        if approved:
            budget_line_approve(line=line, person=payer)
        if campaign.name == SPRING.name and what == "Paid LinkedIn promotion":
            line.receipt = ContentFile(RECEIPT, name="linkedin-invoice-2026-04.pdf")
            save_validated(line)


@demo.register
def seed_budgets(context: dict[str, Any]) -> None:
    for name, (owners, lines) in BUDGETS.items():
        campaign = Campaign.objects.get(name=name)
        if not CampaignBudget.objects.filter(campaign=campaign).exists():
            _budget(campaign, owners, lines)
