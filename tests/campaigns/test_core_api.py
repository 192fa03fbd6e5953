import pytest

from campaigns.models import Campaign, Deliverable, RaciAssignment
from tests.campaigns.factories import DeliverableFactory, RaciAssignmentFactory, joint_campaign

MISSING_ID = 987654


@pytest.fixture
def alice_api(api, alice):
    return api.as_user(alice)


@pytest.fixture
def other_deliverable(other_campaign):
    return DeliverableFactory(campaign=other_campaign, title="Secret account plan")


def names(response):
    return {row.get("name") or row.get("title") for row in response.json()["results"]}


def test_anonymous_requests_are_refused(api, shared_campaign):
    assert api.get("/api/campaigns/").status_code in (401, 403)


def test_it_lists_only_campaigns_of_the_users_company(alice_api, shared_campaign, other_campaign):
    assert names(alice_api.get("/api/campaigns/")) == {"A and B webinar"}


def test_the_campaign_list_carries_parties_and_team(alice_api, shared_campaign):
    campaign = alice_api.get("/api/campaigns/").json()["results"][0]
    assert {party["organization_name"] for party in campaign["parties"]} == {"Company A", "Company B"}
    assert {member["person_name"] for member in campaign["team"]} == {"Alice", "Carol"}


def test_the_campaign_list_reads_exactly_what_the_declared_fields_say(alice_api, alice, shared_campaign):
    """The serializers' hand-written reading (for speed) against DRF's reading of the same declared fields."""
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from campaigns.api.core import CampaignSerializer
    from campaigns.selectors.core import members_prefetch, parties_prefetch

    shared_campaign.parties.update(point_of_contact=alice.person)
    request = APIRequestFactory().get("/api/campaigns/")
    request.user = alice
    campaign = Campaign.objects.prefetch_related(parties_prefetch(), members_prefetch()).get(pk=shared_campaign.pk)
    serializer = CampaignSerializer(context={"request": request})

    def declared(serializer, instance):
        fields = serializer.fields
        data = serializers.ModelSerializer.to_representation(serializer, instance)
        for name in {"parties", "team"} & set(fields):
            child = fields[name].child
            data[name] = [declared(child, row) for row in getattr(instance, fields[name].source).all()]
        return data

    assert alice_api.get("/api/campaigns/").json()["results"] == [declared(serializer, campaign)]


