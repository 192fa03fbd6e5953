import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from comarketing.validation import save_validated
from meetings.models import Meeting, MeetingSeries
from tests.meetings.factories import series_for

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _series(campaign, member, **fields):
    values = {
        "campaign": campaign,
        "facilitator": member,
        "first_date": datetime.date(2026, 11, 24),
        "start_time": datetime.time(10, 0),
        "time_zone": "America/New_York",
        **fields,
    }
    return MeetingSeries(**values)


def test_it_keeps_ten_oclock_new_york_across_both_daylight_saving_changes(shared_campaign, team, settings):
    settings.MEETING_WINDOW_WEEKS = 52
    series = series_for(
        shared_campaign,
        facilitator=team[0],
        first_date=datetime.date(2026, 2, 24),
        recurrence="FREQ=WEEKLY;COUNT=40",
        now=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    starts = list(Meeting.objects.filter(series=series).values_list("starts_at", flat=True))

    assert len(starts) == 40
    assert {start.astimezone(NEW_YORK).time() for start in starts} == {datetime.time(10, 0)}
    utc_hours = {start.date(): start.hour for start in starts}
    assert utc_hours[datetime.date(2026, 3, 3)] == 15  # EST, before 8 March
    assert utc_hours[datetime.date(2026, 3, 10)] == 14  # EDT
    assert utc_hours[datetime.date(2026, 10, 27)] == 14  # EDT, before 1 November
    assert utc_hours[datetime.date(2026, 11, 3)] == 15  # EST again


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ("FREQ=HOURLY", "recurrence", "FREQ must be one of"),
        ("FREQ=WEEKLY;BYDAY=XX", "recurrence", "not a valid recurrence rule"),
        ("FREQ=WEEKLY;BYHOUR=9", "recurrence", "BYHOUR is not supported"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "recurrence", "either by a date (UNTIL) or by a number (COUNT)"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "recurrence", "UNTIL must be a date"),
        ("FREQ=WEEKLY;COUNT=0", "recurrence", "COUNT must be a whole number"),
        ("FREQ=WEEKLY;UNTIL=20261101", "recurrence", "ends before the first meeting"),
        ("FREQ=WEEKLY;BYDAY=MO", "first_date", "does not fall on a day of the rule"),
        ("FREQ=DAILY;UNTIL=20450101", "recurrence", "at most 10 years"),
        ("FREQ=WEEKLY\nRDATE:20270101", "recurrence", "Write one rule"),
    ],
)
def test_it_refuses_a_bad_rule_with_a_clear_message(shared_campaign, team, rule, field, message):
    with pytest.raises(ValidationError) as error:
        _series(shared_campaign, team[0], recurrence=rule).full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_it_refuses_a_start_time_skipped_by_daylight_saving(shared_campaign, team):
    series = _series(shared_campaign, team[0], first_date=datetime.date(2027, 3, 14), start_time=datetime.time(2, 30))
    with pytest.raises(ValidationError) as error:
        series.full_clean()
    assert "does not exist" in error.value.message_dict["start_time"][0]


def test_it_stores_a_local_until_date_as_utc_and_knows_the_last_meeting(shared_campaign, team):
    series = save_validated(_series(shared_campaign, team[0], recurrence="rrule:freq=weekly;interval=2;until=20261231"))

    assert series.recurrence == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270101T045959Z"
    assert series.last_start == datetime.datetime(2026, 12, 22, 15, 0, tzinfo=datetime.UTC)


def test_it_refuses_a_facilitator_from_another_campaign(shared_campaign, other_campaign, team):
    outsider = other_campaign.members.first()
    with pytest.raises(ValidationError) as error:
        _series(shared_campaign, outsider).full_clean()
    assert "not on this campaign's team" in error.value.message_dict["facilitator"][0]


def test_it_refuses_an_unknown_time_zone(shared_campaign, team):
    with pytest.raises(ValidationError) as error:
        _series(shared_campaign, team[0], time_zone="Mars/Olympus").full_clean()
    assert "not a known time zone" in error.value.message_dict["time_zone"][0]
