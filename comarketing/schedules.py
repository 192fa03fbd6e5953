"""The periodic tasks the apps declared (`utilities.schedules`), installed into django-celery-beat on migrate.

Installing creates missing rows only, so an operator's edits in the admin (interval, enabled) survive the next
deploy and nothing is duplicated.
"""

from utilities.schedules import schedules


def install_schedules(**kwargs) -> list[str]:
    """Create the declared periodic tasks that do not exist yet; return the names created."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = []
    for schedule in schedules.values():
        if PeriodicTask.objects.filter(name=schedule.name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=schedule.every_seconds, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.create(name=schedule.name, task=schedule.task, interval=interval)
        created.append(schedule.name)
    return created
