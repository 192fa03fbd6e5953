"""Campaign templates: a whole plan in one step from a template and an event date; a company's own templates."""

import datetime

from campaigns.models import Campaign, CampaignTemplate, Deliverable, Member, RaciAssignment
from campaigns.services.core import campaign_create
from campaigns.services.invitations import invitation_accept
from meetings.models import MeetingSeries
from tests.clients import admin_of, api_of
from utilities.business_days import add_business_days, business_days_between

EVENT = datetime.date(2027, 3, 1)  # a Monday: the days before it cross a weekend and the end of February


def webinar_template() -> CampaignTemplate:
    return CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.JOINT_WEBINAR)


def test_business_days_skip_weekends_across_a_month_end():
    assert add_business_days(EVENT, -1) == datetime.date(2027, 2, 26)  # Friday
    assert add_business_days(EVENT, -5) == datetime.date(2027, 2, 22)
    assert add_business_days(datetime.date(2027, 2, 26), 1) == EVENT
    assert add_business_days(datetime.date(2027, 2, 27), -1) == datetime.date(2027, 2, 26)  # from a Saturday
    assert business_days_between(datetime.date(2027, 2, 22), EVENT) == 5
    assert business_days_between(EVENT, datetime.date(2027, 2, 26)) == -1


def test_shipped_templates_cover_every_kind_with_fitting_kpis(db):
    shipped = {template.kind: template for template in CampaignTemplate.objects.filter(organization=None)}
    assert set(shipped) == set(Campaign.Kind.values)
    webinar_kpis = set(shipped["joint_webinar"].kpi_metrics.values_list("code", flat=True))
    assert {"registrations", "attendees", "net_new_leads"} <= webinar_kpis and "pipeline_value" not in webinar_kpis
    assert "pipeline_value" in set(shipped["co_selling"].kpi_metrics.values_list("code", flat=True))


def test_a_webinar_from_the_template_has_the_whole_plan(alice, carol, company_a, company_b):
    alice_member_roles = {"is_project_lead": True}
    campaign = campaign_create(
        user=alice,
        campaign=Campaign(name="Q1 webinar"),
        template=webinar_template(),
        event_date=EVENT,
        partner=company_b,
    )
    Member.objects.filter(campaign=campaign, person=alice.person).update(**alice_member_roles)
    invitation_accept(invitation=campaign.invitations.get(), user=carol)

    deliverables = {d.title: d for d in Deliverable.objects.filter(campaign=campaign).select_related("channel_party")}
    assert len(deliverables) == webinar_template().deliverables.count() == 11
    assert campaign.launch_date == EVENT and campaign.kind == Campaign.Kind.JOINT_WEBINAR
    assert deliverables["Speaker prep / dry run"].due_date == datetime.date(2027, 2, 25)
    assert deliverables["Slide deck"].due_date == datetime.date(2027, 2, 22)
    assert deliverables["The live webinar"].due_date == EVENT
    assert deliverables["Follow-up nurture"].due_date == datetime.date(2027, 3, 4)
    assert deliverables["Landing page"].needs_legal_review and deliverables["Landing page"].needs_signoff
    assert deliverables["Social posts (partner)"].channel_party.organization == company_b
    for deliverable in deliverables.values():
        roles = dict(
            RaciAssignment.objects.filter(deliverable=deliverable).values_list("role", "member__person__organization")
        )
        channel = deliverable.channel_party.organization_id
        assert roles == {"A": channel, "R": channel}, deliverable.title
    assert set(campaign.kpis.values_list("metric__code", flat=True)) >= {"registrations", "attendees", "net_new_leads"}
    series = MeetingSeries.objects.get(campaign=campaign)
    assert series.facilitator.person == alice.person and series.first_date.weekday() == 1  # Tuesdays


