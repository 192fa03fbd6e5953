"""Each company's word is its own: a decision binds its decider's company, whose people alone record it as made,
amend it while pending, supersede it with a new decision or withdraw it. Company A (Alice, its decision maker, and
Bob) hosts the campaign; Company B (Carol, its decision maker, and Dave) is the partner; Charlie is an outsider."""

import pytest
from django.urls import reverse

from campaigns.models import Reminder
from meetings.decision_notices import DECISION_CHANGE
from meetings.models import Decision
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.partners.factories import company_user


@pytest.fixture
def people(shared_campaign, company_a, company_b, alice, bob, carol, charlie):
    """The campaign's team: Alice and Carol decide for their companies; Bob and Dave are on the team too."""
    shared_campaign.members.filter(person__in=[alice.person, carol.person]).update(is_decision_maker=True)
    dave = company_user(company_b, name="Dave")
    members = {
        "alice": shared_campaign.members.get(person=alice.person),
        "bob": member_of_user(shared_campaign, bob),
        "carol": shared_campaign.members.get(person=carol.person),
        "dave": member_of_user(shared_campaign, dave),
    }
    users = {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "charlie": charlie}
    return users, members


def _decision(members, decider: str, status: str = "made", text: str = "Webinar on Thursday 10:00") -> Decision:
    decision = Decision(campaign=members[decider].campaign, text=text, status=status, decided_by=members[decider])
    decision.full_clean()
    decision.save()
    return decision


# --- The examples of the issue, through the API -------------------------------------------------------------


