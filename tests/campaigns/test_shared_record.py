"""Two companies editing the same rows: no change is lost without a word, and a retried create makes one row.

Alice (company A, host) and Carol (company B, partner) play Maria and Jonas of the issue.
"""

import datetime
import html

import pytest

from campaigns.models import Deliverable, KpiMeasurement
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.clients import admin_of, api_of
from tests.forms import form_data


@pytest.fixture
def deliverable(shared_campaign):
    return DeliverableFactory(campaign=shared_campaign, title="Landing page", link="https://a.example/lp")


def _url(deliverable) -> str:
    return f"/api/deliverables/{deliverable.pk}/"


def _admin_url(deliverable) -> str:
    return f"/admin/campaigns/deliverable/{deliverable.pk}/change/"


# --- API ------------------------------------------------------------------------------------------------------


def test_a_row_carries_its_version_as_etag_and_in_the_body(deliverable, alice):
    response = api_of(alice).get(_url(deliverable))
    assert response["ETag"] == '"1"' and response.json()["version"] == 1


def test_put_against_put_the_stale_one_gets_412_with_the_current_row(deliverable, alice, carol):
    read = api_of(carol).get(_url(deliverable)).json()
    etag = api_of(alice).get(_url(deliverable))["ETag"]
    body = {**read, "title": "Alice's title"}
    assert api_of(alice).put(_url(deliverable), body, format="json", HTTP_IF_MATCH=etag).status_code == 200

    stale = api_of(carol).put(
        _url(deliverable), {**read, "link": "https://b.example/"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Alice's title" and stale["ETag"] == '"2"'
    assert "changed since you opened it" in stale.json()["detail"]
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.link) == ("Alice's title", "https://a.example/lp")


def test_a_put_that_does_not_say_which_version_it_read_is_refused(deliverable, alice):
    read = api_of(alice).get(_url(deliverable)).json()
    del read["version"]
    response = api_of(alice).put(_url(deliverable), {**read, "title": "Blind"}, format="json")
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    assert Deliverable.objects.get(pk=deliverable.pk).title == "Landing page"


def test_a_stale_patch_of_the_same_field_gets_409_with_the_current_row(deliverable, alice, carol):
    assert api_of(alice).patch(_url(deliverable), {"title": "A", "version": 1}, format="json").status_code == 200
    stale = api_of(carol).patch(_url(deliverable), {"title": "B", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "A" and stale.json()["current"]["version"] == 2
    assert Deliverable.objects.get(pk=deliverable.pk).title == "A"


def test_patches_of_different_fields_both_land(deliverable, alice, carol):
    assert api_of(alice).patch(_url(deliverable), {"title": "A"}, format="json").status_code == 200
    assert api_of(carol).patch(_url(deliverable), {"link": "https://b.example/"}, format="json").status_code == 200
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.link, stored.version) == ("A", "https://b.example/", 3)


def test_a_current_if_match_is_accepted_and_the_answer_carries_the_new_etag(deliverable, alice):
    response = api_of(alice).patch(_url(deliverable), {"title": "A"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response["ETag"] == '"2"'


def test_a_stale_kpi_figure_is_refused(shared_campaign, alice, carol):
    registrations = kpi(shared_campaign)
    figure = measurement(registrations, "3", by=alice.person, end=datetime.date(2026, 12, 6))
    url = f"/api/kpi-measurements/{figure.pk}/"
    assert api_of(alice).patch(url, {"value": "4", "version": 1}, format="json").status_code == 200
    assert api_of(alice).patch(url, {"value": "5", "version": 1}, format="json").status_code == 409
    assert KpiMeasurement.objects.get(pk=figure.pk).value == 4


# --- Admin ----------------------------------------------------------------------------------------------------


def test_a_stale_admin_form_shows_their_value_and_yours_and_saves_nothing(deliverable, alice, carol):
    carols_page = admin_of(carol).get(_admin_url(deliverable))
    alices = form_data(admin_of(alice).get(_admin_url(deliverable)), "deliverable_form")
    assert admin_of(alice).post(_admin_url(deliverable), {**alices, "title": "Alice's title"}).status_code == 302

    carols = {**form_data(carols_page, "deliverable_form"), "link": "https://b.example/"}
    conflict = admin_of(carol).post(_admin_url(deliverable), carols)
    assert conflict.status_code == 200
    text = html.unescape(conflict.content.decode())
    assert "Someone else saved this deliverable after you opened it (by Alice" in text
    assert "Title: theirs “Alice's title”, yours “Landing page” (changed by them)." in text
    assert "Link: theirs “https://a.example/lp”, yours “https://b.example/” (you both changed it)." not in text
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.link) == ("Alice's title", "https://a.example/lp")

    # Saving the form again is Carol's choice to keep her values.
    again = form_data(conflict, "deliverable_form")
    assert again["version"] == "2" and again["link"] == "https://b.example/"
    assert admin_of(carol).post(_admin_url(deliverable), again).status_code == 302
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.link, stored.version) == ("Landing page", "https://b.example/", 3)


def test_an_admin_form_opened_before_an_api_change_of_the_status_shows_the_conflict(deliverable, alice, carol):
    page = form_data(admin_of(alice).get(_admin_url(deliverable)), "deliverable_form")
    deliverable.raci.create(member=deliverable.campaign.members.get(person=carol.person), role="R")
    api_of(carol).patch(_url(deliverable), {"status": "in_progress"}, format="json")
    response = admin_of(alice).post(_admin_url(deliverable), {**page, "title": "Alice's title"})
    assert response.status_code == 200
    assert "Status: theirs “In progress”, yours “Not started” (changed by them)." in html.unescape(
        response.content.decode()
    )
    stored = Deliverable.objects.get(pk=deliverable.pk)
    assert (stored.title, stored.status) == ("Landing page", "in_progress")


def test_an_admin_form_saved_after_a_change_it_does_not_show_saves_without_a_conflict(deliverable, alice):
    page = form_data(admin_of(alice).get(_admin_url(deliverable)), "deliverable_form")
    Deliverable.objects.filter(pk=deliverable.pk).update(is_pinned=False)  # the version moves, no field differs
    assert admin_of(alice).post(_admin_url(deliverable), {**page, "title": "New"}).status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).title == "New"


# --- Retried creates ------------------------------------------------------------------------------------------


def test_eight_identical_posts_with_one_idempotency_key_make_one_row(shared_campaign, alice):
    client = api_of(alice)
    body = {"campaign": shared_campaign.pk, "title": "Press release", "due_date": "2027-01-15"}
    answers = [client.post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1") for _ in range(8)]
    assert [a.status_code for a in answers] == [201] * 8
    assert {a.json()["id"] for a in answers} == {answers[0].json()["id"]}
    assert [a.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 7
    assert Deliverable.objects.filter(campaign=shared_campaign, title="Press release").count() == 1


def test_the_same_key_with_another_body_is_refused(shared_campaign, alice):
    client = api_of(alice)
    body = {"campaign": shared_campaign.pk, "title": "Press release", "due_date": "2027-01-15"}
    assert client.post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    other = client.post("/api/deliverables/", {**body, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert not Deliverable.objects.filter(title="Other").exists()


def test_keys_are_per_login(shared_campaign, alice, bob):
    body = {"campaign": shared_campaign.pk, "title": "Press release", "due_date": "2027-01-15"}
    api_of(alice).post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    shared_campaign.members.create(person=bob.person)
    assert api_of(bob).post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Deliverable.objects.filter(title="Press release").count() == 2


def test_a_double_submitted_admin_add_form_makes_one_row(shared_campaign, alice):
    client = admin_of(alice)
    page = client.get(f"/admin/campaigns/deliverable/add/?campaign={shared_campaign.pk}")
    data = {**form_data(page, "deliverable_form"), "campaign": str(shared_campaign.pk), "title": "Invitation e-mail"}
    data["due_date"] = "2027-01-15"
    first, second = client.post(page.request["PATH_INFO"], data), client.post(page.request["PATH_INFO"], data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Deliverable.objects.filter(title="Invitation e-mail").count() == 1


def test_a_refusal_is_remembered_for_its_key_even_when_it_echoes_odd_characters(shared_campaign, alice):
    client = api_of(alice)
    body = {"campaign": shared_campaign.pk, "title": "Bad\u0000title", "due_date": "not a date"}
    first = client.post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="odd")
    again = client.post("/api/deliverables/", body, format="json", HTTP_IDEMPOTENCY_KEY="odd")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
