"""Per-endpoint fairness: one company's failing webhook address backs off on its own, without a request per
delivery, while other companies' deliveries go; the first delivery that gets through lifts the pause."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Flag, SendingPause, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.webhook_pacing import endpoint_channel, webhook_send_paced
from campaigns.outbox.webhooks import webhook_sweep
from tests.campaigns.conftest import Receiver
from tests.campaigns.factories import joint_campaign
from tests.partners.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def healthy_receiver(receiver):  # after `receiver`: private addresses allowed
    other = Receiver()
    yield other
    other.server.shutdown()


def flags_raised(campaign, count: int) -> None:
    now = timezone.now()
    for n in range(count):
        Flag.objects.create(
            campaign=campaign, code="no_decision_maker", subject=f"party:{n}", severity="critical",
            title=f"No named decision maker {n}", opened_at=now, last_seen_at=now,
        )  # fmt: skip


def send(endpoint: WebhookEndpoint, now) -> list[str]:
    ids = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk").values_list("pk", flat=True)
    return [webhook_send_paced(delivery_id=delivery_id, now=now).status for delivery_id in ids]


def test_a_failing_endpoint_backs_off_alone_and_the_others_still_go(receiver, healthy_receiver, settings):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES, settings.WEBHOOK_PAUSE_SECONDS = 2, 600
    failing_company, healthy_company = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    campaign = joint_campaign(failing_company, healthy_company)
    failing = WebhookEndpoint.objects.create(organization=failing_company, name="Acme hook", url=receiver.url)
    healthy = WebhookEndpoint.objects.create(organization=healthy_company, name="Globex hook", url=healthy_receiver.url)
    flags_raised(campaign, 5)
    webhook_sweep(enqueue=False)
    receiver.statuses = [503] * 100
    now = timezone.now()

    assert send(failing, now) == ["retry"] * 5
    assert len(receiver.requests) == 2  # paused after two failures in a row: three deliveries waited, no request
    pause = SendingPause.objects.get(channel=endpoint_channel(failing.pk))
    assert pause.paused_until == now + datetime.timedelta(seconds=600) and "HTTP 503" in pause.reason
    deliveries = list(WebhookDelivery.objects.filter(endpoint=failing).order_by("pk"))
    assert {d.status for d in deliveries} == {"pending"}
    assert all(d.next_attempt_at >= pause.paused_until for d in deliveries[2:])
    assert all("paused until" in d.last_error for d in deliveries[2:])

    assert send(healthy, now) == ["sent"] * 5  # another company's address is not held up

    receiver.statuses = []
    assert send(failing, now + datetime.timedelta(hours=1)) == ["sent"] * 5
    assert not SendingPause.objects.filter(channel=endpoint_channel(failing.pk)).exists()


def test_failures_that_are_not_in_a_row_do_not_pause(receiver, settings):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    company = OrganizationFactory()
    campaign = joint_campaign(company, OrganizationFactory())
    endpoint = WebhookEndpoint.objects.create(organization=company, name="hook", url=receiver.url)
    flags_raised(campaign, 3)
    webhook_sweep(enqueue=False)
    receiver.statuses = [503, 200, 503]

    assert send(endpoint, timezone.now()) == ["retry", "sent", "retry"]
    assert len(receiver.requests) == 3
    assert not SendingPause.objects.filter(paused_until__gt=timezone.now()).exists()
