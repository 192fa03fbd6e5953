"""Work handed to Celery by task name once the transaction commits.

By name, so a service never imports the task module that calls it (tasks stay the thin top of an app); on
commit, so no task is sent for rows that were rolled back, or runs before it can read them.
"""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args, robust: bool = True) -> None:
    """Send the task `task_name(*args)` when the transaction commits. Robust by default: a broker hiccup only
    logs, because the row the task works on is pending in the database and its sweep offers it again."""

    # A function, not functools.partial: Django names a failing robust callback by its __qualname__, which a
    # partial lacks, so the broker's error turned into an AttributeError that escaped (a 500 instead of a log line).
    def send_after_commit() -> None:
        _send(task_name, args)

    transaction.on_commit(send_after_commit, robust=robust)


def _send(task_name: str, args: tuple) -> None:
    # A signature runs a registered task as the app is configured (eagerly in some tests), else sends it by name.
    current_app.signature(task_name, args=args).delay()
