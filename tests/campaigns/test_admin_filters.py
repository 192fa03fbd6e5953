"""The admin lists' sidebar filters of related rows (partners.scoping.admin.FewRelatedOnlyFieldListFilter)."""

import datetime

import pytest

from partners.scoping import admin as scoping_admin
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.clients import admin_of

pytestmark = pytest.mark.django_db


def campaign_filter(page: str) -> str:
    return page.split('data-filter-title="campaign')[1].split("</details>")[0]


def test_the_campaign_filter_offers_the_campaigns_of_the_first_rows_listed(alice, company_a, company_b, monkeypatch):
    """Its choices come from the first rows of the list, in the list's order (soonest due first), not from every
    row the user sees (a hub's 100,000 campaigns); a campaign chosen stays named."""
    monkeypatch.setattr(scoping_admin, "FILTER_ROWS_READ", 2)
    names = ("Spring webinar", "Summer webinar", "Autumn webinar")
    campaigns = [joint_campaign(company_a, company_b, name=name) for name in names]
    for day, campaign in enumerate(campaigns, start=1):
        DeliverableFactory(campaign=campaign, due_date=datetime.date(2026, 12, day))
    client = admin_of(alice)

    shown = campaign_filter(client.get("/admin/campaigns/deliverable/").content.decode())
    assert "Spring webinar" in shown and "Summer webinar" in shown and "Autumn webinar" not in shown

    chosen = client.get(f"/admin/campaigns/deliverable/?campaign__id__exact={campaigns[2].pk}").content.decode()
    assert "Autumn webinar" in campaign_filter(chosen)

    monkeypatch.setattr(scoping_admin, "FILTER_ROWS_READ", 3)
    assert "Autumn webinar" in campaign_filter(client.get("/admin/campaigns/deliverable/").content.decode())
