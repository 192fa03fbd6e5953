"""Meeting reminders, registered with campaigns' reminder registry; due moments in each recipient's time zone.

Each source is a constant number of queries whatever the number of meetings or people.
"""

import datetime
import zoneinfo
from collections import defaultdict

from django.urls import reverse

from campaigns import reminder_sources
from campaigns.reminder_sources import (
    DAILY_REMINDER_TIME,
    compose,
    day_label,
    due_soon_moment,
    local_moment,
    lookback,
    overdue_moment,
    site_link,
)
from campaigns.models import Campaign
from meetings.models import ActionItem, Attendance, Meeting

ACTION_ITEM_DUE_SOON_DAYS = 2


def _item_line(item: ActionItem, mine: bool = False) -> str:
    owner = "you" if mine else item.owner.person.full_name
    return f"{item.title} — {owner}, due {day_label(item.due_date)}"


@reminder_sources.reminder_source("meeting_tomorrow", label="Meeting tomorrow")
def meeting_tomorrow(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To each invited person at 09:00 their time the day before: local time, agenda, open action items."""
    # 09:00 the day before is at most 39 hours ahead of a meeting, wherever the recipient lives.
    invitations = (
        Attendance.objects.filter(
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + datetime.timedelta(hours=48),
            meeting__series__campaign__in=Campaign.objects.open(),
        )
        .exclude(status__in=Attendance.MISSED)
        .select_related("meeting__series__campaign", "member__person")
    )
    due_rows = []
    for invitation in invitations:
        person, meeting = invitation.member.person, invitation.meeting
        local_start = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(person.time_zone))
        due_at = local_moment(local_start.date() - datetime.timedelta(days=1), DAILY_REMINDER_TIME, person.time_zone)
        if due_at <= now and now - due_at <= lookback():
            due_rows.append((invitation, local_start, due_at))
    open_items = defaultdict(list)
    campaign_ids = {invitation.meeting.series.campaign_id for invitation, *_ in due_rows}
    for item in (
        ActionItem.objects.open()
        .filter(meeting__series__campaign__in=campaign_ids)
        .select_related("owner__person", "meeting__series")
    ):
        open_items[item.meeting.series.campaign_id].append(item)
    return [
        _meeting_tomorrow_reminder(invitation, local_start, due_at, open_items)
        for invitation, local_start, due_at in due_rows
    ]


def _meeting_tomorrow_reminder(invitation, local_start, due_at, open_items) -> reminder_sources.DueReminder:
    person, meeting = invitation.member.person, invitation.meeting
    series, campaign = meeting.series, meeting.series.campaign
    paragraphs = [
        f"“{series.title}” of the campaign “{campaign.name}” is tomorrow, "
        f"{local_start:%A %-d %B at %H:%M} your time ({person.time_zone}).",
    ]
    if series.video_link:
        paragraphs.append(f"Join: {series.video_link}")
    paragraphs.append(f"Agenda:\n{meeting.agenda}" if meeting.agenda else "No agenda yet.")
    items = open_items.get(campaign.pk, [])
    if items:
        paragraphs.append("Open action items of the campaign:")
    text, html = compose(
        person.full_name,
        paragraphs,
        site_link(reverse("admin:meetings_meeting_change", args=[meeting.pk])),
        [_item_line(item, mine=item.owner.person_id == person.pk) for item in items],
    )
    return reminder_sources.DueReminder(
        kind="meeting_tomorrow",
        subject=f"meeting:{meeting.pk}",
        person_id=person.pk,
        due_at=due_at,
        campaign_id=campaign.pk,
        subject_line=f"Tomorrow {local_start:%H:%M}: {series.title} — {campaign.name}",
        body_text=text,
        body_html=html,
    )


def _open_items_due_between(first: datetime.date, last: datetime.date):
    return (
        ActionItem.objects.open()
        .filter(due_date__range=(first, last), meeting__series__campaign__in=Campaign.objects.open())
        .select_related("owner__person", "meeting__series__campaign")
    )


def _action_item_reminder(kind: str, item: ActionItem, due_at, subject_line: str, sentence: str):
    person, campaign = item.owner.person, item.meeting.series.campaign
    text, html = compose(
        person.full_name,
        [sentence, f"You own it in the campaign “{campaign.name}”. Mark it done, or agree a new date."],
        site_link(reverse("admin:meetings_actionitem_change", args=[item.pk])),
    )
    return reminder_sources.DueReminder(
        kind=kind,
        subject=f"action_item:{item.pk}",
        person_id=person.pk,
        due_at=due_at,
        campaign_id=campaign.pk,
        subject_line=subject_line,
        body_text=text,
        body_html=html,
    )


@reminder_sources.reminder_source("action_item_due", label="Action item due soon")
def action_item_due(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To the owner at 09:00 their time, two days before the due date."""
    today = now.date()
    # Every time zone's "today" lies within a day of UTC's; the exact moment is checked per owner below.
    items = _open_items_due_between(
        today - datetime.timedelta(days=1), today + datetime.timedelta(days=ACTION_ITEM_DUE_SOON_DAYS + 1)
    )
    due = []
    for item in items:
        due_at = due_soon_moment(item.due_date, ACTION_ITEM_DUE_SOON_DAYS, item.owner.person.time_zone, now)
        if due_at is not None:
            due.append(
                _action_item_reminder(
                    "action_item_due",
                    item,
                    due_at,
                    f"Due {day_label(item.due_date)}: “{item.title}”",
                    f"The action item “{item.title}” is due on {day_label(item.due_date)}.",
                )
            )
    return due


@reminder_sources.reminder_source("action_item_overdue", label="Action item overdue")
def action_item_overdue(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To the owner at 09:00 their time on the day after the due date."""
    today = now.date()
    items = _open_items_due_between(today - lookback() - datetime.timedelta(days=2), today)
    due = []
    for item in items:
        due_at = overdue_moment(item.due_date, item.owner.person.time_zone, now)
        if due_at is not None:
            due.append(
                _action_item_reminder(
                    "action_item_overdue",
                    item,
                    due_at,
                    f"Overdue: “{item.title}”",
                    f"The action item “{item.title}” was due on {day_label(item.due_date)} and is still open.",
                )
            )
    return due
