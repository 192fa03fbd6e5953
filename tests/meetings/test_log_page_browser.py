"""The meeting page in Chromium, with real mouse clicks counted (typing is free): an 8-person meeting with one
person absent, notes, 2 decisions and 3 action items logged from "My work" in at most 10 clicks; no sideways scroll
on a laptop or a phone. Screenshots go to var/screenshots/."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import ActionItem, Attendance, Decision, Meeting
from tests.browser import Person, new_page
from tests.campaigns.factories import joint_campaign
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.partners.factories import OrganizationFactory, company_user

MEETING_CLICK_TARGET = 10

pytestmark = pytest.mark.django_db(transaction=True)  # a live server


def test_an_8_person_meeting_is_logged_in_at_most_10_clicks(live_server, browser):
    northwind, bluefin = OrganizationFactory(name="Northwind Analytics"), OrganizationFactory(name="Bluefin Consulting")
    maria = company_user(northwind, name="Maria Lopez")
    campaign = joint_campaign(northwind, bluefin, name="Forecasting with real data")
    names = ["Ana Ortiz", "Ben Brandt", "Chloe Chen", "Jonas Weber", "Kai Klein", "Lena Lang", "Mo Malik"]
    team = [member_of_user(campaign, maria)] + [
        member_of_user(campaign, company_user(northwind if index < 3 else bluefin, name=name))
        for index, name in enumerate(names)
    ]
    started = timezone.now() - datetime.timedelta(hours=1)
    series_for(
        campaign,
        facilitator=team[0],
        attendees=team,
        first_date=started.date(),
        start_time=started.time().replace(second=0, microsecond=0),
        time_zone="UTC",
        now=timezone.now() - datetime.timedelta(hours=2),
    )
    next_week = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    maria_at = Person(new_page(browser, 1366, 768), live_server.url, maria)
    maria_at.home()
    maria_at.click("text=Log it")
    maria_at.page.wait_for_url("**/log/")
    maria_at.click("label:has-text('Kai Klein')")  # absent: switched off
    maria_at.page.fill("#id_notes", "Speakers confirmed; the landing page goes live on Monday.")
    decisions = maria_at.page.locator("input[name=decision-text]")
    decisions.nth(0).fill("Go with the CFO panel")
    decisions.nth(1).fill("Launch on the 15th")
    for index, (title, owner, due) in enumerate(
        [
            ("Send the speaker brief", "Jonas Weber (Bluefin Consulting)", next_week),
            ("Book the studio", "Ana Ortiz", ""),
            ("Draft the invite", "Lena Lang", next_week),
        ]
    ):
        maria_at.page.locator("input[name=item-title]").nth(index).fill(title)
        maria_at.page.locator("input[name=item-person]").nth(index).fill(owner)
        if due:
            maria_at.page.locator("input[name=item-due]").nth(index).fill(due)
    maria_at.screenshot("meeting-page.png")
    maria_at.click("text=Save the log")

    assert "The meeting is logged: 7 of 8 present" in maria_at.page.inner_text(".messagelist")
    print(f"\nmeeting log: {maria_at.clicks} clicks")
    assert maria_at.clicks <= MEETING_CLICK_TARGET
    meeting = Meeting.objects.get(series__campaign=campaign, status=Meeting.Status.HELD)
    assert dict(meeting.attendance.values_list("member__person__full_name", "status"))["Kai Klein"] == "absent"
    assert meeting.attendance.filter(status=Attendance.Status.PRESENT).count() == 7
    assert set(Decision.objects.filter(meeting=meeting).values_list("text", flat=True)) == {
        "Go with the CFO panel",
        "Launch on the 15th",
    }
    assert set(ActionItem.objects.filter(meeting=meeting).values_list("owner__person__full_name", flat=True)) == {
        "Jonas Weber",
        "Ana Ortiz",
        "Lena Lang",
    }
    maria_at.screenshot("meeting-page-logged.png")
    for width, height in ((1366, 768), (390, 844)):
        maria_at.page.set_viewport_size({"width": width, "height": height})
        assert maria_at.page.evaluate("document.documentElement.scrollWidth") <= width
    maria_at.screenshot("meeting-page-phone.png")
