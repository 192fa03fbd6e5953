import datetime

from django.db import transaction

from campaigns.models import Campaign, Member
from meetings import services
from meetings.models import MeetingSeries


def series_for(
    campaign: Campaign,
    *,
    facilitator: Member | None = None,
    attendees: list[Member] | None = None,
    first_date: datetime.date = datetime.date(2026, 11, 24),
    start_time: datetime.time = datetime.time(10, 0),
    time_zone: str = "America/New_York",
    recurrence: str = "FREQ=WEEKLY",
    duration_minutes: int = 30,
    now: datetime.datetime | None = None,
    **fields,
) -> MeetingSeries:
    """A series created through the service, its meetings materialized as the commit would (at `now`)."""
    facilitator = facilitator or Member.objects.filter(campaign=campaign).first()
    series = MeetingSeries(
        campaign=campaign,
        facilitator=facilitator,
        first_date=first_date,
        start_time=start_time,
        time_zone=time_zone,
        recurrence=recurrence,
        duration_minutes=duration_minutes,
        **fields,
    )
    with transaction.atomic():
        services.series_create(series=series, default_attendees=attendees or [])
    services.series_materialize(series_id=series.pk, now=now)
    return series
