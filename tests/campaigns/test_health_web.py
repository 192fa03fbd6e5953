"""Flags and reminders in the admin and the API, each company seeing only its own."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign, Flag, Reminder, ReminderOptOut
from campaigns.outbox.reminders import reminder_sweep
from campaigns.services.health import health_sweep
from tests.campaigns.sweep_helpers import (
    UTC,
    assigned_deliverable,
    core_checks_only,  # noqa: F401  (fixture)
    healthy_campaign,
)
from tests.conftest import member_of_user

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]


@pytest.fixture
def flagged(shared_campaign, other_campaign):
    """Nobody holds a stakeholder role: both campaigns get critical and warning flags."""
    health_sweep(now=NOW)
    return shared_campaign


def test_the_campaign_list_shows_open_flags_and_worst_severity_without_a_query_per_row(client, alice, flagged):
    client.force_login(alice)
    url = reverse("admin:campaigns_campaign_changelist")
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_list[0].open_flag_count == 6  # 2 companies × 3 stakeholder roles
    assert "Critical" in response.content.decode()
    for _ in range(5):
        member_of_user(healthy_campaign(alice.person.organization), alice)
    health_sweep(now=NOW)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_campaign_list_filters_by_flag_code(client, alice, flagged):
    healthy = healthy_campaign(alice.person.organization)
    member_of_user(healthy, alice)
    health_sweep(now=NOW)
    client.force_login(alice)
    response = client.get(reverse("admin:campaigns_campaign_changelist"), {"open_flag": "no_decision_maker"})
    assert [c.pk for c in response.context["cl"].result_list] == [flagged.pk]


def test_the_campaign_page_lists_its_open_flags(client, alice, flagged):
    client.force_login(alice)
    page = client.get(reverse("admin:campaigns_campaign_change", args=[flagged.pk])).content.decode()
    assert "Open flags" in page and "has no decision maker on the campaign team" in page


def test_a_member_acknowledges_a_flag_in_the_admin_and_an_outsider_cannot_reach_it(client, alice, charlie, flagged):
    flag = Flag.objects.filter(campaign=flagged, code="no_decision_maker").first()
    url = reverse("admin:campaigns_flag_change", args=[flag.pk])
    client.force_login(charlie)
    assert client.get(url).status_code in (302, 404)
    assert flag.pk not in [
        f.pk for f in client.get(reverse("admin:campaigns_flag_changelist")).context["cl"].result_list
    ]

    client.force_login(alice)
    refused = client.post(url, {"decision": "acknowledge", "attention_reason": ""})
    assert "Say why" in refused.content.decode()
    client.post(url, {"decision": "acknowledge", "attention_reason": "VP named next week"})
    flag.refresh_from_db()
    assert flag.state == "acknowledged" and flag.acknowledged_by == alice


def test_people_see_only_their_own_reminders_in_the_admin(client, alice, bob, carol, operator, shared_campaign):
    lead = member_of_user(shared_campaign, bob)
    assigned_deliverable(shared_campaign, due_date=datetime.date(2026, 11, 20), responsible=lead)
    reminder_sweep(now=NOW, enqueue=False)
    reminder = Reminder.objects.get(person=bob.person)
    url = reverse("admin:campaigns_reminder_changelist")
    for user, visible in ((bob, [reminder.pk]), (alice, []), (carol, []), (operator, [reminder.pk])):
        client.force_login(user)
        assert [r.pk for r in client.get(url).context["cl"].result_list] == visible
    client.force_login(alice)
    assert client.get(reverse("admin:campaigns_reminder_change", args=[reminder.pk])).status_code in (302, 404)


def test_a_person_opts_out_in_the_admin_for_themselves_only(client, alice, bob):
    client.force_login(alice)
    url = reverse("admin:campaigns_reminderoptout_add")
    client.post(url, {"kind": "weekly_digest", "person": bob.person.pk})
    assert list(ReminderOptOut.objects.values_list("person", "kind")) == [(alice.person.pk, "weekly_digest")]
    again = client.post(url, {"kind": "weekly_digest"})
    assert "already opted out" in again.content.decode()


def test_the_api_lists_flags_of_your_campaigns_and_hides_the_others(api, alice, charlie, flagged, other_campaign):
    mine = api.as_user(alice).get("/api/flags/").json()["results"]
    assert {row["campaign"] for row in mine} == {flagged.pk}
    foreign = Flag.objects.filter(campaign=other_campaign).first()
    assert api.as_user(alice).get(f"/api/flags/{foreign.pk}/").status_code == 404
    assert api.as_user(alice).get("/api/flags/", {"campaign": other_campaign.pk}).status_code == 400


def test_the_api_acknowledges_and_snoozes_with_a_reason(api, alice, charlie, flagged):
    flag, other = Flag.objects.filter(campaign=flagged, code="no_decision_maker")
    client = api.as_user(alice)
    assert client.post(f"/api/flags/{flag.pk}/acknowledge/", {}, format="json").status_code == 400
    done = client.post(f"/api/flags/{flag.pk}/acknowledge/", {"reason": "Known"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    past = client.post(f"/api/flags/{other.pk}/snooze/", {"until": "2020-01-01", "reason": "later"}, format="json")
    assert past.status_code == 400 and "after today" in past.content.decode()
    later = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    assert (
        client.post(f"/api/flags/{other.pk}/snooze/", {"until": later, "reason": "reorg"}, format="json").json()[
            "state"
        ]
        == "snoozed"
    )
    assert (
        api.as_user(charlie).post(f"/api/flags/{flag.pk}/acknowledge/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert api.as_user(alice).post("/api/flags/", {"campaign": flagged.pk}, format="json").status_code in (403, 405)


def test_the_api_shows_only_my_reminders(api, alice, bob, shared_campaign):
    lead = member_of_user(shared_campaign, bob)
    assigned_deliverable(shared_campaign, due_date=datetime.date(2026, 11, 20), responsible=lead)
    reminder_sweep(now=NOW, enqueue=False)
    reminder = Reminder.objects.get(person=bob.person)
    assert [r["id"] for r in api.as_user(bob).get("/api/my-reminders/").json()["results"]] == [reminder.pk]
    assert api.as_user(alice).get("/api/my-reminders/").json()["results"] == []
    assert api.as_user(alice).get(f"/api/my-reminders/{reminder.pk}/").status_code == 404


def test_the_api_turns_a_kind_of_reminder_off_and_on(api, alice, bob):
    client = api.as_user(alice)
    assert client.post("/api/my-reminder-opt-outs/", {"kind": "no_such_kind"}, format="json").status_code == 400
    created = client.post("/api/my-reminder-opt-outs/", {"kind": "weekly_digest"}, format="json")
    assert created.status_code == 201
    preferences = {row["kind"]: row["enabled"] for row in client.get("/api/my-reminder-opt-outs/preferences/").json()}
    assert preferences["weekly_digest"] is False and preferences["deliverable_overdue"] is True
    assert api.as_user(bob).get(f"/api/my-reminder-opt-outs/{created.json()['id']}/").status_code == 404
    assert api.as_user(alice).delete(f"/api/my-reminder-opt-outs/{created.json()['id']}/").status_code == 204
    assert not ReminderOptOut.objects.exists()


def test_closed_campaigns_keep_their_resolved_flags_as_history(flagged):
    Campaign.objects.filter(pk=flagged.pk).update(status=Campaign.Status.CANCELLED)
    health_sweep(now=NOW)
    assert Flag.objects.filter(campaign=flagged).count() == 6 and not Flag.objects.open().filter(campaign=flagged)
