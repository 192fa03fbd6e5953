"""Meeting reminders, registered with campaigns' reminder registry; due moments in each recipient's time zone.

Each source is one query, stored into the outbox by the database whatever the number of meetings or people;
the e-mail is written when the reminder is sent (`render`).
"""

import datetime
import zoneinfo

from django.db.models import F, QuerySet
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.registries import reminder_sources
from campaigns.registries.due import due_moments
from campaigns.registries.reminder_sources import (
    LocalDate,
    LocalMoment,
    Message,
    NoLongerDue,
    compose,
    day_label,
    due_rows,
    due_since_lookback,
    lookback,
    relative_day,
    site_link,
    subject_id,
)
from campaigns.services.answers import answer_links
from meetings.models import ActionItem, Attendance, Meeting

ACTION_ITEM_DUE_SOON_DAYS = 2


def _item_line(item: ActionItem, mine: bool = False) -> str:
    owner = "you" if mine else item.owner.person.full_name
    return f"{item.title} — {owner}, due {day_label(item.due_date)}"


def _render_meeting_tomorrow(reminder) -> Message:
    person = reminder.person
    meeting = Meeting.objects.select_related("series__campaign").get(pk=subject_id(reminder))
    now = timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= now:
        raise NoLongerDue("The meeting was cancelled, logged or has already begun.")
    series, campaign = meeting.series, meeting.series.campaign
    local_start = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(person.time_zone))
    when = relative_day(local_start.date(), person.time_zone, now)
    paragraphs = [
        f"“{series.title}” of the campaign “{campaign.name}” is {when}, "
        f"{local_start:%A %-d %B at %H:%M} your time ({person.time_zone}).",
    ]
    if series.video_link:
        paragraphs.append(f"Join: {series.video_link}")
    paragraphs.append(f"Agenda:\n{meeting.agenda}" if meeting.agenda else "No agenda yet.")
    items = list(ActionItem.objects.open().filter(meeting__series__campaign=campaign).select_related("owner__person"))
    if items:
        paragraphs.append("Open action items of the campaign:")
    text, html = compose(
        person.full_name,
        paragraphs,
        site_link(reverse("admin:meetings_meeting_change", args=[meeting.pk])),
        [_item_line(item, mine=item.owner.person_id == person.pk) for item in items],
    )
    return Message(f"{when.capitalize()} {local_start:%H:%M}: {series.title} — {campaign.name}", text, html)


def _day_before(zone: str) -> LocalMoment:
    """09:00 in the person's zone on the day before the meeting's local date."""
    return LocalMoment(LocalDate("meeting__starts_at", zone), zone, days=-1)


def _invitations_due(open_campaigns, now: datetime.datetime) -> QuerySet:
    invitations = Attendance.objects.filter(
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=now,
        meeting__series__campaign__in=open_campaigns,
    ).exclude(status__in=Attendance.MISSED)
    return due_moments(
        invitations, campaign="meeting__series__campaign_id", moment=_day_before("member__person__time_zone")
    )


@reminder_sources.reminder_source(
    "meeting_tomorrow", label="Meeting tomorrow", render=_render_meeting_tomorrow, due=_invitations_due
)
def meeting_tomorrow(now: datetime.datetime) -> QuerySet:
    """To each invited person at 09:00 their time the day before: local time, agenda, open action items."""
    zone = "member__person__time_zone"
    # 09:00 the day before is at most 39 hours ahead of a meeting, wherever the recipient lives.
    invitations = (
        Attendance.objects.filter(
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + datetime.timedelta(hours=48),
            meeting__series__campaign__in=Campaign.objects.open(),
        )
        .exclude(status__in=Attendance.MISSED)
        .alias(due_at=_day_before(zone))
        .filter(*due_since_lookback(now))
    )
    return due_rows(
        invitations,
        subject="meeting",
        subject_id="meeting_id",
        person="member__person_id",
        company="member__person__organization_id",
        due_at=F("due_at"),
        campaign="meeting__series__campaign_id",
    )


