import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import KickoffQuestionnaire
from meetings import tasks
from meetings.models import Attendance, CalendarToken, Meeting, MeetingSeries


def _create(api, user, campaign, member, **fields):
    payload = {
        "campaign": campaign.pk,
        "first_date": "2026-11-24",
        "start_time": "10:00",
        "time_zone": "America/New_York",
        "facilitator": member.pk,
        **fields,
    }
    return api.as_user(user).post("/api/meeting-series/", payload, format="json")


def test_the_api_creates_a_series_and_its_meetings_appear_at_once(
    api, alice, team, shared_campaign, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(api, alice, shared_campaign, team[0], recurrence="FREQ=WEEKLY;COUNT=3")

    assert response.status_code == 201, response.json()
    assert response.json()["schedule"] == "Every week, 3 times, 10:00 America/New_York"
    assert set(response.json()["default_attendees"]) == {team[0].pk, team[1].pk}
    meetings = api.get(f"/api/meetings/?series={response.json()['id']}").json()
    assert meetings["count"] == 3
    assert meetings["results"][0]["local_start"] == "2026-11-24T10:00:00-05:00"


def test_the_api_explains_a_bad_rule(api, alice, team, shared_campaign):
    response = _create(api, alice, shared_campaign, team[0], recurrence="FREQ=WEEKLY;BYDAY=MO")
    assert response.status_code == 400
    assert "does not fall on a day of the rule" in response.json()["first_date"][0]


def test_a_series_follows_the_kickoff_cadence_and_video_link_when_left_empty(api, alice, team, shared_campaign):
    KickoffQuestionnaire.objects.create(
        campaign=shared_campaign,
        meeting_cadence=KickoffQuestionnaire.Cadence.BIWEEKLY,
        video_meeting_link="https://meet.example/ab",
    )
    response = _create(api, alice, shared_campaign, team[0])
    assert response.status_code == 201, response.json()
    assert (response.json()["recurrence"], response.json()["video_link"]) == (
        "FREQ=WEEKLY;INTERVAL=2",
        "https://meet.example/ab",
    )


def test_the_api_ends_a_series(api, alice, weekly, now):
    response = api.as_user(alice).post(
        f"/api/meeting-series/{weekly.pk}/end/", {"last_date": "2026-12-08"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["schedule"].startswith("Every week, until 08 Dec 2026")
    assert api.delete(f"/api/meeting-series/{weekly.pk}/").status_code in (403, 405)
    assert MeetingSeries.objects.filter(pk=weekly.pk).exists()


def test_the_api_moves_and_cancels_one_meeting(api, alice, weekly):
    first, second = Meeting.objects.filter(series=weekly)[:2]
    moved = api.as_user(alice).post(
        f"/api/meetings/{first.pk}/reschedule/", {"starts_at": "2026-11-25T16:00:00Z"}, format="json"
    )
    assert moved.status_code == 200
    assert (moved.json()["starts_at"], moved.json()["ends_at"], moved.json()["is_rescheduled"]) == (
        "2026-11-25T16:00:00Z",
        "2026-11-25T16:30:00Z",
        True,
    )
    assert api.post(f"/api/meetings/{second.pk}/cancel/").json()["status"] == "cancelled"
    assert (
        api.post("/api/meetings/", {}, format="json").status_code == 403
    )  # company staff cannot add meetings: series do
    assert api.delete(f"/api/meetings/{first.pk}/").status_code in (403, 405)
    assert Meeting.objects.filter(pk=first.pk).exists()


def test_the_periodic_task_is_idempotent(weekly, secret_series, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from comarketing.celery import app

    app.conf.task_always_eager = True
    try:
        assert tasks.materialize_all_series() == 2
        rows = list(Meeting.objects.order_by("pk").values_list("pk", "series", "starts_at"))
        tasks.materialize_all_series()
        assert list(Meeting.objects.order_by("pk").values_list("pk", "series", "starts_at")) == rows
    finally:
        app.conf.task_always_eager = False


def test_the_schedule_is_declared():
    from utilities.schedules import schedules

    assert schedules["meetings: materialize upcoming meetings"].task == "meetings.materialize_all_series"


def test_seed_demo_adds_a_weekly_series_with_two_logged_meetings_and_is_idempotent(db):
    call_command("seed_demo")
    call_command("seed_demo")

    [series] = MeetingSeries.objects.filter(campaign__name__startswith="Forecasting")
    held = list(Meeting.objects.filter(series=series, status=Meeting.Status.HELD).order_by("starts_at"))
    assert len(held) == 2
    bluefin_present = [
        Attendance.objects.filter(
            meeting=meeting, status="present", member__person__organization__name="Bluefin Consulting"
        ).exists()
        for meeting in held
    ]
    assert bluefin_present == [True, False]
    assert held[0].decisions.exists() and held[1].action_items.exists()


def test_the_admin_creates_a_calendar_subscription_and_shows_the_address_once(client, alice, shared_campaign):
    client.force_login(alice)
    response = client.post(reverse("admin:meetings_calendartoken_add"), {"campaign": shared_campaign.pk}, follow=True)
    assert response.status_code == 200
    token = CalendarToken.objects.get(owner=alice)
    message = next(str(m) for m in response.context["messages"])
    url = message.split("<code>")[1].split("</code>")[0]
    assert url.endswith(f"{token.secret_hint}.ics")
    assert client.get(url.replace("http://testserver", "")).status_code == 200


@pytest.mark.parametrize("cadence", ["weekly", "monthly"])
def test_each_kickoff_cadence_is_a_valid_rule(shared_campaign, team, cadence):
    from utilities.validation import save_validated

    KickoffQuestionnaire.objects.create(campaign=shared_campaign, meeting_cadence=cadence)
    series = save_validated(
        MeetingSeries(
            campaign=shared_campaign,
            facilitator=team[0],
            first_date=datetime.date(2026, 11, 24),
            start_time=datetime.time(10),
            time_zone="UTC",
        )
    )
    assert series.recurrence.startswith("FREQ=")


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))  # before the first meeting
def test_the_admin_creates_a_series_with_its_meetings_and_ends_it(
    client, alice, team, shared_campaign, django_capture_on_commit_callbacks, settings
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):  # on the tests' clock (conftest)
        response = client.post(
            reverse("admin:meetings_meetingseries_add") + f"?campaign={shared_campaign.pk}",
            {
                "campaign": shared_campaign.pk,
                "title": "Weekly sync",
                "first_date": "2026-11-24",
                "start_time": "10:00",
                "time_zone": "America/New_York",
                "duration_minutes": 30,
                "recurrence": "FREQ=WEEKLY",
                "facilitator": team[0].pk,
                "default_attendees": [team[1].pk],
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    series = MeetingSeries.objects.get(title="Weekly sync")
    assert list(series.default_attendees.all()) == [team[1]]
    assert Meeting.objects.filter(series=series).count() == settings.MEETING_WINDOW_WEEKS

    changelist = client.get(reverse("admin:meetings_meetingseries_changelist"))
    assert "Every week, 10:00 America/New_York" in changelist.content.decode()
    end = {"action": "end_after_today", "_selected_action": [series.pk]}
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)):
        refused = client.post(reverse("admin:meetings_meetingseries_changelist"), end, follow=True)
    assert "A series cannot end before its first meeting." in refused.content.decode()
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)):
        client.post(reverse("admin:meetings_meetingseries_changelist"), end)
    series.refresh_from_db()
    assert series.last_start == datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)


