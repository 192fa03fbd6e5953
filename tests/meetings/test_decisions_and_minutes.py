"""The decision log (pending decisions, their decider and the flag once they wait too long) and the minutes
e-mailed to everyone invited once a meeting is logged."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Member, Reminder
from meetings import digest_lines, services
from meetings.health_checks import decision_pending
from meetings.minutes import MINUTES
from meetings.models import ActionItem, Attendance, Decision, Meeting
from tests.campaigns.factories import member_of
from tests.clients import admin_of, api_of


@pytest.fixture
def maker(team):
    Member.objects.filter(pk=team[1].pk).update(is_decision_maker=True)
    team[1].refresh_from_db()
    return team[1]


def test_a_pending_decision_waits_for_a_decision_maker_of_the_campaign(shared_campaign, team, maker, alice, carol):
    response = api_of(alice).post(
        "/api/meeting-decisions/",
        {
            "campaign": shared_campaign.pk,
            "text": "Which webinar platform?",
            "status": "pending",
            "decided_by": team[0].pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "not a decision maker" in str(response.json())

    raised = api_of(alice).post(
        "/api/meeting-decisions/",
        {
            "campaign": shared_campaign.pk,
            "text": "Which webinar platform?",
            "status": "pending",
            "decided_by": maker.pk,
            "needed_by": "2026-12-04",
        },
        format="json",
    )
    assert raised.status_code == 201, raised.content
    assert raised.json()["binding_company_name"] == "Company B"
    # Alice raised it, but it is Company B's word: only Company B's people make it.
    refused = api_of(alice).post(f"/api/meeting-decisions/{raised.json()['id']}/make/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company the decision binds may make this decision."
    made = api_of(carol).post(f"/api/meeting-decisions/{raised.json()['id']}/make/")
    assert made.json()["status"] == "made" and made.json()["decided_at"]


def test_a_decision_pending_too_long_is_flagged_naming_its_decider(shared_campaign, maker, settings):
    settings.DECISION_PENDING_DAYS = 7
    decision = Decision.objects.create(
        campaign=shared_campaign,
        text="Which webinar platform?",
        status="pending",
        decided_by=maker,
        needed_by=datetime.date(2026, 12, 4),
    )
    raised = decision.created_at

    assert list(decision_pending(Campaign.objects.all(), raised + datetime.timedelta(days=6))) == []
    (finding,) = decision_pending(Campaign.objects.all(), raised + datetime.timedelta(days=9))
    assert finding.subject == f"decision:{decision.pk}"
    assert finding.detail == (
        f"Decision pending since {raised:%a %-d %b}: “Which webinar platform?” waits for Carol (Company B), "
        "needed by Fri 4 Dec."
    )
    Decision.objects.filter(pk=decision.pk).update(status="made")
    assert list(decision_pending(Campaign.objects.all(), raised + datetime.timedelta(days=9))) == []


def test_the_weekly_digest_lists_pending_decisions_per_decider(shared_campaign, maker):
    Decision.objects.create(campaign=shared_campaign, text="Budget split", status="pending", decided_by=maker)

    (line,) = digest_lines.pending_decisions([maker.person_id], timezone.now() + datetime.timedelta(days=3))

    assert line.person_id == maker.person_id and "Decision for you to make: “Budget split”" in line.text
    assert "pending for 3 days" in line.text


def test_the_decision_log_page_raises_a_pending_decision(shared_campaign, maker, alice):
    client = admin_of(alice)
    form = client.get(f"/admin/meetings/decision/add/?campaign={shared_campaign.pk}").content.decode()
    assert "Carol" in form

    response = client.post(
        f"/admin/meetings/decision/add/?campaign={shared_campaign.pk}",
        {"campaign": shared_campaign.pk, "text": "Co-host the follow-up?", "status": "pending", "decided_by": maker.pk},
    )
    assert response.status_code == 302
    assert Decision.objects.get(text="Co-host the follow-up?").status == "pending"


def test_minutes_reach_every_invitee_once_and_the_absent_copy_says_so(weekly, team, maker, now):
    meeting = Meeting.objects.filter(series=weekly).order_by("starts_at").first()
    extra = member_of(weekly.campaign, team[0].person.organization)
    Attendance.objects.create(meeting=meeting, member=extra, status=Attendance.Status.EXCUSED)
    ActionItem.objects.create(meeting=meeting, title="Send bios", owner=team[0], due_date=datetime.date(2026, 11, 27))
    Decision.objects.create(meeting=meeting, text="Blue hero image", decided_by=team[0])
    Decision.objects.create(meeting=meeting, text="Budget split", status="pending", decided_by=maker)
    statuses = {team[0]: "present", team[1]: "absent"}

    services.meeting_log(meeting=meeting, attendance=statuses, now=meeting.ends_at)
    services.meeting_log(meeting=meeting, attendance=statuses, notes="A correction", now=meeting.ends_at)  # an edit

    minutes = Reminder.objects.filter(kind=MINUTES, subject=f"meeting:{meeting.pk}")
    by_person = {row.person_id: row for row in minutes}
    assert sorted(by_person) == sorted([team[0].person_id, team[1].person_id, extra.person_id])
    assert minutes.count() == 3
    present, absent = by_person[team[0].person_id].body_text, by_person[team[1].person_id].body_text
    assert "You were not at this meeting" in absent and "You were not at this meeting" not in present
    assert "You were not at this meeting" in by_person[extra.person_id].body_text
    for body in (present, absent):
        assert "Present: Alice (Company A)." in body and "Carol (Company B)" in body
        assert "Decided: Blue hero image (Alice)." in body
        assert "Decision pending: Budget split — Carol decides." in body
        assert "Action item: Send bios — Alice, due Fri 27 Nov." in body


def test_raising_a_decision_asks_for_the_campaign_first(shared_campaign, other_campaign, alice):
    page = admin_of(alice).get("/admin/meetings/decision/add/").content.decode()
    assert "Which campaign is the decision for?" in page and "A and B webinar" in page and "secret pilot" not in page
