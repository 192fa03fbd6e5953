"""Invitations that cannot be abused (issue 23): limits per company and day, new companies invited only by the
host's campaign leads, one e-mail per person however often an invitation is withdrawn and made again, the host's
message sent as plain text, and an answer that never tells whether an address or a company is in the tracker."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from campaigns.models import Invitation, Member, Reminder, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.reminders import reminder_send
from campaigns.outbox.webhooks import payload_of, webhook_sweep
from campaigns.services.invitations import invitation_create, invitation_create_for_new_company, invitation_withdraw
from partners.models import Organization, Person
from tests.campaigns.factories import joint_campaign
from tests.clients import admin_of, api_of
from tests.partners.factories import company_user

UTC = datetime.UTC
MORNING = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADD_PAGE = reverse("admin:campaigns_invitation_add")


def new_company(n: int) -> dict:
    return {"company_name": f"Delta {n}", "contact_name": f"Dana {n}", "contact_email": f"dana{n}@delta.example"}


@pytest.fixture
def alice_lead(shared_campaign, alice):
    """Alice is Company A's decision maker on the A and B webinar: she may invite new companies to it."""
    Member.objects.filter(campaign=shared_campaign, person=alice.person).update(is_decision_maker=True)
    return alice


def invite_by_email(user, campaign, **fields):
    return api_of(user).post("/api/invitations/", {"campaign": campaign.pk, **fields}, format="json")


def invite_by_name(user, campaign, organization):
    return api_of(user).post(
        "/api/invitations/", {"campaign": campaign.pk, "organization": organization.pk}, format="json"
    )


def deliver_all():
    for reminder in Reminder.objects.filter(kind="invitation", status=Reminder.Status.PENDING):
        reminder_send(reminder_id=reminder.pk)


# --- Limits per company and day --------------------------------------------------------------------------------


def test_new_company_invitations_over_the_days_limit_are_refused_with_when_to_try_again(
    alice_lead, shared_campaign, settings
):
    settings.NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = 3
    for hour in range(3):
        with time_machine.travel(MORNING + datetime.timedelta(hours=hour), tick=False):
            assert invite_by_email(alice_lead, shared_campaign, **new_company(hour)).status_code == 201

    with time_machine.travel(MORNING + datetime.timedelta(hours=5), tick=False):
        refused = invite_by_email(alice_lead, shared_campaign, **new_company(9))

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(19 * 3600)  # the first of the three leaves the 24 hours at 09:00 next day
    assert refused.json()["detail"] == (
        "Your company has sent 3 invitations of companies new to the tracker in the last 24 hours, as many as it may. "
        "You can invite again from 03 Nov 2026, 09:00 (UTC)."
    )
    assert not Person.objects.filter(email="dana9@delta.example").exists()
    assert not get_user_model().objects.filter(username="dana9@delta.example").exists()
    with time_machine.travel(MORNING + datetime.timedelta(hours=24), tick=False):
        assert invite_by_email(alice_lead, shared_campaign, **new_company(9)).status_code == 201


def test_withdrawn_invitations_count_towards_the_limit_of_all_invitations(
    alice, shared_campaign, company_c, charlie, settings
):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 2
    with time_machine.travel(MORNING, tick=False):
        first = invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
        invitation_withdraw(invitation=first, user=alice)
        invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
    other = Organization.objects.create(name="Echo Ltd", listed_in_directory=True)

    with time_machine.travel(MORNING + datetime.timedelta(minutes=30), tick=False):
        refused = invite_by_name(alice, shared_campaign, other)

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(int(datetime.timedelta(hours=23, minutes=30).total_seconds()))
    assert "has sent 2 invitations in the last 24 hours" in refused.json()["detail"]
    assert not Invitation.objects.filter(organization=other).exists()


def test_a_company_over_its_limit_sees_a_form_error_in_the_admin(alice_lead, shared_campaign, settings):
    settings.NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = 1
    with time_machine.travel(MORNING, tick=False):
        client = admin_of(alice_lead)
        assert client.post(ADD_PAGE, {"campaign": shared_campaign.pk, **new_company(1)}).status_code == 302

        page = client.post(ADD_PAGE, {"campaign": shared_campaign.pk, **new_company(2)})

    assert page.status_code == 200
    assert "You can invite again from 03 Nov 2026, 09:00 (UTC)." in page.content.decode()
    assert not Person.objects.filter(email="dana2@delta.example").exists()