def test_the_admin_explains_a_bad_rule_instead_of_failing(client, alice, team, shared_campaign):
    client.force_login(alice)
    response = client.post(
        reverse("admin:meetings_meetingseries_add") + f"?campaign={shared_campaign.pk}",
        {
            "campaign": shared_campaign.pk,
            "title": "Weekly sync",
            "first_date": "2026-11-24",
            "start_time": "10:00",
            "time_zone": "America/New_York",
            "duration_minutes": 30,
            "recurrence": "FREQ=SOMETIMES",
            "facilitator": team[0].pk,
        },
    )
    assert response.status_code == 200
    assert "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY" in response.content.decode()


def test_action_items_list_per_person_open_and_overdue(api, alice, carol, team, weekly):
    meeting = Meeting.objects.filter(series=weekly).first()
    from meetings.models import ActionItem

    late = ActionItem.objects.create(meeting=meeting, title="Late", owner=team[1], due_date=datetime.date(2026, 11, 1))
    ActionItem.objects.create(meeting=meeting, title="Later", owner=team[1], due_date=datetime.date(2027, 1, 1))
    ActionItem.objects.create(meeting=meeting, title="Alice's", owner=team[0], due_date=datetime.date(2027, 1, 1))
    ActionItem.objects.create(
        meeting=meeting, title="Done", owner=team[1], due_date=datetime.date(2026, 11, 1), status="done"
    )

    def titles(query, user=alice):
        return sorted(item["title"] for item in api.as_user(user).get(f"/api/action-items/?{query}").json()["results"])

    assert titles(f"person={carol.person.pk}&status=open") == ["Late", "Later"]
    assert titles("overdue=true") == ["Late"]
    assert titles("overdue=false") == ["Alice's", "Done", "Later"]
    assert titles("mine=true", user=carol) == ["Done", "Late", "Later"]
    assert titles("mine=false", user=carol) == ["Alice's"]
    assert titles(f"campaign={weekly.campaign_id}&status=open") == ["Alice's", "Late", "Later"]
    assert api.as_user(alice).get(f"/api/action-items/{late.pk}/").json()["is_overdue"] is True


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recurrence": "FREQ=DAILY;INTERVAL=0"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;INTERVAL=-1"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY", "first_date": "1900-01-02"}, "first_date"),
        ({"recurrence": "FREQ=WEEKLY;UNTIL=99991231"}, "recurrence"),
        ({"first_date": "9999-12-31"}, "first_date"),
        ({"first_date": "0001-01-01"}, "first_date"),
    ],
)
def test_the_api_refuses_an_unbounded_series_with_a_400_naming_the_field(
    api, alice, team, shared_campaign, fields, field
):
    response = _create(api, alice, shared_campaign, team[0], **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1900-01-02T10:00:00Z"])
def test_a_meeting_moved_to_a_far_year_is_a_400_naming_the_field(api, alice, weekly, starts_at):
    first = Meeting.objects.filter(series=weekly).first()
    response = api.as_user(alice).post(f"/api/meetings/{first.pk}/reschedule/", {"starts_at": starts_at}, format="json")
    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_a_series_ended_in_a_far_year_is_a_400_naming_the_field(api, alice, weekly):
    response = api.as_user(alice).post(
        f"/api/meeting-series/{weekly.pk}/end/", {"last_date": "9999-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "last_date" in response.json()
