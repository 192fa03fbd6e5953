import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from campaigns.models import Deliverable, KickoffQuestionnaire, RaciAssignment, SignoffApprover, SignoffRequest
from campaigns.services import signoffs as services
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import complete_company_part
from utilities.validation import save_validated

FRIDAY = datetime.date(2026, 11, 27)


def test_business_days_skip_the_weekend():
    assert services.add_business_days(FRIDAY, 1) == datetime.date(2026, 11, 30)  # Monday
    assert services.add_business_days(FRIDAY, 3) == datetime.date(2026, 12, 2)  # Wednesday
    assert services.add_business_days(datetime.date(2026, 11, 28), 1) == datetime.date(2026, 11, 30)  # from Saturday
    assert services.add_business_days(FRIDAY, 0) == FRIDAY


@pytest.fixture
def landing_page(shared_campaign, alice, carol):
    """A landing page needing sign-off and legal review; Alice is Accountable, Carol Responsible and an approver."""
    deliverable = DeliverableFactory(campaign=shared_campaign, type=Deliverable.Type.LANDING_PAGE)
    alice_member = shared_campaign.members.get(person=alice.person)
    carol_member = shared_campaign.members.get(person=carol.person)
    save_validated(RaciAssignment(deliverable=deliverable, member=alice_member, role="A"))
    save_validated(RaciAssignment(deliverable=deliverable, member=carol_member, role="R"))
    questionnaire = save_validated(KickoffQuestionnaire(campaign=shared_campaign))
    save_validated(SignoffApprover(questionnaire=questionnaire, deliverable_type="landing_page", member=carol_member))
    deliverable.needs_signoff = True
    deliverable.needs_legal_review = True
    return deliverable


@pytest.fixture
def legal_reviewer_of_a(shared_campaign, company_a, bob):
    complete_company_part(
        shared_campaign, company_a, has_legal_review=True, legal_reviewer=bob.person, legal_turnaround_business_days=3
    )
    return bob


def move(deliverable, status):
    deliverable.status = status
    return save_validated(deliverable)


@time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC), tick=False)
def test_going_into_review_asks_approvers_accountable_and_legal_reviewer(
    landing_page, legal_reviewer_of_a, alice, carol
):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    requests = {
        (r.kind, r.reviewer.full_name): r.due_date for r in SignoffRequest.objects.filter(deliverable=landing_page)
    }
    assert requests == {
        ("signoff", "Carol"): datetime.date(2026, 12, 1),  # two business days after a Friday
        ("signoff", "Alice"): datetime.date(2026, 12, 1),
        ("legal", "Bob"): datetime.date(2026, 12, 2),  # three business days, the weekend skipped
    }


def test_asking_again_creates_no_duplicates(landing_page, legal_reviewer_of_a):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    assert services.signoff_requests_create(deliverable=landing_page) == []
    assert SignoffRequest.objects.filter(deliverable=landing_page).count() == 3


def test_a_pending_legal_review_blocks_publishing(landing_page, legal_reviewer_of_a, alice, carol):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    for request in SignoffRequest.objects.filter(kind="signoff"):
        services.signoff_decide(request=request, user=request.reviewer.user, status="approved")
    with pytest.raises(ValidationError) as refused:
        move(landing_page, Deliverable.Status.PUBLISHED)
    assert refused.value.message_dict["status"] == [
        "This deliverable cannot be marked Published yet: legal review is pending from Bob."
    ]


def test_changes_requested_block_approval_until_approved(landing_page, alice, carol):
    landing_page.needs_legal_review = False
    move(landing_page, Deliverable.Status.IN_REVIEW)
    carols = SignoffRequest.objects.get(reviewer=carol.person)
    services.signoff_decide(request=carols, user=carol, status="changes_requested", comment="Use our new logo.")
    services.signoff_decide(request=SignoffRequest.objects.get(reviewer=alice.person), user=alice, status="approved")
    with pytest.raises(ValidationError, match=r"Carol requested changes \(sign-off\)"):
        move(landing_page, Deliverable.Status.APPROVED)
    services.signoff_request_reopen(request=carols)
    services.signoff_decide(request=SignoffRequest.objects.get(pk=carols.pk), user=carol, status="approved")
    landing_page.status = Deliverable.Status.APPROVED
    save_validated(landing_page)
    assert Deliverable.objects.get(pk=landing_page.pk).status == Deliverable.Status.APPROVED


def test_a_deliverable_needing_legal_review_without_a_reviewer_cannot_be_published(landing_page, alice):
    landing_page.needs_signoff = False
    move(landing_page, Deliverable.Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="no legal reviewer was asked"):
        move(landing_page, Deliverable.Status.PUBLISHED)


def test_only_the_reviewer_decides(landing_page, legal_reviewer_of_a, alice, operator):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    legal = SignoffRequest.objects.get(kind="legal")
    for somebody_else in (alice, operator):
        with pytest.raises(ValidationError, match="Only Bob can decide on this legal review"):
            services.signoff_decide(request=legal, user=somebody_else, status="approved")


def test_requesting_changes_needs_a_comment(landing_page, carol):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="a comment is required"):
        services.signoff_decide(
            request=SignoffRequest.objects.get(reviewer=carol.person),
            user=carol,
            status="changes_requested",
            comment=" ",
        )


def test_the_guard_refuses_in_the_api_with_the_message(api, landing_page, legal_reviewer_of_a, alice):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    response = api.as_user(alice).patch(f"/api/deliverables/{landing_page.pk}/", {"status": "published"}, format="json")
    assert response.status_code == 400
    assert "legal review is pending from Bob" in response.json()["status"][0]


def test_the_guard_refuses_in_the_admin_with_the_message(client, landing_page, legal_reviewer_of_a, alice):
    move(landing_page, Deliverable.Status.IN_REVIEW)
    client.force_login(alice)
    url = f"/admin/campaigns/deliverable/{landing_page.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update(
        {
            "campaign": landing_page.campaign_id,
            "status": "published",
            "due_date": "2026-11-30",
            "needs_signoff": "on",
            "needs_legal_review": "on",
            "raci-TOTAL_FORMS": "0",
            "raci-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "legal review is pending from Bob" in response.content.decode()
    assert Deliverable.objects.get(pk=landing_page.pk).status == Deliverable.Status.IN_REVIEW


@time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC), tick=False)
def test_each_reviewer_hears_of_a_request_the_moment_it_is_made_with_the_due_day_in_their_zone(
    landing_page, legal_reviewer_of_a, bob
):
    from campaigns.models import Reminder

    bob.person.time_zone = "Asia/Tokyo"
    bob.person.save()
    move(landing_page, Deliverable.Status.IN_REVIEW)
    services.signoff_requests_create(deliverable=landing_page)  # asked again: nobody is told twice

    told = Reminder.objects.filter(kind="signoff_request").order_by("person__full_name")
    assert [row.person.full_name for row in told] == ["Alice", "Bob", "Carol"]
    legal = told.get(person=bob.person)
    assert legal.subject_line.startswith("Your legal review of") and "needed by Wed 2 Dec" in legal.subject_line
    assert "by the end of Wednesday 2 December 2026, your time (Asia/Tokyo)" in legal.body_text
