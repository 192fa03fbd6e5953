"""The cockpit in a real browser (Chromium through Playwright), as the host's and the partner's users.

Each flow counts the clicks a person makes (a click on a link, button or dropdown; typing is free) and the
meeting flow asserts the target: attendance, two decisions and three action items logged in at most ten
clicks from "My work". Screenshots of "My work" and the campaign home page go to var/screenshots/.
"""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Deliverable, Invitation, KpiRound, Member, Metric, Party, RaciAssignment
from meetings.models import ActionItem, Attendance, Decision, Meeting
from tests.browser import Person, new_page
from tests.campaigns.kickoff_factories import kpi
from tests.meetings.factories import series_for
from tests.partners.factories import OrganizationFactory, company_user

MEETING_CLICK_TARGET = 10

pytestmark = pytest.mark.django_db(transaction=True)  # a live server


@pytest.fixture
def companies(transactional_db):
    host, partner = OrganizationFactory(name="Northwind Analytics"), OrganizationFactory(name="Bluefin Consulting")
    return host, partner, company_user(host, name="Maria Lopez"), company_user(partner, name="Jonas Weber")


def test_host_and_partner_run_a_campaign_in_the_browser(live_server, browser, companies):
    host, partner, maria, jonas = companies
    clicks = {}
    maria_at = Person(new_page(browser), live_server.url, maria)

    # 1. Maria starts a campaign with Bluefin from "My work".
    maria_at.home()
    before = maria_at.clicks
    maria_at.click("text=Start one with a partner")
    maria_at.page.fill("#id_name", "Forecasting with real data")
    maria_at.choose("#id_kind", "Joint webinar")  # no template: the kind is hers to choose
    maria_at.page.fill("#id_kickoff_date", str(timezone.localdate()))
    maria_at.page.fill("#id_launch_date", str(timezone.localdate() + datetime.timedelta(days=30)))
    maria_at.choose("#id_partner", "Bluefin Consulting")
    maria_at.click("input[name=_save]")
    clicks["create with partner"] = maria_at.clicks - before
    maria_at.page.wait_for_url("**/admin/campaigns/campaign/*/home/")  # saved: on to the new campaign's home
    campaign = Campaign.objects.get(name="Forecasting with real data")
    assert maria_at.page.url.endswith(f"/admin/campaigns/campaign/{campaign.pk}/home/")
    assert Invitation.objects.get(campaign=campaign).organization == partner

    # 2. Jonas accepts from his "My work".
    jonas_at = Person(new_page(browser), live_server.url, jonas)
    jonas_at.home()
    before = jonas_at.clicks
    jonas_at.click("text=Answer")
    jonas_at.click("button:has-text('Accept')")
    clicks["accept the invitation"] = jonas_at.clicks - before
    assert Party.objects.filter(campaign=campaign, organization=partner).exists()

    # 3. Maria assigns R and A on a deliverable, from the campaign's home page.
    maria_member = Member.objects.get(campaign=campaign, person=maria.person)
    jonas_member = Member.objects.get(campaign=campaign, person=jonas.person)
    Deliverable.objects.create(campaign=campaign, title="Landing page", due_date=timezone.localdate())
    maria_at.page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/home/")
    before = maria_at.clicks
    maria_at.click("a:text-is('Landing page')")
    for member, role in ((jonas_member, "Responsible"), (maria_member, "Accountable")):
        maria_at.click("#raci-group .add-row a")
        row = maria_at.page.locator("#raci-group tr.form-row:not(.empty-form)").last
        maria_at.clicks += 2
        row.locator("select[name$=-member]").select_option(label=str(member))
        row.locator("select[name$=-role]").select_option(label=role)
    maria_at.click("input[name=_save]")
    clicks["RACI for one deliverable"] = maria_at.clicks - before
    assert set(RaciAssignment.objects.filter(deliverable__campaign=campaign).values_list("role", flat=True)) == {
        "R",
        "A",
    }

    # 4. This week's meeting (it began an hour ago): attendance, two decisions, three action items.
    started = timezone.localtime(timezone.now() - datetime.timedelta(hours=1), datetime.UTC)
    series_for(
        campaign,
        facilitator=maria_member,
        attendees=[maria_member, jonas_member],
        first_date=started.date(),
        start_time=started.time().replace(second=0, microsecond=0),
        time_zone="UTC",
        duration_minutes=30,
        now=timezone.now() - datetime.timedelta(hours=2),
    )
    maria_at.home()
    maria_at.screenshot("my-work.png")
    before = maria_at.clicks
    maria_at.click("text=Log it")  # the meeting page: everyone present until switched off, lines typed
    for index, text in enumerate(["Go with the CFO panel", "Launch on the 15th"]):
        maria_at.page.locator("input[name=decision-text]").nth(index).fill(text)
    for index, (title, owner) in enumerate(
        [("Send speaker brief", jonas_member), ("Book the studio", maria_member), ("Draft the invite", jonas_member)]
    ):
        maria_at.page.locator("input[name=item-title]").nth(index).fill(title)
        maria_at.page.locator("input[name=item-person]").nth(index).fill(owner.person.full_name)
        due = str(timezone.localdate() + datetime.timedelta(days=7))
        maria_at.page.locator("input[name=item-due]").nth(index).fill(due)
    maria_at.click("text=Save the log")
    clicks["log a meeting"] = maria_at.clicks - before
    meeting = Meeting.objects.get(series__campaign=campaign, status=Meeting.Status.HELD)
    assert Decision.objects.filter(meeting=meeting).count() == 2
    assert ActionItem.objects.filter(meeting=meeting).count() == 3
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {"present"}
    assert clicks["log a meeting"] <= MEETING_CLICK_TARGET, clicks

    # 5. Both companies agree to the KPIs from the campaign's home page, seeing the targets.
    # Built-in metrics come from a migration; an earlier transactional test may have flushed them.
    Metric.objects.get_or_create(code="registrations", defaults={"name": "Registrations", "funnel_stage": "awareness"})
    kpi(campaign, "registrations", target="300")
    for person_at in (maria_at, jonas_at):
        person_at.page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/home/")
        before = person_at.clicks
        person_at.click("text=Review and agree")
        assert person_at.page.locator("td:has-text('300')").count() >= 1
        person_at.click("button:has-text('Agree to these KPIs for my company')")
        clicks["agree to the KPIs"] = person_at.clicks - before
    assert KpiRound.objects.current().get(campaign=campaign).is_locked

    # 6. What Maria logged is on Jonas's "My work": his action items, each one click from done.
    jonas_at.home()
    # in his action items, and under what is due for his company
    assert jonas_at.page.locator("text=Send speaker brief").count() >= 1
    jonas_at.screenshot("my-work-partner.png")
    maria_at.page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/home/")
    assert maria_at.page.locator("text=Go with the CFO panel").count() == 1
    maria_at.screenshot("campaign-home.png")
    print("\nclicks per flow:", clicks)
