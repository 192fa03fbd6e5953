"""Agreeing the KPIs gives a company's word: its decision maker on the campaign agrees for it, or, while it has
named none, any of its people. Company A (host) names Alice its decision maker (Bob is on the team too);
Company B (partner: Carol, Dave) names none; Charlie is an outsider."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns.models import KpiAgreement, KpiRound
from campaigns.services import kpis as kpi_services
from tests.campaigns.kickoff_factories import kpi
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.partners.factories import company_user

ONLY_ALICE = "Only Alice, the decision maker of Company A on this campaign, may agree for it."


@pytest.fixture
def people(shared_campaign, company_b, alice, bob, carol, charlie):
    shared_campaign.members.filter(person=alice.person).update(is_decision_maker=True)
    member_of_user(shared_campaign, bob)
    dave = company_user(company_b, name="Dave")
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "charlie": charlie}


@pytest.fixture
def round_(shared_campaign):
    kpi(shared_campaign, "registrations", target="300")
    return KpiRound.objects.get(campaign=shared_campaign)


# --- The example of the issue -----------------------------------------------------------------------------------


def test_a_member_who_is_not_the_decision_maker_cannot_agree_for_the_company_through_the_api(people, round_):
    refused = api_of(people["bob"]).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")

    assert refused.status_code == 403
    assert refused.json()["detail"] == ONLY_ALICE
    assert not KpiAgreement.objects.exists()

    agreed = api_of(people["alice"]).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")

    assert agreed.status_code == 200
    (agreement,) = agreed.json()["agreements"]
    assert agreement["statement"] == "Agreed for Company A by its decision maker Alice"
    assert agreement["by_decision_maker"] is True


def test_a_company_that_named_no_decision_maker_agrees_through_any_of_its_people(people, round_):
    agreed = api_of(people["dave"]).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")

    assert agreed.status_code == 200
    (agreement,) = agreed.json()["agreements"]
    assert agreement["statement"] == "Agreed for Company B by Dave (it had named no decision maker)"
    assert agreement["by_decision_maker"] is False


def test_the_api_says_who_may_agree_for_each_company_still_to_agree(people, round_):
    answer = api_of(people["carol"]).get(f"/api/kpi-rounds/{round_.pk}/").json()

    assert answer["who_may_agree"] == [
        {
            "organization": people["alice"].person.organization_id,
            "organization_name": "Company A",
            "who": "its decision maker Alice",
        },
        {
            "organization": people["carol"].person.organization_id,
            "organization_name": "Company B",
            "who": "any of its people (it has named no decision maker on this campaign)",
        },
    ]


def test_the_service_refuses_a_person_who_does_not_speak_for_the_company(people, round_, shared_campaign, company_a):
    with pytest.raises(PermissionDenied, match=ONLY_ALICE):
        kpi_services.kpi_agree(campaign=shared_campaign, organization=company_a, person=people["bob"].person)


def test_with_two_decision_makers_either_agrees_and_the_refusal_names_both(people, round_, shared_campaign, company_a):
    shared_campaign.members.filter(person=people["bob"].person).update(is_decision_maker=True)
    carl = company_user(company_a, name="Carl")

    refused = api_of(carl).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")
    agreed = api_of(people["bob"]).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")

    assert refused.json()["detail"] == (
        "Only the decision makers of Company A on this campaign (Alice and Bob) may agree for it."
    )
    assert agreed.json()["agreements"][0]["statement"] == "Agreed for Company A by its decision maker Bob"


def test_the_operator_agrees_for_a_company_through_its_decision_maker(people, round_, operator, company_a):
    agreed = api_of(operator).post(f"/api/kpi-rounds/{round_.pk}/agree/", {"organization": company_a.pk}, format="json")

    assert agreed.status_code == 200
    assert agreed.json()["agreements"][0]["statement"] == "Agreed for Company A by its decision maker Alice"


# --- Who may agree: hand-written expectations -------------------------------------------------------------------

WHO_MAY_AGREE = {
    "alice": 200,  # the host's decision maker
    "bob": 403,  # of the host, on the team, not its decision maker
    "carol": 200,  # of the partner, which named no decision maker
    "dave": 200,  # of the partner too, not even on the team
    "charlie": 404,  # an outsider: no such round for him
}


@pytest.mark.parametrize(("person", "expected"), WHO_MAY_AGREE.items())
def test_who_may_agree_through_the_api(people, round_, person, expected):
    response = api_of(people[person]).post(f"/api/kpi-rounds/{round_.pk}/agree/", format="json")

    assert response.status_code == expected
    assert KpiAgreement.objects.filter(agreed_by=people[person].person).exists() == (expected == 200)


@pytest.mark.parametrize(("person", "expected"), WHO_MAY_AGREE.items())
def test_who_may_agree_in_the_admin(people, round_, person, expected):
    page = admin_of(people[person]).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/")

    assert page.status_code == (404 if expected == 404 else 200)
    if expected != 404:
        assert ("Agree to these KPIs for my company" in page.content.decode()) == (expected == 200)


# --- The admin ------------------------------------------------------------------------------------------------


def test_the_admin_page_says_who_may_agree_and_refuses_anyone_else(people, round_):
    page = admin_of(people["bob"]).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/").content.decode()

    assert "Agree to these KPIs for my company" not in page
    assert ONLY_ALICE in page
    assert "Waiting for <strong>Company A</strong>: its decision maker Alice may agree for it." in page
    assert (
        "Waiting for <strong>Company B</strong>: any of its people (it has named no decision maker on this "
        "campaign) may agree for it." in page
    )

    posted = admin_of(people["bob"]).post(
        f"/admin/campaigns/kpiround/{round_.pk}/agree/", {"answer": "agree"}, follow=True
    )
    assert ONLY_ALICE in posted.content.decode()
    assert not KpiAgreement.objects.exists()


def test_the_decision_maker_agrees_in_the_admin_and_the_page_says_whose_word_it_was(people, round_):
    done = admin_of(people["alice"]).post(
        f"/admin/campaigns/kpiround/{round_.pk}/agree/", {"answer": "agree"}, follow=True
    )

    assert "Agreed for Company A by its decision maker Alice." in done.content.decode()
    page = admin_of(people["carol"]).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/").content.decode()
    assert "Agreed for Company A by its decision maker Alice," in page
    change = admin_of(people["carol"]).get(f"/admin/campaigns/kpiround/{round_.pk}/change/").content.decode()
    assert "Agreed for Company A by its decision maker Alice" in change


def test_the_bulk_agree_action_refuses_a_member_who_is_not_the_decision_maker(people, round_):
    response = admin_of(people["bob"]).post(
        "/admin/campaigns/kpiround/", {"action": "agree", "_selected_action": [round_.pk]}, follow=True
    )

    assert f"{round_}: {ONLY_ALICE}" in response.content.decode()
    assert not KpiAgreement.objects.exists()
