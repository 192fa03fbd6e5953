import datetime
import zoneinfo

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from icalendar import Calendar

from campaigns.models import Party
from meetings import services
from meetings.models import Meeting
from tests.clients import api_of
from tests.meetings.factories import series_for

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _feed(client, secret):
    response = client.get(reverse("meetings:calendar-feed", args=[secret]))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _masters(calendar):
    return [event for event in calendar.walk("VEVENT") if "RRULE" in event]


@pytest.fixture
def campaign_feed(alice, shared_campaign):
    token, secret = services.calendar_token_create(user=alice, campaign=shared_campaign)
    return secret


@pytest.fixture
def personal_feed(carol):
    token, secret = services.calendar_token_create(user=carol)
    return secret


def test_the_campaign_feed_carries_the_series_with_rrule_and_tzid(client, weekly, campaign_feed):
    calendar = _feed(client, campaign_feed)

    [master] = _masters(calendar)
    # The series ends with the campaign: 31 Dec 2026, the end of that day in New York, in UTC.
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270101T045959Z"
    assert master["DTSTART"].params["TZID"] == "America/New_York"
    assert master.decoded("DTSTART") == datetime.datetime(
        2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert "exdate" not in master


def test_the_series_ends_with_the_campaign_unless_its_own_rule_ends_sooner(client, weekly, campaign_feed):
    campaign = weekly.campaign
    campaign.end_date = datetime.date(2026, 12, 10)
    campaign.save()
    [master] = _masters(_feed(client, campaign_feed))
    occurrences = list(rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART")))
    assert [day.date() for day in occurrences] == [
        datetime.date(2026, 11, 24),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
    ]

    weekly.recurrence = "FREQ=WEEKLY;COUNT=2"
    weekly.save()
    [master] = _masters(_feed(client, campaign_feed))
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=2"  # a rule that ends by itself is left alone


def test_a_berlin_person_sees_the_right_local_time_across_daylight_saving(
    client, shared_campaign, team, carol, settings
):
    settings.MEETING_WINDOW_WEEKS = 30
    shared_campaign.end_date = datetime.date(2027, 6, 30)  # the series runs past both clock changes
    shared_campaign.save()
    carol.person.time_zone = "Europe/Berlin"
    carol.person.save()
    series_for(
        shared_campaign,
        facilitator=team[0],
        attendees=list(team),
        first_date=datetime.date(2026, 11, 24),
        now=datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC),
    )
    token, secret = services.calendar_token_create(user=carol)

    calendar = _feed(client, secret)
    [master] = _masters(calendar)
    assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"
    occurrences = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
    berlin = {start.date(): start.astimezone(BERLIN).strftime("%H:%M") for start in occurrences[:20]}

    assert berlin[datetime.date(2026, 12, 1)] == "16:00"
    # The US moves its clocks on 14 March 2027, Europe on 28 March: for two weeks the meeting is at 15:00 in Berlin.
    assert berlin[datetime.date(2027, 3, 9)] == "16:00"
    assert berlin[datetime.date(2027, 3, 16)] == "15:00"
    assert berlin[datetime.date(2027, 3, 23)] == "15:00"
    assert berlin[datetime.date(2027, 3, 30)] == "16:00"


def test_a_moved_meeting_is_an_override_and_a_cancelled_one_an_exdate(client, weekly, campaign_feed):
    moved, cancelled = Meeting.objects.filter(series=weekly)[1:3]
    services.meeting_reschedule(meeting=moved, starts_at=moved.starts_at + datetime.timedelta(hours=3))
    services.meeting_cancel(meeting=cancelled)

    calendar = _feed(client, campaign_feed)

    [master] = _masters(calendar)
    exdates = [value.dt for value in master["EXDATE"].dts]
    assert exdates == [cancelled.original_start.astimezone(weekly.zone)]
    [override] = [event for event in calendar.walk("VEVENT") if "RECURRENCE-ID" in event]
    assert override["UID"] == master["UID"]
    assert override.decoded("RECURRENCE-ID") == moved.original_start
    assert override.decoded("DTSTART").astimezone(weekly.zone).time() == datetime.time(13, 0)


def test_a_feed_never_contains_another_companys_meetings(client, weekly, secret_series, alice, charlie, operator):
    personal = services.calendar_token_create(user=alice)[1]
    campaign = services.calendar_token_create(user=alice, campaign=weekly.campaign)[1]
    for secret in (personal, campaign):
        body = client.get(reverse("meetings:calendar-feed", args=[secret])).content.decode()
        assert "Secret pilot sync" not in body
        assert "B and C secret pilot" not in body
    charlie_feed = _feed(client, services.calendar_token_create(user=charlie)[1])
    assert [str(event["SUMMARY"]) for event in _masters(charlie_feed)] == ["Secret pilot sync — B and C secret pilot"]


def test_a_company_cannot_subscribe_to_a_campaign_it_is_not_part_of(alice, other_campaign):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.calendar_token_create(user=alice, campaign=other_campaign)


def test_a_personal_feed_shows_only_the_series_the_person_is_invited_to(
    client, weekly, shared_campaign, team, carol, now
):
    series_for(shared_campaign, facilitator=team[0], attendees=[team[0]], title="Vendor-only prep", now=now)

    calendar = _feed(client, services.calendar_token_create(user=carol)[1])

    assert [str(event["SUMMARY"]).split(" — ")[0] for event in _masters(calendar)] == ["Weekly joint meeting"]


def test_a_company_that_left_the_campaign_finds_it_gone_from_its_feeds(client, weekly, shared_campaign, alice, carol):
    personal = services.calendar_token_create(user=carol)[1]
    campaign = services.calendar_token_create(user=carol, campaign=shared_campaign)[1]
    alices = services.calendar_token_create(user=alice, campaign=shared_campaign)[1]
    assert len(_masters(_feed(client, personal))) == len(_masters(_feed(client, campaign))) == 1
    party = Party.objects.get(campaign=shared_campaign, organization=carol.person.organization)

    assert api_of(alice).delete(f"/api/parties/{party.pk}/").status_code == 204

    assert client.get(reverse("meetings:calendar-feed", args=[campaign])).status_code == 404
    body = client.get(reverse("meetings:calendar-feed", args=[personal])).content.decode()
    assert "BEGIN:VEVENT" not in body and "A and B webinar" not in body
    assert [str(event["SUMMARY"]) for event in _masters(_feed(client, alices))] == [
        "Weekly joint meeting — A and B webinar"
    ]


def test_a_revoked_or_unknown_address_answers_404(client, alice, weekly, campaign_feed):
    token = alice.calendar_tokens.get()
    services.calendar_token_revoke(token=token)

    assert client.get(reverse("meetings:calendar-feed", args=[campaign_feed])).status_code == 404
    assert client.get(reverse("meetings:calendar-feed", args=["not-a-real-secret"])).status_code == 404


def test_a_feed_of_a_deactivated_login_answers_404(client, alice, weekly, campaign_feed):
    alice.is_active = False
    alice.save()
    assert client.get(reverse("meetings:calendar-feed", args=[campaign_feed])).status_code == 404


def test_the_secret_is_not_stored(alice, campaign_feed):
    token = alice.calendar_tokens.get()
    assert campaign_feed not in (token.secret_hash, token.secret_hint)
    assert campaign_feed.endswith(token.secret_hint)


def test_a_meeting_downloads_as_ics_only_for_its_campaigns_companies(api, alice, charlie, weekly):
    meeting = Meeting.objects.filter(series=weekly).first()

    response = api.as_user(alice).get(f"/api/meetings/{meeting.pk}/ics/")
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event["DTSTART"].params["TZID"] == "America/New_York"

    assert api.as_user(charlie).get(f"/api/meetings/{meeting.pk}/ics/").status_code == 404


def test_a_meeting_downloads_as_ics_from_the_admin(client, alice, charlie, weekly):
    meeting = Meeting.objects.filter(series=weekly).first()
    url = reverse("admin:meetings_meeting_ics", args=[meeting.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404
