"""Tasks are routed by kind of work, each kind on its own queue: e-mail, webhooks, sweeps, reports."""

from comarketing.celery import QUEUE_OF_TASK, app

# Written down by hand: a task moved to another queue must be a deliberate change here too.
EXPECTED = {
    "campaigns.send_reminder": "email",
    "campaigns.send_webhook": "webhooks",
    "campaigns.health_sweep": "sweeps",
    "campaigns.reminder_sweep": "sweeps",
    "campaigns.webhook_sweep": "sweeps",
    "campaigns.report_sweep": "sweeps",
    "campaigns.refresh_scorecards": "sweeps",
    "campaigns.full_sweeps": "sweeps",
    "campaigns.registrant_retention_sweep": "sweeps",
    "meetings.materialize_all_series": "sweeps",
    "meetings.materialize_series": "sweeps",
    "campaigns.build_results_report": "reports",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_task_lands_on_the_queue_of_its_kind(settings):
    suffix = settings.TASK_QUEUE_SUFFIX
    assert {name: queue_of(name) for name in EXPECTED} == {name: kind + suffix for name, kind in EXPECTED.items()}


def test_every_task_of_the_apps_is_routed():
    app.loader.import_default_modules()
    ours = {name for name in app.tasks if name.split(".")[0] in {"campaigns", "meetings", "partners", "comarketing"}}
    assert ours == set(QUEUE_OF_TASK) == set(EXPECTED)


def test_a_worker_started_without_queues_consumes_every_kind(settings):
    suffix = settings.TASK_QUEUE_SUFFIX
    # The configured list, not app.amqp.queues: a test that sends to a queue of its own adds it there.
    assert {queue.name for queue in app.conf.task_queues} == {
        kind + suffix for kind in ("email", "webhooks", "sweeps", "reports")
    }
