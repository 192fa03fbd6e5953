import datetime

from tests.clients import admin_of
from tests.meetings.factories import series_for


def listed(client, query: str) -> list[datetime.datetime]:
    return [meeting.starts_at for meeting in client.get(f"/admin/meetings/meeting/?{query}").context["cl"].result_list]


def test_the_meetings_list_filters_by_the_readers_own_week(alice, shared_campaign, team):
    """It is Monday 23 Nov, 21:00 in Tokyo (12:00 UTC). A Tokyo series meets on Mondays at 08:00 local time,
    which is Sunday 23:00 UTC: the week the reader means is Tokyo's, not UTC's."""
    alice.person.time_zone = "Asia/Tokyo"
    alice.person.save()
    series_for(
        shared_campaign,
        facilitator=team[0],
        first_date=datetime.date(2026, 11, 23),
        start_time=datetime.time(8, 0),
        time_zone="Asia/Tokyo",
        now=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
    )
    client = admin_of(alice)
    utc = datetime.UTC

    assert listed(client, "week=this") == [datetime.datetime(2026, 11, 22, 23, 0, tzinfo=utc)]
    assert listed(client, "week=next") == [datetime.datetime(2026, 11, 29, 23, 0, tzinfo=utc)]
    assert listed(client, "week=last") == []
    assert "This week" in client.get("/admin/meetings/meeting/").content.decode()