def test_a_partner_cannot_record_a_decision_as_made_by_the_hosts_decision_maker(people, shared_campaign):
    users, members = people

    response = api_of(users["carol"]).post(
        "/api/meeting-decisions/",
        {
            "campaign": shared_campaign.pk,
            "text": "Budget split 60/40",
            "status": "made",
            "decided_by": members["alice"].pk,
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the company the decision binds may make this decision."
    assert not Decision.objects.exists()


def test_a_partner_cannot_make_a_decision_pending_for_the_host_but_the_hosts_people_can(people, shared_campaign):
    users, members = people
    raised = api_of(users["carol"]).post(
        "/api/meeting-decisions/",
        {
            "campaign": shared_campaign.pk,
            "text": "Co-host the follow-up?",
            "status": "pending",
            "decided_by": members["alice"].pk,
        },
        format="json",
    )
    assert raised.status_code == 201, raised.content
    assert (raised.json()["binding_company_name"], raised.json()["status"]) == ("Company A", "pending")
    url = f"/api/meeting-decisions/{raised.json()['id']}/make/"

    refused = api_of(users["carol"]).post(url)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company the decision binds may make this decision."
    assert Decision.objects.get().status == "pending"

    made = api_of(users["bob"]).post(url)  # any of Company A's people records its word as made
    assert made.status_code == 200
    assert (made.json()["status"], made.json()["decided_by_name"]) == ("made", "Alice")


def test_a_made_decision_is_not_rewritten_it_is_superseded_by_a_new_one(people):
    users, members = people
    decision = _decision(members, "alice", text="Webinar on Thursday 10:00")
    url = f"/api/meeting-decisions/{decision.pk}/"

    by_partner = api_of(users["carol"]).patch(url, {"text": "Webinar on Friday"}, format="json")
    by_its_company = api_of(users["alice"]).patch(url, {"text": "Webinar on Friday"}, format="json")

    assert by_partner.status_code == 403 and by_its_company.status_code == 403
    assert by_its_company.json()["detail"] == (
        "Only the company the decision binds may change this decision, and only while it is pending."
    )
    decision.refresh_from_db()
    assert decision.text == "Webinar on Thursday 10:00"

    refused = api_of(users["carol"]).post(f"{url}supersede/", {"text": "Webinar on Friday"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company the decision binds may supersede this decision."

    superseded = api_of(users["bob"]).post(f"{url}supersede/", {"text": "Webinar on Friday 15:00"}, format="json")

    assert superseded.status_code == 201, superseded.content
    new = superseded.json()
    assert (new["text"], new["status"], new["decided_by_name"], new["supersedes"]) == (
        "Webinar on Friday 15:00",
        "made",
        "Alice",
        decision.pk,
    )
    old = api_of(users["carol"]).get(url).json()
    assert (old["status"], old["superseded_by"], old["text"]) == ("superseded", new["id"], "Webinar on Thursday 10:00")
    assert old["state"] == "Superseded by “Webinar on Friday 15:00”"
    again = api_of(users["alice"]).post(f"{url}supersede/", {"text": "Saturday"}, format="json")
    assert again.status_code == 400
    assert "This decision was superseded by “Webinar on Friday 15:00”; it cannot be superseded." in str(again.json())


def test_a_new_decision_supersedes_only_with_a_decider_of_the_same_company(people):
    users, members = people
    decision = _decision(members, "alice")

    response = api_of(users["alice"]).post(
        f"/api/meeting-decisions/{decision.pk}/supersede/",
        {"text": "Carol's idea", "decided_by": members["carol"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "only a decision of Company A on this campaign supersedes it" in str(response.json()["decided_by"])
    assert Decision.objects.get().status == "made"


def test_its_company_withdraws_a_decision_and_the_leads_are_told(people):
    users, members = people
    decision = _decision(members, "carol", text="Bluefin sends the invitations")
    url = f"/api/meeting-decisions/{decision.pk}/withdraw/"

    assert api_of(users["alice"]).post(url).status_code == 403  # the host does not withdraw a partner's word
    withdrawn = api_of(users["dave"]).post(url)

    assert withdrawn.status_code == 200
    body = withdrawn.json()
    assert (body["status"], body["withdrawn_by_name"]) == ("withdrawn", "Dave")
    assert body["withdrawn_at"] and body["state"].startswith("Withdrawn by Dave on ")
    notices = Reminder.objects.filter(kind=DECISION_CHANGE, subject=f"decision:{decision.pk}")
    # Every company's decision makers hear of it (Dave, who withdrew it, knows).
    assert sorted(notice.person.full_name for notice in notices) == ["Alice", "Carol"]
    assert "Company B withdrew its decision “Bluefin sends the invitations”" in notices[0].body_text
    assert api_of(users["dave"]).post(f"/api/meeting-decisions/{decision.pk}/make/").status_code == 400


def test_a_pending_decision_is_amended_only_by_the_company_it_waits_for(people, shared_campaign):
    users, members = people
    decision = _decision(members, "alice", status="pending", text="Gate the recording?")
    url = f"/api/meeting-decisions/{decision.pk}/"

    assert api_of(users["carol"]).patch(url, {"needed_by": "2026-12-04"}, format="json").status_code == 403
    amended = api_of(users["bob"]).patch(url, {"needed_by": "2026-12-04"}, format="json")
    assert amended.status_code == 200 and amended.json()["needed_by"] == "2026-12-04"

    # Handing it to another company's decision maker would put it out of Company A's authority: refused, unchanged.
    handed = api_of(users["bob"]).patch(url, {"decided_by": members["carol"].pk}, format="json")
    assert handed.status_code == 403
    decision.refresh_from_db()
    assert (decision.decided_by, decision.binding_company.name) == (members["alice"], "Company A")


def test_the_binding_company_and_the_status_are_not_for_the_client_to_write(people, company_b):
    users, members = people
    decision = _decision(members, "alice", status="pending", text="Gate the recording?")

    api_of(users["alice"]).patch(
        f"/api/meeting-decisions/{decision.pk}/",
        {"binding_company": company_b.pk, "status": "made", "supersedes": None},
        format="json",
    )

    decision.refresh_from_db()
    assert (decision.status, decision.binding_company.name) == ("pending", "Company A")
    created = api_of(users["alice"]).post(
        "/api/meeting-decisions/",
        {"campaign": decision.campaign_id, "text": "X", "status": "withdrawn", "decided_by": members["alice"].pk},
        format="json",
    )
    assert created.status_code == 400 and "recorded as made or raised as pending" in str(created.json()["status"])


# --- Who may do what: hand-written expectations ----------------------------------------------------------------

# A made decision of Company A (the host, decided by Alice), as each person: the answer of each action.
ON_THE_HOSTS_DECISION = {
    "alice": {"supersede": 201, "withdraw": 200},  # its decision maker
    "bob": {"supersede": 201, "withdraw": 200},  # another of its people
    "carol": {"supersede": 403, "withdraw": 403},  # the partner's decision maker
    "dave": {"supersede": 403, "withdraw": 403},  # another of the partner's people
    "charlie": {"supersede": 404, "withdraw": 404},  # an outsider: no such decision for him
}
# A decision of Company B (the partner, decided by Carol), pending: who makes it.
ON_THE_PARTNERS_PENDING_DECISION = {"alice": 403, "bob": 403, "carol": 200, "dave": 200, "charlie": 404}


@pytest.mark.parametrize(
    ("person", "action", "expected"),
    [(person, action, code) for person, codes in ON_THE_HOSTS_DECISION.items() for action, code in codes.items()],
)
def test_who_supersedes_or_withdraws_the_hosts_decision(people, person, action, expected):
    users, members = people
    decision = _decision(members, "alice")

    response = api_of(users[person]).post(
        f"/api/meeting-decisions/{decision.pk}/{action}/", {"text": "Friday instead"}, format="json"
    )

    assert response.status_code == expected, response.content
    decision.refresh_from_db()
    assert decision.status == (
        "made" if expected >= 400 else {"supersede": "superseded", "withdraw": "withdrawn"}[action]
    )


@pytest.mark.parametrize(("person", "expected"), ON_THE_PARTNERS_PENDING_DECISION.items())
def test_who_makes_the_partners_pending_decision(people, person, expected):
    users, members = people
    decision = _decision(members, "carol", status="pending")

    response = api_of(users[person]).post(f"/api/meeting-decisions/{decision.pk}/make/")

    assert response.status_code == expected
    decision.refresh_from_db()
    assert decision.status == ("made" if expected == 200 else "pending")


# --- The admin ------------------------------------------------------------------------------------------------


def test_the_admin_refuses_to_record_another_companys_decision_as_made(people, shared_campaign):
    users, members = people
    add = f"/admin/meetings/decision/add/?campaign={shared_campaign.pk}"

    response = admin_of(users["carol"]).post(
        add,
        {
            "campaign": shared_campaign.pk,
            "text": "Budget split 60/40",
            "status": "made",
            "decided_by": members["alice"].pk,
        },
    )

    assert response.status_code == 200
    assert (
        "Alice decides for Company A: only the people of Company A record its decisions as made. Instead, raise it "
        "as pending for Alice, who records it as made." in response.content.decode()
    )
    assert not Decision.objects.exists()

    raised = admin_of(users["carol"]).post(
        add,
        {
            "campaign": shared_campaign.pk,
            "text": "Budget split 60/40?",
            "status": "pending",
            "decided_by": members["alice"].pk,
        },
    )
    assert raised.status_code == 302
    assert Decision.objects.get().binding_company.name == "Company A"


def test_a_decisions_page_offers_its_actions_only_to_its_company(people):
    users, members = people
    decision = _decision(members, "alice", text="Webinar on Thursday 10:00")
    page = reverse("admin:meetings_decision_change", args=[decision.pk])

    own = admin_of(users["bob"]).get(page).content.decode()
    partner = admin_of(users["carol"]).get(page).content.decode()

    assert "Supersede with this decision" in own and "Withdraw it" in own
    assert "Supersede with this decision" not in partner and "Withdraw it" not in partner
    assert "It is the word of Company A: only its people make, amend, supersede or withdraw it." in partner
    assert 'name="text"' not in own  # a made decision is read-only, even for its company
    assert admin_of(users["charlie"]).get(page).status_code == 302  # not found: back to the list


@pytest.mark.parametrize(
    ("person", "expected"), [("alice", 200), ("bob", 200), ("carol", 403), ("dave", 403), ("charlie", 404)]
)
def test_the_admins_action_pages_follow_the_rules(people, person, expected):
    users, members = people
    decision = _decision(members, "alice")

    for action in ("supersede", "withdraw"):
        assert admin_of(users[person]).get(f"/admin/meetings/decision/{decision.pk}/{action}/").status_code == expected


def test_superseding_in_the_admin_keeps_the_old_decision_marked_superseded(people):
    users, members = people
    decision = _decision(members, "alice", text="Webinar on Thursday 10:00")

    response = admin_of(users["bob"]).post(
        f"/admin/meetings/decision/{decision.pk}/supersede/",
        {"text": "Webinar on Friday 15:00", "decided_by": members["bob"].pk},
        follow=True,
    )

    new = Decision.objects.get(supersedes=decision)
    assert (new.text, new.decided_by, new.status) == ("Webinar on Friday 15:00", members["bob"], "made")
    assert "“Webinar on Thursday 10:00” is superseded by “Webinar on Friday 15:00”." in response.content.decode()
    old_page = admin_of(users["carol"]).get(reverse("admin:meetings_decision_change", args=[decision.pk]))
    assert "Superseded by “Webinar on Friday 15:00”" in old_page.content.decode()


def test_the_partner_offers_only_its_own_people_as_deciders_of_its_new_decision(people):
    users, members = people
    decision = _decision(members, "carol")

    page = admin_of(users["dave"]).get(f"/admin/meetings/decision/{decision.pk}/supersede/").content.decode()

    assert "Carol" in page and "Dave" in page and "Alice" not in page and "Bob" not in page


def test_withdrawing_and_making_in_the_admin(people):
    users, members = people
    made, pending = _decision(members, "alice"), _decision(members, "alice", status="pending", text="Gate it?")

    assert admin_of(users["carol"]).post(f"/admin/meetings/decision/{made.pk}/withdraw/").status_code == 403
    assert admin_of(users["carol"]).post(f"/admin/meetings/decision/{pending.pk}/make/").status_code == 403
    admin_of(users["alice"]).post(f"/admin/meetings/decision/{made.pk}/withdraw/")
    admin_of(users["bob"]).post(f"/admin/meetings/decision/{pending.pk}/make/")

    made.refresh_from_db()
    pending.refresh_from_db()
    assert (made.status, made.withdrawn_by.full_name) == ("withdrawn", "Alice")
    assert pending.status == "made"


def test_the_bulk_mark_made_action_leaves_another_companys_decisions_pending(people):
    users, members = people
    theirs = _decision(members, "alice", status="pending", text="Gate the recording?")
    ours = _decision(members, "carol", status="pending", text="Bluefin sends the invitations?")

    response = admin_of(users["dave"]).post(
        "/admin/meetings/decision/", {"action": "mark_made", "_selected_action": [theirs.pk, ours.pk]}, follow=True
    )

    page = response.content.decode()
    assert "“Gate the recording?”: Only the company the decision binds may make this decision." in page
    assert "1 decision(s) recorded as made." in page
    assert Decision.objects.get(pk=theirs.pk).status == "pending"
    assert Decision.objects.get(pk=ours.pk).status == "made"
