"""Each company governs its own people: its administrators invite colleagues, grant and remove the role, deactivate
and reactivate; deactivation closes every door at once; a forgotten password is reset by e-mail.

alice administers company A (its first person), bob is her colleague, carol administers partner company B, charlie
administers outsider company C."""

import re
from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from campaigns.models import Flag, Member, Reminder
from campaigns.outbox.reminders import reminder_send
from meetings.services import calendar_token_create
from partners.models import Person
from tests.campaigns.factories import DeliverableFactory, RaciAssignmentFactory, joint_campaign
from tests.conftest import member_of_user
from tests.partners.factories import PersonFactory, company_user

PASSWORD = "a-long-new-password-2026"


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+/)", message.body).group(1)


def _token(username: str, password: str) -> str:
    response = APIClient().post("/api/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _sign_in(client, username: str, password: str) -> bool:
    """The admin's login form (django-axes needs the request, so not `client.login`)."""
    response = client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    return response.status_code == 302


def _invite(api, admin, **body):
    body = {"full_name": "Dana Doe", "email": "dana@a.example", **body}
    return api.as_user(admin).post("/api/people/invite/", body, format="json")


def _set_password_from_welcome(client, link: str):
    page = client.get(link, follow=True)  # the token moves into the session, the form's address follows
    assert page.status_code == 200
    return client.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})


def test_an_administrator_invites_a_colleague_who_sets_a_password_from_the_email_and_signs_in(api, alice, client):
    response = _invite(api, alice)

    assert response.status_code == 201, response.content
    assert response.json()["organization"] == alice.person.organization_id
    assert response.json()["is_company_admin"] is False
    # Through the outbox, as the worker sends it.
    assert reminder_send(reminder_id=Reminder.objects.get(person__email="dana@a.example").pk).status == "sent"
    [message] = mail.outbox
    assert message.to == ["Dana Doe <dana@a.example>"]
    assert "Alice invites you" in message.subject
    saved = _set_password_from_welcome(client, _link(message))
    assert saved.status_code == 302
    assert client.get("/admin/").status_code == 200  # signed in
    client.logout()
    assert _sign_in(client, "dana@a.example", PASSWORD)
    # The link was single-use.
    assert "invalid" in client.get(_link(message), follow=True).content.decode().lower()


def test_only_an_administrator_of_the_company_invites_and_governs_its_people(api, alice, bob, carol, charlie, client):
    refused = api.as_user(bob).post("/api/people/invite/", {"full_name": "X", "email": "x@a.example"}, format="json")
    assert refused.status_code == 403
    client.force_login(bob)
    assert "Invite a colleague" not in client.get("/admin/partners/person/").content.decode()
    assert client.post("/admin/partners/person/invite/", {"full_name": "X", "email": "x@a.example"}).status_code == 403
    assert not Person.objects.filter(email="x@a.example").exists()
    # bob's own company's administrator may; a partner's administrator sees bob (a shared campaign) but is refused;
    # an outsider's administrator does not see him at all.
    member_of_user(joint_campaign(alice.person.organization, carol.person.organization), bob)
    assert api.as_user(carol).post(f"/api/people/{bob.person.pk}/deactivate/").status_code == 403
    assert api.as_user(charlie).post(f"/api/people/{bob.person.pk}/deactivate/").status_code == 404
    assert api.as_user(carol).post(f"/api/people/{bob.person.pk}/grant-admin/").status_code == 403
    assert api.as_user(bob).post(f"/api/people/{alice.person.pk}/remove-admin/").status_code == 403
    granted = api.as_user(alice).post(f"/api/people/{bob.person.pk}/grant-admin/")
    assert granted.status_code == 200 and granted.json()["is_company_admin"] is True
    # The role is no field a client writes.
    api.as_user(carol).patch(f"/api/people/{carol.person.pk}/", {"is_company_admin": False}, format="json")
    assert Person.objects.get(pk=carol.person.pk).is_company_admin


