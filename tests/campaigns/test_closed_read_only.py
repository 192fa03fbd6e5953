"""A closed campaign is a record of what happened: its deliverables, KPIs and the other rows companies edit cannot
be changed in the admin or the API, and the refusal says why. Comments and what each company learned stay open."""

import pytest

from campaigns.models import Campaign, Deliverable
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import kpi
from tests.clients import admin_of, api_of
from tests.forms import form_data

WHY = "only while its campaign is open"


@pytest.fixture
def closed(shared_campaign):
    Campaign.objects.filter(pk=shared_campaign.pk).update(status=Campaign.Status.CLOSED)
    return shared_campaign


def test_the_api_refuses_changing_a_closed_campaigns_deliverables_and_kpis_saying_why(closed, alice, carol):
    deliverable = DeliverableFactory(campaign=closed, title="Landing page")
    registrations = kpi(closed)

    changed = api_of(alice).patch(f"/api/deliverables/{deliverable.pk}/", {"title": "Changed"}, format="json")
    assert changed.status_code == 403 and WHY in changed.json()["detail"]
    added = api_of(carol).post("/api/deliverables/", {"campaign": closed.pk, "title": "Late idea"}, format="json")
    assert added.status_code == 403 and WHY in added.json()["detail"]
    target = api_of(alice).patch(f"/api/campaign-kpis/{registrations.pk}/", {"target": "500"}, format="json")
    assert target.status_code == 403 and WHY in target.json()["detail"]
    assert api_of(alice).delete(f"/api/deliverables/{deliverable.pk}/").status_code == 403

    deliverable.refresh_from_db()
    registrations.refresh_from_db()
    assert deliverable.title == "Landing page" and registrations.target == 300
    assert not Deliverable.objects.filter(title="Late idea").exists()
    assert api_of(alice).get(f"/api/deliverables/{deliverable.pk}/").status_code == 200  # still seen


def test_the_admin_shows_a_closed_campaigns_deliverable_read_only(closed, alice):
    deliverable = DeliverableFactory(campaign=closed, title="Landing page")
    url = f"/admin/campaigns/deliverable/{deliverable.pk}/change/"
    client = admin_of(alice)
    page = client.get(url).content.decode()

    assert 'name="title"' not in page and "Landing page" in page
    client.post(url, {**form_data(client.get(url)), "title": "Changed", "_save": "Save"})
    deliverable.refresh_from_db()
    assert deliverable.title == "Landing page"
    assert client.get("/admin/campaigns/deliverable/add/").status_code == 200  # other campaigns still take work
    kpis = client.get(f"/admin/campaigns/campaignkpi/{kpi(closed).pk}/change/").content.decode()
    assert 'name="target"' not in kpis


def test_an_open_campaigns_rows_are_still_changed(shared_campaign, alice):
    deliverable = DeliverableFactory(campaign=shared_campaign, title="Landing page")
    changed = api_of(alice).patch(f"/api/deliverables/{deliverable.pk}/", {"title": "Changed"}, format="json")
    assert changed.status_code == 200


def test_comments_and_learnings_stay_open_after_closing(closed, alice):
    deliverable = DeliverableFactory(campaign=closed, title="Landing page")
    comment = {"target_kind": "deliverable", "target_id": deliverable.pk, "text": "For next time: start earlier."}
    assert api_of(alice).post("/api/comments/", comment, format="json").status_code == 201
    learning = {"campaign": closed.pk, "text": "Start the landing page a week earlier."}
    assert api_of(alice).post("/api/learnings/", learning, format="json").status_code == 201