def test_the_limits_count_per_company(alice_lead, shared_campaign, company_b, carol, settings):
    settings.NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = 1
    assert invite_by_email(alice_lead, shared_campaign, **new_company(1)).status_code == 201
    b_hosts = joint_campaign(company_b, name="B's own webinar")
    Member.objects.create(campaign=b_hosts, person=carol.person, is_project_lead=True)

    assert invite_by_email(carol, b_hosts, **new_company(2)).status_code == 201


# --- Only the host's campaign leads invite companies new to the tracker ------------------------------------------


def test_a_host_person_who_is_no_campaign_lead_may_not_invite_a_new_company(alice, shared_campaign):
    refused = invite_by_email(alice, shared_campaign, **new_company(1))

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "Only a decision maker or project lead of your company on this campaign's team may invite a company new "
        "to the tracker"
    )
    assert not Organization.objects.filter(name="Delta 1").exists()


def test_nor_in_the_admin(alice, shared_campaign):
    page = admin_of(alice).post(ADD_PAGE, {"campaign": shared_campaign.pk, **new_company(1)})

    assert page.status_code == 200
    assert "Only a decision maker or project lead of your company" in page.content.decode()
    assert not Organization.objects.filter(name="Delta 1").exists()


def test_a_project_lead_may(alice, shared_campaign):
    Member.objects.filter(campaign=shared_campaign, person=alice.person).update(is_project_lead=True)

    assert invite_by_email(alice, shared_campaign, **new_company(1)).status_code == 201


def test_a_partners_decision_maker_may_not(carol, shared_campaign):
    Member.objects.filter(campaign=shared_campaign, person=carol.person).update(is_decision_maker=True)

    refused = invite_by_email(carol, shared_campaign, **new_company(1))

    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the host company may add this invitation."


def test_any_host_person_still_invites_a_company_in_the_tracker(alice, shared_campaign, company_c, charlie):
    assert invite_by_name(alice, shared_campaign, company_c).status_code == 201


# --- One e-mail per person per invitation ------------------------------------------------------------------------


def test_inviting_and_withdrawing_ten_times_emails_each_person_once(alice, shared_campaign, company_c, charlie):
    dave = company_user(company_c, name="Dave")
    for _ in range(10):
        invitation = invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
        deliver_all()
        invitation_withdraw(invitation=invitation, user=alice)
    again = invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
    deliver_all()

    assert sorted(message.to[0].split(" <")[0] for message in mail.outbox) == ["Charlie", "Dave"]
    # The latest one shows in the tracker, to be answered there.
    for person in (charlie, dave):
        (listed,) = [
            row for row in api_of(person).get("/api/invitations/").json()["results"] if row["status"] == "pending"
        ]
        assert listed["id"] == again.pk
    assert "A and B webinar" in admin_of(charlie).get(reverse("admin:index")).content.decode()


def test_after_the_cool_down_a_new_invitation_is_emailed_again(alice, shared_campaign, company_c, charlie, settings):
    settings.INVITATION_EMAIL_COOLDOWN_DAYS = 7
    with time_machine.travel(MORNING, tick=False):
        first = invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
        deliver_all()
        invitation_withdraw(invitation=first, user=alice)
    with time_machine.travel(MORNING + datetime.timedelta(days=8), tick=False):
        invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
        deliver_all()

    assert len(mail.outbox) == 2


def test_an_invitation_withdrawn_before_its_email_went_out_does_not_hold_back_the_next(
    alice, shared_campaign, company_c, charlie
):
    first = invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
    invitation_withdraw(invitation=first, user=alice)
    invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
    deliver_all()

    assert len(mail.outbox) == 1  # the first was dropped unsent, the second went out


# --- The host's message is plain text, and bounded -------------------------------------------------------------


def test_the_hosts_message_is_sent_as_plain_text(alice, shared_campaign, company_c, charlie):
    words = '<a href="https://evil.example/login">Sign in</a> <script>alert(1)</script>'
    invitation_create(user=alice, campaign=shared_campaign, organization=company_c, message=words)
    deliver_all()

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert f"Their message, as they wrote it: “{words}”" in message.body
    assert "evil.example/login&quot;&gt;Sign in&lt;/a&gt;" in html and "&lt;script&gt;" in html
    assert 'href="https://evil.example' not in html and "<script>" not in html


