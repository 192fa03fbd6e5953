import csv
import datetime
import io

import pytest

from campaigns.models import CampaignKpi, KickoffCompanyPart, KickoffQuestionnaire, KpiRound, Metric, SignoffRequest
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import (
    agree_all,
    build,
    complete_company_part,
    complete_questionnaire,
    kpi,
    measurement,
)
from tests.querycount import queries_of
from utilities.validation import save_validated

LIST_ENDPOINTS = [
    "kickoff-questionnaires",
    "kickoff-milestones",
    "signoff-approvers",
    "kickoff-company-parts",
    "tool-access",
    "brand-assets",
    "signoff-requests",
    "kpi-metrics",
    "campaign-kpis",
    "kpi-rounds",
    "kpi-measurements",
    "reporting-plans",
    "reporting-plan-reporters",
    "lead-status-mappings",
]


def all_messages(response) -> str:
    """Every error message of a 400, whichever key the error handler filed it under."""
    return " ".join(message for messages in response.json().values() for message in messages)


def test_the_questionnaire_shows_completeness_and_unanswered_questions(api, shared_campaign, alice):
    questionnaire = save_validated(KickoffQuestionnaire(campaign=shared_campaign, production_process="Draft, review."))
    body = api.as_user(alice).get(f"/api/kickoff-questionnaires/{questionnaire.pk}/").json()
    assert body["completeness"]["answered"] == 2
    assert body["completeness"]["percent"] == 2 * 100 // 22
    assert "File review tool" in body["completeness"]["unanswered"]


def test_the_tool_access_checklist_lists_members_only(api, shared_campaign, alice, company_a):
    questionnaire = save_validated(KickoffQuestionnaire(campaign=shared_campaign, file_review_tool="Figma"))
    body = api.as_user(alice).get(f"/api/kickoff-questionnaires/{questionnaire.pk}/tool-access-checklist/").json()
    assert sorted(line["person"] for line in body) == ["Alice", "Carol"]
    assert all(line["access"] == {"file_review": None} for line in body)


def test_another_company_sees_none_of_it(api, shared_campaign, charlie, alice):
    complete_questionnaire(shared_campaign)
    api.as_user(charlie)
    for endpoint in LIST_ENDPOINTS:
        results = api.get(f"/api/{endpoint}/").json()["results"]
        if endpoint == "kpi-metrics":
            assert all(row["campaign"] is None for row in results)
        else:
            assert results == [], endpoint
    questionnaire = KickoffQuestionnaire.objects.get(campaign=shared_campaign)
    assert api.get(f"/api/kickoff-questionnaires/{questionnaire.pk}/").status_code == 404


