"""Money in the results report: spend, cost per lead and ROI per company and in total, and the executive summary
it starts with, from real figures."""

import csv
import datetime
import io
from decimal import Decimal

from campaigns.models import CampaignBudget, ExchangeRate
from campaigns.services.reports import results_context, results_report_build, results_report_request
from partners.models import PartnerRelationship
from tests.campaigns import test_results_report
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.campaigns.test_budget import line_of
from tests.campaigns.test_results_report import TODAY, pdf_text
from tests.clients import api_of
from utilities.validation import save_validated

webinar = test_results_report.webinar  # the results report's campaign: two KPIs, one met


def spend(campaign, company_a, company_b) -> None:
    """A spends 787 EUR, B 400 USD at 0.8 EUR (320 EUR): 1,107 EUR in all."""
    budget = save_validated(CampaignBudget(campaign=campaign, reporting_currency="EUR"))
    save_validated(ExchangeRate(budget=budget, currency="USD", rate=Decimal("0.8")))
    line_of(campaign, company_a, planned="1000", actual_amount=Decimal("787"))
    line_of(campaign, company_b, planned="500", currency="USD", actual_amount=Decimal("400"))


def pipeline(campaign, carol, value: str) -> None:
    pipeline = kpi(campaign, "pipeline_value", target="3000", currency="EUR", owner=carol.person.organization)
    measurement(pipeline, value, by=carol.person, end=TODAY - datetime.timedelta(days=2))


def test_the_summary_counts_kpis_met_and_costs_a_lead_from_real_figures(webinar, carol, company_a, company_b):
    pipeline(webinar, carol, "3540")  # met: 3,540 of 3,000; registrations met (312 of 300); leads not (27 of 40)
    spend(webinar, company_a, company_b)
    # 1,107 EUR / 27 leads = 41 EUR; 3,540 / 1,107 = 3.2
    assert (
        results_context(webinar, TODAY)["summary_line"]
        == "2 of 3 KPIs met, cost per lead 41 EUR, 3.2x pipeline on spend"
    )


def test_the_summary_says_what_is_not_known(webinar):
    assert results_context(webinar, TODAY)["summary_line"] == "1 of 2 KPIs met, no spend recorded"


def test_the_report_shows_spend_cost_per_lead_and_roi_per_company_and_in_total(
    webinar, alice, carol, company_a, company_b
):
    pipeline(webinar, carol, "3540")
    spend(webinar, company_a, company_b)
    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)
    text = " ".join(pdf_text(report).split())
    assert "In short: 2 of 3 KPIs met, cost per lead 41 EUR, 3.2x pipeline on spend." in text
    with report.csv.open("rb") as handle:
        budget = [row[1:4] + row[9:] for row in csv.reader(io.StringIO(handle.read().decode())) if row[0] == "budget"]
    assert budget == [
        # A: 787 EUR for its own 27 leads, no pipeline of its own; B: 320 EUR for 3,540 EUR of pipeline.
        ["Company A", "1,000 EUR", "787 EUR", "cost per lead 29.15 EUR; pipeline on spend —"],
        ["Company B", "400 EUR", "320 EUR", "cost per lead —; pipeline on spend 11.1x"],
        ["All companies", "1,400 EUR", "1,107 EUR", "cost per lead 41 EUR; pipeline on spend 3.2x"],
    ]


def test_the_scorecard_shows_the_partners_spend_cost_per_lead_and_roi_and_both_companies(
    webinar, alice, carol, company_a, company_b
):
    PartnerRelationship.objects.create(vendor=company_a, partner=company_b, tier=1)
    pipeline(webinar, carol, "3540")
    spend(webinar, company_a, company_b)
    cards = api_of(alice).get("/api/partner-scorecards/").json()["results"]
    all_time = next(window for window in cards[0]["windows"] if window["window"] == "all time")
    assert {name: all_time[name] for name in ("partner_spend", "partner_cost_per_lead", "partner_roi")} == {
        "partner_spend": "320 EUR",
        "partner_cost_per_lead": "—",  # Company B reported no leads of its own
        "partner_roi": "11.1x",
    }
    assert (all_time["spend"], all_time["cost_per_lead"], all_time["roi"]) == ("1,107 EUR", "41 EUR", "3.2x")