def test_deactivation_closes_the_admin_session_api_token_and_calendar_feed_at_once(api, alice, bob, client):
    campaign = joint_campaign(alice.person.organization)
    member_of_user(campaign, bob)
    bob.set_password(PASSWORD)
    bob.save()
    token = _token(bob.username, PASSWORD)
    _, secret = calendar_token_create(user=bob, campaign=campaign)
    bobs_browser = client
    assert _sign_in(bobs_browser, bob.username, PASSWORD)
    token_client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert bobs_browser.get("/admin/").status_code == 200
    assert token_client.get("/api/campaigns/").status_code == 200
    assert bobs_browser.get(f"/calendar/{secret}.ics").status_code == 200

    response = api.as_user(alice).post(f"/api/people/{bob.person.pk}/deactivate/")

    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert bobs_browser.get("/admin/").status_code == 302  # back to the login page
    assert token_client.get("/api/campaigns/").json()["detail"] == "Invalid token."
    assert APIClient().get(f"/calendar/{secret}.ics").status_code == 404
    assert not APIClient().post("/api/token/", {"username": bob.username, "password": PASSWORD}).status_code == 200
    # Their history stays: still on the team as it was.
    assert Member.objects.filter(campaign=campaign, person=bob.person).exists()

    # Reactivated, they log in again; the old feed stays closed.
    assert api.as_user(alice).post(f"/api/people/{bob.person.pk}/reactivate/").status_code == 200
    assert _sign_in(bobs_browser, bob.username, PASSWORD)
    assert APIClient().get(f"/calendar/{secret}.ics").status_code == 404


def test_the_last_administrator_cannot_be_removed_or_deactivated(api, alice, bob, client):
    removed = api.as_user(alice).post(f"/api/people/{alice.person.pk}/remove-admin/")
    assert removed.status_code == 400
    assert "last administrator" in str(removed.json())
    assert Person.objects.get(pk=alice.person.pk).is_company_admin

    api.as_user(alice).post(f"/api/people/{bob.person.pk}/grant-admin/")
    deactivated_self = api.as_user(alice).post(f"/api/people/{alice.person.pk}/deactivate/")
    assert deactivated_self.status_code == 400  # nobody locks themselves out
    # With bob an administrator too, alice may step down, and then bob is the last one.
    assert api.as_user(alice).post(f"/api/people/{alice.person.pk}/remove-admin/").status_code == 200
    client.force_login(bob)
    page = client.post(f"/admin/partners/person/{bob.person.pk}/remove-admin/", follow=True)
    assert "is the last administrator of" in page.content.decode()
    assert Person.objects.get(pk=bob.person.pk).is_company_admin


def test_the_admin_offers_the_actions_to_the_administrator_and_lists_what_a_leaver_holds(alice, bob, carol, client):
    campaign = joint_campaign(alice.person.organization, carol.person.organization)
    member = member_of_user(campaign, bob, is_project_lead=True)
    RaciAssignmentFactory(
        member=member, deliverable=DeliverableFactory(campaign=campaign, title="Landing page"), role="A"
    )
    client.force_login(alice)
    page = client.get(f"/admin/partners/person/{bob.person.pk}/change/").content.decode()
    assert "Deactivate" in page and "Make administrator" in page
    assert "Accountable for “Landing page”" in page
    assert f"Project lead of {alice.person.organization} on “{campaign}”" in page
    assert "Invite a colleague" in client.get("/admin/partners/person/").content.decode()

    client.post(f"/admin/partners/person/{bob.person.pk}/deactivate/")
    assert not Person.objects.get(pk=bob.person.pk).is_active
    # The partner's administrator is offered nothing and is refused the page.
    client.force_login(carol)
    partners_view = client.get(f"/admin/partners/person/{bob.person.pk}/change/").content.decode()
    assert "/reactivate/" not in partners_view
    assert "Landing page" not in partners_view  # what he held is for his own company's administrators
    assert client.get(f"/admin/partners/person/{bob.person.pk}/reactivate/").status_code == 403


def test_a_deactivated_person_drops_out_of_pickers_and_is_flagged_at_once_as_a_role_holder(
    api, alice, bob, client, django_capture_on_commit_callbacks
):
    campaign = joint_campaign(alice.person.organization)
    member_of_user(campaign, bob, is_decision_maker=True)
    leaver = PersonFactory(organization=alice.person.organization, full_name="Lee Leaver")
    with django_capture_on_commit_callbacks(execute=True):
        api.as_user(alice).post(f"/api/people/{bob.person.pk}/deactivate/")
    api.as_user(alice).post(f"/api/people/{leaver.pk}/deactivate/")

    flag = Flag.objects.get(campaign=campaign, code="role_holder_deactivated")
    assert "decision maker, was deactivated" in flag.detail

    refused = api.as_user(alice).post("/api/members/", {"campaign": campaign.pk, "person": leaver.pk}, format="json")
    assert refused.status_code == 400 and "person" in refused.json()
    client.force_login(alice)
    form = client.get("/admin/campaigns/member/add/").content.decode()
    assert "Lee Leaver" not in form
    # A row that names them still saves unchanged (they stay until someone takes over).
    bob_member = Member.objects.get(person=bob.person)
    kept = api.as_user(alice).patch(f"/api/members/{bob_member.pk}/", {"person": bob.person.pk}, format="json")
    assert kept.status_code == 200, kept.content


