"""The meeting page: attendance as toggles (present until switched off), notes, pending decisions made here, and new
decisions and action items typed as lines, all in one save through `services.meeting_log`."""

import datetime

import pytest
import time_machine

from campaigns.models import Reminder
from meetings.minutes import MINUTES
from meetings.models import ActionItem, Attendance, Decision, Meeting
from meetings.services import decision_record
from tests.campaigns.factories import joint_campaign
from tests.clients import admin_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.partners.factories import company_user
from tests.querycount import queries_of

AFTER_FIRST_MEETING = datetime.datetime(2026, 11, 24, 16, 0, tzinfo=datetime.UTC)
DECISION = ("text", "person", "status")


@pytest.fixture
def after_the_meeting():
    with time_machine.travel(AFTER_FIRST_MEETING, tick=True):
        yield


@pytest.fixture
def dan(shared_campaign, company_b):
    """On Company B's side of the team, not invited to the weekly meeting."""
    user = company_user(company_b, name="Dan Uninvited")
    member_of_user(shared_campaign, user)
    return user


@pytest.fixture
def waiting(team, weekly) -> Decision:
    """A decision pending for Alice, whom company A names its decision maker."""
    alice_member, _ = team
    alice_member.is_decision_maker = True
    alice_member.save()
    return decision_record(
        decision=Decision(campaign=weekly.campaign, text="Pick the venue", decided_by=alice_member, status="pending")
    )


def first_meeting(series) -> Meeting:
    return series.meetings.order_by("starts_at").first()


def url_of(meeting) -> str:
    return f"/admin/meetings/meeting/{meeting.pk}/log/"


def lines(prefix: str, rows: list[tuple[str, ...]], names: tuple[str, ...]) -> dict[str, list[str]]:
    return {f"{prefix}-{name}": [row[i] for row in rows] for i, name in enumerate(names)}


def minutes_to(user) -> int:
    return Reminder.objects.filter(kind=MINUTES, person=user.person).count()


def test_it_logs_the_meeting_in_one_save(alice, carol, dan, team, weekly, waiting, after_the_meeting):
    alice_member, carol_member = team
    meeting = first_meeting(weekly)
    client = admin_of(alice)
    page = client.get(url_of(meeting)).content.decode()
    assert 'role="switch" name="present"' in page and "Pick the venue" in page

    response = client.post(
        url_of(meeting),
        {
            "version": meeting.version,
            "present": [alice_member.pk],  # Carol switched off
            "notes": "Speakers confirmed.",
            "made": [waiting.pk],
            **lines("decision", [("Go with the CFO panel", "Alice (Company A)", "made")], ("text", "person", "status")),
            **lines(
                "item",
                [("Send the speaker brief", "carol", "2026-12-02"), ("Book the studio", "Dan Uninvited", "")],
                ("title", "person", "due"),
            ),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.notes == "Speakers confirmed."
    assert dict(meeting.attendance.values_list("member__person__full_name", "status")) == {
        "Alice": Attendance.Status.PRESENT,
        "Carol": Attendance.Status.ABSENT,
    }
    assert set(meeting.decisions.values_list("text", "status")) == {
        ("Go with the CFO panel", "made"),
        ("Pick the venue", "made"),  # the pending decision, closed by being made here
    }
    assert list(meeting.action_items.values_list("title", "owner__person__full_name", "due_date")) == [
        ("Book the studio", "Dan Uninvited", datetime.date(2026, 12, 1)),  # no date: by the next meeting
        ("Send the speaker brief", "Carol", datetime.date(2026, 12, 2)),
    ]
    assert minutes_to(dan) == 1  # not invited, but given an action item

    # A later edit adds another item for Dan: he is not sent the minutes again.
    client.post(
        url_of(meeting),
        {"version": meeting.version, "present": [alice_member.pk]}
        | lines("item", [("Draft the invite", "Dan Uninvited", "")], ("title", "person", "due")),
    )
    assert meeting.action_items.count() == 3
    assert minutes_to(dan) == 1


def test_typing_a_pending_decision_as_decided_closes_it(alice, team, weekly, waiting, after_the_meeting):
    meeting = first_meeting(weekly)

    admin_of(alice).post(
        url_of(meeting),
        {"version": meeting.version}
        | lines("decision", [("pick the venue ", "Alice", "made")], ("text", "person", "status")),
    )

    waiting.refresh_from_db()
    assert waiting.status == Decision.Status.MADE and waiting.meeting == meeting
    assert Decision.objects.filter(campaign=weekly.campaign).count() == 1


def test_a_line_it_cannot_take_shows_the_page_again_with_why_and_saves_nothing(alice, team, weekly, after_the_meeting):
    meeting = first_meeting(weekly)
    response = admin_of(alice).post(
        url_of(meeting),
        {"version": meeting.version, "notes": "Kept as typed"}
        | lines(
            "item",
            [("Send the brief", "Nobody Known", ""), ("Book it", "Carol", "31/12/2026"), ("x" * 301, "Carol", "")],
            ("title", "person", "due"),
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the owner from the campaign&#x27;s team" in page
    assert "Give the due date as a date" in page
    assert "at most 300 characters" in page
    assert "Kept as typed" in page and "Nobody Known" in page
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and not ActionItem.objects.exists()


def test_a_log_saved_over_someone_elses_is_refused(alice, carol, team, weekly, after_the_meeting):
    meeting = first_meeting(weekly)
    seen = meeting.version
    meeting.notes = "Carol's notes"
    meeting.save()

    response = admin_of(alice).post(url_of(meeting), {"version": seen, "notes": "Alice's notes"})

    assert response.status_code == 200 and "was changed since you opened it" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.notes == "Carol's notes"


def test_only_the_campaigns_companies_reach_the_page(alice, charlie, operator, weekly, after_the_meeting):
    meeting = first_meeting(weekly)
    assert admin_of(charlie).get(url_of(meeting)).status_code == 404
    assert admin_of(operator).get(url_of(meeting)).status_code == 200


def test_the_page_reads_as_many_rows_for_2_people_as_for_8_and_for_3_campaigns_as_for_30(
    alice, company_a, company_b, shared_campaign, team, after_the_meeting
):
    small = series_for(shared_campaign, facilitator=team[0], attendees=list(team), title="Small")
    others = [member_of_user(shared_campaign, company_user(company_b)) for _ in range(6)]
    big = series_for(shared_campaign, facilitator=team[0], attendees=[*team, *others], title="Big")
    client = admin_of(alice)
    for meeting, decisions, items in ((first_meeting(small), 1, 1), (first_meeting(big), 2, 3)):
        client.post(
            url_of(meeting),
            {"version": meeting.version}
            | lines("decision", [(f"Decision {n}", "Alice", "made") for n in range(decisions)], DECISION)
            | lines("item", [(f"Item {n}", "Carol", "") for n in range(items)], ("title", "person", "due")),
        )
    for _ in range(2):
        joint_campaign(company_a, company_b)
    few = queries_of(lambda: client.get(url_of(first_meeting(small))))
    for _ in range(27):
        joint_campaign(company_a, company_b)
    many = queries_of(lambda: client.get(url_of(first_meeting(big))))

    assert first_meeting(big).attendance.count() == 8 and first_meeting(big).action_items.count() == 3
    assert few == many
