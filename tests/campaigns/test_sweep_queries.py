"""The sweeps cost the same number of queries for 5 and for 50 campaigns (every registered check and source)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Deliverable, Flag, Member, Reminder
from campaigns.outbox.reminders import reminder_sweep
from campaigns.services.health import health_sweep
from tests.campaigns.factories import member_of
from tests.campaigns.sweep_helpers import UTC, assigned_deliverable, healthy_campaign
from tests.partners.factories import OrganizationFactory

BEFORE = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MEASURED = BEFORE + datetime.timedelta(minutes=15)


def campaign_with_gaps() -> Campaign:
    """The partner names no budget owner; an overdue deliverable has a Responsible but no Accountable."""
    host, partner = OrganizationFactory(), OrganizationFactory()
    campaign = healthy_campaign(host)
    campaign.parties.create(organization=partner)
    partner_lead = member_of(campaign, partner, is_decision_maker=True, is_project_lead=True)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=partner_lead)
    return campaign


def measure(count: int) -> tuple[int, int, dict]:
    """Queries of the health sweep and of the reminder sweep when, in `count` campaigns, flags open, stay open
    and resolve, and reminders of several kinds fall due, all at once."""
    Campaign.objects.open().update(status=Campaign.Status.CLOSED)  # the previous round's flags resolve
    campaigns = [campaign_with_gaps() for _ in range(count)]
    health_sweep(now=BEFORE)
    reminder_sweep(now=BEFORE)
    partner_leads = Member.objects.filter(campaign__in=campaigns, is_budget_owner=False)
    partner_leads.update(is_budget_owner=True, is_decision_maker=False)  # one flag resolves, a critical one opens
    for campaign in campaigns:
        assigned_deliverable(
            campaign,
            due_date=datetime.date(2026, 11, 27),
            responsible=campaign.members.first(),
            type=Deliverable.Type.SLIDE_DECK,
        )

    with CaptureQueriesContext(connection) as health_queries:
        health_result = health_sweep(now=MEASURED)
    with CaptureQueriesContext(connection) as reminder_queries:
        reminder_result = reminder_sweep(now=MEASURED)
    shape = {
        "opened": health_result.opened >= count,
        "resolved": health_result.resolved >= count,
        "still_open": health_result.still_open >= count,
        "created": reminder_result.created >= 2 * count,
        "queued": len(reminder_result.queued) >= 2 * count,
    }
    return len(health_queries), len(reminder_queries), shape


@pytest.mark.django_db
def test_the_sweeps_run_the_same_number_of_queries_for_5_and_50_campaigns():
    health_5, reminders_5, shape_5 = measure(5)
    health_50, reminders_50, shape_50 = measure(50)

    assert all(shape_5.values()) and all(shape_50.values()), (shape_5, shape_50)
    assert health_50 == health_5
    assert reminders_50 == reminders_5
    assert Flag.objects.open().filter(code="no_decision_maker").count() == 50  # the first 5 campaigns closed
    assert Reminder.objects.filter(kind="critical_flag").exists()