def test_a_reminder_waiting_for_a_deactivated_person_is_dropped_with_the_reason(alice, bob, api):
    reminder = Reminder.objects.create(
        kind="weekly_digest",
        subject="digest",
        person=bob.person,
        due_at="2026-01-05T08:00Z",
        next_attempt_at="2026-01-05T08:00Z",
    )
    assert api.as_user(alice).post(f"/api/people/{bob.person.pk}/deactivate/").status_code == 200
    reminder_send(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.DROPPED
    assert "deactivated" in reminder.dropped_reason
    assert not mail.outbox


@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_a_forgotten_password_is_reset_by_email_and_ends_the_other_sessions_and_tokens(
    alice, client, fresh_throttle, settings
):
    settings.SITE_URL = "https://tracker.example"
    alice.set_password("old-password-123")
    alice.save()
    token = _token(alice.username, "old-password-123")
    other_browser = type(client)()
    assert _sign_in(other_browser, alice.username, "old-password-123")
    assert "password-reset" in client.get("/admin/login/").content.decode()  # the login page links it

    known = client.post("/password-reset/", {"email": alice.email})
    unknown = client.post("/password-reset/", {"email": "nobody@nowhere.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "https://tracker.example/password-reset/" in message.body

    page = client.get(_link(message), follow=True)
    done = client.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    assert _sign_in(client, alice.username, PASSWORD)
    assert other_browser.get("/admin/").status_code == 302
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/campaigns/").json()["detail"] == "Invalid token."


def test_password_reset_is_throttled_per_address_with_the_same_answer(alice, client, fresh_throttle, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    answers = {client.post("/password-reset/", {"email": alice.email})["Location"] for _ in range(4)}
    assert answers == {"/password-reset/sent/"}
    assert len(mail.outbox) == 2


def test_a_password_change_keeps_this_session_and_ends_the_others(alice, client):
    alice.set_password("old-password-123")
    alice.save()
    token = _token(alice.username, "old-password-123")
    other_browser = type(client)()
    _sign_in(other_browser, alice.username, "old-password-123")
    _sign_in(client, alice.username, "old-password-123")

    changed = client.post(
        "/admin/password_change/",
        {"old_password": "old-password-123", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert other_browser.get("/admin/").status_code == 302
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/campaigns/").json()["detail"] == "Invalid token."


def test_the_first_person_of_a_new_company_administers_it(company_c):
    first, second = company_user(company_c), company_user(company_c)
    assert first.person.is_company_admin and not second.person.is_company_admin
    assert get_user_model().objects.get(pk=first.pk).is_active


def test_the_migration_makes_each_companys_first_person_with_a_login_its_administrator(company_a, company_b):
    from django.apps import apps

    name_first_administrators = import_module(
        "partners.migrations.0010_first_person_of_each_company_administers_it"
    ).name_first_administrators
    no_login = PersonFactory(organization=company_a)
    first_login, second_login = company_user(company_a), company_user(company_a)
    gone = company_user(company_b)
    gone.is_active = False
    gone.save()
    only_person = PersonFactory(organization=company_b)
    Person.objects.update(is_company_admin=False)

    name_first_administrators(apps, None)

    admins = set(Person.objects.filter(is_company_admin=True).values_list("pk", flat=True))
    assert admins == {first_login.person.pk, only_person.pk}
    assert not Person.objects.get(pk=gone.person.pk).is_active
    assert no_login.pk not in admins and second_login.person.pk not in admins


def test_the_admin_invites_a_colleague_and_a_deactivated_persons_welcome_link_says_it_no_longer_works(alice, client):
    client.force_login(alice)
    page = client.post(
        "/admin/partners/person/invite/", {"full_name": "Eve Early", "email": "eve@a.example", "job_title": "PMM"}
    )
    eve = Person.objects.get(email="eve@a.example")
    assert page.status_code == 302 and page["Location"] == f"/admin/partners/person/{eve.pk}/change/"
    assert (eve.organization_id, eve.user.has_usable_password()) == (alice.person.organization_id, False)
    reminder_send(reminder_id=Reminder.objects.get(kind="colleague_invitation", person=eve).pk)
    link = _link(mail.outbox[-1])
    again = client.post("/admin/partners/person/invite/", {"full_name": "Eve Again", "email": "EVE@a.example"})
    assert "already has a login" in again.content.decode()

    client.post(f"/admin/partners/person/{eve.pk}/deactivate/")

    closed = type(client)().get(link, follow=True)
    assert closed.status_code == 410
    assert "deactivated your login" in closed.content.decode()
