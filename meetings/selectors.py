"""Reads of the meetings app, each a queryset (or a few) whatever the number of rows."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from meetings.models import ActionItem, Attendance, CalendarToken, Decision, Meeting, MeetingSeries
from meetings.models.calendar import hash_secret


def _attendance_count(**only) -> Coalesce:
    counted = Attendance.objects.filter(meeting=OuterRef("pk"), **only).order_by().values("meeting")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def with_meeting_columns(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """What a meeting list shows, fetched with the rows. The counts are subqueries of each row shown, not a GROUP
    BY: grouping a hub's 300,000 meetings with their attendance before the page was cut took 11 s."""
    return meetings.select_related("series__campaign").annotate(
        present_count=_attendance_count(status=Attendance.Status.PRESENT),
        invited_count=_attendance_count(),
    )


def meeting_log_prefetches() -> list[Prefetch]:
    """Attendance, decisions and action items of meetings, with the people behind them."""
    return [
        Prefetch("attendance", Attendance.objects.select_related("member__person__organization")),
        Prefetch("decisions", Decision.objects.select_related("decided_by__person", "superseded_by", "withdrawn_by")),
        Prefetch("action_items", ActionItem.objects.select_related("owner__person", "deliverable")),
    ]


def meeting_with_log(*, meeting_id: int) -> Meeting:
    return (
        Meeting.objects.select_related("series__campaign", "series__facilitator__person", "logged_by")
        .prefetch_related(*meeting_log_prefetches())
        .get(pk=meeting_id)
    )


def with_action_item_columns(items: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    return items.select_related("meeting__series__campaign", "owner__person__organization", "deliverable")


def calendar_token_by_secret(secret: str) -> CalendarToken | None:
    """The usable subscription with this secret, with its owner; None when unknown, revoked, its owner left, or
    it is the feed of a campaign the owner's company no longer takes part in."""
    token = CalendarToken.objects.usable().select_related("owner").filter(secret_hash=hash_secret(secret)).first()
    if token is None or token.campaign_id is None:
        return token
    return token if Campaign.objects.for_user(token.owner).filter(pk=token.campaign_id).exists() else None


def series_in_feed(*, token: CalendarToken) -> tuple[QuerySet[MeetingSeries], QuerySet[Meeting]]:
    """What a feed shows, through its owner's eyes: whole series, plus single meetings they are a guest of.

    A campaign feed: every series of that campaign. A personal feed: the series the owner facilitates or
    is invited to by default, and meetings of other series they are listed on.
    """
    visible_series = MeetingSeries.objects.for_user(token.owner).select_related("campaign", "facilitator__person")
    visible_meetings = Meeting.objects.for_user(token.owner).select_related("series__campaign")
    if token.campaign_id:
        return visible_series.filter(campaign_id=token.campaign_id), visible_meetings.none()
    person_id = getattr(getattr(token.owner, "person", None), "pk", None)
    if person_id is None:
        return visible_series.none(), visible_meetings.none()
    series = visible_series.filter(
        Q(facilitator__person_id=person_id) | Q(default_attendees__person_id=person_id)
    ).distinct()
    guest_of = visible_meetings.filter(attendance__member__person_id=person_id).exclude(series__in=series)
    return series, guest_of.exclude(status=Meeting.Status.CANCELLED)


def feed_contents(*, token: CalendarToken) -> tuple[list[tuple[MeetingSeries, list[Meeting]]], list[Meeting]]:
    """The series (each with its meetings) and single meetings of a feed: three queries."""
    series_queryset, single_meetings = series_in_feed(token=token)
    series = list(series_queryset)
    meetings_by_series: dict[int, list[Meeting]] = {item.pk: [] for item in series}
    for meeting in Meeting.objects.for_user(token.owner).filter(series__in=[item.pk for item in series]):
        meetings_by_series[meeting.series_id].append(meeting)
    return [(item, meetings_by_series[item.pk]) for item in series], list(single_meetings)
