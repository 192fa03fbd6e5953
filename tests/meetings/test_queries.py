"""Meeting and action-item lists cost the same number of queries for 3 and for 30 campaigns."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import ActionItem, Attendance, Decision, Meeting
from tests.campaigns.factories import joint_campaign, member_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


def _campaigns(count, company_a, company_b, alice):
    for index in range(count):
        campaign = joint_campaign(company_a, company_b, name=f"Webinar {index}")
        own, partner = member_of_user(campaign, alice), member_of(campaign, company_b)
        series = series_for(
            campaign, facilitator=own, attendees=[own, partner], first_date=datetime.date(2026, 11, 17), now=NOW
        )
        meeting = Meeting.objects.filter(series=series).first()
        meeting.attendance.update(status=Attendance.Status.PRESENT)
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, logged_at=NOW)
        ActionItem.objects.create(
            meeting=meeting, title=f"Item {index}", owner=partner, due_date=datetime.date(2026, 11, 20)
        )
        Decision.objects.create(meeting=meeting, text=f"Decided {index}", decided_by=own)
        Decision.objects.create(campaign=campaign, text=f"Pending {index}", status="pending", decided_by=partner)


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def measure(company_a, company_b, alice, settings):
    settings.MEETING_WINDOW_WEEKS = 2

    def run(fetch) -> tuple[int, int]:
        _campaigns(3, company_a, company_b, alice)
        fetch()  # warm the per-process caches (content types), so both counts measure the list alone
        few = _count(fetch)
        _campaigns(27, company_a, company_b, alice)
        return few, _count(fetch)

    return run


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:meetings_meeting_changelist"),
        reverse("admin:meetings_actionitem_changelist"),
        reverse("admin:meetings_actionitem_changelist") + "?due=overdue",
        reverse("admin:meetings_meetingseries_changelist"),
        reverse("admin:meetings_decision_changelist"),
        reverse("admin:meetings_decision_changelist") + "?state=pending",
        reverse("admin:campaigns_campaigntemplate_changelist"),
    ],
)
def test_admin_lists_run_a_constant_number_of_queries(client, alice, measure, url):
    client.force_login(alice)
    few, many = measure(lambda: client.get(url))
    assert few == many


@pytest.mark.parametrize(
    "url",
    [
        "/api/meetings/",
        "/api/action-items/",
        "/api/action-items/?overdue=true",
        "/api/meeting-series/",
        "/api/meeting-decisions/",
        "/api/campaign-templates/",
    ],
)
def test_api_lists_run_a_constant_number_of_queries(api, alice, measure, url):
    api.as_user(alice)
    few, many = measure(lambda: api.get(url))
    assert few == many
