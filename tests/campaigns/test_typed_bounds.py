"""Dates and figures people type are bounded where they are stored (issue 23): a figure for the period
0001-01-01..9999-12-31 once broke a campaign's charts for every company. The API answers 400 naming the field;
the admin shows the error under the field."""

import pytest
from django.utils import timezone

from campaigns.models import Flag, KpiMeasurement
from tests.campaigns.kickoff_factories import kpi
from tests.clients import admin_of, api_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqls(shared_campaign):
    return kpi(shared_campaign, "sqls", target="6")


def figure(shared_campaign, sqls, **fields) -> dict:
    return {
        "campaign": shared_campaign.pk,
        "kpi": sqls.pk,
        "period_start": "2026-11-14",
        "period_end": "2026-11-20",
        "value": "30",
        "note": "",
        **fields,
    }


REFUSED_FIGURES = [
    ({"period_start": "0001-01-01", "period_end": "9999-12-31"}, {"period_start", "period_end"}),
    ({"period_start": "1999-12-31"}, {"period_start"}),
    ({"period_end": "2101-01-01"}, {"period_end"}),
    ({"period_start": "2026-01-01", "period_end": "2027-01-02"}, {"period_end"}),  # 367 days
    ({"value": "100000000000000"}, {"value"}),  # 15 digits before the point: more than the field holds
    ({"value": "NaN"}, {"value"}),
    ({"value": "Infinity"}, {"value"}),
]


@pytest.mark.parametrize(("fields", "named"), REFUSED_FIGURES)
def test_the_api_refuses_a_figure_out_of_bounds_naming_the_field(shared_campaign, sqls, carol, fields, named):
    answer = api_of(carol).post("/api/kpi-measurements/", figure(shared_campaign, sqls, **fields), format="json")

    assert answer.status_code == 400, answer.content
    assert named <= set(answer.json()) and not KpiMeasurement.objects.exists()


@pytest.mark.parametrize(("fields", "named"), REFUSED_FIGURES)
def test_the_admin_refuses_a_figure_out_of_bounds_under_the_field(shared_campaign, sqls, carol, fields, named):
    answer = admin_of(carol).post("/admin/campaigns/kpimeasurement/add/", figure(shared_campaign, sqls, **fields))

    assert answer.status_code == 200
    assert named <= set(answer.context["adminform"].form.errors) and not KpiMeasurement.objects.exists()


def test_a_figure_of_a_year_within_the_bounds_is_recorded(shared_campaign, sqls, carol):
    fields = {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": "99999999999999.99"}
    answer = api_of(carol).post("/api/kpi-measurements/", figure(shared_campaign, sqls, **fields), format="json")

    assert answer.status_code == 201, answer.content


def test_the_messages_say_which_dates_and_how_long_a_period_may_be(shared_campaign, sqls, carol):
    client = api_of(carol)
    early = client.post(
        "/api/kpi-measurements/", figure(shared_campaign, sqls, period_start="0001-01-01"), format="json"
    )
    long = client.post(
        "/api/kpi-measurements/",
        figure(shared_campaign, sqls, period_start="2026-01-01", period_end="2027-06-30"),
        format="json",
    )

    assert early.json()["period_start"] == ["Choose a date from 01 Jan 2000 to 31 Dec 2100."]
    assert long.json()["period_end"] == ["A period covers at most 366 days (a year)."]


@pytest.mark.parametrize("field", ["kickoff_date", "launch_date", "end_date"])
def test_a_campaigns_dates_are_bounded_in_the_api_and_the_admin(shared_campaign, alice, field):
    answer = api_of(alice).patch(f"/api/campaigns/{shared_campaign.pk}/", {field: "0001-01-01"}, format="json")

    assert answer.status_code == 400 and field in answer.json()
    shared_campaign.refresh_from_db()
    assert getattr(shared_campaign, field) is None or getattr(shared_campaign, field).year >= 2000


def test_a_snooze_until_the_year_9999_is_refused_naming_the_field(shared_campaign, alice):
    flag = Flag.objects.create(
        campaign=shared_campaign,
        code="no_reporting_plan",
        title="No reporting plan",
        severity="warning",
        opened_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    answer = api_of(alice).post(
        f"/api/flags/{flag.pk}/snooze/", {"until": "9999-12-31", "reason": "later"}, format="json"
    )

    assert answer.status_code == 400 and "until" in answer.json(), answer.content
