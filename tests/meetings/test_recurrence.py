import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from meetings.models import Meeting, MeetingSeries
from tests.meetings.factories import series_for
from utilities.validation import save_validated

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
        ("FREQ=WEEKLY;BYDAY=XX", "recurrence", "BYDAY takes days such as MO,TH"),
        ("FREQ=DAILY;INTERVAL=0", "recurrence", "INTERVAL must be a whole number from 1 to 52"),
        ("FREQ=DAILY;INTERVAL=-1", "recurrence", "INTERVAL must be a whole number from 1 to 52"),
        ("FREQ=WEEKLY;INTERVAL=100000", "recurrence", "INTERVAL must be a whole number from 1 to 52"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "recurrence", "BYMONTHDAY takes numbers from -31 to -1 or 1 to 31"),
        ("FREQ=YEARLY;BYMONTH=13", "recurrence", "BYMONTH takes numbers from 1 to 12"),
        ("FREQ=MONTHLY;BYDAY=9TU", "recurrence", "a numbered weekday needs FREQ=MONTHLY (1 to 5)"),
        ("FREQ=WEEKLY;BYDAY=2TU", "recurrence", "a numbered weekday needs"),
        ("FREQ=DAILY;BYMONTHDAY=30", "recurrence", "BYMONTHDAY needs FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=WEEKLY;BYDAY=TU,TU", "recurrence", "at most 35 different values"),
        ("FREQ=WEEKLY;WKST=XX", "recurrence", "WKST is one of"),
        ("FREQ=WEEKLY;UNTIL=99991231", "recurrence", "or earlier, got “99991231”"),
        ("FREQ=WEEKLY;UNTIL=00010101", "recurrence", "is before any first meeting"),
        ("FREQ=WEEKLY;UNTIL=99991231T235959Z", "recurrence", "or earlier"),
        # Never matches the first date: refused at once instead of being searched up to the year 9999.
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "first_date", "does not fall on a day of the rule"),
        ("FREQ=DAILY;BYMONTH=2", "first_date", "does not fall on a day of the rule"),
        ("FREQ=WEEKLY;BYHOUR=9", "recurrence", "BYHOUR is not supported"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "recurrence", "either by a date (UNTIL) or by a number (COUNT)"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "recurrence", "UNTIL must be a date"),
        ("FREQ=WEEKLY;COUNT=0", "recurrence", "COUNT must be a whole number"),
        ("FREQ=WEEKLY;UNTIL=20261101", "recurrence", "ends before the first meeting"),
        ("FREQ=WEEKLY;BYDAY=MO", "first_date", "does not fall on a day of the rule"),
        ("FREQ=WEEKLY;COUNT=520", "recurrence", "at the latest; end it earlier"),
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


@pytest.mark.parametrize("first_date", [datetime.date(1900, 1, 2), datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
def test_it_refuses_a_first_date_far_from_today(shared_campaign, team, first_date):
    with pytest.raises(ValidationError) as error:
        _series(shared_campaign, team[0], first_date=first_date, recurrence="FREQ=DAILY").full_clean()
    assert "Choose a date from" in error.value.message_dict["first_date"][0]


def test_it_keeps_accepting_an_unchanged_first_date_once_it_is_long_past(shared_campaign, team, settings):
    series = save_validated(_series(shared_campaign, team[0]))
    settings.DATE_WINDOW_PAST_DAYS = 0

    series.title = "Renamed"
    save_validated(MeetingSeries.objects.get(pk=series.pk))  # the first date is older than the window now


def test_it_normalizes_numbered_lists(shared_campaign, team):
    series = save_validated(
        _series(
            shared_campaign,
            team[0],
            first_date=datetime.date(2026, 12, 8),
            recurrence="FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=01,+12",
        )
    )
    assert series.recurrence == "FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,12"
