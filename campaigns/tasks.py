"""Thin Celery tasks: ids in, services do the work. Every task is safe to run twice (acks late, idempotent).

Nothing here waits with a long countdown or ETA: with Redis such a task is redelivered after the visibility
timeout (celery #7918, #9882) or lost on a restart (#1307). A reminder for tomorrow is an outbox row that the
periodic reminder sweep finds once it is due.
"""

import logging

from celery import shared_task

from campaigns.outbox import reminders, webhook_pacing, webhooks
from campaigns.services import health, registrants, scorecards
from campaigns.services import reports as results
from partners.scoping import sharing

logger = logging.getLogger(__name__)


@shared_task(name="campaigns.health_sweep")
def run_health_sweep() -> dict:
    result = health.health_sweep(incremental=True)
    if result.opened_critical:
        # Tell the decision makers now rather than at the next scheduled reminder sweep.
        run_reminder_sweep.delay_on_commit()
    return {"opened": result.opened, "resolved": result.resolved, "failed_checks": result.failed_checks}


@shared_task(name="campaigns.reminder_sweep")
def run_reminder_sweep() -> dict:
    result = reminders.reminder_sweep(incremental=True)
    return {"created": result.created, "queued": len(result.queued), "failed_sources": result.failed_sources}


def _send_with_retry(task, send, row_id: int) -> str:
    outcome = send(row_id)
    if outcome.retry_in is not None:
        # A short back-off (minutes at most, far below the visibility timeout); the attempt count is in the row.
        task.apply_async((row_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="campaigns.full_sweeps")
def run_full_sweeps() -> dict:
    """Nightly: every sweep over everything, healing whatever a change marker missed (a bulk write, a lost commit
    hook); the scheduled sweeps then go on from the due moments it stored."""
    health_result = health.health_sweep()
    reminder_result = reminders.reminder_sweep()
    webhook_result = webhooks.webhook_sweep()
    added, removed = sharing.rebuild()
    if added or removed:  # a write path that changed a team without refreshing who sees whom: worth finding
        logger.warning("Who sees whom was out of date: %d rows added, %d removed", added, removed)
    return {
        "opened": health_result.opened,
        "resolved": health_result.resolved,
        "reminders": reminder_result.created,
        "deliveries": webhook_result.created,
        "who sees whom mended": added + removed,
    }


@shared_task(name="campaigns.send_reminder")
def send_reminder(reminder_id: int) -> str:
    return _send_with_retry(send_reminder, lambda row_id: reminders.reminder_send(reminder_id=row_id), reminder_id)


@shared_task(name="campaigns.build_results_report")
def build_results_report(report_id: int) -> str:
    return results.results_report_build(report_id=report_id).status


@shared_task(name="campaigns.report_sweep")
def run_report_sweep() -> dict:
    return {"offered_again": len(results.results_report_requeue())}


@shared_task(name="campaigns.webhook_sweep")
def run_webhook_sweep() -> dict:
    result = webhooks.webhook_sweep(incremental=True)
    return {"created": result.created, "queued": len(result.queued), "failed_events": result.failed_events}


@shared_task(name="campaigns.send_webhook")
def send_webhook(delivery_id: int) -> str:
    return _send_with_retry(
        send_webhook, lambda row_id: webhook_pacing.webhook_send_paced(delivery_id=row_id), delivery_id
    )


@shared_task(name="campaigns.refresh_scorecards")
def refresh_scorecards() -> dict:
    return {"stored": scorecards.scorecards_refresh()}


@shared_task(name="campaigns.registrant_retention_sweep")
def registrant_retention_sweep() -> dict:
    return {"erased": registrants.registrants_past_retention_erase()}