def test_a_foreign_campaign_id_gets_the_same_answer_as_a_missing_one(api, other_campaign, alice):
    api.as_user(alice)
    foreign = api.post("/api/kickoff-questionnaires/", {"campaign": other_campaign.pk}, format="json")
    missing = api.post("/api/kickoff-questionnaires/", {"campaign": 999999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["campaign"][0].replace(str(other_campaign.pk), "ID") == missing.json()["campaign"][0].replace(
        "999999", "ID"
    )


def test_a_company_marks_only_its_own_part(api, shared_campaign, company_a, alice, carol):
    part = complete_company_part(shared_campaign, company_a)
    assert api.as_user(carol).post(f"/api/kickoff-company-parts/{part.pk}/mark-complete/").status_code == 403
    response = api.as_user(alice).post(f"/api/kickoff-company-parts/{part.pk}/mark-complete/")
    assert response.status_code == 200 and response.json()["completed_by"] == "Alice"


def test_the_company_part_is_created_for_the_users_company(api, shared_campaign, alice, company_a, company_b):
    response = api.as_user(alice).post(
        "/api/kickoff-company-parts/", {"campaign": shared_campaign.pk, "organization": company_b.pk}, format="json"
    )
    assert response.status_code == 201
    assert KickoffCompanyPart.objects.get().organization == company_a


def test_a_locked_kpi_set_cannot_change_through_the_api_without_a_new_round(api, shared_campaign, alice, company_a):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    api.as_user(alice)
    changed = api.patch(f"/api/campaign-kpis/{registrations.pk}/", {"target": "500"}, format="json")
    assert changed.status_code == 400
    assert "so it is locked" in all_messages(changed)
    added = api.post(
        "/api/campaign-kpis/",
        {
            "campaign": shared_campaign.pk,
            "metric": Metric.objects.get(code="attendees").pk,
            "target": "120",
            "owner": company_a.pk,
        },
        format="json",
    )
    assert added.status_code == 400
    assert api.delete(f"/api/campaign-kpis/{registrations.pk}/").status_code == 400

    started = api.post(
        "/api/kpi-rounds/start/", {"campaign": shared_campaign.pk, "reason": "New budget"}, format="json"
    )
    assert started.status_code == 201 and started.json()["number"] == 2
    assert api.patch(f"/api/campaign-kpis/{registrations.pk}/", {"target": "500"}, format="json").status_code == 200


def test_bad_kpi_input_gets_clear_errors(api, shared_campaign, alice, company_a):
    api.as_user(alice)
    pipeline = Metric.objects.get(code="pipeline_value").pk
    payload = {"campaign": shared_campaign.pk, "metric": pipeline, "owner": company_a.pk}
    negative = api.post("/api/campaign-kpis/", {**payload, "target": "-1", "currency": "EUR"}, format="json")
    assert negative.status_code == 400 and negative.json()["target"] == ["A target cannot be negative."]
    currency = api.post("/api/campaign-kpis/", {**payload, "target": "10", "currency": "XYZ"}, format="json")
    assert currency.status_code == 400 and "not a known ISO 4217 currency" in currency.json()["currency"][0]


def test_agreeing_through_the_api_locks_when_every_company_agreed(api, shared_campaign, alice, carol):
    kpi(shared_campaign)
    round_id = KpiRound.objects.get(campaign=shared_campaign).pk
    first = api.as_user(alice).post(f"/api/kpi-rounds/{round_id}/agree/", format="json").json()
    assert first["waiting_for"] == ["Company B"] and first["locked_at"] is None
    second = api.as_user(carol).post(f"/api/kpi-rounds/{round_id}/agree/", format="json").json()
    assert second["waiting_for"] == [] and second["locked_at"] is not None
    assert [t["target"] for t in second["agreed_targets"]] == ["300.00"]


def test_agreement_for_a_company_that_is_not_a_party_is_a_clear_400(api, shared_campaign, operator, company_c):
    kpi(shared_campaign)
    round_id = KpiRound.objects.get(campaign=shared_campaign).pk
    response = api.as_user(operator).post(
        f"/api/kpi-rounds/{round_id}/agree/", {"organization": company_c.pk}, format="json"
    )
    assert response.status_code == 400
    assert "Company C is not a party of this campaign, so it cannot agree to its KPIs." in all_messages(response)


def test_a_measurement_for_a_kpi_of_another_campaign_is_a_clear_400(api, shared_campaign, other_campaign, carol):
    foreign = kpi(other_campaign)
    response = api.as_user(carol).post(
        "/api/kpi-measurements/",
        {
            "campaign": shared_campaign.pk,
            "kpi": foreign.pk,
            "period_start": "2026-11-01",
            "period_end": "2026-11-07",
            "value": "5",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["kpi"] == ["This KPI belongs to “B and C secret pilot”, not to this campaign."]


def test_measurements_are_reported_by_the_signed_in_person(api, shared_campaign, alice, bob):
    registrations = kpi(shared_campaign)
    response = api.as_user(alice).post(
        "/api/kpi-measurements/",
        {
            "campaign": shared_campaign.pk,
            "kpi": registrations.pk,
            "period_start": "2026-11-01",
            "period_end": "2026-11-07",
            "value": "150",
            "reported_by": bob.person.pk,
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["reported_by_name"] == "Alice"
    kpi_row = api.get(f"/api/campaign-kpis/{registrations.pk}/").json()
    assert (kpi_row["latest_value"], kpi_row["progress_percent"]) == ("150.00", 50.0)


def test_the_reviewer_decides_through_the_api(api, shared_campaign, alice, carol):
    from campaigns.models import RaciAssignment

    deliverable = DeliverableFactory(campaign=shared_campaign, needs_signoff=True)
    save_validated(
        RaciAssignment(deliverable=deliverable, member=shared_campaign.members.get(person=carol.person), role="A")
    )
    save_validated(
        RaciAssignment(deliverable=deliverable, member=shared_campaign.members.get(person=alice.person), role="R")
    )
    created = api.as_user(alice).post("/api/signoff-requests/request/", {"deliverable": deliverable.pk}, format="json")
    assert created.status_code == 201 and [r["reviewer_name"] for r in created.json()] == ["Carol"]
    request_id = created.json()[0]["id"]
    refused = api.post(f"/api/signoff-requests/{request_id}/decide/", {"status": "approved"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company it belongs to may decide this sign-off request."
    no_comment = api.as_user(carol).post(
        f"/api/signoff-requests/{request_id}/decide/", {"status": "changes_requested"}, format="json"
    )
    assert no_comment.status_code == 400 and "a comment is required" in all_messages(no_comment)
    approved = api.post(
        f"/api/signoff-requests/{request_id}/decide/", {"status": "approved", "comment": "Fine"}, format="json"
    )
    assert approved.json()["status"] == SignoffRequest.Status.APPROVED


def test_the_kpi_csv_export_is_scoped(client, shared_campaign, alice, charlie):
    registrations = kpi(shared_campaign)
    measurement(registrations, "75", by=alice.person, end=datetime.date(2026, 11, 20))
    url = f"/files/campaigns/{shared_campaign.pk}/kpis.csv"
    assert client.get(url).status_code == 404
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["metric"], row["target"], row["latest_value"], row["progress_percent"]) == (
        "Registrations",
        "300",
        "75",
        "25",
    )


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\n", " "])
def test_the_csv_export_defuses_every_formula_trigger(client, shared_campaign, alice, trigger):
    registrations = kpi(shared_campaign)
    typed = f'{trigger}=HYPERLINK("http://evil.example","x")'
    CampaignKpi.objects.filter(pk=registrations.pk).update(data_source=typed)
    client.force_login(alice)
    [row] = list(
        csv.DictReader(
            io.StringIO(client.get(f"/files/campaigns/{shared_campaign.pk}/kpis.csv").content.decode(), newline="")
        )
    )
    assert row["data_source"] == f"'{typed}"


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_api_lists_run_the_same_queries_for_3_and_30_campaigns(api, alice, company_a, company_b, endpoint):
    api.as_user(alice)
    build(company_a, company_b, 3)
    small = queries_of(lambda: api.get(f"/api/{endpoint}/", {"page_size": 200}))
    build(company_a, company_b, 27)
    response = api.get(f"/api/{endpoint}/", {"page_size": 200})
    assert response.status_code == 200
    assert queries_of(lambda: api.get(f"/api/{endpoint}/", {"page_size": 200})) == small
