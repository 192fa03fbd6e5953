"""Per-endpoint fairness for webhook deliveries: one company's failing address backs off on its own.

After WEBHOOK_PAUSE_AFTER_FAILURES transient failures in a row (timeouts, refused connections, 5xx), an endpoint is
paused for WEBHOOK_PAUSE_SECONDS: its deliveries are claimed and put back until then without a request, so they no
longer hold the webhook workers for a timeout each while other companies' deliveries wait behind them. The first
delivery that goes through lifts the pause. Around `webhook_send` (which makes the request) rather than inside it.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from campaigns.models import WebhookDelivery
from campaigns.outbox import lifecycle as outbox
from campaigns.outbox.webhooks import webhook_send


def endpoint_channel(endpoint_id: int) -> str:
    return f"webhook:{endpoint_id}"


def webhook_send_paced(*, delivery_id: int, now: datetime.datetime | None = None) -> outbox.SendOutcome:
    now = now or timezone.now()
    endpoint_id = WebhookDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return outbox.SendOutcome("skipped")
    channel = endpoint_channel(endpoint_id)
    pause = outbox.pause_of(channel)
    if until := outbox.paused_until(pause, now):
        if not outbox.claim(WebhookDelivery, delivery_id, now):
            return outbox.SendOutcome("skipped")
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        waiting = f"Waiting: this address failed {pause.failures} times in a row; paused until {until:%H:%M} UTC."
        return outbox.after_failure(delivery, waiting, now=now, transient=True, not_before=until)
    outcome = webhook_send(delivery_id=delivery_id, now=now)
    if outcome.status == "retry":
        error = WebhookDelivery.objects.filter(pk=delivery_id).values_list("last_error", flat=True).first() or ""
        outbox.pause_after_failure(
            channel,
            error,
            now=now,
            seconds=settings.WEBHOOK_PAUSE_SECONDS,
            after_failures=settings.WEBHOOK_PAUSE_AFTER_FAILURES,
        )
    elif outcome.status == "sent" and pause is not None:
        outbox.resume(channel)
    return outcome
