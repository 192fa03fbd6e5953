"""A worker process killed with SIGKILL while it sends: after another starts, every due reminder is sent once.

Runs `celery worker` as real processes against the configured broker and the test database, so it needs
PostgreSQL and Redis (CI); on a developer's SQLite it is skipped.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings as conf

from campaigns.models import Reminder
from campaigns.outbox.reminders import reminder_sweep
from campaigns.tasks import send_reminder
from tests.campaigns.sweep_helpers import assigned_deliverable, core_checks_only, healthy_campaign, team_member  # noqa: F401
from tests.live_processes import database_url, start, stop, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("core_checks_only")]
QUEUE = f"test-worker-killed{os.environ.get('PYTEST_XDIST_WORKER', '')}"  # one per parallel test process
SENDING_TIMEOUT = 8


def start_worker(
    name: str, mail_folder: Path, slow_seconds: float, backend: str = "SlowFileBackend", queue: str = QUEUE, **env
) -> subprocess.Popen:
    """A `celery worker` process consuming `queue`, with `env` added to its environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comarketing.settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "COMARKETING_VAR_DIR": str(mail_folder.parent / "var"),
        "DATABASE_URL": database_url(),
        "REDIS_URL": conf.REDIS_URL,
        "EMAIL_BACKEND": f"tests.campaigns.email_backends.{backend}",
        "EMAIL_FILE_PATH": str(mail_folder),
        "SLOW_EMAIL_SECONDS": str(slow_seconds),
        "CELERY_TASK_TIME_LIMIT": str(SENDING_TIMEOUT - 2),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SENDING_TIMEOUT - 3),
        "REMINDER_SENDING_TIMEOUT_SECONDS": str(SENDING_TIMEOUT),
        **env,
    }
    # `python -m celery`: the interpreter running the tests, whatever the `celery` script's first line says.
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "comarketing",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "-n",
        f"{name}@%h",
        "-l",
        "INFO",
    ]
    return start(command, env, mail_folder.parent / f"{name}.log")


def sent_messages(folder: Path) -> list[tuple[int, str]]:
    """(reminder id, Message-ID) of every message handed to the "mail server"."""
    text = "".join(path.read_text() for path in folder.glob("*.log"))
    return [
        (int(reminder_id), message_id)
        for message_id, reminder_id in re.findall(
            r"^Message-ID: (\S+)$.*?^X-Reminder-Id: (\d+)$", text, flags=re.MULTILINE | re.DOTALL
        )
    ]


def sent_counts(folder: Path) -> Counter:
    return Counter(reminder_id for reminder_id, _ in sent_messages(folder))


def enqueue(ids) -> None:
    for reminder_id in ids:
        send_reminder.apply_async((reminder_id,), queue=QUEUE)


def test_a_worker_killed_mid_send_leaves_nothing_unsent_and_nothing_sent_twice(needs_real_services, settings, tmp_path):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = SENDING_TIMEOUT
    mail_folder = tmp_path / "mail"
    mail_folder.mkdir()
    campaign = healthy_campaign()
    today = datetime.date.today()
    for _ in range(4):
        assigned_deliverable(campaign, due_date=today - datetime.timedelta(days=2), responsible=team_member(campaign))
    due = reminder_sweep(enqueue=False).queued
    assert len(due) >= 4  # (plus weekly digests when the clock says Monday morning)

    first = start_worker("doomed", mail_folder, slow_seconds=60)
    try:
        enqueue(due)
        assert wait_for(lambda: Reminder.objects.filter(status="sending").exists()), "the worker never claimed a row"
        stop(first, sig=signal.SIGKILL)
    finally:
        stop(first, sig=signal.SIGKILL)
    in_flight = Reminder.objects.get(status="sending")
    assert sent_counts(mail_folder) == Counter()

    second = start_worker("survivor", mail_folder, slow_seconds=0.1)
    try:
        others = set(due) - {in_flight.pk}
        assert wait_for(lambda: set(Reminder.objects.filter(status="sent").values_list("pk", flat=True)) == others)
        # The killed worker's message stays unacknowledged in Redis until the visibility timeout; the row does not
        # wait for it: once the sending timeout passed, the sweep hands it to the live worker.
        time.sleep(SENDING_TIMEOUT + 1)
        assert reminder_sweep(enqueue=False).queued == [in_flight.pk]
        enqueue([in_flight.pk])
        assert wait_for(lambda: not Reminder.objects.exclude(status="sent").exists())
    finally:
        stop(second)

    assert sent_counts(mail_folder) == Counter({reminder_id: 1 for reminder_id in due})
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2


KILLS = 3


def test_workers_killed_after_the_hand_over_cause_one_duplicate_each_with_the_same_message_id(
    needs_real_services, settings, tmp_path
):
    """The one window exactly-once cannot close: the mail server has the message, the row is not marked sent."""
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = SENDING_TIMEOUT
    mail_folder = tmp_path / "mail"
    mail_folder.mkdir()
    campaign = healthy_campaign()
    today = datetime.date.today()
    for _ in range(KILLS + 2):
        assigned_deliverable(campaign, due_date=today - datetime.timedelta(days=2), responsible=team_member(campaign))
    due = reminder_sweep(enqueue=False).queued
    enqueue(due)

    for kill in range(KILLS):
        doomed = start_worker(f"doomed{kill}", mail_folder, slow_seconds=60, backend="SentThenSlowFileBackend")
        try:
            handed_over = partial(lambda count: len(sent_messages(mail_folder)) == count, kill + 1)
            assert wait_for(handed_over), "no message handed over"
        finally:
            stop(doomed, sig=signal.SIGKILL)
    assert Reminder.objects.filter(status="sending").count() == KILLS

    survivor = start_worker("survivor", mail_folder, slow_seconds=0)
    try:
        time.sleep(SENDING_TIMEOUT + 1)
        enqueue(reminder_sweep(enqueue=False).queued)
        assert wait_for(lambda: not Reminder.objects.exclude(status="sent").exists())
    finally:
        stop(survivor)

    counts = sent_counts(mail_folder)
    assert set(counts) == set(due)  # every reminder delivered
    assert sum(count - 1 for count in counts.values()) == KILLS  # one duplicate per kill, measured
    message_ids = {}
    for reminder_id, message_id in sent_messages(mail_folder):
        assert message_ids.setdefault(reminder_id, message_id) == message_id  # a duplicate is the same message
    assert len(set(message_ids.values())) == len(due)
