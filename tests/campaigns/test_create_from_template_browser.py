"""Creating a campaign from a template in Chromium, as the host's demo login, with real mouse clicks counted (typing
is free): from "My work", a campaign with a partner invited, the template's KPI targets and the host's roles, landing
on the new campaign's home in at most 6 clicks. A screenshot of the form and of the home goes to var/screenshots/."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignKpi,
    CampaignTemplate,
    Invitation,
    KickoffQuestionnaire,
    KpiRound,
    Member,
)
from tests.browser import Person, new_page

CREATE_CLICK_TARGET = 6
DEMO_PASSWORD = "demo-pass-2026"

pytestmark = pytest.mark.django_db(transaction=True)  # a live server


def test_the_host_creates_a_campaign_from_a_template_in_at_most_6_clicks(live_server, browser, migration_data):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    maria = get_user_model().objects.get(username="maria@northwind.example")
    template = CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.JOINT_WEBINAR)
    event = timezone.localdate() + datetime.timedelta(days=75)

    maria_at = Person(new_page(browser, 1366, 768), live_server.url, maria, password=DEMO_PASSWORD)
    maria_at.home()
    maria_at.click("text=Start a campaign with a partner")
    maria_at.page.wait_for_url("**/campaign/add/")
    maria_at.page.fill("#id_name", "Closing the books faster")
    maria_at.choose("#id_template", str(template))
    maria_at.page.fill("#id_launch_date", event.isoformat())
    maria_at.page.fill("#id_goals", "Pipeline from mid-market finance teams.")
    maria_at.choose("#id_partner", "Cobalt Cloud")
    maria_at.page.fill("#id_invite_message", "Shall we run this one together?")
    maria_at.choose("#id_project_lead", "Priya Nair (Northwind Analytics)")  # the decision maker: Maria, as offered
    maria_at.page.fill("#id_target_registrations", "250")
    maria_at.page.fill("#id_target_attendees", "100")
    maria_at.screenshot("create-from-template.png")
    maria_at.click("input[name=_save]")

    campaign = Campaign.objects.get(name="Closing the books faster")
    maria_at.page.wait_for_url(f"**/campaign/{campaign.pk}/home/")
    home = maria_at.page.inner_text("#content")
    assert "Cobalt Cloud" in home and "waiting for an answer" in home.lower()
    maria_at.screenshot("create-from-template-home.png")
    print(f"\ncreate from a template: {maria_at.clicks} clicks")
    assert maria_at.clicks <= CREATE_CLICK_TARGET

    assert campaign.kind == Campaign.Kind.JOINT_WEBINAR and campaign.launch_date == event
    assert campaign.deliverables.count() > 5  # the template's plan
    assert Invitation.objects.pending().get(campaign=campaign).organization.name == "Cobalt Cloud"
    targets = dict(CampaignKpi.objects.filter(campaign=campaign).values_list("metric__code", "target"))
    assert targets["registrations"] == 250 and targets["attendees"] == 100
    assert KpiRound.objects.current().filter(campaign=campaign).exists()
    assert KickoffQuestionnaire.objects.filter(campaign=campaign).exists()
    roles = {member.person.full_name: member.roles for member in Member.objects.filter(campaign=campaign)}
    assert "Decision maker" in roles["Maria Lopez"] and "Project lead" in roles["Priya Nair"]
