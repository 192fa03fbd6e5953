"""The facilitator's log: one admin page per meeting (and the API's log action)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from campaigns.models import Member
from meetings.models import ActionItem, Attendance, Decision, Meeting
from tests.campaigns.factories import DeliverableFactory

AFTER_FIRST_MEETING = datetime.datetime(2026, 11, 24, 16, 0, tzinfo=datetime.UTC)


def _page_data(meeting, statuses, *, decisions=(), action_items=(), extra_attendance=()):
    """The POST of the meeting's admin page: `statuses` maps member -> status of the listed attendance."""
    rows = list(meeting.attendance.order_by("pk"))
    starts, ends = meeting.starts_at, meeting.ends_at
    data = {
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "agenda": "Landing page review",
        "notes": "All good.",
        "attendance-TOTAL_FORMS": len(rows) + len(extra_attendance),
        "attendance-INITIAL_FORMS": len(rows),
        "decisions-TOTAL_FORMS": len(decisions),
        "decisions-INITIAL_FORMS": 0,
        "action_items-TOTAL_FORMS": len(action_items),
        "action_items-INITIAL_FORMS": 0,
    }
    for index, row in enumerate(rows):
        data |= {
            f"attendance-{index}-id": row.pk,
            f"attendance-{index}-meeting": meeting.pk,
            f"attendance-{index}-member": row.member_id,
            f"attendance-{index}-status": statuses[row.member_id],
        }
    for offset, (member, status) in enumerate(extra_attendance, start=len(rows)):
        data |= {
            f"attendance-{offset}-meeting": meeting.pk,
            f"attendance-{offset}-member": member.pk,
            f"attendance-{offset}-status": status,
        }
    for index, (text, member, *status) in enumerate(decisions):
        data |= {
            f"decisions-{index}-text": text,
            f"decisions-{index}-decided_by": member.pk,
            f"decisions-{index}-meeting": meeting.pk,
            f"decisions-{index}-status": status[0] if status else "",
        }
    for index, item in enumerate(action_items):
        data |= {f"action_items-{index}-{name}": value for name, value in item.items()}
        data[f"action_items-{index}-meeting"] = meeting.pk
    return data


@pytest.fixture
def first_meeting(weekly):
    return Meeting.objects.filter(series=weekly).first()


