"""Joining by consent, end to end: the host invites, the invited company sees only the invitation until it
answers, and a company new to the tracker gets a one-time welcome link by e-mail (through the outbox)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns.checks import invitations as checks_invitations
from campaigns.models import Campaign, Flag, Invitation, Member, Party, Reminder
from campaigns.outbox.reminders import reminder_send
from campaigns.registries import checks as health
from campaigns.services.health import health_sweep
from campaigns.services.invitations import invitation_accept, invitation_create, invitation_create_for_new_company
from partners.models import Organization, Person
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.clients import admin_of, api_of

UTC = datetime.UTC
WELCOME_LINK = re.compile(r"/welcome/[\w-]+/[\w-]+/")


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


@pytest.fixture
def deliverable(shared_campaign):
    return DeliverableFactory(campaign=shared_campaign, title="Joint landing page")


@pytest.fixture
def alice_leads(shared_campaign, alice):
    """Alice is A's decision maker: she is told when a company answers."""
    Member.objects.filter(campaign=shared_campaign, person=alice.person).update(is_decision_maker=True)
    return alice


@pytest.fixture
def invitation(shared_campaign, alice, charlie, company_c):
    """Company A (host) invites company C (Charlie) to the A and B webinar."""
    return invitation_create(user=alice, campaign=shared_campaign, organization=company_c, message="Join our webinar?")


def notices(kind, person):
    return Reminder.objects.filter(kind=kind, person=person)


def deliver(reminder):
    """Send one outbox row as the worker would, and return the e-mail it became."""
    assert reminder_send(reminder_id=reminder.pk).status == "sent"
    return mail.outbox[-1]


# --- Inviting a company in the tracker ----------------------------------------------------------------


