import datetime

import pytest
import time_machine

from tests.conftest import member_of_user
from tests.meetings.factories import series_for

# The tests' clock: Monday 23 Nov 2026, 12:00 UTC (the project's "today").
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def the_tests_clock():
    """Every meeting test runs at NOW (the clock then ticks on), so "upcoming" and "past" do not depend on the
    hour the suite happens to run: the series of these tests start on 24 Nov 2026."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def team(shared_campaign, alice, carol):
    """Alice (company A) and Carol (company B) on the shared campaign, as members."""
    members = {member.person.user: member for member in shared_campaign.members.select_related("person__user")}
    return members[alice], members[carol]


@pytest.fixture
def weekly(shared_campaign, team):
    """Weekly on Tuesdays 10:00 America/New_York from 24 Nov 2026, facilitated by Alice, Alice and Carol invited."""
    return series_for(shared_campaign, facilitator=team[0], attendees=list(team), now=NOW)


@pytest.fixture
def secret_series(other_campaign, charlie):
    """A series on the B+C campaign, which company A must never see."""
    member = other_campaign.members.get(person__user=charlie)
    return series_for(other_campaign, facilitator=member, attendees=[member], now=NOW, title="Secret pilot sync")


__all__ = ["member_of_user"]
