"""The agenda builds itself from the campaign: every source shows on the meeting's agenda page, outcomes write
back (an action item done, a deliverable moved on), and the page does not grow with the campaigns."""

import datetime

from django.utils import timezone

from campaigns.models import Deliverable, Flag, Member, RaciAssignment, SignoffRequest
from meetings.models import ActionItem, Decision, Meeting
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.clients import admin_of
from tests.meetings.factories import series_for
from tests.querycount import queries_of

today = timezone.localdate  # read at each use: a date fixed at import goes stale in a run that passes midnight


def _campaign_with_everything(campaign, alice, carol):
    """A weekly series whose second meeting is the one prepared; one item of every agenda source."""
    alice_member, _ = Member.objects.update_or_create(
        campaign=campaign, person=alice.person, defaults={"is_project_lead": True}
    )
    carol_member, _ = Member.objects.update_or_create(
        campaign=campaign, person=carol.person, defaults={"is_decision_maker": True}
    )
    series = series_for(
        campaign, facilitator=alice_member, first_date=today() - datetime.timedelta(days=7), time_zone="UTC"
    )
    previous, meeting, following = series.meetings.order_by("starts_at")[:3]
    ActionItem.objects.create(
        meeting=previous, title=f"Send the speaker brief ({campaign.name})", owner=carol_member, due_date=today()
    )
    ActionItem.objects.create(
        meeting=previous, title="Already done", owner=carol_member, due_date=today(), status="done"
    )
    soon = DeliverableFactory(
        campaign=campaign,
        title=f"Landing page ({campaign.name})",
        due_date=following.starts_at.date() - datetime.timedelta(days=1),
    )
    RaciAssignment.objects.create(deliverable=soon, member=alice_member, role="R")
    DeliverableFactory(campaign=campaign, title="Far away report", due_date=today() + datetime.timedelta(days=60))
    SignoffRequest.objects.create(deliverable=soon, kind="legal", reviewer=carol.person, due_date=today())
    measurement(kpi(campaign, "registrations", target="300"), "30", by=carol.person, end=today())
    Flag.objects.create(
        campaign=campaign,
        code="x",
        severity="warning",
        title="Old risk",
        opened_at=previous.starts_at - datetime.timedelta(days=1),
        last_seen_at=timezone.now(),
    )
    Flag.objects.create(
        campaign=campaign,
        code="y",
        severity="critical",
        title="Fresh risk",
        opened_at=previous.starts_at + datetime.timedelta(hours=2),
        last_seen_at=timezone.now(),
    )
    Decision.objects.create(
        campaign=campaign, text="Which platform?", status="pending", decided_by=carol_member, needed_by=today()
    )
    Meeting.objects.filter(pk=meeting.pk).update(agenda="- Q&A moderation\n- Swag")
    return meeting, soon


def test_the_agenda_lists_every_source_and_leaves_out_what_is_not_due(shared_campaign, alice, carol):
    meeting, soon = _campaign_with_everything(shared_campaign, alice, carol)

    page = admin_of(alice).get(f"/admin/meetings/meeting/{meeting.pk}/agenda/").content.decode()

    assert "Send the speaker brief (A and B webinar)" in page and "Already done" not in page
    assert "Landing page (A and B webinar)" in page and "Responsible: Alice" in page and "Far away report" not in page
    assert "Legal review of <strong>Landing page (A and B webinar)</strong>" in page
    assert "Registrations" in page and "10.0 % of the target" in page
    assert "Fresh risk" in page and "Old risk" not in page
    assert "Which platform?" in page and "Carol (Company B) decides" in page
    assert "Q&amp;A moderation" in page and "Swag" in page


def test_the_meeting_page_shows_the_agenda_and_links_to_it(shared_campaign, alice, carol):
    meeting, _ = _campaign_with_everything(shared_campaign, alice, carol)
    page = admin_of(alice).get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    assert "Open the agenda" in page and "Which platform?" in page


def test_outcomes_write_back_from_the_agenda(shared_campaign, alice, carol):
    meeting, soon = _campaign_with_everything(shared_campaign, alice, carol)
    client = admin_of(alice)
    agenda_url = f"/admin/meetings/meeting/{meeting.pk}/agenda/"
    item = ActionItem.objects.get(title__startswith="Send the speaker brief")

    client.post(f"/admin/meetings/actionitem/{item.pk}/done/", {"next": agenda_url})
    moved = client.post(
        f"/admin/meetings/meeting/{meeting.pk}/deliverable-status/", {"deliverable": soon.pk, "status": "in_progress"}
    )
    refused = client.post(
        f"/admin/meetings/meeting/{meeting.pk}/deliverable-status/",
        {"deliverable": soon.pk, "status": "published"},
        follow=True,
    )

    item.refresh_from_db()
    soon.refresh_from_db()
    assert item.status == "done" and moved.status_code == 302 and soon.status == Deliverable.Status.IN_PROGRESS
    assert "cannot be marked Published yet: legal review is pending from Carol" in refused.content.decode()
    assert "Send the speaker brief" not in client.get(agenda_url).content.decode()


def test_another_company_cannot_open_the_agenda(shared_campaign, alice, carol, charlie):
    meeting, soon = _campaign_with_everything(shared_campaign, alice, carol)
    assert admin_of(charlie).get(f"/admin/meetings/meeting/{meeting.pk}/agenda/").status_code == 404
    response = admin_of(charlie).post(
        f"/admin/meetings/meeting/{meeting.pk}/deliverable-status/", {"deliverable": soon.pk, "status": "in_progress"}
    )
    assert response.status_code == 404


def test_the_agenda_and_the_timeline_do_not_grow_with_the_campaigns(alice, carol, company_a, company_b):
    first = joint_campaign(company_a, company_b, name="First")
    meeting, _ = _campaign_with_everything(first, alice, carol)
    client = admin_of(alice)
    made = [1]

    def count_at(campaigns: int) -> tuple[int, int]:
        while made[0] < campaigns:
            _campaign_with_everything(joint_campaign(company_a, company_b, name=f"Campaign {made[0]:02}"), alice, carol)
            made[0] += 1
        return (
            queries_of(lambda: client.get(f"/admin/meetings/meeting/{meeting.pk}/agenda/")),
            queries_of(lambda: client.get(f"/admin/meetings/meeting/{meeting.pk}/change/")),
        )

    assert count_at(3) == count_at(30)


def test_the_api_returns_the_same_agenda(shared_campaign, alice, carol, charlie):
    from tests.clients import api_of

    meeting, soon = _campaign_with_everything(shared_campaign, alice, carol)
    agenda = api_of(alice).get(f"/api/meetings/{meeting.pk}/agenda/").json()

    assert [d["title"] for d in agenda["deliverables"]] == ["Landing page (A and B webinar)"]
    assert agenda["decisions"][0]["decider"] == "Carol" and agenda["free_items"] == ["Q&A moderation", "Swag"]
    assert [f["title"] for f in agenda["new_flags"]] == ["Fresh risk"] and len(agenda["action_items"]) == 1
    assert api_of(charlie).get(f"/api/meetings/{meeting.pk}/agenda/").status_code == 404
