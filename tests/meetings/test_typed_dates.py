"""An action item's due date and a pending decision's needed-by date are bounded like every date people type
(utilities.validation.DateBounds: 2000 to 2100): 400 naming the field, never a year 9999 that a reminder or an
agenda would compute with."""

import pytest

from meetings.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("due_date", ["0001-01-01", "9999-12-31"])
def test_an_action_item_due_in_an_impossible_year_is_refused_naming_the_field(api, alice, team, weekly, due_date):
    meeting = Meeting.objects.filter(series=weekly).first()
    answer = api.as_user(alice).post(
        "/api/action-items/",
        {"meeting": meeting.pk, "title": "Bios", "owner": team[0].pk, "due_date": due_date},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["due_date"] == ["Choose a date from 01 Jan 2000 to 31 Dec 2100."]
    assert not ActionItem.objects.exists()


def test_an_action_item_due_next_month_is_recorded(api, alice, team, weekly):
    meeting = Meeting.objects.filter(series=weekly).first()
    answer = api.as_user(alice).post(
        "/api/action-items/",
        {"meeting": meeting.pk, "title": "Bios", "owner": team[0].pk, "due_date": "2026-12-20"},
        format="json",
    )

    assert answer.status_code == 201, answer.content
