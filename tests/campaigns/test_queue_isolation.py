"""One company's slow webhook receiver does not delay anyone's e-mail: reminders and webhook deliveries go to
separate queues, each with its own worker process, so reminders are all sent while the webhook queue is still
working through the slow receiver. Prints both e-mail times (no timed assertion); needs PostgreSQL and Redis."""

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.models import Flag, Reminder, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.reminders import reminder_sweep
from campaigns.outbox.webhooks import webhook_sweep
from campaigns.tasks import send_reminder, send_webhook
from comarketing.celery import EMAIL, WEBHOOKS, queue_name
from tests.campaigns.sweep_helpers import assigned_deliverable, core_checks_only, healthy_campaign, team_member  # noqa: F401
from tests.campaigns.test_worker_killed import start_worker
from tests.live_processes import stop, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("core_checks_only")]
SLOW_SECONDS = 1.5
DELIVERIES, REMINDERS = 8, 6


@pytest.fixture
def slow_receiver():
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(SLOW_SECONDS)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()


def time_to_send(reminder_ids: list[int]) -> float:
    started = time.monotonic()
    for reminder_id in reminder_ids:
        send_reminder.delay(reminder_id)  # routed to the e-mail queue
    assert wait_for(lambda: Reminder.objects.filter(pk__in=reminder_ids, status="sent").count() == len(reminder_ids))
    return time.monotonic() - started


def test_a_slow_webhook_receiver_does_not_delay_email(needs_real_services, slow_receiver, tmp_path):
    campaign = healthy_campaign()
    today = datetime.date.today()
    for _ in range(2 * REMINDERS + 1):
        assigned_deliverable(campaign, due_date=today - datetime.timedelta(days=2), responsible=team_member(campaign))
    due = reminder_sweep(enqueue=False).queued
    overdue = list(Reminder.objects.filter(pk__in=due, kind="deliverable_overdue").values_list("pk", flat=True))
    warm_up, alone, beside_webhooks = overdue[:1], overdue[1 : REMINDERS + 1], overdue[REMINDERS + 1 :]
    endpoint = WebhookEndpoint.objects.create(
        organization=campaign.parties.first().organization, name="Slow hook", url=slow_receiver
    )
    now = timezone.now()
    for n in range(DELIVERIES):
        Flag.objects.create(
            campaign=campaign, code="no_decision_maker", subject=f"party:{n}", severity="critical",
            title=f"No named decision maker {n}", opened_at=now, last_seen_at=now,
        )  # fmt: skip
    webhook_sweep(enqueue=False)
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("pk", flat=True))
    assert len(deliveries) == DELIVERIES

    mail_folder = tmp_path / "mail"
    mail_folder.mkdir()
    # As compose runs them: one worker on the e-mail queue, one on the webhooks queue (this test process's queues).
    env = {"TASK_QUEUE_SUFFIX": settings.TASK_QUEUE_SUFFIX}
    permissive = {"WEBHOOK_ALLOW_HTTP": "true", "OUTBOUND_HTTP_ALLOWED_NETWORKS": "127.0.0.1/32"}
    workers = [
        start_worker("mail", mail_folder, slow_seconds=0, queue=queue_name(EMAIL), **env),
        start_worker("hooks", mail_folder, slow_seconds=0, queue=queue_name(WEBHOOKS), **env, **permissive),
    ]
    try:
        time_to_send(warm_up)  # the mail worker is up
        baseline = time_to_send(alone)
        for delivery_id in deliveries:
            send_webhook.delay(delivery_id)  # routed to the webhooks queue
        assert wait_for(lambda: WebhookDelivery.objects.filter(pk__in=deliveries, status="sent").exists())
        contended = time_to_send(beside_webhooks)
        webhooks_left = WebhookDelivery.objects.filter(pk__in=deliveries).exclude(status="sent").count()
        print(
            f"\n{REMINDERS} reminders: {baseline:.1f} s alone, {contended:.1f} s beside {DELIVERIES} deliveries to a "
            f"receiver taking {SLOW_SECONDS} s each ({webhooks_left} deliveries still waiting when the mail was out)"
        )
        # The e-mail did not queue behind the webhooks: it was all out while the slow receiver still had work.
        assert webhooks_left > 0
        assert wait_for(lambda: not WebhookDelivery.objects.filter(pk__in=deliveries).exclude(status="sent").exists())
    finally:
        for worker in workers:
            stop(worker)
