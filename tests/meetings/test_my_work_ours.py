"""My work's "Late or due for <company>" lists the open action items of my company's people, late or due this week,
each linked to the meeting where it is ticked done; the partner's are among what waits on the partners."""

import datetime
import html

from django.utils import timezone

from campaigns.models import Campaign
from meetings.models import ActionItem, Meeting
from tests.campaigns.factories import joint_campaign
from tests.clients import admin_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.querycount import queries_of

today = timezone.localdate  # read at each use


def _weekly(campaign, facilitator):
    """A weekly series that met a week ago (the meeting the items were given in) and meets again."""
    started = timezone.now() - datetime.timedelta(days=7)
    series_for(
        campaign,
        facilitator=facilitator,
        first_date=started.date(),
        time_zone="UTC",
        now=started - datetime.timedelta(hours=1),
    )
    return Meeting.objects.filter(series__campaign=campaign).order_by("starts_at")


def _item(meeting, owner, title: str, days: int, **fields) -> ActionItem:
    return ActionItem.objects.create(
        meeting=meeting, owner=owner, title=title, due_date=today() + datetime.timedelta(days=days), **fields
    )


def _ours_panel(user) -> str:
    page = html.unescape(admin_of(user).get("/admin/").content.decode())
    return page.split('<section class="cockpit-panel module">')[1]  # the first panel of the page


def test_my_companys_late_action_items_are_ours_and_link_to_the_next_meeting(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    alices, carols = member_of_user(campaign, alice), member_of_user(campaign, carol)
    given_in, next_meeting = _weekly(campaign, alices)[:2]
    _item(given_in, alices, "Send the speaker brief", days=-1)
    _item(given_in, carols, "Book the studio", days=3)
    _item(given_in, alices, "Plan next quarter", days=30)  # not due this week
    _item(given_in, alices, "Draft the invite", days=-3, status=ActionItem.Status.DONE)

    panel = _ours_panel(alice)
    ours, partners = panel.split("Waiting on your partners", 1)

    assert "1 late for Company A." in ours
    assert "Action item: Send the speaker brief" in ours and "Book the studio" not in ours
    assert f'href="/admin/meetings/meeting/{next_meeting.pk}/agenda/?next=%2Fadmin%2F"' in ours
    assert "Action item: Book the studio" in partners and "Company B" in partners
    assert "Plan next quarter" not in panel and "Draft the invite" not in panel

    carols_panel = _ours_panel(carol)
    assert "Action item: Book the studio" in carols_panel.split("Waiting on your partners", 1)[0]
    assert "Nothing late for Company B." in carols_panel


def test_the_agenda_it_links_to_ticks_the_item_done(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    alices = member_of_user(campaign, alice)
    given_in, next_meeting = _weekly(campaign, alices)[:2]
    item = _item(given_in, alices, "Send the speaker brief", days=-1)

    agenda = admin_of(alice).get(f"/admin/meetings/meeting/{next_meeting.pk}/agenda/").content.decode()
    assert f"/admin/meetings/actionitem/{item.pk}/done/" in agenda
    admin_of(alice).post(f"/admin/meetings/actionitem/{item.pk}/done/", {"next": "/admin/"})

    assert "Send the speaker brief" not in _ours_panel(alice)
    assert "Nothing late for Company A." in _ours_panel(alice)


def test_a_closed_campaigns_action_items_are_not_due(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    alices = member_of_user(campaign, alice)
    given_in = _weekly(campaign, alices)[0]
    _item(given_in, alices, "Send the speaker brief", days=-1)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)

    assert "Send the speaker brief" not in _ours_panel(alice)


def test_ours_reads_the_same_number_of_queries_at_3_and_30_campaigns(alice, carol, company_a, company_b):
    client = admin_of(alice)
    made = 0

    def count_at(campaigns: int) -> int:
        nonlocal made
        for index in range(made, campaigns):
            campaign = joint_campaign(company_a, company_b, name=f"Campaign {index:02}")
            alices, carols = member_of_user(campaign, alice), member_of_user(campaign, carol)
            given_in = _weekly(campaign, alices)[0]
            _item(given_in, alices, f"Ours {index}", days=-1)
            _item(given_in, carols, f"Theirs {index}", days=2)
        made = campaigns
        return queries_of(lambda: client.get("/admin/"))

    assert count_at(3) == count_at(30)


def test_an_action_item_is_owed_by_its_owners_company_and_moves_with_its_owner(alice, carol, team, weekly):
    meeting = weekly.meetings.order_by("starts_at").first()
    alices, carols = team[0], team[1]
    item = ActionItem.objects.create(meeting=meeting, title="Send it", owner=alices, due_date=meeting.occurrence_date)
    assert item.owner_company == alice.person.organization

    item.owner = carols
    item.save()
    item.refresh_from_db()
    assert item.owner_company == carol.person.organization
