import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comarketing.settings")

app = Celery("comarketing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Work by kind, each kind on its own queue, so a slow or failing destination slows only its own kind: a company's
# webhook receiver that times out never delays anyone's e-mail. The one place tasks are routed; compose runs a
# worker per group of queues, and a worker started without -Q (./dev up, the tests) consumes every queue.
EMAIL, WEBHOOKS, SWEEPS, REPORTS = "email", "webhooks", "sweeps", "reports"
QUEUE_OF_TASK = {
    "campaigns.send_reminder": EMAIL,
    "campaigns.send_webhook": WEBHOOKS,
    "campaigns.health_sweep": SWEEPS,
    "campaigns.reminder_sweep": SWEEPS,
    "campaigns.webhook_sweep": SWEEPS,
    "campaigns.report_sweep": SWEEPS,
    "campaigns.refresh_scorecards": SWEEPS,
    "campaigns.full_sweeps": SWEEPS,
    "campaigns.registrant_retention_sweep": SWEEPS,
    "meetings.materialize_all_series": SWEEPS,
    "meetings.materialize_series": SWEEPS,
    "campaigns.build_results_report": REPORTS,
}


def queue_name(kind: str) -> str:
    """A kind's queue; TASK_QUEUE_SUFFIX keeps parallel test processes apart on one broker."""
    from django.conf import settings

    return kind + settings.TASK_QUEUE_SUFFIX


app.conf.task_queues = [Queue(queue_name(kind)) for kind in (EMAIL, WEBHOOKS, SWEEPS, REPORTS)]
app.conf.task_default_queue = queue_name(SWEEPS)  # tasks nobody routed (a test's own) go with the background work
app.conf.task_routes = {task: {"queue": queue_name(kind)} for task, kind in QUEUE_OF_TASK.items()}


def ensure_broker_folders() -> None:
    """The filesystem broker needs its folders before the first message."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


ensure_broker_folders()


@worker_process_init.connect
def _freeze_loaded_objects(**kwargs) -> None:
    # A worker process is long-lived like a web worker: collections should not walk what it loaded at start.
    from utilities.startup import freeze_startup_objects

    freeze_startup_objects()
