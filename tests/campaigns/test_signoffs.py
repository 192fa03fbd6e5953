import datetime
import html
import importlib
import pkgutil

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns import migrations
from campaigns.models import (
    Deliverable,
    KickoffQuestionnaire,
    RaciAssignment,
    Reminder,
    SignoffApprover,
    SignoffRequest,
)
from campaigns.outbox.reminders import reminder_send
from campaigns.services import signoffs as services
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import complete_company_part
from tests.clients import admin_of, api_of
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
    bob.person.time_zone = "Asia/Tokyo"
    bob.person.save()
    move(landing_page, Deliverable.Status.IN_REVIEW)
    services.signoff_requests_create(deliverable=landing_page)  # asked again: nobody is told twice

    told = Reminder.objects.filter(kind="signoff_request").order_by("person__full_name")
    assert [row.person.full_name for row in told] == ["Alice", "Bob", "Carol"]
    legal = told.get(person=bob.person)
    assert legal.subject_line.startswith("Your legal review of") and "needed by Wed 2 Dec" in legal.subject_line
    assert "by the end of Wednesday 2 December 2026, your time (Asia/Tokyo)" in legal.body_text


# --- Approvals are pinned to the content they approved ------------------------------------------------------

FRIDAY_MORNING = datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC)
APPROVED_PAGE = "title “Joint landing page”, link “https://a.example/webinar”"
CHANGES = [
    "title “Joint landing page” → “Joint landing page (B's version)”",
    "link “https://a.example/webinar” → “https://b.example/offer”",
]


@pytest.fixture
def approved_page(landing_page, legal_reviewer_of_a):
    """The landing page in review, approved by Carol and Alice (sign-off) and Bob (legal review of company A)."""
    landing_page.title = "Joint landing page"
    landing_page.link = "https://a.example/webinar"
    move(landing_page, Deliverable.Status.IN_REVIEW)
    for request in SignoffRequest.objects.filter(deliverable=landing_page):
        services.signoff_decide(request=request, user=request.reviewer.user, status="approved")
    return move(landing_page, Deliverable.Status.APPROVED)


@pytest.fixture
def published_page(approved_page):
    return move(approved_page, Deliverable.Status.PUBLISHED)


def reviews_in_the_api(user, deliverable):
    response = api_of(user).get("/api/signoff-requests/", {"deliverable": deliverable.pk})
    return {(row["reviewer_name"], row["kind"]): row for row in response.json()["results"]}


def content_notices():
    return Reminder.objects.filter(kind="approved_content_changed").order_by("person__full_name")


def deliver_all(reminders):
    for reminder in reminders:
        assert reminder_send(reminder_id=reminder.pk).status == "sent"
    return {message.to[0].split(" <")[0]: message for message in mail.outbox}


def admin_form_as_shown(client, url):
    """What the admin's change page posts back when saved as it is shown (with every inline row)."""
    context = client.get(url).context
    formsets = [inline.formset for inline in context["inline_admin_formsets"]]
    forms = [context["adminform"].form, *(f.management_form for f in formsets), *(f for fs in formsets for f in fs)]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form[name].html_name] = "on" if value is True else value
    return data


def shown(client, url):
    return html.unescape(client.get(url).content.decode())