@pytest.mark.parametrize(
    "endpoint", ["campaigns", "parties", "members", "deliverables", "raci-assignments", "organizations", "people"]
)
def test_another_companys_object_answers_like_a_missing_one(
    alice_api, other_campaign, other_deliverable, charlie, endpoint
):
    hidden_id = {
        "campaigns": other_campaign.pk,
        "parties": other_campaign.parties.first().pk,
        "members": other_campaign.members.first().pk,
        "deliverables": other_deliverable.pk,
        "raci-assignments": RaciAssignmentFactory(
            deliverable=other_deliverable, member=other_campaign.members.first()
        ).pk,
        "organizations": charlie.person.organization_id,
        "people": charlie.person.pk,
    }[endpoint]
    hidden = alice_api.get(f"/api/{endpoint}/{hidden_id}/")
    missing = alice_api.get(f"/api/{endpoint}/{MISSING_ID}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert alice_api.patch(f"/api/{endpoint}/{hidden_id}/", {}, format="json").status_code == 404
    assert hidden_id not in {row["id"] for row in alice_api.get(f"/api/{endpoint}/").json()["results"]}


def test_a_foreign_id_in_a_body_is_refused_like_a_missing_one(alice_api, other_campaign):
    foreign = alice_api.post("/api/deliverables/", {"campaign": other_campaign.pk, "title": "Sneaky"}, format="json")
    missing = alice_api.post("/api/deliverables/", {"campaign": MISSING_ID, "title": "Sneaky"}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["campaign"][0].replace(str(other_campaign.pk), "X") == missing.json()["campaign"][0].replace(
        str(MISSING_ID), "X"
    )
    assert not Deliverable.objects.filter(title="Sneaky").exists()


def test_a_foreign_id_in_a_query_parameter_is_refused_like_a_missing_one(alice_api, shared_campaign, other_campaign):
    foreign = alice_api.get("/api/deliverables/", {"campaign": other_campaign.pk})
    missing = alice_api.get("/api/deliverables/", {"campaign": MISSING_ID})
    assert foreign.status_code == missing.status_code == 400
    assert alice_api.get("/api/deliverables/", {"campaign": shared_campaign.pk}).status_code == 200


def test_a_foreign_member_cannot_be_assigned(alice_api, shared_campaign, other_campaign):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    foreign_member = other_campaign.members.first()
    response = alice_api.post(
        "/api/raci-assignments/",
        {"deliverable": deliverable.pk, "member": foreign_member.pk, "role": "R"},
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["member"][0]


def test_creating_a_campaign_makes_the_company_its_host(alice_api, alice, company_a):
    response = alice_api.post(
        "/api/campaigns/", {"name": "Spring webinar", "kind": "joint_webinar", "status": "closed"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert [(p["organization"], p["role"]) for p in body["parties"]] == [(company_a.pk, "host")]
    assert body["created_by"] == alice.username
    assert Campaign.objects.get(pk=body["id"]).history.get().history_user == alice


def test_a_new_person_belongs_to_the_users_company_whatever_is_sent(alice_api, company_a, company_b, shared_campaign):
    response = alice_api.post(
        "/api/people/",
        {
            "full_name": "New Hire",
            "email": "hire@a.example",
            "time_zone": "Europe/Berlin",
            "organization": company_b.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organization"] == company_a.pk


def test_a_partners_person_cannot_be_edited(alice_api, carol, shared_campaign):
    assert alice_api.get(f"/api/people/{carol.person.pk}/").status_code == 200
    refused = alice_api.patch(f"/api/people/{carol.person.pk}/", {"full_name": "Hacked"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company it belongs to may change this person."


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_a_body_that_is_not_an_object_gets_a_400(alice_api, body):
    response = alice_api.generic("POST", "/api/campaigns/", body, content_type="application/json")
    assert response.status_code == 400


def test_malformed_json_gets_a_400(alice_api):
    response = alice_api.generic("POST", "/api/campaigns/", '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_an_unknown_time_zone_gets_a_400(alice_api):
    response = alice_api.post(
        "/api/people/", {"full_name": "X", "email": "x@a.example", "time_zone": "Nowhere/City"}, format="json"
    )
    assert response.status_code == 400
    assert "is not a known time zone" in response.json()["time_zone"][0]


def test_end_before_launch_gets_a_400(alice_api):
    response = alice_api.post(
        "/api/campaigns/", {"name": "Backwards", "launch_date": "2026-12-03", "end_date": "2026-12-01"}, format="json"
    )
    assert response.status_code == 400
    assert "end date cannot be before the launch date" in str(response.json())


def test_it_moves_a_campaign_along_and_refuses_illegal_moves(alice_api, shared_campaign):
    url = f"/api/campaigns/{shared_campaign.pk}/transition/"
    assert alice_api.post(url, {"status": "kickoff"}, format="json").json()["status"] == "kickoff"
    refused = alice_api.post(url, {"status": "closed"}, format="json")
    assert refused.status_code == 400
    assert "cannot move from Kickoff to Closed" in refused.json()["status"][0]
    assert Campaign.objects.get(pk=shared_campaign.pk).status == "kickoff"


def test_a_second_accountable_gets_a_400(alice_api, shared_campaign):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    first, second = shared_campaign.members.all()[:2]
    RaciAssignmentFactory(deliverable=deliverable, member=first, role="A")
    response = alice_api.post(
        "/api/raci-assignments/", {"deliverable": deliverable.pk, "member": second.pk, "role": "A"}, format="json"
    )
    assert response.status_code == 400
    assert "already has an Accountable" in str(response.json())
    assert RaciAssignment.objects.filter(role="A").count() == 1


def test_a_company_staffs_only_its_own_side_of_the_team(alice_api, alice, bob, carol, shared_campaign, company_a):
    solo = joint_campaign(company_a, name="A alone")
    response = alice_api.post("/api/members/", {"campaign": solo.pk, "person": carol.person.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["person"] == [f'Invalid pk "{carol.person.pk}" - object does not exist.']
    assert (
        alice_api.post("/api/members/", {"campaign": solo.pk, "person": bob.person.pk}, format="json").status_code
        == 201
    )


def test_deleting_a_campaign_is_refused_with_a_clear_message(api, operator, shared_campaign):
    DeliverableFactory(campaign=shared_campaign)
    response = api.as_user(operator).delete(f"/api/campaigns/{shared_campaign.pk}/")
    assert response.status_code == 400
    assert "close or cancel" in response.json()["detail"]
    assert Campaign.objects.filter(pk=shared_campaign.pk).exists()


def test_the_raci_matrix_is_available_from_the_api(alice_api, shared_campaign, other_campaign):
    alice_member = shared_campaign.members.get(person__full_name="Alice")
    deliverable = DeliverableFactory(campaign=shared_campaign, title="Deck")
    RaciAssignmentFactory(deliverable=deliverable, member=alice_member, role="A")
    matrix = alice_api.get(f"/api/campaigns/{shared_campaign.pk}/raci-matrix/").json()
    row = matrix["rows"][0]
    column = [m["id"] for m in matrix["members"]].index(alice_member.pk)
    assert row["cells"][column] == "A"
    assert row["gaps"] == ["No Responsible"]
    assert alice_api.get(f"/api/campaigns/{other_campaign.pk}/raci-matrix/").status_code == 404


def test_page_size_is_capped(alice_api, shared_campaign):
    response = alice_api.get("/api/campaigns/", {"page_size": 100000})
    assert response.status_code == 200


def test_the_openapi_schema_and_docs_are_served(alice_api):
    assert alice_api.get("/api/schema/").status_code == 200
    assert alice_api.get("/api/docs/").status_code == 200


def test_token_authentication_works(api, alice):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=alice)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/campaigns/").status_code == 200


def test_a_deliverable_can_be_marked_as_needing_sign_off_and_legal_review(alice_api, shared_campaign):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    response = alice_api.patch(
        f"/api/deliverables/{deliverable.pk}/", {"needs_signoff": True, "needs_legal_review": True}, format="json"
    )
    assert response.status_code == 200
    deliverable.refresh_from_db()
    assert deliverable.needs_signoff and deliverable.needs_legal_review
