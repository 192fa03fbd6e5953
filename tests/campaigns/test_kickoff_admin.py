import pytest

from campaigns.models import CampaignKpi, KickoffCompanyPart, KickoffQuestionnaire, KpiRound, Metric
from tests.campaigns.kickoff_factories import agree_all, build, complete_company_part, complete_questionnaire, kpi
from tests.querycount import queries_of

CHANGELISTS = [
    "kickoffquestionnaire",
    "kickoffcompanypart",
    "toolaccess",
    "brandasset",
    "signoffrequest",
    "metric",
    "campaignkpi",
    "kpiround",
    "kpimeasurement",
    "reportingplan",
]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_run_the_same_queries_for_3_and_30_campaigns(client, alice, company_a, company_b, model):
    client.force_login(alice)
    url = f"/admin/campaigns/{model}/"
    build(company_a, company_b, 3)
    small = queries_of(lambda: client.get(url))
    build(company_a, company_b, 27)
    assert client.get(url).status_code == 200
    assert queries_of(lambda: client.get(url)) == small


def test_the_questionnaire_page_shows_completeness_and_the_checklist(client, shared_campaign, alice):
    questionnaire = KickoffQuestionnaire.objects.create(campaign=shared_campaign, video_meeting_tool="Zoom")
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/kickoffquestionnaire/{questionnaire.pk}/change/").content.decode()
    assert "2 of 22" in page  # the cadence and the video tool
    assert "Production milestones" in page and "Legal review (Company B)" in page
    assert "Carol (Company B): Video meetings: not confirmed" in page


def test_another_company_cannot_open_the_questionnaire(client, shared_campaign, charlie):
    questionnaire = complete_questionnaire(shared_campaign)
    client.force_login(charlie)
    assert client.get(f"/admin/campaigns/kickoffquestionnaire/{questionnaire.pk}/change/").status_code in (302, 404)
    assert "A and B webinar" not in client.get("/admin/campaigns/kickoffquestionnaire/").content.decode()


def kpi_form(kpi_row: CampaignKpi, **changes) -> dict:
    return {
        "campaign": kpi_row.campaign_id,
        "metric": kpi_row.metric_id,
        "target": kpi_row.target,
        "currency": "",
        "owner": kpi_row.owner_id,
        "data_source": "",
        "reporting_frequency": "weekly",
        **changes,
    }


def test_a_locked_kpi_set_cannot_change_through_the_admin(client, shared_campaign, alice):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    client.force_login(alice)
    response = client.post(
        f"/admin/campaigns/campaignkpi/{registrations.pk}/change/", kpi_form(registrations, target="900")
    )
    assert response.status_code == 200
    assert "so it is locked" in response.content.decode()
    attendees = Metric.objects.get(code="attendees")
    added = client.post("/admin/campaigns/campaignkpi/add/", kpi_form(registrations, metric=attendees.pk, target="10"))
    assert "so it is locked" in added.content.decode()
    assert list(CampaignKpi.objects.values_list("target", flat=True)) == [300]


def test_after_a_new_round_the_admin_accepts_the_change(client, shared_campaign, alice):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    client.force_login(alice)
    current = KpiRound.objects.current().get(campaign=shared_campaign)
    client.post("/admin/campaigns/kpiround/", {"action": "start_new_round", "_selected_action": [current.pk]})
    response = client.post(
        f"/admin/campaigns/campaignkpi/{registrations.pk}/change/", kpi_form(registrations, target="900")
    )
    assert response.status_code == 302
    assert CampaignKpi.objects.get().target == 900


def test_the_agree_action_records_the_users_company(client, shared_campaign, alice):
    kpi(shared_campaign)
    current = KpiRound.objects.get(campaign=shared_campaign)
    client.force_login(alice)
    client.post("/admin/campaigns/kpiround/", {"action": "agree", "_selected_action": [current.pk]})
    assert [a.organization.name for a in current.agreements.all()] == ["Company A"]


def test_a_company_cannot_edit_another_companys_answers(client, shared_campaign, company_a, carol):
    part = complete_company_part(shared_campaign, company_a)
    client.force_login(carol)
    response = client.post(
        f"/admin/campaigns/kickoffcompanypart/{part.pk}/change/",
        {"campaign": shared_campaign.pk, "no_brand_assets": ""},
    )
    assert response.status_code == 403
    assert KickoffCompanyPart.objects.get().no_brand_assets is True


def test_a_second_part_for_the_same_company_is_a_form_error(client, shared_campaign, company_a, alice):
    complete_company_part(shared_campaign, company_a)
    client.force_login(alice)
    response = client.post("/admin/campaigns/kickoffcompanypart/add/", {"campaign": shared_campaign.pk})
    assert response.status_code == 200
    assert "already has its kickoff answers" in response.content.decode()