def test_an_approval_keeps_what_it_approved(api, approved_page, alice):
    reviews = reviews_in_the_api(alice, approved_page)
    assert {key: (row["status_label"], row["approved_summary"]) for key, row in reviews.items()} == {
        ("Carol", "signoff"): ("Approved", APPROVED_PAGE),
        ("Alice", "signoff"): ("Approved", APPROVED_PAGE),
        ("Bob", "legal"): ("Approved", APPROVED_PAGE),
    }
    assert reviews[("Bob", "legal")]["approved_content"] == {
        "title": "Joint landing page",
        "link": "https://a.example/webinar",
    }


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_the_other_company_changing_a_published_page_through_the_api_reopens_every_approval(
    published_page, alice, bob, carol
):
    changed = api_of(carol).patch(
        f"/api/deliverables/{published_page.pk}/",
        {"title": "Joint landing page (B's version)", "link": "https://b.example/offer"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["status"] == "published"  # it is out on A's site; taking it down is A's call

    reviews = reviews_in_the_api(alice, published_page)
    assert {key: row["status_label"] for key, row in reviews.items()} == {
        ("Carol", "signoff"): "Changed since approval",
        ("Alice", "signoff"): "Changed since approval",
        ("Bob", "legal"): "Changed since approval",
    }
    legal = reviews[("Bob", "legal")]
    assert (legal["status"], legal["approved_summary"], legal["changes_since_approval"]) == (
        "pending",
        APPROVED_PAGE,
        CHANGES,
    )
    assert legal["due_date"] == "2026-12-02"  # asked again: three business days from Friday

    refused = api_of(alice).patch(f"/api/deliverables/{published_page.pk}/", {"status": "approved"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["status"] == [
        "This deliverable cannot be marked Approved yet: the content changed since Carol, Alice approved it "
        "(sign-off); the content changed since Bob approved it (legal review)."
    ]

    # A second change before anyone decided: nobody is told twice.
    api_of(carol).patch(f"/api/deliverables/{published_page.pk}/", {"title": "Joint page"}, format="json")
    assert [row.person.full_name for row in content_notices()] == ["Alice", "Bob", "Carol"]
    sent = deliver_all(content_notices())
    assert sorted(sent) == ["Alice", "Bob", "Carol"] and len(mail.outbox) == 3
    to_bob = sent["Bob"]
    assert to_bob.subject == "“Joint landing page (B's version)” changed after your approval: please review it again"
    body = " ".join(to_bob.body.split())
    assert f"changed after you approved it: {'; '.join(CHANGES)}." in body
    assert (
        "Your legal review now reads “changed since approval”: please approve the new content or request changes "
        "by the end of Wednesday 2 December 2026, your time (UTC)." in body
    )
    assert "It is published as it is now" in body
    bobs_review = SignoffRequest.objects.get(deliverable=published_page, reviewer=bob.person)
    assert f"/admin/campaigns/signoffrequest/{bobs_review.pk}/change/" in body  # where he decides again

    for (name, _kind), row in reviews.items():
        reviewer = {"Alice": alice, "Bob": bob, "Carol": carol}[name]
        decided = api_of(reviewer).post(
            f"/api/signoff-requests/{row['id']}/decide/", {"status": "approved"}, format="json"
        )
        assert decided.status_code == 200
    again = reviews_in_the_api(alice, published_page)
    assert {(row["status_label"], row["approved_summary"]) for row in again.values()} == {
        ("Approved", "title “Joint page”, link “https://b.example/offer”")
    }


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_an_approved_page_changed_goes_back_into_review_and_cannot_be_published_until_approved_again(
    approved_page, alice, bob, carol
):
    changed = api_of(carol).patch(
        f"/api/deliverables/{approved_page.pk}/", {"link": "https://b.example/offer"}, format="json"
    )
    assert (changed.status_code, changed.json()["status"]) == (200, "in_review")

    refused = api_of(alice).patch(f"/api/deliverables/{approved_page.pk}/", {"status": "published"}, format="json")
    assert refused.status_code == 400
    assert "the content changed since Bob approved it (legal review)" in refused.json()["status"][0]

    for request in SignoffRequest.objects.filter(deliverable=approved_page):
        services.signoff_decide(request=request, user=request.reviewer.user, status="approved")
    published = api_of(alice).patch(f"/api/deliverables/{approved_page.pk}/", {"status": "published"}, format="json")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert content_notices().count() == 3


def test_an_edit_and_a_move_in_one_save_are_refused(approved_page, alice):
    move(approved_page, Deliverable.Status.IN_REVIEW)
    response = api_of(alice).patch(
        f"/api/deliverables/{approved_page.pk}/",
        {"title": "Joint landing page, final", "status": "approved"},
        format="json",
    )
    assert response.status_code == 400
    assert "the content changed since Carol, Alice approved it (sign-off)" in response.json()["status"][0]
    assert Deliverable.objects.get(pk=approved_page.pk).title == "Joint landing page"
    assert set(SignoffRequest.objects.values_list("status", flat=True)) == {"approved"}


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_the_other_company_changing_a_published_page_in_the_admin_reopens_every_approval(published_page, alice, carol):
    url = f"/admin/campaigns/deliverable/{published_page.pk}/change/"
    data = admin_form_as_shown(admin_of(carol), url)
    data.update(title="Joint landing page (B's version)", link="https://b.example/offer")
    assert admin_of(carol).post(url, data).status_code == 302

    alice_admin = admin_of(alice)
    assert f"Sign-off by Alice</a>: changed since approval (approved: {APPROVED_PAGE})" in shown(alice_admin, url)
    alices = SignoffRequest.objects.get(reviewer=alice.person)
    request_page = shown(alice_admin, f"/admin/campaigns/signoffrequest/{alices.pk}/change/")
    assert f"{APPROVED_PAGE} (changed since: {'; '.join(CHANGES)})" in request_page
    assert shown(alice_admin, "/admin/campaigns/signoffrequest/").count("Changed since approval") == 3

    data = admin_form_as_shown(alice_admin, url) | {"status": "approved"}
    refused = alice_admin.post(url, data)
    assert refused.status_code == 200
    assert "the content changed since Carol, Alice approved it (sign-off)" in html.unescape(refused.content.decode())
    assert Deliverable.objects.get(pk=published_page.pk).status == Deliverable.Status.PUBLISHED
    assert [row.person.full_name for row in content_notices()] == ["Alice", "Bob", "Carol"]

    decided = alice_admin.post(
        f"/admin/campaigns/signoffrequest/{alices.pk}/change/", {"status": "approved", "comment": ""}
    )
    assert decided.status_code == 302
    assert SignoffRequest.objects.get(pk=alices.pk).status_label == "Approved"


def test_editing_what_the_reviewers_did_not_review_keeps_their_approvals(published_page, carol):
    response = api_of(carol).patch(
        f"/api/deliverables/{published_page.pk}/", {"due_date": "2026-12-04", "is_pinned": True}, format="json"
    )
    assert response.status_code == 200
    assert set(SignoffRequest.objects.values_list("status", flat=True)) == {"approved"}
    assert not SignoffRequest.objects.filter(content_changed_at__isnull=False).exists()
    assert not content_notices().exists()


def test_approvals_given_before_content_was_pinned_approve_the_content_of_the_day_of_the_migration(approved_page):
    (name,) = [m.name for m in pkgutil.iter_modules(migrations.__path__) if m.name.endswith("_pinned_to_content")]
    migration = importlib.import_module(f"campaigns.migrations.{name}")
    SignoffRequest.objects.update(approved_content={}, approved_fingerprint="")  # as they were before it
    migration.pin_standing_approvals(apps, None)
    assert {request.approved_summary for request in SignoffRequest.objects.all()} == {APPROVED_PAGE}
    move(approved_page, Deliverable.Status.PUBLISHED)  # they count
    approved_page.title = "Joint page"
    save_validated(approved_page)
    assert {request.status_label for request in SignoffRequest.objects.all()} == {"Changed since approval"}


def test_requesting_changes_stands_for_no_approval(approved_page, carol):
    carols = SignoffRequest.objects.get(reviewer=carol.person)
    services.signoff_decide(request=carols, user=carol, status="changes_requested", comment="Our logo, please.")
    carols.refresh_from_db()
    assert (carols.status_label, carols.approved_content, carols.approved_summary) == ("Changes requested", {}, "")
    approved_page.title = "Joint page"
    save_validated(approved_page)
    carols.refresh_from_db()
    assert carols.status_label == "Changes requested"  # it approved nothing: nothing to re-open
    assert [row.person.full_name for row in content_notices()] == ["Alice", "Bob"]