def test_the_host_invites_a_company_through_the_api_and_its_people_are_emailed(
    alice, charlie, shared_campaign, company_c
):
    response = api_of(alice).post(
        "/api/invitations/",
        {"campaign": shared_campaign.pk, "organization": company_c.pk, "message": "Join our webinar?"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organization_name"], body["campaign_name"], body["status"]) == (
        "Company C",
        "A and B webinar",
        "pending",
    )
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.invited_by == alice.person
    assert not Party.objects.filter(campaign=shared_campaign, organization=company_c).exists()
    message = deliver(notices("invitation", charlie.person).get())
    assert message.subject == "Company A invites you to “A and B webinar”"
    assert "Alice of Company A invites Company C" in message.body and "Join our webinar?" in message.body
    assert admin_url("campaigns_invitation_change", invitation.pk) in message.body


def test_the_answer_to_an_invitation_names_the_host(alice, shared_campaign, company_c):
    response = api_of(alice).post(
        "/api/invitations/", {"campaign": shared_campaign.pk, "organization": company_c.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["host_name"] == "Company A"


def test_the_host_invites_a_company_in_the_admin(alice, charlie, shared_campaign, company_c):
    client = admin_of(alice)
    assert client.get(admin_url("campaigns_invitation_add"), {"campaign": shared_campaign.pk}).status_code == 200

    response = client.post(
        admin_url("campaigns_invitation_add"),
        {"campaign": shared_campaign.pk, "organization": company_c.pk, "message": "Join us"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get()
    assert (invitation.campaign, invitation.organization, invitation.invited_by) == (
        shared_campaign,
        company_c,
        alice.person,
    )
    assert notices("invitation", charlie.person).exists()


def test_a_partner_cannot_invite_in_the_admin(carol, shared_campaign, company_c):
    response = admin_of(carol).post(
        admin_url("campaigns_invitation_add"), {"campaign": shared_campaign.pk, "organization": company_c.pk}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_company_twice_is_refused_with_a_message(alice, invitation, shared_campaign, company_c):
    response = api_of(alice).post(
        "/api/invitations/", {"campaign": shared_campaign.pk, "organization": company_c.pk}, format="json"
    )

    assert response.status_code == 400
    assert "already has an invitation to this campaign waiting" in str(response.json())
    assert Invitation.objects.count() == 1


# --- Until it answers, the invited company sees only the invitation -----------------------------------


def test_the_invited_company_sees_the_invitation_but_not_the_campaign(
    charlie, alice, invitation, shared_campaign, deliverable, company_c
):
    charlie_api = api_of(charlie)

    (listed,) = charlie_api.get("/api/invitations/").json()["results"]
    assert (listed["id"], listed["campaign_name"]) == (invitation.pk, "A and B webinar")
    assert listed["host_name"] == "Company A"
    assert charlie_api.get(f"/api/campaigns/{shared_campaign.pk}/").status_code == 404
    assert charlie_api.get("/api/campaigns/").json()["results"] == []
    assert charlie_api.get(f"/api/deliverables/{deliverable.pk}/").status_code == 404
    assert charlie_api.get("/api/deliverables/").json()["results"] == []
    assert charlie_api.get(f"/api/people/{alice.person.pk}/").status_code == 404
    # Nor does the host see more of the invited company than its name.
    assert api_of(alice).get(f"/api/organizations/{company_c.pk}/").status_code == 404


def test_the_invited_company_sees_the_invitation_but_not_the_campaign_in_the_admin(
    charlie, invitation, shared_campaign, deliverable
):
    client = admin_of(charlie)

    invitation_page = client.get(admin_url("campaigns_invitation_change", invitation.pk))
    campaign_page = client.get(admin_url("campaigns_campaign_change", shared_campaign.pk))
    deliverable_page = client.get(admin_url("campaigns_deliverable_change", deliverable.pk))

    assert invitation_page.status_code == 200
    html = invitation_page.content.decode()
    assert "A and B webinar" in html and "Join our webinar?" in html
    assert admin_url("campaigns_invitation_accept", invitation.pk) in html
    assert admin_url("campaigns_invitation_withdraw", invitation.pk) not in html
    assert campaign_page.status_code == deliverable_page.status_code == 302
    assert campaign_page.url == deliverable_page.url == admin_url("index")
    assert "Joint landing page" not in client.get(admin_url("campaigns_deliverable_changelist")).content.decode()


# --- Answering --------------------------------------------------------------------------------------


def test_accepting_makes_the_company_a_partner_that_sees_the_campaign(
    charlie, alice_leads, invitation, shared_campaign, deliverable, company_c
):
    charlie_api = api_of(charlie)

    response = charlie_api.post(f"/api/invitations/{invitation.pk}/accept/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    party = Party.objects.get(campaign=shared_campaign, organization=company_c)
    assert (party.role, party.point_of_contact) == (Party.Role.PARTNER, charlie.person)
    assert Member.objects.filter(campaign=shared_campaign, person=charlie.person).exists()
    assert charlie_api.get(f"/api/campaigns/{shared_campaign.pk}/").status_code == 200
    assert charlie_api.get(f"/api/deliverables/{deliverable.pk}/").json()["title"] == "Joint landing page"
    assert api_of(alice_leads).get(f"/api/organizations/{company_c.pk}/").status_code == 200
    assert notices("campaign_change", alice_leads.person).get().subject_line == "Company C joined “A and B webinar”"


def test_accepting_in_the_admin(charlie, invitation, shared_campaign, company_c):
    client = admin_of(charlie)

    response = client.post(admin_url("campaigns_invitation_accept", invitation.pk))

    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    assert Party.objects.filter(campaign=shared_campaign, organization=company_c, role="partner").exists()
    assert client.get(admin_url("campaigns_campaign_change", shared_campaign.pk)).status_code == 200


def test_an_invitation_is_answered_once(charlie, invitation, shared_campaign):
    charlie_api = api_of(charlie)
    assert charlie_api.post(f"/api/invitations/{invitation.pk}/accept/").status_code == 200

    again = charlie_api.post(f"/api/invitations/{invitation.pk}/decline/", {"reason": "Changed my mind"}, format="json")

    assert again.status_code == 400
    assert "no longer waiting for an answer: Accepted" in str(again.json())
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    assert Party.objects.filter(campaign=shared_campaign).count() == 3


def test_declining_with_a_reason_tells_the_host(charlie, alice_leads, invitation, shared_campaign, company_c):
    charlie_api = api_of(charlie)

    response = charlie_api.post(
        f"/api/invitations/{invitation.pk}/decline/", {"reason": "No budget this quarter"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["reason"]) == ("declined", "No budget this quarter")
    assert not Party.all_objects.filter(campaign=shared_campaign, organization=company_c).exists()
    assert charlie_api.get(f"/api/campaigns/{shared_campaign.pk}/").status_code == 404
    (notice,) = notices("campaign_change", alice_leads.person)
    assert "Company C declined" in notice.body_text and "No budget this quarter" in notice.body_text


def test_declining_in_the_admin(charlie, invitation, shared_campaign, company_c):
    client = admin_of(charlie)
    url = admin_url("campaigns_invitation_decline", invitation.pk)
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "Not our audience"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reason) == ("declined", "Not our audience")
    assert invitation.answered_by == charlie.person
    assert not Party.all_objects.filter(campaign=shared_campaign, organization=company_c).exists()


def test_the_host_withdraws_and_the_invitation_can_no_longer_be_accepted(
    alice, charlie, invitation, shared_campaign, company_c
):
    withdrawn = api_of(alice).post(f"/api/invitations/{invitation.pk}/withdraw/")
    accepted = api_of(charlie).post(f"/api/invitations/{invitation.pk}/accept/")

    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert accepted.status_code == 400
    assert "no longer waiting for an answer: Withdrawn" in str(accepted.json())
    assert not Party.all_objects.filter(campaign=shared_campaign, organization=company_c).exists()


def test_the_host_withdraws_in_the_admin(alice, invitation):
    client = admin_of(alice)
    page = client.get(admin_url("campaigns_invitation_change", invitation.pk)).content.decode()
    assert admin_url("campaigns_invitation_withdraw", invitation.pk) in page
    assert admin_url("campaigns_invitation_accept", invitation.pk) not in page

    response = client.post(admin_url("campaigns_invitation_withdraw", invitation.pk))

    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.WITHDRAWN


def test_a_partner_can_neither_withdraw_nor_accept(carol, invitation, shared_campaign, company_c):
    carol_api = api_of(carol)

    withdrawn = carol_api.post(f"/api/invitations/{invitation.pk}/withdraw/")
    accepted = carol_api.post(f"/api/invitations/{invitation.pk}/accept/")

    assert withdrawn.status_code == accepted.status_code == 403
    assert withdrawn.json()["detail"] == "Only the host company may change this invitation."
    assert accepted.json()["detail"] == "Only the invited company may answer this invitation."
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    assert not Party.all_objects.filter(campaign=shared_campaign, organization=company_c).exists()


def test_a_partner_can_neither_withdraw_nor_accept_in_the_admin(carol, invitation):
    client = admin_of(carol)
    page = client.get(admin_url("campaigns_invitation_change", invitation.pk))
    assert page.status_code == 200
    for action in ("accept", "decline", "withdraw"):
        assert admin_url(f"campaigns_invitation_{action}", invitation.pk) not in page.content.decode()

    for action in ("accept", "withdraw"):
        assert client.post(admin_url(f"campaigns_invitation_{action}", invitation.pk)).status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_the_invited_company_cannot_withdraw_its_own_invitation(charlie, invitation):
    response = api_of(charlie).post(f"/api/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


# --- Inviting a company new to the tracker ------------------------------------------------------------


NEW_COMPANY = {"company_name": "Delta Corp", "contact_name": "Dana Diaz", "contact_email": "dana@delta.example"}
DANAS_PASSWORD = "a-long-welcome-passphrase-42"


@pytest.fixture
def new_company_invitation(alice_leads, shared_campaign):
    return invitation_create_for_new_company(user=alice_leads, campaign=shared_campaign, **NEW_COMPANY)


def welcome_link(person):
    """The link in the invitation e-mail that `person` received, once the outbox delivered it."""
    message = deliver(notices("invitation", person).get())
    assert message.to == [f"{person.full_name} <{person.email}>"]
    return WELCOME_LINK.search(message.body).group(0)


def set_password(client, link, password=DANAS_PASSWORD):
    """Open the welcome link and choose a password; returns the final response."""
    opened = client.get(link, follow=True)
    form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else link
    return client.post(form_url, {"new_password1": password, "new_password2": password})


@pytest.mark.usefixtures("alice_leads")
def test_the_host_invites_a_new_company_by_its_contacts_email(alice, shared_campaign):
    response = api_of(alice).post(
        "/api/invitations/",
        {"campaign": shared_campaign.pk, "message": "Co-host with us?", **NEW_COMPANY},
        format="json",
    )

    assert response.status_code == 201, response.content
    organization = Organization.objects.get(name="Delta Corp")
    dana = Person.objects.get(email="dana@delta.example")
    assert (dana.organization, dana.full_name) == (organization, "Dana Diaz")
    assert not dana.user.has_usable_password()
    assert not organization.listed_in_directory
    invitation = Invitation.objects.get(pk=response.json()["id"])
    assert (invitation.organization, invitation.contact, invitation.status) == (organization, dana, "pending")
    (notice,) = notices("invitation", dana)
    assert notice.campaign == shared_campaign and notice.status == Reminder.Status.PENDING


@pytest.mark.usefixtures("alice_leads")
def test_the_host_invites_a_new_company_in_the_admin(alice, shared_campaign):
    response = admin_of(alice).post(
        admin_url("campaigns_invitation_add"), {"campaign": shared_campaign.pk, "message": "", **NEW_COMPANY}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    dana = Person.objects.get(email="dana@delta.example")
    assert Invitation.objects.get().contact == dana
    assert notices("invitation", dana).exists()


def test_the_welcome_link_sets_a_password_and_logs_in_then_the_contact_accepts(new_company_invitation, shared_campaign):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    client = Client()

    response = set_password(client, link)

    assert response.status_code == 302 and response.url == admin_url("index")
    dana.user.refresh_from_db()
    assert dana.user.check_password(DANAS_PASSWORD)
    assert int(client.session["_auth_user_id"]) == dana.user.pk
    accepted = client.post(admin_url("campaigns_invitation_accept", new_company_invitation.pk))
    assert accepted.status_code == 302
    party = Party.objects.get(campaign=shared_campaign, organization=dana.organization)
    assert (party.role, party.point_of_contact) == (Party.Role.PARTNER, dana)


def test_the_welcome_link_works_once(new_company_invitation):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    assert set_password(Client(), link).status_code == 302

    stranger = Client()
    reused = stranger.get(link, follow=True)
    forged = set_password(stranger, link, password="another-long-passphrase-77")

    assert reused.status_code == 200 and not reused.context["validlink"]
    assert "invalid" in reused.content.decode()
    assert forged.status_code == 200
    assert "_auth_user_id" not in stranger.session
    dana.user.refresh_from_db()
    assert dana.user.check_password(DANAS_PASSWORD)


@pytest.mark.usefixtures("alice_leads")
def test_an_expired_welcome_link_does_not_work(alice, shared_campaign, settings):
    sent = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        invitation = invitation_create_for_new_company(user=alice, campaign=shared_campaign, **NEW_COMPANY)
        link = welcome_link(invitation.contact)
    client = Client()

    later = sent + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 3600)
    with time_machine.travel(later, tick=False):
        response = set_password(client, link)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    invitation.contact.user.refresh_from_db()
    assert not invitation.contact.user.has_usable_password()


def _withdraw_through_the_api(alice, invitation):
    return api_of(alice).post(f"/api/invitations/{invitation.pk}/withdraw/").status_code == 200


def _withdraw_in_the_admin(alice, invitation):
    return admin_of(alice).post(admin_url("campaigns_invitation_withdraw", invitation.pk)).status_code == 302


@pytest.mark.parametrize("withdraw", [_withdraw_through_the_api, _withdraw_in_the_admin], ids=["api", "admin"])
def test_a_withdrawn_invitation_closes_its_welcome_link_with_a_page_that_says_so(
    alice, new_company_invitation, withdraw
):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    assert withdraw(alice, new_company_invitation)
    client = Client()

    opened = client.get(link, follow=True)
    forged = set_password(client, link)

    for response in (opened, forged):
        assert response.status_code == 410
        html = response.content.decode()
        assert "This link no longer works" in html
        assert "The invitation to “A and B webinar” was withdrawn, so this link no longer works." in html
    assert "_auth_user_id" not in client.session
    dana.user.refresh_from_db()
    assert not dana.user.has_usable_password()


def test_a_link_opened_before_the_invitation_was_withdrawn_sets_no_password(alice, new_company_invitation):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    assert _withdraw_through_the_api(alice, new_company_invitation)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": DANAS_PASSWORD, "new_password2": DANAS_PASSWORD}
    )

    assert response.status_code == 410
    assert "_auth_user_id" not in client.session
    dana.user.refresh_from_db()
    assert not dana.user.has_usable_password()


def test_an_invitation_the_operator_declines_for_the_contact_closes_its_welcome_link(new_company_invitation, operator):
    link = welcome_link(new_company_invitation.contact)
    declined = admin_of(operator).post(
        admin_url("campaigns_invitation_decline", new_company_invitation.pk), {"reason": "Told us by phone"}
    )
    assert declined.status_code == 302

    response = set_password(Client(), link)

    assert response.status_code == 410
    assert (
        "The invitation to “A and B webinar” was declined, so this link no longer works." in response.content.decode()
    )


def test_a_declined_invitation_leaves_its_welcome_link_dead(new_company_invitation):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    declined = admin_of(dana.user).post(
        admin_url("campaigns_invitation_decline", new_company_invitation.pk), {"reason": "Not now"}
    )
    assert declined.status_code == 302
    client = Client()

    response = set_password(client, link)

    # Declining takes a login, which already ends the link (it is single-use): the decline closes it as well.
    assert response.status_code == 200 and not response.context["validlink"]
    assert "_auth_user_id" not in client.session
    dana.user.refresh_from_db()
    assert not dana.user.has_usable_password()


def test_a_made_up_link_learns_nothing_about_the_invitation(alice, new_company_invitation):
    dana = new_company_invitation.contact
    link = welcome_link(dana)
    assert _withdraw_through_the_api(alice, new_company_invitation)
    made_up = link.rsplit("/", 2)[0] + "/abc123-0123456789abcdef0123456789abcdef/"

    response = Client().get(made_up, follow=True)

    assert response.status_code == 200 and not response.context["validlink"]
    assert "A and B webinar" not in response.content.decode()


def test_an_invitation_withdrawn_before_its_email_went_out_is_not_sent(alice, new_company_invitation):
    assert _withdraw_through_the_api(alice, new_company_invitation)
    (waiting,) = notices("invitation", new_company_invitation.contact)

    assert reminder_send(reminder_id=waiting.pk).status == "dropped"

    waiting.refresh_from_db()
    assert waiting.dropped_reason == "The invitation was withdrawn before this message went out."
    assert mail.outbox == []


# --- Health checks --------------------------------------------------------------------------------------


@pytest.fixture
def invitation_checks_only(monkeypatch):
    own = {code: check for code, check in health.checks.items() if check.find.__module__ == checks_invitations.__name__}
    assert set(own) == {"invitation_unanswered", "no_accepted_partner"}
    monkeypatch.setattr(health, "checks", own)


def open_flags(campaign):
    return {(flag.code, flag.subject) for flag in Flag.objects.open().filter(campaign=campaign)}


@pytest.mark.usefixtures("invitation_checks_only")
def test_an_invitation_nobody_answers_is_flagged_after_the_set_days(
    alice, charlie, shared_campaign, company_c, settings
):
    settings.INVITATION_UNANSWERED_DAYS = 7
    sent = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        invitation_create(user=alice, campaign=shared_campaign, organization=company_c)

    health_sweep(now=sent + datetime.timedelta(days=6))
    assert open_flags(shared_campaign) == set()

    health_sweep(now=sent + datetime.timedelta(days=8))
    assert open_flags(shared_campaign) == {("invitation_unanswered", f"organization:{company_c.pk}")}
    flag = Flag.objects.get(code="invitation_unanswered")
    assert flag.detail == "Company C has not answered the invitation sent on Mon 2 Nov 2026. Follow up, or withdraw it."


@pytest.mark.usefixtures("invitation_checks_only")
def test_a_campaign_under_way_with_no_accepted_partner_is_flagged_until_one_joins(alice, charlie, company_a, company_c):
    alone = joint_campaign(company_a, name="A alone", status=Campaign.Status.PLANNING)
    draft = joint_campaign(company_a, name="A's draft")
    pending = invitation_create(user=alice, campaign=alone, organization=company_c)
    now = datetime.datetime(2026, 11, 3, 9, 0, tzinfo=UTC)

    health_sweep(now=now)
    assert open_flags(alone) == {("no_accepted_partner", "")}
    assert Flag.objects.get(campaign=alone).severity == health.CRITICAL
    assert open_flags(draft) == set()

    invitation_accept(invitation=pending, user=charlie)
    health_sweep(now=now + datetime.timedelta(minutes=5))
    assert open_flags(alone) == set()
