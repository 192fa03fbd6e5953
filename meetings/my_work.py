"""The meetings' panels: on "My work", my open action items and my next meetings; on a campaign's home,
its next meeting, the last one's decisions and the open action items."""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.pages.home import campaign_home
from campaigns.registries.due_work import due_work_source
from campaigns.selectors.ours import DueWork
from meetings.models import ActionItem, Attendance, Decision, Meeting
from partners.dashboard import PANEL_ROWS, bounded, my_work
from partners.scoping import time_zone_of

NEXT_MEETINGS = 5
LOG_WITHIN = datetime.timedelta(days=14)  # a meeting older than this is no longer offered for logging here


@my_work.panel("Your open action items", "meetings/panels/my_action_items.html", order=25)
def my_action_items(request):
    items = (
        ActionItem.objects.for_user(request.user)
        .open()
        .filter(owner__person__user=request.user)
        .select_related("meeting__series__campaign")
        .order_by("due_date", "pk")
    )
    found = bounded(items)
    return {**found, "today": timezone.localdate()} if found["rows"] else None


@due_work_source
def action_items_due(user, organization_id: int, until: datetime.date, limit: int, ours: bool) -> list[DueWork]:
    """Open action items due by `until` owned by my company's people (`ours`) or by the other companies' people,
    each linked to the agenda of the next meeting of its series, where it is ticked done (or, with no meeting to
    come, to the meeting page it was given in)."""
    next_meeting = (
        Meeting.objects.filter(
            series_id=OuterRef("meeting__series_id"),
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=OuterRef("meeting__starts_at"),
        )
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    owned_by_us = Q(owner_company_id=organization_id)
    # "Not ours" as the two index ranges either side of our company: a `<>` could only filter a scan of every
    # open item by due date (a hub's half of them, 50,000 at 100,000 campaigns) to find the partners' few.
    owned_by_others = Q(owner_company_id__lt=organization_id) | Q(owner_company_id__gt=organization_id)
    items = (
        ActionItem.objects.for_user(user)
        .open()
        .filter(owned_by_us if ours else owned_by_others, due_date__lte=until)
        .exclude(meeting__series__campaign__status__in=Campaign.CLOSED_STATUSES)
        .annotate(next_meeting_id=Subquery(next_meeting))
        .select_related("meeting__series__campaign", "owner__person__organization")
        .order_by("due_date", "pk")[:limit]
    )
    return [
        DueWork(
            what=item.title,
            kind="Action item",
            campaign_id=item.meeting.series.campaign_id,
            campaign_name=item.meeting.series.campaign.name,
            due=item.due_date,
            company=item.owner.person.organization.name,
            url=reverse("admin:meetings_meeting_agenda", args=[item.next_meeting_id])
            if item.next_meeting_id
            else reverse("admin:meetings_meeting_log", args=[item.meeting_id]),
        )
        for item in items
    ]


@my_work.panel("Your meetings", "meetings/panels/next_meetings.html", order=40)
def next_meetings(request):
    """The next meetings I attend or facilitate, and, for the facilitator, the recent ones still to log."""
    user = request.user
    now = timezone.now()
    # Found from the person's own rows (attendance, series facilitated) rather than by testing every meeting.
    facilitated = Meeting.objects.filter(series__facilitator__person__user=user).filter(
        Q(ends_at__gte=now) | Q(starts_at__lte=now, starts_at__gte=now - LOG_WITHIN)
    )
    attending = Attendance.objects.filter(member__person__user=user, meeting__ends_at__gte=now)
    mine = facilitated.order_by().values("pk").union(attending.order_by().values("meeting_id"), all=True)
    meetings = (
        Meeting.objects.for_user(user)
        .filter(pk__in=mine, status=Meeting.Status.SCHEDULED)
        .select_related("series__campaign", "series__facilitator__person")
        .order_by("starts_at", "pk")[:NEXT_MEETINGS]
    )
    rows = list(meetings)
    if not rows:
        return None
    return {"rows": rows, "zone": time_zone_of(user) or "UTC", "now": now}


@campaign_home.panel("Meetings", "meetings/panels/campaign_meetings.html", order=50)
def campaign_meetings(request, campaign):
    now = timezone.now()
    meetings = Meeting.objects.filter(series__campaign=campaign).select_related("series__facilitator__person")
    upcoming = meetings.filter(status=Meeting.Status.SCHEDULED, ends_at__gte=now).order_by("starts_at").first()
    last_held = meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
    decisions = list(Decision.objects.filter(meeting=last_held).order_by("pk")) if last_held else []
    open_items = list(
        ActionItem.objects.open()
        .filter(meeting__series__campaign=campaign)
        .select_related("owner__person")
        .order_by("due_date", "pk")[:PANEL_ROWS]
    )
    return {
        "upcoming": upcoming,
        "last_held": last_held,
        "decisions": decisions,
        "open_items": open_items,
        "zone": time_zone_of(request.user) or "UTC",
        "today": timezone.localdate(),
    }


@campaign_home.link("Meetings")
def meetings_link(campaign) -> str:
    return reverse("admin:meetings_meeting_changelist") + f"?series__campaign__id__exact={campaign.pk}"


@campaign_home.link("Calendar feed")
def calendar_feed_link(campaign) -> str:
    return reverse("admin:meetings_calendartoken_add") + f"?campaign={campaign.pk}"