def _change_url(meeting):
    return reverse("admin:meetings_meeting_change", args=[meeting.pk])


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_log_page_lists_the_series_attendees_and_saving_marks_the_meeting_held(client, alice, team, first_meeting):
    client.force_login(alice)
    page = client.get(_change_url(first_meeting))
    assert page.status_code == 200
    assert page.content.decode().count('name="attendance-') > 0
    deliverable = DeliverableFactory(campaign=first_meeting.series.campaign, title="Landing page")
    statuses = {team[0].pk: Attendance.Status.PRESENT, team[1].pk: Attendance.Status.ABSENT}

    response = client.post(
        _change_url(first_meeting),
        _page_data(
            first_meeting,
            statuses,
            decisions=[("Go with the blue hero image", team[0])],
            action_items=[
                {
                    "title": "Send bios",
                    "owner": team[1].pk,
                    "due_date": "2026-11-27",
                    "status": "open",
                    "deliverable": deliverable.pk,
                }
            ],
        ),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    first_meeting.refresh_from_db()
    assert first_meeting.status == Meeting.Status.HELD
    assert first_meeting.logged_by == alice
    assert dict(first_meeting.attendance.values_list("member", "status")) == statuses
    assert Decision.objects.get(meeting=first_meeting).decided_by == team[0]
    assert ActionItem.objects.get(meeting=first_meeting).deliverable == deliverable
    assert first_meeting.history.filter(status=Meeting.Status.HELD).exists()


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_log_page_records_only_your_own_companys_decisions_as_made(client, alice, team, first_meeting):
    """Alice (Company A) logs the meeting; Carol decides for Company B. Alice cannot put Carol's word on record as
    made, only raise it as pending for her (Carol is B's decision maker)."""
    Member.objects.filter(pk=team[1].pk).update(is_decision_maker=True)
    client.force_login(alice)
    statuses = {team[0].pk: Attendance.Status.PRESENT, team[1].pk: Attendance.Status.PRESENT}

    refused = client.post(
        _change_url(first_meeting), _page_data(first_meeting, statuses, decisions=[("Blue hero image", team[1])])
    )

    assert refused.status_code == 200
    assert (
        "Carol decides for Company B: only the people of Company B record its decisions as made. Instead, raise it "
        "as pending for Carol, who records it as made." in refused.content.decode()
    )
    assert not Decision.objects.exists()

    raised = client.post(
        _change_url(first_meeting),
        _page_data(first_meeting, statuses, decisions=[("Blue hero image?", team[1], "pending")]),
    )

    assert raised.status_code == 302
    decision = Decision.objects.get()
    assert (decision.status, decision.binding_company.name) == ("pending", "Company B")


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_it_refuses_to_log_without_recording_everyone(client, alice, team, first_meeting):
    client.force_login(alice)
    statuses = {team[0].pk: Attendance.Status.PRESENT, team[1].pk: Attendance.Status.EXPECTED}

    response = client.post(_change_url(first_meeting), _page_data(first_meeting, statuses))

    assert response.status_code == 200
    assert "Record whether each person was present, absent or excused: Carol" in response.content.decode()
    first_meeting.refresh_from_db()
    assert first_meeting.status == Meeting.Status.SCHEDULED


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_it_refuses_an_action_item_owner_or_attendee_off_the_campaign_team(
    client, operator, team, first_meeting, other_campaign
):
    outsider = other_campaign.members.first()
    client.force_login(operator)  # sees every campaign, so only the team rule can refuse
    statuses = {team[0].pk: "present", team[1].pk: "present"}

    response = client.post(
        _change_url(first_meeting),
        _page_data(
            first_meeting,
            statuses,
            extra_attendance=[(outsider, "present")],
            action_items=[{"title": "Send bios", "owner": outsider.pk, "due_date": "2026-11-27", "status": "open"}],
        ),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ActionItem.objects.count() == 0
    assert not Attendance.objects.filter(member=outsider).exists()


def test_the_models_refuse_people_off_the_campaign_team(first_meeting, other_campaign):
    from django.core.exceptions import ValidationError

    outsider = other_campaign.members.select_related("person").first()
    with pytest.raises(ValidationError) as attendance_error:
        Attendance(meeting=first_meeting, member=outsider).full_clean()
    with pytest.raises(ValidationError) as item_error:
        ActionItem(meeting=first_meeting, title="x", owner=outsider, due_date=datetime.date(2026, 12, 1)).full_clean()
    with pytest.raises(ValidationError) as decision_error:
        Decision(meeting=first_meeting, text="x", decided_by=outsider).full_clean()

    assert "only team members can attend its meetings" in attendance_error.value.message_dict["member"][0]
    assert "only team members can own its action items" in item_error.value.message_dict["owner"][0]
    assert "only team members can make its decisions" in decision_error.value.message_dict["decided_by"][0]


def test_another_company_cannot_open_the_log_page(client, charlie, first_meeting):
    client.force_login(charlie)
    hidden = client.get(_change_url(first_meeting))
    missing = client.get(reverse("admin:meetings_meeting_change", args=[999999]))
    assert (hidden.status_code, hidden.url) == (missing.status_code, missing.url)
    assert client.get(reverse("admin:meetings_meeting_history", args=[first_meeting.pk])).status_code == 404


def test_the_log_page_offers_only_the_campaign_team(client, alice, team, first_meeting, shared_campaign):
    from tests.campaigns.factories import joint_campaign, member_of

    elsewhere = member_of(joint_campaign(alice.person.organization), alice.person.organization)
    client.force_login(alice)
    form = client.get(_change_url(first_meeting)).context["inline_admin_formsets"][2].formset.empty_form
    owners = set(form.fields["owner"].queryset)
    assert owners == set(team)
    assert elsewhere not in owners


def test_a_future_meeting_saves_its_agenda_without_being_logged(client, alice, team, weekly):
    meeting = Meeting.objects.filter(series=weekly).last()
    client.force_login(alice)
    statuses = {team[0].pk: "expected", team[1].pk: "expected"}

    response = client.post(_change_url(meeting), _page_data(meeting, statuses))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.agenda == "Landing page review"


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_api_logs_a_meeting(api, alice, team, first_meeting):
    response = api.as_user(alice).post(
        f"/api/meetings/{first_meeting.pk}/log/",
        {
            "notes": "Done.",
            "attendance": [{"member": team[0].pk, "status": "present"}, {"member": team[1].pk, "status": "excused"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "held"
    assert {row["person_name"]: row["status"] for row in response.json()["attendance"]} == {
        "Alice": "present",
        "Carol": "excused",
    }


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_api_refuses_to_log_with_someone_unrecorded(api, alice, team, first_meeting):
    response = api.as_user(alice).post(
        f"/api/meetings/{first_meeting.pk}/log/",
        {"attendance": [{"member": team[0].pk, "status": "present"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Record whether each person was present, absent or excused: Carol" in str(response.json())


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_api_refuses_an_attendee_off_the_team_with_a_clear_message(
    api, alice, team, first_meeting, shared_campaign
):
    from tests.campaigns.factories import joint_campaign, member_of

    elsewhere = member_of(joint_campaign(alice.person.organization), alice.person.organization)
    response = api.as_user(alice).post(
        f"/api/meetings/{first_meeting.pk}/log/",
        {"attendance": [{"member": elsewhere.pk, "status": "present"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "not on this campaign's team" in str(response.json())


def test_the_api_refuses_to_log_a_meeting_that_has_not_happened(api, alice, team, weekly):
    meeting = Meeting.objects.filter(series=weekly).last()
    response = api.as_user(alice).post(f"/api/meetings/{meeting.pk}/log/", {}, format="json")
    assert response.status_code == 400
    assert "has not started yet" in str(response.json())


def test_the_api_refuses_an_action_item_owner_off_the_team(api, alice, team, first_meeting):
    from tests.campaigns.factories import joint_campaign, member_of

    elsewhere = member_of(joint_campaign(alice.person.organization), alice.person.organization)
    response = api.as_user(alice).post(
        "/api/action-items/",
        {"meeting": first_meeting.pk, "title": "Bios", "owner": elsewhere.pk, "due_date": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "only team members can own its action items" in str(response.json()["owner"])