def test_admin_creates_from_a_template_and_needs_the_event_date(alice, company_b):
    client = admin_of(alice)
    form = {"name": "From admin", "template": webinar_template().pk, "kind": "joint_event", "partner": company_b.pk}

    missing = client.post("/admin/campaigns/campaign/add/", form)
    far = client.post("/admin/campaigns/campaign/add/", {**form, "launch_date": "9999-12-31"})
    created = client.post("/admin/campaigns/campaign/add/", {**form, "launch_date": "2027-03-01"})

    assert missing.status_code == 200 and "Give the event date" in missing.content.decode()
    assert far.status_code == 200 and "within three years" in far.content.decode()
    assert created.status_code == 302
    campaign = Campaign.objects.get(name="From admin")
    assert campaign.kind == "joint_webinar" and campaign.deliverables.count() == 11


def test_api_creates_from_a_template(alice):
    response = api_of(alice).post(
        "/api/campaigns/",
        {"name": "From API", "launch_date": "2027-03-01", "template": webinar_template().pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Campaign.objects.get(name="From API").deliverables.count() == 11
    far = api_of(alice).post(
        "/api/campaigns/",
        {"name": "Far", "launch_date": "9999-12-31", "template": webinar_template().pk},
        format="json",
    )
    assert far.status_code == 400 and not Campaign.objects.filter(name="Far").exists()


def test_a_company_saves_its_own_template_which_others_never_see(alice, carol, company_b):
    campaign = campaign_create(
        user=alice,
        campaign=Campaign(name="Q1 webinar"),
        template=webinar_template(),
        event_date=EVENT,
        partner=company_b,
    )
    Deliverable.objects.filter(campaign=campaign, title="Slide deck").update(due_date=datetime.date(2027, 2, 15))

    response = api_of(alice).post(
        f"/api/campaigns/{campaign.pk}/save-template/", {"name": "Our webinar"}, format="json"
    )

    assert response.status_code == 201, response.content
    lines = {line["title"]: line for line in response.json()["deliverables"]}
    assert lines["Slide deck"]["offset_business_days"] == -10
    mine = CampaignTemplate.objects.get(name="Our webinar")
    assert mine.organization == alice.person.organization
    assert not CampaignTemplate.objects.for_user(carol).filter(pk=mine.pk).exists()
    assert api_of(carol).get(f"/api/campaign-templates/{mine.pk}/").status_code == 404
    again = api_of(alice).post(f"/api/campaigns/{campaign.pk}/save-template/", {"name": "Our webinar"}, format="json")
    assert again.status_code == 400


def test_nobody_edits_a_shipped_template_but_the_operator(alice):
    response = api_of(alice).patch(
        f"/api/campaign-templates/{webinar_template().pk}/", {"name": "Mine now"}, format="json"
    )
    assert response.status_code == 403


def test_thirty_business_days_ahead_every_deliverable_can_still_start_in_time(alice, carol, company_a, company_b):
    from django.utils import timezone

    from campaigns.models import KickoffCompanyPart
    from campaigns.selectors.plans import campaign_plan

    today = timezone.localdate()
    campaign = campaign_create(
        user=alice,
        campaign=Campaign(name="Soon"),
        template=webinar_template(),
        event_date=add_business_days(today, 30),
        partner=company_b,
    )
    invitation_accept(invitation=campaign.invitations.get(), user=carol)
    lead_times = {
        "web_content_lead_days": 5,
        "social_posts_lead_days": 3,
        "nurtures_lead_days": 5,
        "reports_lead_days": 2,
    }
    # Each company's part was started when it joined: its answers fill it.
    parts = KickoffCompanyPart.objects.filter(campaign=campaign)
    parts.filter(organization=company_a).update(has_legal_review=True, legal_turnaround_business_days=3, **lead_times)
    parts.filter(organization=company_b).update(**lead_times)

    plans = campaign_plan(campaign.pk)

    assert len(plans) == 11
    assert not [plan.deliverable.title for plan in plans if plan.cannot_be_done_in_time(today)]
    landing = next(plan for plan in plans if plan.deliverable.title == "Landing page")
    # Due 20 business days before the event: exactly the 5 + 3 + 2 days it needs from today.
    assert landing.needed_days == 5 + 3 + 2 == landing.days_left(today)
