"""Meetings in a campaign's plan (registered with campaigns): a campaign planned from a template starts with
its weekly joint meeting, a company that joins the campaign joins its meetings, and its meetings show on the
campaign's timeline."""

import datetime

from django.utils import timezone

from campaigns.models import Campaign, CampaignTemplate, Member, Party
from campaigns.pages.timeline import TimelineMark, timeline_marks
from campaigns.registries.joins import company_joined
from campaigns.services.plans import plan_extra
from meetings.models import Meeting, MeetingSeries
from meetings.services import series_attendees_add, series_create
from partners.scoping import time_zone_of


def first_weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


@plan_extra
def weekly_series(campaign: Campaign, template: CampaignTemplate, user) -> None:
    """The template's weekly meeting, from the kickoff (or today), facilitated by the creator."""
    facilitator = Member.objects.filter(campaign=campaign, person__user=user).first() if user else None
    if not template.has_weekly_meeting or facilitator is None:
        return
    start = max(campaign.kickoff_date or timezone.localdate(), timezone.localdate())
    series_create(
        series=MeetingSeries(
            campaign=campaign,
            title="Weekly joint meeting",
            first_date=first_weekday_on_or_after(start, template.meeting_weekday),
            start_time=template.meeting_time,
            time_zone=time_zone_of(user) or "UTC",
            duration_minutes=template.meeting_duration_minutes,
            facilitator=facilitator,
        ),
        user=user,
    )


@company_joined
def joining_company_attends(party: Party, user) -> None:
    """The joining company's team on the campaign is invited to every meeting series of it still running."""
    team = list(Member.objects.filter(campaign=party.campaign_id, person__organization=party.organization_id))
    now = timezone.now()
    for series in MeetingSeries.objects.filter(campaign=party.campaign_id):
        if series.last_start is None or series.last_start > now:
            series_attendees_add(series=series, members=team)


@timeline_marks
def meeting_marks(campaign: Campaign) -> list[TimelineMark]:
    meetings = Meeting.objects.filter(series__campaign=campaign).exclude(status=Meeting.Status.CANCELLED)
    return [
        TimelineMark(start.date(), title)
        for start, title in meetings.order_by("starts_at").values_list("starts_at", "series__title")
    ]
