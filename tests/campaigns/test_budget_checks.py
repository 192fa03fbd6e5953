import datetime
from decimal import Decimal

import pytest

from campaigns.checks import budget as budget_checks
from campaigns.models import Campaign, Flag
from campaigns.registries import checks as health
from campaigns.services.budget import budget_line_approve
from campaigns.services.health import health_sweep
from tests.campaigns.test_budget import line_of
from tests.conftest import member_of_user

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def budget_checks_only(monkeypatch):
    """Only the budget's checks: the others would flag what these tests do not build."""
    own = {code: check for code, check in health.checks.items() if check.find.__module__ == budget_checks.__name__}
    monkeypatch.setattr(health, "checks", own)


def flags(campaign) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (flag.code, flag.subject): (flag.title, flag.detail) for flag in Flag.objects.open().filter(campaign=campaign)
    }


def planning(campaign) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PLANNING)
    return campaign


def test_it_flags_a_company_spending_more_than_it_planned(shared_campaign, company_a, company_b):
    line_of(shared_campaign, company_a, planned="900", currency="USD", actual_amount=Decimal("950"))
    line_of(shared_campaign, company_a, planned="100", currency="USD", actual_amount=Decimal("0"))
    line_of(shared_campaign, company_b, planned="500", actual_amount=Decimal("600"))
    line_of(shared_campaign, company_b, planned="200", currency="USD", actual_amount=Decimal("150"))
    health_sweep(now=NOW)
    assert flags(shared_campaign) == {
        # Company A spent 950 of 1,000 USD planned: not over plan.
        ("spend_over_plan", f"organization:{company_b.pk}"): (
            "Spend over plan",
            "Company B has spent more than it planned: 600 EUR against 500 EUR planned.",
        ),
    }


def test_it_flags_each_company_with_no_approved_budget_from_planning_on(shared_campaign, company_a, company_b, bob):
    line = line_of(shared_campaign, company_a)
    health_sweep(now=NOW)
    assert flags(shared_campaign) == {}  # still in its draft: no budget expected yet
    planning(shared_campaign)
    member_of_user(shared_campaign, bob, is_budget_owner=True)
    budget_line_approve(line=line, person=bob.person)
    health_sweep(now=NOW)
    assert flags(shared_campaign) == {
        ("no_approved_budget", f"organization:{company_b.pk}"): (
            "No approved budget",
            "Company B has no approved budget line and the campaign is in Planning: "
            "its budget owner approves its planned spend.",
        ),
    }


def test_an_amount_changed_after_approval_brings_the_flag_back(shared_campaign, company_a, company_b, bob):
    planning(shared_campaign)
    member_of_user(shared_campaign, bob, is_budget_owner=True)
    line = budget_line_approve(line=line_of(shared_campaign, company_a), person=bob.person)
    health_sweep(now=NOW)
    assert ("no_approved_budget", f"organization:{company_a.pk}") not in flags(shared_campaign)
    line.planned_amount = Decimal("2000")
    line.save()
    health_sweep(now=NOW)
    assert ("no_approved_budget", f"organization:{company_a.pk}") in flags(shared_campaign)
