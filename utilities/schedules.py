"""Periodic tasks declared in code: each app names its own in `ready()`; the wiring package installs them into
django-celery-beat on migrate (`comarketing.schedules`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicSchedule:
    name: str
    task: str
    every_seconds: int


schedules: dict[str, PeriodicSchedule] = {}


def periodic(name: str, task: str, *, every_seconds: int) -> None:
    schedules[name] = PeriodicSchedule(name=name, task=task, every_seconds=every_seconds)