def _open_items_due(first: datetime.date, last: datetime.date, due_at: LocalMoment, *conditions) -> QuerySet:
    """The owners of open action items of open campaigns due between `first` and `last`, as due reminders at
    `due_at` (an expression of the item's due date and the owner's time zone) wherever `conditions` hold."""
    items = (
        ActionItem.objects.open()
        .filter(due_date__range=(first, last), meeting__series__campaign__in=Campaign.objects.open())
        .alias(due_at=due_at)
        .filter(*conditions)
    )
    return due_rows(
        items,
        subject="action_item",
        subject_id="pk",
        person="owner__person_id",
        company="owner__person__organization_id",
        due_at=F("due_at"),
        campaign="meeting__series__campaign_id",
    )


def _action_item_message(reminder, subject_line: str, sentence: str) -> Message:
    item = ActionItem.objects.select_related("meeting__series__campaign").get(pk=subject_id(reminder))
    if item.status != ActionItem.Status.OPEN:
        raise NoLongerDue("The action item is no longer open.")
    campaign, due = item.meeting.series.campaign, day_label(item.due_date)
    text, html = compose(
        reminder.person.full_name,
        [
            sentence.format(title=item.title, due=due),
            f"You own it in the campaign “{campaign.name}”. Mark it done, or agree a new date.",
        ],
        site_link(reverse("admin:meetings_actionitem_change", args=[item.pk])),
        answers=answer_links("action_item", item, reminder.person),
    )
    return Message(subject_line.format(title=item.title, due=due), text, html)


def _render_action_item_due(reminder) -> Message:
    return _action_item_message(reminder, "Due {due}: “{title}”", "The action item “{title}” is due on {due}.")


def _owners_due_at(days: int):
    """The due moments of reminders to open action items' owners: 09:00 their time, `days` after the due date."""

    def moments(open_campaigns, now: datetime.datetime) -> QuerySet:
        items = ActionItem.objects.open().filter(
            meeting__series__campaign__in=open_campaigns, due_date__gte=now.date() - datetime.timedelta(days=days + 1)
        )
        moment = LocalMoment("due_date", "owner__person__time_zone", days=days)
        return due_moments(items, campaign="meeting__series__campaign_id", moment=moment)

    return moments


@reminder_sources.reminder_source(
    "action_item_due",
    label="Action item due soon",
    render=_render_action_item_due,
    due=_owners_due_at(-ACTION_ITEM_DUE_SOON_DAYS),
)
def action_item_due(now: datetime.datetime) -> QuerySet:
    """To the owner at 09:00 their time, two days before the due date, until it is due."""
    today = now.date()
    zone = "owner__person__time_zone"
    overdue_from = LocalMoment("due_date", zone, days=1, at=datetime.time(0))
    # Every time zone's "today" lies within a day of UTC's: the window lets the index narrow the rows first.
    return _open_items_due(
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=ACTION_ITEM_DUE_SOON_DAYS + 1),
        LocalMoment("due_date", zone, days=-ACTION_ITEM_DUE_SOON_DAYS),
        *due_since_lookback(now),
        GreaterThan(overdue_from, now),
    )


def _render_action_item_overdue(reminder) -> Message:
    return _action_item_message(
        reminder, "Overdue: “{title}”", "The action item “{title}” was due on {due} and is still open."
    )


@reminder_sources.reminder_source(
    "action_item_overdue", label="Action item overdue", render=_render_action_item_overdue, due=_owners_due_at(1)
)
def action_item_overdue(now: datetime.datetime) -> QuerySet:
    """To the owner at 09:00 their time on the day after the due date."""
    today = now.date()
    due_at = LocalMoment("due_date", "owner__person__time_zone", days=1)
    return _open_items_due(today - lookback() - datetime.timedelta(days=2), today, due_at, *due_since_lookback(now))
