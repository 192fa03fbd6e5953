"""A KPI's figure is its companies' figures summed, or its owning company's alone, as the KPI says; and a
company reports one figure per KPI and period: a second report replaces the first, never counts twice.

The story: two companies run a co-selling pilot with a target of 6 SQLs. Company A reports 3 for the week,
Company B 30 for the same week. Before, progress was the last figure anyone typed (30 of 6: 500 %)."""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import KpiMeasurement
from campaigns.models.kpis import Combination
from campaigns.outbox.digest_kpis import kpi_summaries
from campaigns.selectors.results import kpi_results
from campaigns.services.kpis import kpi_figure_record
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.clients import admin_of, api_of

WEEK_START, WEEK_END = datetime.date(2026, 11, 14), datetime.date(2026, 11, 20)


@pytest.fixture
def sqls(shared_campaign):
    return kpi(shared_campaign, "sqls", target="6")


def home_of(user, campaign) -> str:
    return admin_of(user).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()


def test_a_count_adds_up_the_companies_figures_everywhere_it_is_shown(shared_campaign, sqls, alice, carol):
    measurement(sqls, "3", by=alice.person, end=WEEK_END)
    measurement(sqls, "30", by=carol.person, end=WEEK_END)

    assert sqls.combination == Combination.SUM  # the usual way for a count
    shown = api_of(alice).get(f"/api/campaign-kpis/{sqls.pk}/").json()
    assert (shown["latest_value"], shown["progress_percent"]) == ("33.00", 550.0)
    assert shown["combination_label"] == "The sum of the companies' figures"
    home = home_of(carol, shared_campaign)
    assert "550.0 %" in home and "33.00" in home and "sum of the companies&#x27; figures" in home
    text, _html = kpi_summaries([shared_campaign.pk])
    assert "- A and B webinar: SQLs: 33 of 6 (550.0 %)" in text
    [result] = kpi_results(shared_campaign)
    assert result.reported_by == "Alice (Company A), Carol (Company B)"
    assert sorted(result.series.by_company) == ["Company A", "Company B"]
    assert result.series.combined == [(WEEK_END, Decimal("33.00"))]


def test_the_sum_takes_each_companys_latest_figure(sqls, alice, carol):
    """Figures are cumulative: A's 2 of last week is in its 3 of this week, so the figure is 3 + 30."""
    measurement(sqls, "2", by=alice.person, end=WEEK_END - datetime.timedelta(days=7))
    measurement(sqls, "30", by=carol.person, end=WEEK_END - datetime.timedelta(days=7))
    measurement(sqls, "3", by=alice.person, end=WEEK_END)

    shown = api_of(carol).get(f"/api/campaign-kpis/{sqls.pk}/").json()
    assert (shown["latest_value"], shown["latest_period_end"]) == ("33.00", "2026-11-20")
    [result] = kpi_results(sqls.campaign)
    assert result.series.combined == [(datetime.date(2026, 11, 13), Decimal("32.00")), (WEEK_END, Decimal("33.00"))]


def test_a_kpi_owned_by_one_company_counts_that_companys_figure_only(shared_campaign, alice, carol, company_a):
    sqls = kpi(shared_campaign, "sqls", target="6", owner=company_a, combination=Combination.OWNER)
    measurement(sqls, "3", by=alice.person, end=WEEK_END)
    measurement(sqls, "30", by=carol.person, end=WEEK_END + datetime.timedelta(days=7))  # later, not counted

    shown = api_of(carol).get(f"/api/campaign-kpis/{sqls.pk}/").json()
    assert (shown["latest_value"], shown["progress_percent"]) == ("3.00", 50.0)
    assert "Company A&#x27;s figure" in home_of(alice, shared_campaign)
    text, _html = kpi_summaries([shared_campaign.pk])
    assert "SQLs: 3 of 6 (50.0 %)" in text
    [result] = kpi_results(shared_campaign)
    assert result.reported_by == "Alice (Company A)"
    assert list(result.series.by_company) == ["Company A"] and result.series.combined == []


def test_a_percentage_is_the_owning_companys_unless_said_otherwise(shared_campaign):
    assert kpi(shared_campaign, "attendance_rate", target="40").combination == Combination.OWNER


