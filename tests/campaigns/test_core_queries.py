"""Lists and the RACI matrix run a number of queries that does not grow with the number of rows."""

import pytest

from tests.campaigns.factories import DeliverableFactory, RaciAssignmentFactory, joint_campaign, member_of
from tests.querycount import queries_of


def build(company_a, company_b, campaigns: int) -> None:
    for index in range(campaigns):
        campaign = joint_campaign(company_a, company_b, name=f"Campaign {index}")
        members = [member_of(campaign, company_a), member_of(campaign, company_b)]
        for deliverable in DeliverableFactory.create_batch(2, campaign=campaign):
            RaciAssignmentFactory(deliverable=deliverable, member=members[0], role="A")
            RaciAssignmentFactory(deliverable=deliverable, member=members[1], role="R")


@pytest.fixture
def sized(company_a, company_b, alice):
    def at(campaigns: int) -> None:
        build(company_a, company_b, campaigns)

    return at


def counts_at_two_sizes(sized, action) -> tuple[int, int]:
    sized(3)
    small = queries_of(action)
    sized(27)
    return small, queries_of(action)


def test_the_campaign_changelist_is_constant(client, alice, sized):
    client.force_login(alice)
    small, large = counts_at_two_sizes(sized, lambda: client.get("/admin/campaigns/campaign/"))
    assert small == large


def test_the_deliverable_changelist_is_constant(client, alice, sized):
    client.force_login(alice)
    small, large = counts_at_two_sizes(sized, lambda: client.get("/admin/campaigns/deliverable/"))
    assert small == large


@pytest.mark.parametrize("endpoint", ["campaigns", "deliverables", "members", "parties", "raci-assignments", "people"])
def test_api_lists_are_constant(api, alice, sized, endpoint):
    api.as_user(alice)
    small, large = counts_at_two_sizes(sized, lambda: api.get(f"/api/{endpoint}/", {"page_size": 200}))
    assert small == large


@pytest.mark.parametrize("url", ["/admin/campaigns/campaign/{pk}/raci/", "/api/campaigns/{pk}/raci-matrix/"])
def test_the_raci_matrix_is_constant(client, alice, company_a, company_b, url):
    client.force_login(alice)
    campaign = joint_campaign(company_a, company_b)

    def grow(deliverables: int) -> None:
        members = [member_of(campaign, company_a), member_of(campaign, company_b)]
        for deliverable in DeliverableFactory.create_batch(deliverables, campaign=campaign):
            RaciAssignmentFactory(deliverable=deliverable, member=members[0], role="A")
            RaciAssignmentFactory(deliverable=deliverable, member=members[1], role="C")

    def fetch():
        response = client.get(url.format(pk=campaign.pk))
        assert response.status_code == 200

    grow(3)
    small = queries_of(fetch)
    grow(27)
    assert queries_of(fetch) == small


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_campaign_change_page_is_constant_whatever_its_rows(client, request, who, company_a, company_b):
    """Its inlines read each relation's choices once, not once per row: rows of the user's own company (editable)
    and of the other company (locked) alike."""
    client.force_login(request.getfixturevalue(who))
    campaign = joint_campaign(company_a, company_b)
    channels = list(campaign.parties.all())

    def grow(rows: int) -> None:
        for index in range(rows):
            member = member_of(campaign, (company_a, company_b)[index % 2])
            deliverable = DeliverableFactory(campaign=campaign, channel_party=channels[index % 2])
            RaciAssignmentFactory(deliverable=deliverable, member=member, role="A")

    def fetch():
        response = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
        assert response.status_code == 200
        return response

    grow(2)
    small = queries_of(fetch)
    grow(12)
    assert queries_of(fetch) == small
    page = fetch().content.decode()
    assert page.count('name="deliverables-') >= 14 and page.count('name="members-') >= 14


@pytest.fixture
def invited(company_a, company_b, company_c, alice, charlie):
    """`at(n)`: n more campaigns of A and B, each with a pending invitation to C."""
    from campaigns.services.invitations import invitation_create

    def at(campaigns: int) -> None:
        for index in range(campaigns):
            campaign = joint_campaign(company_a, company_b, name=f"Invited {index}")
            invitation_create(user=alice, campaign=campaign, organization=company_c)

    return at


@pytest.mark.parametrize("who", ["alice", "charlie"])
@pytest.mark.parametrize("url", ["/admin/campaigns/invitation/", "/api/invitations/?page_size=200"])
def test_invitation_lists_are_constant_for_host_and_invited(client, request, invited, who, url):
    client.force_login(request.getfixturevalue(who))
    small, large = counts_at_two_sizes(invited, lambda: client.get(url))
    assert small == large
