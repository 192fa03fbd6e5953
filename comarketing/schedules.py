"""Periodic tasks declared in code, installed into django-celery-beat on migrate.

Installing creates missing rows only, so an operator's edits in the admin
(interval, enabled) survive the next deploy and nothing is duplicated.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicSchedule:
    name: str
    task: str
    every_seconds: int


schedules: dict[str, PeriodicSchedule] = {}


def periodic(name: str, task: str, *, every_seconds: int) -> None:
    schedules[name] = PeriodicSchedule(name=name, task=task, every_seconds=every_seconds)


def install_schedules(**kwargs) -> list[str]:
    """Create the declared periodic tasks that do not exist yet; return the names created."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = []
    for schedule in schedules.values():
        if PeriodicTask.objects.filter(name=schedule.name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=schedule.every_seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(name=schedule.name, task=schedule.task, interval=interval)
        created.append(schedule.name)
    return created