def test_eight_identical_posts_of_a_figure_make_one_row(shared_campaign, sqls, carol):
    payload = {
        "campaign": shared_campaign.pk,
        "kpi": sqls.pk,
        "period_start": "2026-11-14",
        "period_end": "2026-11-20",
        "value": "30",
    }
    client = api_of(carol)

    answers = [client.post("/api/kpi-measurements/", payload, format="json") for _ in range(8)]

    assert [answer.status_code for answer in answers] == [201] + [200] * 7
    (figure,) = KpiMeasurement.objects.all()
    assert {answer.json()["id"] for answer in answers} == {figure.pk}
    assert api_of(carol).get(f"/api/campaign-kpis/{sqls.pk}/").json()["progress_percent"] == 500.0


def test_a_second_figure_for_the_period_replaces_the_first_and_its_history_keeps_it(shared_campaign, sqls, carol):
    client = api_of(carol)
    payload = {"campaign": shared_campaign.pk, "kpi": sqls.pk, "period_start": "2026-11-14", "period_end": "2026-11-20"}
    first = client.post("/api/kpi-measurements/", {**payload, "value": "30"}, format="json")
    corrected = client.post("/api/kpi-measurements/", {**payload, "value": "4", "note": "30 was a typo"}, format="json")

    assert (first.status_code, corrected.status_code) == (201, 200)
    assert (corrected.json()["id"], corrected.json()["value"]) == (first.json()["id"], "4.00")
    figure = KpiMeasurement.objects.get()
    assert [str(version.value) for version in figure.history.order_by("history_date")] == ["30.00", "4.00"]
    assert figure.history.latest().history_user == carol
    next_week = client.post(
        "/api/kpi-measurements/",
        {**payload, "period_start": "2026-11-21", "period_end": "2026-11-27", "value": "5"},
        format="json",
    )
    assert next_week.status_code == 201 and KpiMeasurement.objects.count() == 2


def test_the_admin_says_which_figure_it_replaced(shared_campaign, sqls, carol):
    earlier = measurement(sqls, "30", by=carol.person, end=WEEK_END)
    KpiMeasurement.objects.filter(pk=earlier.pk).update(
        updated_at=datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)
    )

    answer = admin_of(carol).post(
        "/admin/campaigns/kpimeasurement/add/",
        {
            "campaign": shared_campaign.pk,
            "kpi": sqls.pk,
            "period_start": WEEK_START,
            "period_end": WEEK_END,
            "value": "4",
            "note": "",
        },
        follow=True,
    )

    said = [str(message) for message in answer.context["messages"]]
    assert said == ["SQLs, 14 Nov – 20 Nov 2026: replaced the figure of 21 Nov 2026 (was 30) with 4."]
    assert [(figure.pk, str(figure.value)) for figure in KpiMeasurement.objects.all()] == [(earlier.pk, "4.00")]


def test_a_changed_figure_cannot_take_the_period_of_another_of_the_companys_figures(sqls, carol):
    measurement(sqls, "30", by=carol.person, end=WEEK_END)
    next_week = measurement(sqls, "31", by=carol.person, end=WEEK_END + datetime.timedelta(days=7))

    answer = api_of(carol).patch(
        f"/api/kpi-measurements/{next_week.pk}/",
        {"period_start": "2026-11-14", "period_end": "2026-11-20"},
        format="json",
    )

    assert answer.status_code == 400
    assert "This company already reported a figure of this KPI for this period." in str(answer.json())


def test_the_service_reports_what_it_replaced(sqls, alice):
    first = KpiMeasurement(
        campaign=sqls.campaign,
        kpi=sqls,
        period_start=WEEK_START,
        period_end=WEEK_END,
        value=Decimal(3),
        reported_by=alice.person,
    )
    assert kpi_figure_record(measurement=first) is None
    again = KpiMeasurement(
        campaign=sqls.campaign,
        kpi=sqls,
        period_start=WEEK_START,
        period_end=WEEK_END,
        value=Decimal(5),
        reported_by=alice.person,
    )
    replaced = kpi_figure_record(measurement=again)
    assert replaced is not None and replaced.value == Decimal("3.00") and again.pk == first.pk
