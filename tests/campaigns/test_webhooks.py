"""Outgoing webhooks: each company's endpoints hear about its campaigns' events, signed, retried through the
outbox, never twice per event, and failures stay visible."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Flag, Invitation, Reminder, ResultsReport, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.webhooks import webhook_send, webhook_sweep
from tests.campaigns.factories import joint_campaign
from tests.campaigns.sweep_helpers import eager_celery  # noqa: F401  (fixture)
from tests.clients import admin_of, api_of
from tests.partners.factories import OrganizationFactory, company_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    host, partner, outsider = (
        OrganizationFactory(name="Acme"),
        OrganizationFactory(name="Globex"),
        OrganizationFactory(),
    )
    campaign = joint_campaign(host, partner, name="Spring webinar")
    return host, partner, outsider, campaign


def endpoint_of(company, url="https://hooks.example.com/in", **fields) -> WebhookEndpoint:
    fields.setdefault("name", f"{company.name} hook")
    return WebhookEndpoint.objects.create(organization=company, url=url, **fields)


def open_flag(campaign, title="No named decision maker") -> Flag:
    now = timezone.now()
    return Flag.objects.create(
        campaign=campaign, code="no_decision_maker", severity="critical", title=title, opened_at=now, last_seen_at=now
    )


def deliveries():
    return sorted(WebhookDelivery.objects.values_list("endpoint__organization__name", "event", "subject"))


def send_all(now=None):
    outcomes = []
    for delivery_id in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True):
        outcomes.append(webhook_send(delivery_id=delivery_id, now=now).status)
    return outcomes


def test_a_raised_flag_reaches_every_party_once_and_no_one_else(world):
    host, partner, outsider, campaign = world
    for company in (host, partner, outsider):
        endpoint_of(company)
    endpoint_of(host, name="Turned off", is_active=False)
    endpoint_of(partner, name="Invitations only", flags=False)
    flag = open_flag(campaign)

    first = webhook_sweep(enqueue=False)
    again = webhook_sweep(enqueue=False)

    assert deliveries() == [("Acme", "flag.opened", f"flag:{flag.pk}"), ("Globex", "flag.opened", f"flag:{flag.pk}")]
    assert (first.created, again.created) == (2, 0)


def test_a_cleared_flag_is_a_second_event(world):
    host, _, _, campaign = world
    endpoint_of(host)
    flag = open_flag(campaign)
    webhook_sweep(enqueue=False)
    Flag.objects.filter(pk=flag.pk).update(resolved_at=timezone.now())
    webhook_sweep(enqueue=False)
    assert [event for _, event, _ in deliveries()] == ["flag.opened", "flag.resolved"]


def test_events_from_before_the_endpoint_existed_are_not_sent(world):
    host, _, _, campaign = world
    flag = open_flag(campaign)
    Flag.objects.filter(pk=flag.pk).update(opened_at=timezone.now() - datetime.timedelta(minutes=5))
    endpoint_of(host)
    assert webhook_sweep(enqueue=False).created == 0


def test_an_invitation_reaches_the_invited_company_and_its_answer_every_party(world):
    host, partner, outsider, campaign = world
    endpoint_of(host)
    endpoint_of(outsider)
    invitation = Invitation.objects.create(campaign=campaign, organization=outsider)
    webhook_sweep(enqueue=False)
    assert deliveries() == [(outsider.name, "invitation.received", f"invitation:{invitation.pk}")]

    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.DECLINED, answered_at=timezone.now())
    webhook_sweep(enqueue=False)
    assert ("Acme", "invitation.answered", f"invitation:{invitation.pk}") in deliveries()


def test_a_ready_report_reaches_both_companies(world):
    host, partner, _, campaign = world
    endpoint_of(host)
    endpoint_of(partner)
    report = ResultsReport.objects.create(campaign=campaign, status=ResultsReport.Status.READY, built_at=timezone.now())
    webhook_sweep(enqueue=False)
    assert {(company, event) for company, event, _ in deliveries()} == {
        ("Acme", "results_report.ready"),
        ("Globex", "results_report.ready"),
    }
    assert {subject for _, _, subject in deliveries()} == {f"results-report:{report.pk}"}


def test_a_delivery_is_signed_with_the_endpoints_secret(world, receiver):
    host, _, _, campaign = world
    endpoint = endpoint_of(host, url=receiver.url)
    flag = open_flag(campaign)
    webhook_sweep(enqueue=False)

    assert send_all() == ["sent"]

    headers, body = receiver.requests[0]
    parts = dict(part.split("=", 1) for part in headers["X-Comarketing-Signature"].split(","))
    timestamp, signed = parts["t"], parts["v1"]
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signed, expected)
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    payload = json.loads(body)
    assert payload["event"] == "flag.opened" == headers["X-Comarketing-Event"]
    assert payload["campaign"]["name"] == "Spring webinar"
    assert payload["flag"]["title"] == flag.title
    assert payload["summary"] == "Flag raised on “Spring webinar”: No named decision maker"
    # A body signed with another secret does not verify.
    forged = hmac.new(b"not the secret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(signed, forged)


def test_a_server_error_is_retried_with_the_same_content_and_id(world, receiver):
    host, _, _, campaign = world
    endpoint_of(host, url=receiver.url)
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    receiver.statuses = [503]

    assert send_all() == ["retry"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("pending", 503, 1)
    assert "HTTP 503" in delivery.last_error

    assert send_all(now=delivery.next_attempt_at) == ["sent"]
    (first_headers, first_body), (second_headers, second_body) = receiver.requests
    assert first_body == second_body
    assert first_headers["X-Comarketing-Delivery"] == second_headers["X-Comarketing-Delivery"] == str(delivery.pk)
    assert WebhookDelivery.objects.get().status == "sent"


def test_a_refusal_fails_at_once_and_is_visible_to_the_company(world, receiver):
    host, partner, _, campaign = world
    endpoint = endpoint_of(host, url=receiver.url)
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    receiver.statuses = [410]

    assert send_all() == ["failed"]
    assert "HTTP 410" in WebhookDelivery.objects.get().last_error

    page = admin_of(company_user(host)).get("/admin/campaigns/webhookendpoint/")
    assert "1 failed" in page.content.decode()
    my_work = admin_of(company_user(host)).get("/admin/").content.decode()
    assert "Your webhooks are failing" in my_work and "The address answered HTTP 410." in my_work
    assert "Your webhooks are failing" not in admin_of(company_user(partner)).get("/admin/").content.decode()
    listed = api_of(company_user(host)).get("/api/webhook-deliveries/", {"status": "failed"}).json()["results"]
    assert [row["endpoint"] for row in listed] == [endpoint.pk]


def test_a_delivery_is_sent_once_even_when_two_workers_try(world, receiver):
    host, _, _, campaign = world
    endpoint_of(host, url=receiver.url)
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    delivery_id = WebhookDelivery.objects.get().pk

    assert [webhook_send(delivery_id=delivery_id).status for _ in range(2)] == ["sent", "skipped"]
    assert len(receiver.requests) == 1


def test_slack_gets_a_message_it_can_show(world, receiver):
    host, _, _, campaign = world
    endpoint_of(host, url=receiver.url, format=WebhookEndpoint.Format.SLACK)
    open_flag(campaign, title="Budget <owner> & sign-off missing")
    webhook_sweep(enqueue=False)
    send_all()

    (message,) = receiver.bodies()
    assert message["text"].startswith(
        "Flag raised on “Spring webinar”: Budget &lt;owner&gt; &amp; sign-off missing <http"
    )
    assert message["text"].endswith("|Open it in the tracker>")
    block = message["blocks"][0]["text"]
    assert block["type"] == "mrkdwn"
    assert "Budget &lt;owner&gt; &amp; sign-off missing" in block["text"]
    assert "|Open it in the tracker>" in block["text"]


def test_a_turned_off_endpoint_drops_what_was_waiting(world, receiver):
    host, _, _, campaign = world
    endpoint = endpoint_of(host, url=receiver.url)
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    assert send_all() == ["dropped"]
    assert WebhookDelivery.objects.get().dropped_reason == "The webhook was turned off."
    assert receiver.requests == []


def test_addresses_inside_our_network_are_refused(world):
    host, _, _, campaign = world
    with pytest.raises(ValidationError, match="https"):
        WebhookEndpoint(organization=host, name="Plain", url="http://hooks.example.com/in").full_clean()
    with pytest.raises(ValidationError, match="private network"):
        WebhookEndpoint(organization=host, name="Inside", url="https://10.0.0.7/in").full_clean()
    # A name that resolves inside the network is refused when the delivery is made.
    endpoint_of(host, url="https://localhost/in")
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    assert send_all() == ["failed"]
    assert "private network" in WebhookDelivery.objects.get().last_error


def test_a_company_manages_only_its_own_webhooks(world):
    host, partner, _, _ = world
    mine = endpoint_of(host)
    api = api_of(company_user(host))

    created = api.post(
        "/api/webhooks/",
        {
            "name": "Slack",
            "url": "https://hooks.slack.com/services/T0/B0/x",
            "format": "slack",
            "organization": partner.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert WebhookEndpoint.objects.get(pk=created.json()["id"]).organization == host  # the server decides whose
    assert len(created.json()["secret"]) == 64

    partner_api = api_of(company_user(partner))
    assert partner_api.get(f"/api/webhooks/{mine.pk}/").status_code == 404
    assert partner_api.post(f"/api/webhooks/{mine.pk}/test/").status_code == 404
    assert api.patch(f"/api/webhooks/{mine.pk}/", {"secret": "mine now"}, format="json").json()["secret"] == mine.secret


@pytest.mark.usefixtures("eager_celery")
def test_the_test_button_sends_at_once(world, receiver, django_capture_on_commit_callbacks):
    host, _, _, _ = world
    endpoint = endpoint_of(host, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_of(company_user(host)).post(f"/api/webhooks/{endpoint.pk}/test/")
    assert answer.status_code == 201
    assert WebhookDelivery.objects.get().status == "sent"
    assert receiver.bodies()[0]["event"] == "test"


def test_the_company_sends_a_failed_delivery_again_from_the_admin(world, receiver):
    host, partner, _, campaign = world
    endpoint_of(host, url=receiver.url)
    open_flag(campaign)
    webhook_sweep(enqueue=False)
    receiver.statuses = [404]
    send_all()
    delivery = WebhookDelivery.objects.get()
    action = {"action": "send_again", "_selected_action": [delivery.pk]}

    admin_of(company_user(partner)).post("/admin/campaigns/webhookdelivery/", action)
    assert WebhookDelivery.objects.get().status == "failed"  # not theirs: untouched

    admin_of(company_user(host)).post("/admin/campaigns/webhookdelivery/", action)
    assert (WebhookDelivery.objects.get().status, WebhookDelivery.objects.get().attempts) == ("pending", 0)
    webhook_sweep(enqueue=False)
    assert send_all() == ["sent"]
    assert receiver.requests[0][1] == receiver.requests[1][1]  # the same content as the first attempt


def test_only_the_operator_sends_a_failed_reminder_again(world):
    host, _, _, _ = world
    recipient = company_user(host)
    now = timezone.now()
    Reminder.objects.create(
        kind="weekly_digest",
        subject="digest:1",
        person=recipient.person,
        due_at=now,
        next_attempt_at=now,
        status="failed",
    )
    page = admin_of(recipient).get("/admin/campaigns/reminder/").content.decode()
    assert "digest:1" in page or "Weekly" in page
    assert "send_again" not in page
    operator = get_user_model().objects.create_superuser("op", "op@example.com", "pw")
    assert "send_again" in admin_of(operator).get("/admin/campaigns/reminder/").content.decode()
