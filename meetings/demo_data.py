"""Demo: the webinar's weekly joint meeting, with two logged meetings (at the second, Bluefin was absent)."""

import datetime
from typing import Any

from django.utils import timezone

from campaigns.models import Deliverable, Member
from meetings import services
from meetings.models import ActionItem, Attendance, Decision, Meeting, MeetingSeries
from partners import demo
from utilities.validation import save_validated

SERIES_TITLE = "Weekly joint review"
INVITED = [
    "priya@northwind.example",
    "tom@northwind.example",
    "alex@northwind.example",
    "sam@northwind.example",
    "sofia@bluefin.example",
    "lena@bluefin.example",
    "erik@bluefin.example",
]
# Per logged meeting (two weeks ago, last week): notes, who did not come, decisions, action items.
LOGS = [
    {
        "agenda": "1. Webinar title and abstract\n2. Speakers\n3. Landing page draft",
        "notes": "Title agreed. Jonas and Tom speak; Sofia moderates. Landing page draft is in review.",
        "missing": {"erik@bluefin.example": Attendance.Status.EXCUSED},
        "decisions": [
            ("Title: “Forecasting with real data: what finance teams trust”.", "priya@northwind.example"),
            (
                "Both companies promote through e-mail and LinkedIn; Bluefin sends the invitations.",
                "lena@bluefin.example",
            ),
        ],
        "action_items": [
            ("Send speaker bios and headshots", "sofia@bluefin.example", -4, ActionItem.Status.DONE, None),
            ("Review the landing page copy", "lena@bluefin.example", -2, ActionItem.Status.OPEN, "Landing page"),
        ],
    },
    {
        "agenda": "1. Registration form\n2. Invitation e-mails\n3. Slide deck outline",
        "notes": "Bluefin could not join (team offsite). Registration form is almost ready; deck outline agreed.",
        "missing": {
            "sofia@bluefin.example": Attendance.Status.ABSENT,
            "lena@bluefin.example": Attendance.Status.ABSENT,
            "erik@bluefin.example": Attendance.Status.ABSENT,
        },
        "decisions": [("Registration form asks for company size and planning tool in use.", "priya@northwind.example")],
        "action_items": [
            (
                "Connect the registration form to the CRM",
                "alex@northwind.example",
                2,
                ActionItem.Status.OPEN,
                "Registration form",
            ),
            ("Share the deck outline with Bluefin", "tom@northwind.example", 1, ActionItem.Status.OPEN, "Slide deck"),
        ],
    },
]


def _members(campaign) -> dict[str, Member]:
    return {member.person.email: member for member in Member.objects.filter(campaign=campaign).select_related("person")}


@demo.register
def seed_meetings(context: dict[str, Any]) -> None:
    webinar = context["webinar"]
    if MeetingSeries.objects.filter(campaign=webinar, title=SERIES_TITLE).exists():
        return
    members = _members(webinar)
    now = timezone.now()
    series = services.series_create(
        series=MeetingSeries(
            campaign=webinar,
            title=SERIES_TITLE,
            first_date=timezone.localdate() - datetime.timedelta(days=14),
            start_time=datetime.time(10, 0),
            time_zone="America/New_York",
            duration_minutes=45,
            recurrence="FREQ=WEEKLY",
            facilitator=members["priya@northwind.example"],
            video_link="https://meet.example/northwind-bluefin-weekly",
        ),
        default_attendees=[members[email] for email in INVITED],
    )
    services.series_materialize(series_id=series.pk, now=now)
    deliverables = {deliverable.title: deliverable for deliverable in Deliverable.objects.filter(campaign=webinar)}
    past = Meeting.objects.filter(series=series, starts_at__lt=now - datetime.timedelta(days=1)).order_by("starts_at")
    for meeting, log in zip(past[:2], LOGS, strict=False):
        attendance = {
            row.member: log["missing"].get(row.member.person.email, Attendance.Status.PRESENT)
            for row in meeting.attendance.select_related("member__person")
        }
        for text, email in log["decisions"]:
            save_validated(Decision(meeting=meeting, text=text, decided_by=members[email]))
        for title, email, days, status, deliverable in log["action_items"]:
            save_validated(
                ActionItem(
                    meeting=meeting,
                    title=title,
                    owner=members[email],
                    status=status,
                    due_date=timezone.localdate() + datetime.timedelta(days=days),
                    deliverable=deliverables.get(deliverable),
                )
            )
        # Logged once its decisions and action items are in: the minutes go to everyone invited.
        services.meeting_log(meeting=meeting, agenda=log["agenda"], notes=log["notes"], attendance=attendance, now=now)
    _prepare_next_meeting(series, members, now)


def _prepare_next_meeting(series: MeetingSeries, members: dict[str, Member], now: datetime.datetime) -> None:
    """A decision raised nine days ago and still waiting for Northwind's decision maker, and the facilitator's
    own items on the next meeting's agenda (the rest of the agenda comes from the campaign)."""
    pending = save_validated(
        Decision(
            campaign=series.campaign,
            text="Do we offer the recording on demand, gated behind the registration form?",
            status=Decision.Status.PENDING,
            decided_by=members["maria@northwind.example"],
            needed_by=timezone.localdate() + datetime.timedelta(days=5),
        )
    )
    Decision.objects.filter(pk=pending.pk).update(created_at=now - datetime.timedelta(days=9))
    upcoming = series.meetings.filter(starts_at__gt=now, status=Meeting.Status.SCHEDULED).order_by("starts_at").first()
    if upcoming is not None:
        upcoming.agenda = "Q&A moderation: who picks the questions\nFollow-up offer for attendees"
        save_validated(upcoming)
