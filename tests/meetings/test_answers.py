import datetime

from django.test import Client

from campaigns.models import Reminder
from campaigns.registries import reminder_sources
from meetings.models import ActionItem, Meeting
from tests.campaigns.test_answers import link_in
from tests.meetings.factories import series_for

NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


def test_an_action_item_is_ticked_off_from_its_reminder_with_one_click(shared_campaign, carol):
    series = series_for(shared_campaign, now=NOW)
    owner = shared_campaign.members.get(person=carol.person)
    item = ActionItem.objects.create(
        meeting=Meeting.objects.filter(series=series).first(),
        title="Book the studio",
        owner=owner,
        due_date=datetime.date(2026, 12, 4),
    )
    reminder = Reminder(
        kind="action_item_due",
        subject=f"action_item:{item.pk}",
        person=carol.person,
        due_at=NOW,
        campaign=shared_campaign,
    )
    message = reminder_sources.sources["action_item_due"].render(reminder)
    done = link_in(message, "Done")
    assert Client().get(done).status_code == 200
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN  # opening the link answers nothing
    assert Client().post(done).status_code == 200
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
