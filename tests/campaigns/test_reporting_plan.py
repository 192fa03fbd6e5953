import datetime

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Campaign, ReportingPlan, ReportingPlanReporter
from campaigns.selectors.kpis import has_reporting_plan, latest_report_date
from tests.campaigns.kickoff_factories import agree_all, kpi, reporting_plan
from utilities.validation import save_validated


def with_plan() -> set[int]:
    return set(Campaign.objects.filter(has_reporting_plan()).values_list("pk", flat=True))


def test_a_plan_needs_frequency_reporters_and_an_agreed_kpi_with_target(shared_campaign):
    assert shared_campaign.pk not in with_plan()
    plan = reporting_plan(shared_campaign)
    assert shared_campaign.pk not in with_plan(), "no agreed KPI yet"
    kpi(shared_campaign)
    assert shared_campaign.pk not in with_plan(), "KPI not agreed by every company"
    agree_all(shared_campaign)
    assert shared_campaign.pk in with_plan()
    plan.frequency = ""
    save_validated(plan)
    assert shared_campaign.pk not in with_plan(), "no frequency"


def test_a_missing_reporter_for_one_party_means_no_plan(shared_campaign, company_b):
    reporting_plan(shared_campaign)
    kpi(shared_campaign)
    agree_all(shared_campaign)
    ReportingPlanReporter.objects.filter(organization=company_b).delete()
    assert shared_campaign.pk not in with_plan()


def test_an_agreed_kpi_without_target_does_not_count(shared_campaign):
    reporting_plan(shared_campaign)
    kpi(shared_campaign, target="300")
    kpi(shared_campaign, "attendees", target=None)
    agree_all(shared_campaign)
    assert shared_campaign.pk in with_plan()


def test_it_is_one_query_for_many_campaigns(shared_campaign, other_campaign, django_assert_num_queries):
    for campaign in (shared_campaign, other_campaign):
        reporting_plan(campaign)
        kpi(campaign)
        agree_all(campaign)
    with django_assert_num_queries(1):
        assert with_plan() == {shared_campaign.pk, other_campaign.pk}


def test_the_reporter_must_belong_to_the_company(shared_campaign, company_a, carol):
    plan = save_validated(ReportingPlan(campaign=shared_campaign, frequency="weekly"))
    with pytest.raises(ValidationError, match="reporter must be a person of Company A"):
        save_validated(ReportingPlanReporter(plan=plan, organization=company_a, reporter=carol.person))


def test_a_reporter_for_a_company_that_is_not_a_party_is_refused(shared_campaign, company_c, charlie):
    plan = save_validated(ReportingPlan(campaign=shared_campaign, frequency="weekly"))
    with pytest.raises(ValidationError, match="Company C is not a party"):
        save_validated(ReportingPlanReporter(plan=plan, organization=company_c, reporter=charlie.person))


def test_a_dashboard_plan_needs_its_link(shared_campaign):
    with pytest.raises(ValidationError, match="link of the shared dashboard"):
        save_validated(ReportingPlan(campaign=shared_campaign, frequency="weekly", method="dashboard"))


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        ("weekly", datetime.date(2026, 11, 30), datetime.date(2026, 11, 26)),
        ("biweekly", datetime.date(2026, 12, 9), datetime.date(2026, 11, 26)),
        ("monthly", datetime.date(2027, 2, 28), datetime.date(2027, 2, 12)),
        ("once", datetime.date(2027, 6, 1), datetime.date(2026, 11, 12)),
        ("weekly", datetime.date(2026, 11, 11), None),
    ],
)
def test_report_dates_follow_the_frequency(frequency, today, expected):
    assert latest_report_date(datetime.date(2026, 11, 12), frequency, today) == expected


def test_monthly_report_dates_keep_the_month_end():
    assert latest_report_date(datetime.date(2027, 1, 31), "monthly", datetime.date(2027, 3, 31)) == datetime.date(
        2027, 3, 31
    )
