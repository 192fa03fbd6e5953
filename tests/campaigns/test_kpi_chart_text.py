"""Names are text wherever a KPI chart draws them (issue 23, item 2): a metric named `Leads $\\foo$`, a company
renamed `Bluefin $\\x$ Consulting` or a figure stored for `0001-01-01..9999-12-31` once broke the campaign home
for every company, the results report and the weekly digest. Now the names are drawn as typed, and a chart that
still cannot be drawn becomes a table of its figures with a note, never an error."""

import datetime
import email
import email.policy
from decimal import Decimal

import pytest
from django.core import mail

from campaigns.models import CampaignKpi, KpiMeasurement, Metric, Reminder, ResultsReport
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from campaigns.services.kpis import kpi_save
from campaigns.services.reports import results_report_build, results_report_request
from tests.campaigns.kickoff_factories import measurement
from tests.campaigns.sweep_helpers import assigned_deliverable, core_checks_only  # noqa: F401  (fixture)
from tests.campaigns.test_results_report import pdf_text
from tests.clients import admin_of
from tests.conftest import member_of_user
from utilities import charts
from utilities.charts import CHART_FAILED_NOTE
from utilities.validation import save_validated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]
MONDAY = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
TODAY = MONDAY.date()
MATH_METRIC = "Leads $\\foo$"
MATH_COMPANY = "Bluefin $\\x$ Consulting"


@pytest.fixture
def campaign(alice, carol, company_a, company_b):
    """A running webinar of A (host) and B with one KPI that B reported a figure for; alice has an overdue
    deliverable, so she gets a weekly digest."""
    from tests.campaigns.factories import joint_campaign

    campaign = joint_campaign(
        company_a,
        company_b,
        name="Forecasting webinar",
        kickoff_date=TODAY - datetime.timedelta(days=30),
        launch_date=TODAY + datetime.timedelta(days=20),
    )
    alice_member = member_of_user(campaign, alice, is_decision_maker=True)
    member_of_user(campaign, carol, is_decision_maker=True)
    assigned_deliverable(campaign, due_date=TODAY - datetime.timedelta(days=3), responsible=alice_member)
    return campaign


def report_a_figure(campaign, person, metric_name: str = "Leads") -> CampaignKpi:
    metric = save_validated(
        Metric(campaign=campaign, name=metric_name, unit=Metric.Unit.COUNT, funnel_stage=Metric.FunnelStage.MARKETING)
    )
    kpi = kpi_save(kpi=CampaignKpi(campaign=campaign, metric=metric, target=Decimal(40), owner=person.organization))
    measurement(kpi, "12", by=person, end=TODAY - datetime.timedelta(days=2))
    return kpi


def home_of(user, campaign) -> str:
    response = admin_of(user).get(f"/admin/campaigns/campaign/{campaign.pk}/home/")
    assert response.status_code == 200
    return response.content.decode()


def built_report(campaign, user) -> ResultsReport:
    report = results_report_build(report_id=results_report_request(campaign=campaign, user=user).pk)
    assert report.status == ResultsReport.Status.READY, report.error
    return report


def sent_digest_of(person) -> email.message.EmailMessage:
    reminder_sweep(now=MONDAY, enqueue=False)
    digest = Reminder.objects.get(kind="weekly_digest", person=person)
    assert reminder_send(reminder_id=digest.pk, now=MONDAY).status == "sent"
    (sent,) = [message for message in mail.outbox if message.to[0].endswith(f"<{person.email}>")]
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


def images_of(received) -> list[bytes]:
    return [part.get_content() for part in received.walk() if part.get_content_maintype() == "image"]


@pytest.fixture
def math_metric(campaign, carol):
    return report_a_figure(campaign, carol.person, MATH_METRIC)


@pytest.fixture
def math_company(campaign, carol, company_b):
    company_b.name = MATH_COMPANY
    company_b.save()
    return report_a_figure(campaign, carol.person)


@pytest.mark.parametrize("named", ["math_metric", "math_company"])
def test_the_home_page_draws_a_chart_of_names_with_dollars_for_every_company(request, campaign, alice, carol, named):
    request.getfixturevalue(named)
    for user in (alice, carol):
        page = home_of(user, campaign)
        assert "<svg" in page and CHART_FAILED_NOTE not in page


@pytest.mark.parametrize("named", ["math_metric", "math_company"])
def test_the_results_report_is_built_with_names_with_dollars(request, campaign, alice, named):
    request.getfixturevalue(named)
    text = pdf_text(built_report(campaign, alice))
    assert (MATH_METRIC if named == "math_metric" else "Leads") in text and CHART_FAILED_NOTE not in text


@pytest.mark.parametrize("named", ["math_metric", "math_company"])
def test_the_weekly_digest_goes_out_with_its_chart_for_names_with_dollars(request, campaign, alice, named):
    request.getfixturevalue(named)
    received = sent_digest_of(alice.person)
    (png,) = images_of(received)
    assert png.startswith(b"\x89PNG") and CHART_FAILED_NOTE not in received.get_body(("html",)).get_content()


@pytest.fixture
def figure_of_all_time(campaign, carol):
    """A figure stored before periods were bounded: 0001-01-01..9999-12-31, which no chart can place."""
    kpi = report_a_figure(campaign, carol.person)
    KpiMeasurement.objects.filter(kpi=kpi).update(
        period_start=datetime.date(1, 1, 1), period_end=datetime.date(9999, 12, 31)
    )
    return kpi


@pytest.fixture
def drawing_fails(monkeypatch, campaign, carol):
    report_a_figure(campaign, carol.person)

    def broken(*args, **kwargs):
        raise RuntimeError("the drawing broke")

    monkeypatch.setattr(charts, "_render", broken)


@pytest.mark.parametrize("cause", ["figure_of_all_time", "drawing_fails"])
def test_a_chart_that_cannot_be_drawn_is_a_table_of_its_figures_on_the_home_page(
    request, campaign, alice, carol, cause
):
    request.getfixturevalue(cause)
    end = "9999-12-31" if cause == "figure_of_all_time" else (TODAY - datetime.timedelta(days=2)).isoformat()
    for user in (alice, carol):
        page = home_of(user, campaign)
        assert CHART_FAILED_NOTE in page
        assert f"<td>Leads</td><td>Company B</td><td>{end}</td><td>12</td>" in page


@pytest.mark.parametrize("cause", ["figure_of_all_time", "drawing_fails"])
def test_a_chart_that_cannot_be_drawn_is_a_table_of_its_figures_in_the_report(request, campaign, alice, cause):
    request.getfixturevalue(cause)
    text = pdf_text(built_report(campaign, alice))
    assert CHART_FAILED_NOTE in text and "Company B" in text


@pytest.mark.parametrize("cause", ["figure_of_all_time", "drawing_fails"])
def test_a_chart_that_cannot_be_drawn_is_a_table_of_its_figures_in_the_digest(request, campaign, alice, cause):
    request.getfixturevalue(cause)
    received = sent_digest_of(alice.person)
    html = received.get_body(("html",)).get_content()
    assert images_of(received) == [] and "cid:" not in html
    assert CHART_FAILED_NOTE in html and "<td>Leads</td><td>Company B</td>" in html
