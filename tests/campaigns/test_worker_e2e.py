"""End to end through a real Celery worker (Redis in CI): the tasks beat has scheduled run, flags appear, and the
reminder e-mails come out of a file-based e-mail backend exactly once."""

import datetime
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

import campaigns.tasks  # noqa: F401  (registers the tasks with the app the worker runs)
from campaigns.models import Flag, Reminder
from comarketing.schedules import install_schedules
from tests.campaigns.sweep_helpers import assigned_deliverable, healthy_campaign, team_member

pytestmark = pytest.mark.worker


def wait_for(condition, seconds=45):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass  # SQLite's shared in-memory test database reports "table is locked" while the worker writes
        time.sleep(0.25)
    return False


def sent_mail(folder: Path) -> str:
    return "".join(path.read_text() for path in folder.glob("*.log"))


def test_the_scheduled_sweeps_raise_flags_and_mail_reminders_through_a_worker(celery_worker, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    install_schedules()  # a transactional test starts from flushed tables
    campaign = healthy_campaign()
    member = team_member(campaign)
    late = assigned_deliverable(
        campaign, due_date=timezone.localdate() - datetime.timedelta(days=2), responsible=member
    )

    health_task = PeriodicTask.objects.get(name="campaigns: health sweep")
    assert health_task.enabled and health_task.interval.every > 0
    celery_worker.send_task(health_task.task)
    assert wait_for(lambda: Flag.objects.filter(campaign=campaign, code="deliverable_overdue").exists())
    assert Flag.objects.filter(
        campaign=campaign, subject=f"deliverable:{late.pk}", code="deliverable_without_accountable"
    )

    celery_worker.send_task(PeriodicTask.objects.get(name="campaigns: reminder sweep").task)
    overdue = lambda: Reminder.objects.filter(kind="deliverable_overdue", person=member.person).first()  # noqa: E731
    assert wait_for(lambda: overdue() is not None and overdue().status == "sent"), overdue()
    assert wait_for(lambda: not Reminder.objects.exclude(status="sent").exists())
    mail = sent_mail(tmp_path)
    assert mail.count(f"X-Reminder-Id: {overdue().pk}\n") == 1
    assert f"To: {member.person.full_name} <{member.person.email}>" in mail
    assert "Content-Type: text/html" in mail

    celery_worker.send_task("campaigns.reminder_sweep")  # a duplicate beat: nothing is sent twice
    time.sleep(2)
    assert sent_mail(tmp_path).count(f"X-Reminder-Id: {overdue().pk}\n") == 1