def test_a_message_over_a_thousand_characters_is_refused_naming_the_field(alice, shared_campaign, company_c):
    refused = api_of(alice).post(
        "/api/invitations/",
        {"campaign": shared_campaign.pk, "organization": company_c.pk, "message": "x" * 1001},
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json() == {"message": ["Ensure this field has no more than 1000 characters."]}
    assert not Invitation.objects.exists()


# --- The answer tells nothing of who is in the tracker ------------------------------------------------------------


def _shape(body: dict) -> dict:
    """What the answer says, less what differs by the request itself (its id, when, the name given)."""
    return {key: value for key, value in body.items() if key not in ("id", "created_at", "organization_name")}


def test_a_known_address_a_known_name_and_a_new_company_get_the_same_answer(
    alice_lead, shared_campaign, company_c, charlie
):
    Organization.objects.filter(pk=company_c.pk).update(listed_in_directory=False)
    answers = {
        "new": invite_by_email(alice_lead, shared_campaign, **new_company(1)),
        "known address": invite_by_email(
            alice_lead, shared_campaign, company_name="Delta 2", contact_name="C", contact_email=charlie.email.upper()
        ),
        "known name": invite_by_email(
            alice_lead, shared_campaign, company_name="Company C", contact_name="Ed", contact_email="ed@c.example"
        ),
    }

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(answers, 201)
    shapes = {name: _shape(answer.json()) for name, answer in answers.items()}
    assert shapes["new"] == shapes["known address"] == shapes["known name"]
    assert shapes["new"]["organization"] is None and shapes["new"]["status"] == "pending"
    names = {name: answer.json()["organization_name"] for name, answer in answers.items()}
    assert names == {"new": "Delta 1", "known address": "Delta 2", "known name": "Company C"}


@pytest.mark.parametrize(
    "fields",
    [
        {"company_name": "Delta\nCorp", "contact_name": "Dana"},
        {"company_name": "Delta", "contact_name": "Dana\nDiaz"},
        {"company_name": "D" * 201, "contact_name": "Dana"},
    ],
    ids=["two-line name", "two-line contact", "overlong name"],
)
def test_a_refused_name_is_refused_alike_for_a_known_and_a_new_address(alice_lead, shared_campaign, charlie, fields):
    known = invite_by_email(alice_lead, shared_campaign, contact_email=charlie.email, **fields)
    new = invite_by_email(alice_lead, shared_campaign, contact_email="nobody@new.example", **fields)

    assert known.status_code == new.status_code == 400
    assert known.json() == new.json()
    assert set(known.json()) <= {"company_name", "contact_name"}
    assert not Invitation.objects.exists()


def test_an_address_longer_than_any_login_is_refused_naming_the_field(alice_lead, shared_campaign):
    address = "d" * 140 + "@delta.example"

    refused = invite_by_email(
        alice_lead, shared_campaign, company_name="Delta", contact_name="D", contact_email=address
    )

    assert refused.status_code == 400
    assert list(refused.json()) == ["contact_email"]


def test_a_known_address_invites_that_persons_company_which_answers_by_consent(
    alice_lead, shared_campaign, company_c, charlie
):
    logins = get_user_model().objects.count()
    body = invite_by_email(
        alice_lead, shared_campaign, company_name="Delta", contact_name="Someone", contact_email=charlie.email
    ).json()

    invitation = Invitation.objects.get(pk=body["id"])
    assert (invitation.organization, invitation.contact) == (company_c, charlie.person)
    assert get_user_model().objects.count() == logins and not Organization.objects.filter(name="Delta").exists()
    deliver_all()
    (message,) = mail.outbox
    assert message.to == [f"Charlie <{charlie.email}>"]
    assert "invites Company C (as “Delta”)" in message.body
    assert reverse("admin:campaigns_invitation_change", args=[invitation.pk]) in message.body
    assert "/welcome/" not in message.body
    # The host sees only the name it gave until Company C accepts; then it sees who joined.
    host = api_of(alice_lead)
    seen = host.get(f"/api/invitations/{invitation.pk}/").json()
    assert (seen["organization"], seen["organization_name"]) == (None, "Delta")
    assert api_of(charlie).post(f"/api/invitations/{invitation.pk}/accept/").status_code == 200
    seen = host.get(f"/api/invitations/{invitation.pk}/").json()
    assert (seen["organization"], seen["organization_name"]) == (company_c.pk, "Company C")


def test_a_known_company_name_gets_a_company_of_its_own(alice_lead, shared_campaign, company_c, charlie):
    body = invite_by_email(
        alice_lead, shared_campaign, company_name="company c", contact_name="Ed", contact_email="ed@c.example"
    ).json()

    ed = Person.objects.get(email="ed@c.example")
    assert ed.organization != company_c and ed.organization.name == "company c (2)"
    assert Invitation.objects.get(pk=body["id"]).organization == ed.organization
    assert not Person.objects.filter(organization=company_c, email="ed@c.example").exists()


def test_the_host_cannot_find_the_company_a_known_address_belongs_to(alice_lead, shared_campaign, company_a, company_c):
    charlie = company_user(company_c, name="Charlie")
    joint_campaign(company_a, company_c, name="A and C roundtable")  # the host knows Company C from elsewhere
    invitation_id = invite_by_email(
        alice_lead, shared_campaign, company_name="Delta", contact_name="C", contact_email=charlie.email
    ).json()["id"]
    host_api, host_admin = api_of(alice_lead), admin_of(alice_lead)

    by_company = host_api.get("/api/invitations/", {"organization": company_c.pk}).json()["results"]
    listed = host_admin.get(reverse("admin:campaigns_invitation_changelist")).content.decode()
    searched = host_admin.get(reverse("admin:campaigns_invitation_changelist"), {"q": "Company C"}).content.decode()
    page = host_admin.get(reverse("admin:campaigns_invitation_change", args=[invitation_id])).content.decode()

    assert invitation_id not in [row["id"] for row in by_company]
    assert "Delta" in listed and "Company C" not in listed
    assert "0 invitations" in searched
    assert "Delta" in page and "Company C" not in page


def test_the_unanswered_flag_names_the_invitation_by_the_name_the_host_gave(
    alice_lead, shared_campaign, company_c, charlie, settings
):
    from campaigns.checks.invitations import invitation_unanswered
    from campaigns.models import Campaign

    with time_machine.travel(MORNING, tick=False):
        invitation = invitation_create_for_new_company(
            user=alice_lead,
            campaign=shared_campaign,
            company_name="Delta",
            contact_name="C",
            contact_email=charlie.email,
        )

    (finding,) = invitation_unanswered(Campaign.objects.all(), MORNING + datetime.timedelta(days=8))

    assert finding.subject == f"invitation:{invitation.pk}"
    assert finding.detail.startswith("Delta has not answered the invitation") and "Company C" not in finding.detail


def test_a_new_campaign_whose_partner_is_over_the_limit_is_a_form_error(
    alice, shared_campaign, company_c, charlie, settings
):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 1
    invitation_create(user=alice, campaign=shared_campaign, organization=company_c)
    page = admin_of(alice).post(
        reverse("admin:campaigns_campaign_add"),
        {"name": "Spring webinar", "kind": "joint_webinar", "partner": company_c.pk},
    )

    assert page.status_code == 200
    assert "as many as it may. You can invite again from" in page.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("name", ["INVITATIONS_PER_COMPANY_PER_DAY", "NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY"])
def test_a_limit_below_one_stops_start_up(name):
    from tests.comarketing.test_settings import PRODUCTION_ENV, manage

    result = manage("check", env={**PRODUCTION_ENV, name: "0"})

    assert result.returncode != 0
    assert f"{name} must be 1 or more" in result.stderr


def test_the_hosts_webhook_names_a_declining_company_only_as_the_host_named_it(
    alice_lead, shared_campaign, company_a, company_c, charlie
):
    WebhookEndpoint.objects.create(organization=company_a, name="A hook", url="https://hooks.example.com/in")
    invitation_id = invite_by_email(
        alice_lead, shared_campaign, company_name="Delta", contact_name="C", contact_email=charlie.email
    ).json()["id"]
    assert (
        api_of(charlie).post(f"/api/invitations/{invitation_id}/decline/", {"reason": "No"}, format="json").status_code
        == 200
    )
    webhook_sweep(enqueue=False)

    answered = WebhookDelivery.objects.get(endpoint__organization=company_a, event="invitation.answered")
    payload = json.loads(payload_of(answered))
    assert payload["invitation"]["company"] == "Delta" and payload["summary"].startswith("Delta declined")
    assert "Company C" not in payload_of(answered)
