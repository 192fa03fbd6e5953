"""Lists count what a user can see up to a cap, and say so beyond it (the cap is lowered here to 2)."""

import pytest

from comarketing.api import pagination
from tests.campaigns.factories import joint_campaign
from utilities import paginator


@pytest.fixture
def three_campaigns(shared_campaign, company_a, company_b):
    joint_campaign(company_a, company_b, name="Second")
    joint_campaign(company_a, company_b, name="Third")


@pytest.fixture
def cap_of_two(monkeypatch):
    monkeypatch.setattr(paginator, "COUNT_CAP", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)


def test_the_api_list_counts_up_to_the_cap_and_says_there_are_more(api, alice, three_campaigns, cap_of_two):
    page = api.as_user(alice).get("/api/campaigns/").json()
    assert (page["count"], page["count_capped"], len(page["results"])) == (2, True, 3)


def test_the_api_list_counts_exactly_below_the_cap(api, alice, shared_campaign):
    page = api.as_user(alice).get("/api/campaigns/").json()
    assert (page["count"], page["count_capped"]) == (1, False)


def test_the_change_list_says_there_are_more_than_the_cap(client, alice, three_campaigns, cap_of_two):
    client.force_login(alice)
    page = client.get("/admin/campaigns/campaign/").content.decode()
    assert "More than 2 campaigns" in page and "Third" in page
