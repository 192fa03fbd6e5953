"""A campaign is ready on day one: whichever door creates it (admin form, API), it has its kickoff questionnaire
and the host's part of it, the KPI targets typed at creation, an open agreement round and the host's decision
maker and project lead; the admin lands on its home page, which shows the invitation waiting and never links to
a questionnaire that does not exist."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignTemplate,
    Flag,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiRound,
    Member,
)
from campaigns.selectors.kpis import targets_named_in
from campaigns.services.core import campaign_create
from campaigns.services.invitations import invitation_accept
from tests.clients import admin_of, api_of
from tests.partners.factories import PersonFactory

EVENT = timezone.localdate() + datetime.timedelta(days=60)
GOALS = "200 registrations, 80 attendees, 25 ICP leads"


def webinar_template() -> CampaignTemplate:
    return CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.JOINT_WEBINAR)


def links_of(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


def targets_of(campaign: Campaign) -> dict[str, Decimal | None]:
    return dict(campaign.kpis.values_list("metric__code", "target"))


def roles_of(campaign: Campaign) -> dict[str, tuple[bool, bool]]:
    members = Member.objects.filter(campaign=campaign).select_related("person")
    return {m.person.full_name: (m.is_decision_maker, m.is_project_lead) for m in members}


def assert_ready_on_day_one(campaign: Campaign, host) -> None:
    assert KickoffQuestionnaire.objects.filter(campaign=campaign).exists()
    assert list(KickoffCompanyPart.objects.filter(campaign=campaign).values_list("organization", flat=True)) == [
        host.pk
    ]
    assert KpiRound.objects.current().filter(campaign=campaign, number=1, locked_at=None).exists()
    assert not Flag.objects.open().filter(campaign=campaign, code="no_decision_maker").exists()


def test_the_admin_form_makes_a_campaign_ready_on_day_one(
    alice, company_a, company_b, django_capture_on_commit_callbacks
):
    dana = PersonFactory(organization=company_a, full_name="Dana Decides")
    client = admin_of(alice)
    form = {
        "name": "Day one webinar",
        "template": webinar_template().pk,
        "launch_date": EVENT.isoformat(),
        "goals": GOALS,
        "partner": company_b.pk,
        "decision_maker": dana.pk,
        "project_lead": alice.person.pk,
        "target_net_new_leads": "150",
        "target_attendees": "90",  # typed in its field: wins over the goals' 80
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/campaigns/campaign/add/", form)

    campaign = Campaign.objects.get(name="Day one webinar")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/campaigns/campaign/{campaign.pk}/home/"
    assert campaign.kind == Campaign.Kind.JOINT_WEBINAR  # no kind chosen: the template's
    assert targets_of(campaign) == {
        "registrations": Decimal(200),
        "attendees": Decimal(90),
        "icp_leads": Decimal(25),
        "net_new_leads": Decimal(150),
    }
    assert roles_of(campaign) == {"Dana Decides": (True, False), alice.person.full_name: (False, True)}
    assert_ready_on_day_one(campaign, company_a)

    home = client.get(response["Location"]).content.decode()
    assert "Invited, waiting for an answer" in home and "Company B" in home
    assert not [link for link in links_of(home) if "None" in link]
    assert "Open the kickoff questionnaire" in home
    assert "No decision maker" not in home


def test_the_api_makes_a_campaign_ready_on_day_one(alice, bob, company_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_of(alice).post(
            "/api/campaigns/",
            {
                "name": "API day one",
                "template": webinar_template().pk,
                "launch_date": EVENT.isoformat(),
                "goals": GOALS,
                "decision_maker": bob.person.pk,
                "project_lead": alice.person.pk,
                "kpi_targets": {"net_new_leads": "150"},
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get(name="API day one")
    assert targets_of(campaign) == {
        "registrations": Decimal(200),
        "attendees": Decimal(80),
        "icp_leads": Decimal(25),
        "net_new_leads": Decimal(150),
    }
    assert roles_of(campaign) == {bob.person.full_name: (True, False), alice.person.full_name: (False, True)}
    assert_ready_on_day_one(campaign, company_a)


def test_the_api_refuses_a_target_for_a_kpi_the_plan_does_not_have(alice):
    response = api_of(alice).post(
        "/api/campaigns/",
        {
            "name": "Wrong KPI",
            "template": webinar_template().pk,
            "launch_date": EVENT.isoformat(),
            "kpi_targets": {"pipeline_value": "100000"},
        },
        format="json",
    )
    assert response.status_code == 400 and "pipeline_value" in response.content.decode()
    assert not Campaign.objects.filter(name="Wrong KPI").exists()


def test_a_refused_target_is_reported_under_kpi_targets_naming_its_key(alice):
    """The documented 400 body is `{field: [messages]}`: a bad entry of the dict is not a key of its own."""
    response = api_of(alice).post(
        "/api/campaigns/",
        {"name": "Bad targets", "template": webinar_template().pk, "kpi_targets": {"\x1d": "-1", "leads": "x"}},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"kpi_targets"} and len(body["kpi_targets"]) == 2
    assert all(isinstance(message, str) for message in body["kpi_targets"])
    assert any("'\\x1d'" in message and "greater than or equal to 0" in message for message in body["kpi_targets"])
    assert any("'leads'" in message for message in body["kpi_targets"])
    assert not Campaign.objects.filter(name="Bad targets").exists()


def test_the_api_refuses_a_decision_maker_of_another_company(alice, carol):
    response = api_of(alice).post(
        "/api/campaigns/", {"name": "Not theirs", "decision_maker": carol.person.pk}, format="json"
    )
    assert response.status_code == 400 and not Campaign.objects.filter(name="Not theirs").exists()


def test_a_campaign_without_a_template_has_its_questionnaire_and_needs_a_kind(alice, company_a):
    client = admin_of(alice)
    without_kind = client.post("/admin/campaigns/campaign/add/", {"name": "No kind", "kind": ""})
    made = client.post("/admin/campaigns/campaign/add/", {"name": "Plain event", "kind": "joint_event"})

    assert without_kind.status_code == 200
    assert "Choose the kind of campaign, or a template" in without_kind.content.decode()
    assert not Campaign.objects.filter(name="No kind").exists()
    campaign = Campaign.objects.get(name="Plain event")
    assert made["Location"] == f"/admin/campaigns/campaign/{campaign.pk}/home/"
    assert campaign.kind == Campaign.Kind.JOINT_EVENT
    assert KickoffQuestionnaire.objects.filter(campaign=campaign).exists()
    assert KickoffCompanyPart.objects.filter(campaign=campaign, organization=company_a).exists()
    assert KpiRound.objects.current().filter(campaign=campaign).exists()


def test_a_target_needs_a_template_that_measures_it(alice):
    form = {"name": "Target, no template", "kind": "joint_event", "target_attendees": "5"}
    response = admin_of(alice).post("/admin/campaigns/campaign/add/", form)
    assert response.status_code == 200 and "Targets are for the KPIs of a template" in response.content.decode()
    assert not Campaign.objects.filter(name="Target, no template").exists()


def test_the_home_offers_to_start_a_missing_questionnaire_instead_of_a_link_to_none(alice, company_a):
    campaign = campaign_create(user=alice, campaign=Campaign(name="Older campaign"))
    KickoffCompanyPart.objects.filter(campaign=campaign).delete()
    KickoffQuestionnaire.objects.filter(campaign=campaign).delete()  # as campaigns made before day-one readiness

    home = admin_of(alice).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()

    assert not [link for link in links_of(home) if "None" in link]
    assert f"/admin/campaigns/kickoffquestionnaire/add/?campaign={campaign.pk}" in home
    assert f"/admin/campaigns/kickoffcompanypart/add/?campaign={campaign.pk}" in home


def test_accepting_starts_the_partners_kickoff_part(alice, carol, company_b):
    campaign = campaign_create(user=alice, campaign=Campaign(name="Accepted"), partner=company_b)

    invitation_accept(invitation=campaign.invitations.get(), user=carol)

    assert KickoffCompanyPart.objects.filter(campaign=campaign, organization=company_b).exists()


def test_goals_give_targets_only_when_they_state_them_plainly(db):
    metrics = list(webinar_template().kpi_metrics.all())

    assert targets_named_in("Aim: 1,200 registrations and 300 attendees.", metrics) == {
        "registrations": Decimal(1200),
        "attendees": Decimal(300),
    }
    assert targets_named_in("200 registrations, or maybe 250 registrations", metrics) == {}  # two figures: ask
    assert targets_named_in("Lots of registrations, 12.5 attendees", metrics) == {}


def test_the_create_form_offers_roles_and_a_target_per_template_kpi(alice):
    page = admin_of(alice).get("/admin/campaigns/campaign/add/").content.decode()

    assert "KPI targets" in page and "Registrations target" in page and "ICP-matching leads target" in page
    kinds = re.search(r'<select name="kind"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'<option value="" selected>— the template&#x?39;s kind —</option>', kinds)
    # The creator is offered as the decision maker and project lead, and may choose others.
    for role in ("decision_maker", "project_lead"):
        chosen = re.search(rf'<select name="{role}"[^>]*>(.*?)</select>', page, re.S).group(1)
        assert re.search(rf'<option value="{alice.person.pk}" selected>', chosen), role
