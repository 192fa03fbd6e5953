"""A company's webhook cannot be pointed inside our network: the address is refused when it is saved (API and
admin, the field named) and again at every send, where the name is resolved once and only a public address is
connected to; a hostile receiver can neither hold a worker past the deadline nor fill its memory."""

import resource
import time
import tracemalloc

import pytest
from django.utils import timezone

from campaigns.models import Flag, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.webhooks import webhook_send, webhook_sweep
from tests.campaigns.factories import joint_campaign
from tests.campaigns.sweep_helpers import eager_celery  # noqa: F401  (fixture)
from tests.clients import admin_of, api_of
from tests.forms import form_data
from tests.listeners import INSIDE_NAMES, Answer, Receiver, Trap, inside_addresses, resolving
from tests.partners.factories import OrganizationFactory, company_user
from utilities import outbound_http

pytestmark = pytest.mark.django_db

# Receivers a test lets through live on 127.0.0.2 (loopback too); the trap listens on 127.0.0.1 and ::1.
RECEIVER_ADDRESS = "127.0.0.2"
INSIDE = "receiver.example points inside a private network; use your service's public address."


@pytest.fixture
def trap():
    trap = Trap()
    yield trap
    trap.close()


@pytest.fixture
def names(monkeypatch, settings):
    """Plain http allowed (a receiver on this machine), "receiver.example" resolving to 127.0.0.1 (the trap's
    address) and "hooks.example" to the receivers' address, which only this test setting lets through."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.OUTBOUND_HTTP_ALLOWED_NETWORKS = [f"{RECEIVER_ADDRESS}/32"]
    resolver = resolving({**INSIDE_NAMES, "hooks.example": [RECEIVER_ADDRESS]})
    monkeypatch.setattr(outbound_http, "resolve_name", resolver)
    return resolver


@pytest.fixture
def acme():
    host, partner = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    campaign = joint_campaign(host, partner, name="Spring webinar")
    return host, campaign


def hook(company, url: str) -> WebhookEndpoint:
    """An endpoint saved when its address was fine (so not validated again here): what DNS says changes later."""
    return WebhookEndpoint.objects.create(organization=company, name="Our systems", url=url)


def one_delivery(campaign) -> WebhookDelivery:
    now = timezone.now()
    Flag.objects.create(
        campaign=campaign,
        code="no_decision_maker",
        severity="critical",
        title="No decider",
        opened_at=now,
        last_seen_at=now,
    )
    webhook_sweep(enqueue=False)
    return WebhookDelivery.objects.get()


def test_the_api_refuses_every_inside_address_naming_the_field(acme, names, trap):
    host, _ = acme
    api = api_of(company_user(host))
    for url in inside_addresses(trap.port):
        answer = api.post("/api/webhooks/", {"name": "Inside", "url": url}, format="json")
        assert answer.status_code == 400, url
        assert list(answer.json()) == ["url"], url
    answer = api.post("/api/webhooks/", {"name": "Inside", "url": "http://receiver.example/in"}, format="json")
    assert answer.json() == {"url": [INSIDE]}
    assert not WebhookEndpoint.objects.exists()
    assert trap.connections == []


def test_the_api_saves_an_address_that_resolves_to_a_network_the_tests_allow(acme, names):
    host, _ = acme
    answer = api_of(company_user(host)).post(
        "/api/webhooks/", {"name": "Ours", "url": "http://hooks.example/in"}, format="json"
    )
    assert answer.status_code == 201, answer.content


def test_the_admin_form_says_why_on_the_address_field(acme, names):
    host, _ = acme
    admin = admin_of(company_user(host))
    form = form_data(admin.get("/admin/campaigns/webhookendpoint/add/"), "webhookendpoint_form")
    page = admin.post(
        "/admin/campaigns/webhookendpoint/add/", {**form, "name": "Inside", "url": "https://user@hooks.example/in"}
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors == {
        "url": ["Give the address without a user name or password (nothing before an @)."]
    }
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_now_resolves_inside_fails_the_delivery_at_once_without_a_connection(acme, names, trap):
    host, campaign = acme
    hook(host, f"http://receiver.example:{trap.port}/in")
    delivery = one_delivery(campaign)

    assert webhook_send(delivery_id=delivery.pk).status == "failed"  # not retried: it will not fix itself
    assert WebhookDelivery.objects.get().last_error == f"Not retried (a permanent error). {INSIDE}"
    assert trap.connections == []


@pytest.mark.usefixtures("eager_celery")
def test_send_a_test_event_goes_through_the_same_door(acme, names, trap, django_capture_on_commit_callbacks):
    host, _ = acme
    endpoint = hook(host, f"http://[::ffff:127.0.0.1]:{trap.port}/in")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_of(company_user(host)).post(f"/api/webhooks/{endpoint.pk}/test/")
    assert answer.status_code == 201
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "private network" in delivery.last_error
    assert trap.connections == []


def test_a_redirect_inside_is_reported_not_followed(acme, names, trap):
    host, campaign = acme
    receiver = Receiver(Answer.status(307, location=f"http://127.0.0.1:{trap.port}/"), host=RECEIVER_ADDRESS)
    hook(host, f"http://hooks.example:{receiver.port}/in")
    try:
        assert webhook_send(delivery_id=one_delivery(campaign).pk).status == "failed"
    finally:
        receiver.close()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.response_status, delivery.last_error) == (
        307,
        "Not retried (a permanent error). The address answered HTTP 307. Redirects are not followed: give the final"
        " address.",
    )
    assert receiver.requests[0]["Host"] == f"hooks.example:{receiver.port}"
    assert trap.connections == []


def test_a_receiver_sending_300_mb_costs_the_sender_little_memory(acme, names, settings):
    host, campaign = acme
    sent: list[int] = []
    receiver = Receiver(Answer.huge(300 * 1024 * 1024, sent), host=RECEIVER_ADDRESS)
    hook(host, f"http://hooks.example:{receiver.port}/in")
    delivery = one_delivery(campaign)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        outcome = webhook_send(delivery_id=delivery.pk)
        peak_growth = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
        receiver.close()
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    print(
        f"\n300 MB answer: {peak_growth / 1e6:.1f} MB peak Python allocations, peak RSS +{rss_growth_kb / 1e3:.1f} MB,"
        f" {sent[0] / 1e6:.1f} MB written by the receiver before the sender hung up"
    )

    assert (outcome.status, WebhookDelivery.objects.get().response_status) == ("sent", 200)
    assert peak_growth < 50 * 1024 * 1024
    assert sent[0] < 50 * 1024 * 1024  # the sender stopped reading after its cap and hung up


def test_a_drip_receiver_is_cut_at_the_total_deadline_and_tried_again_later(acme, names, settings):
    host, campaign = acme
    settings.OUTBOUND_HTTP_DEADLINE_SECONDS = 2
    receiver = Receiver(Answer.drip(30), host=RECEIVER_ADDRESS)  # 30 s for a whole answer, one byte a second
    hook(host, f"http://hooks.example:{receiver.port}/in")
    delivery = one_delivery(campaign)
    started = time.monotonic()
    try:
        outcome = webhook_send(delivery_id=delivery.pk)
    finally:
        receiver.close()
    print(f"\ndrip receiver: the delivery gave up after {time.monotonic() - started:.1f} s")

    assert outcome.status == "retry"
    assert WebhookDelivery.objects.get().last_error == "The receiver took longer than 2 seconds."
