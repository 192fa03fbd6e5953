"""Each company sees and changes only the meetings of its own campaigns, through admin and API."""

import pytest
from django.urls import reverse

from meetings import admin as meetings_admin
from meetings.models import ActionItem, Decision, Meeting
from tests.clients import admin_of
from tests.meetings.factories import series_for

LISTS = ["/api/meeting-series/", "/api/meetings/", "/api/action-items/", "/api/meeting-decisions/"]


@pytest.fixture
def secret_records(secret_series, now):
    meeting = Meeting.objects.filter(series=secret_series).first()
    member = secret_series.facilitator
    item = ActionItem.objects.create(meeting=meeting, title="Secret item", owner=member, due_date=now.date())
    decision = Decision.objects.create(meeting=meeting, text="Secret decision", decided_by=member)
    return {"series": secret_series, "meeting": meeting, "item": item, "decision": decision}


@pytest.mark.parametrize("url", LISTS)
def test_api_lists_hide_other_companies_meetings(api, alice, weekly, secret_records, url):
    body = api.as_user(alice).get(url).json()
    assert "Secret" not in str(body)
    assert api.as_user(alice).get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/meeting-series/{}/", "series"),
        ("/api/meetings/{}/", "meeting"),
        ("/api/action-items/{}/", "item"),
        ("/api/meeting-decisions/{}/", "decision"),
        ("/api/meetings/{}/summary/", "meeting"),
    ],
)
def test_a_guessed_id_answers_404(api, alice, secret_records, url, key):
    assert api.as_user(alice).get(url.format(secret_records[key].pk)).status_code == 404
    assert api.as_user(alice).get(url.format(999999)).status_code == 404


def test_the_partner_company_sees_the_shared_meetings(api, carol, weekly):
    assert api.as_user(carol).get("/api/meetings/").json()["count"] == Meeting.objects.filter(series=weekly).count()


def test_a_foreign_id_gets_the_same_answer_as_a_nonexistent_one(api, alice, weekly, secret_records, team):
    client = api.as_user(alice)

    def create(meeting_id, owner_id):
        return client.post(
            "/api/action-items/",
            {"meeting": meeting_id, "title": "x", "owner": owner_id, "due_date": "2026-12-01"},
            format="json",
        )

    own_meeting = Meeting.objects.filter(series=weekly).first().pk
    foreign, missing = create(secret_records["meeting"].pk, team[0].pk), create(999999, team[0].pk)
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["meeting"] == [
        m.replace("999999", str(secret_records["meeting"].pk)) for m in missing.json()["meeting"]
    ]
    foreign_owner = create(own_meeting, secret_records["series"].facilitator_id)
    missing_owner = create(own_meeting, 999999)
    assert foreign_owner.status_code == missing_owner.status_code == 400
    assert foreign_owner.json()["owner"][0].replace(str(secret_records["series"].facilitator_id), "N") == (
        missing_owner.json()["owner"][0].replace("999999", "N")
    )


def test_a_series_cannot_be_created_on_another_companys_campaign(api, alice, other_campaign, secret_records):
    response = api.as_user(alice).post(
        "/api/meeting-series/",
        {
            "campaign": other_campaign.pk,
            "first_date": "2026-12-01",
            "start_time": "10:00",
            "time_zone": "Europe/Berlin",
            "facilitator": secret_records["series"].facilitator_id,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in str(response.json()["campaign"])


def test_another_company_cannot_log_cancel_or_move_a_meeting(api, alice, secret_records):
    meeting = secret_records["meeting"]
    client = api.as_user(alice)
    for action, payload in [("log", {}), ("cancel", {}), ("reschedule", {"starts_at": "2026-12-01T10:00:00Z"})]:
        assert client.post(f"/api/meetings/{meeting.pk}/{action}/", payload, format="json").status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize(
    "name", ["meetings_meeting_changelist", "meetings_actionitem_changelist", "meetings_meetingseries_changelist"]
)
def test_admin_changelists_hide_other_companies_meetings(client, alice, weekly, secret_records, name):
    client.force_login(alice)
    response = client.get(reverse(f"admin:{name}"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Secret" not in body and "B and C secret pilot" not in body


@pytest.mark.parametrize(
    ("name", "key"), [("meetings_meetingseries_change", "series"), ("meetings_actionitem_change", "item")]
)
def test_admin_change_pages_of_other_companies_answer_as_missing(client, alice, secret_records, name, key):
    client.force_login(alice)
    hidden = client.get(reverse(f"admin:{name}", args=[secret_records[key].pk]))
    missing = client.get(reverse(f"admin:{name}", args=[999999]))
    assert (hidden.status_code, hidden.get("Location")) == (missing.status_code, missing.get("Location"))


def test_the_series_form_offers_only_the_chosen_campaigns_team(client, alice, shared_campaign, other_campaign, team):
    client.force_login(alice)
    chooser = client.get(reverse("admin:meetings_meetingseries_add"))
    assert shared_campaign.name in chooser.content.decode()
    assert other_campaign.name not in chooser.content.decode()

    form = (
        client.get(reverse("admin:meetings_meetingseries_add") + f"?campaign={shared_campaign.pk}")
        .context["adminform"]
        .form
    )
    assert set(form.fields["facilitator"].queryset) == set(team)
    assert set(form.fields["default_attendees"].queryset) == set(team)
    assert form.initial["time_zone"] == "UTC"

    foreign = client.get(reverse("admin:meetings_meetingseries_add") + f"?campaign={other_campaign.pk}")
    assert "adminform" not in (foreign.context or {})


def test_calendar_subscriptions_are_private_to_their_owner(api, alice, bob, shared_campaign):
    created = api.as_user(alice).post("/api/calendar-subscriptions/", {"campaign": shared_campaign.pk}, format="json")
    assert created.status_code == 201
    assert created.json()["url"].startswith("http://testserver/calendar/")
    listed = api.as_user(alice).get("/api/calendar-subscriptions/").json()["results"]
    assert listed[0]["url"] is None  # the address is shown once
    assert api.as_user(bob).get("/api/calendar-subscriptions/").json()["count"] == 0
    assert api.as_user(bob).post(f"/api/calendar-subscriptions/{created.json()['id']}/revoke/").status_code == 404


def test_the_series_filter_lists_a_few_series_and_keeps_the_chosen_one(alice, shared_campaign, team, monkeypatch):
    """A hub sees 100,000 series: the meetings list's sidebar names the first few, never all of them."""
    monkeypatch.setattr(meetings_admin, "FILTER_CHOICES_SHOWN", 2)
    series = [series_for(shared_campaign, facilitator=team[0], title=f"Sync {n}") for n in range(4)]
    client = admin_of(alice)

    def sidebar(url: str) -> str:
        page = client.get(url).content.decode()
        return page.split('data-filter-title="series (the first 2)"')[1].split("</details>")[0]

    shown = sidebar("/admin/meetings/meeting/")
    assert "— Sync 0" in shown and "— Sync 1" in shown and "— Sync 3" not in shown
    assert "— Sync 3" in sidebar(f"/admin/meetings/meeting/?series={series[3].pk}")  # the chosen one stays named


def test_the_meetings_list_counts_who_was_there_of_who_was_invited(alice, weekly):
    meeting = Meeting.objects.filter(series=weekly).order_by("starts_at").first()
    attendance = list(meeting.attendance.order_by("pk"))
    assert len(attendance) == 2  # Alice and Carol invited
    attendance[0].status, attendance[1].status = "present", "absent"
    for row in attendance:
        row.save()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)

    page = admin_of(alice).get("/admin/meetings/meeting/").content.decode()

    assert '<td class="field-attendance_summary">1 of 2</td>' in page
