"""Demo step: the demo campaigns trip several flags and have reminders due as soon as the product runs.

The seeded data already has the gaps (Bluefin names no decision maker on the webinar, the follow-up nurture has
no Accountable, the landing page is overdue, nobody owns the pilot's budget). The sweeps run once the whole
seed has committed, so every app's demo data is checked whatever order the steps were registered in, and the
due reminders go to the worker at once instead of waiting for the first beat interval.
"""

from typing import Any

from django.db import transaction

from campaigns.outbox.reminders import reminder_sweep
from campaigns.services.health import health_sweep
from partners import demo


def _sweep() -> None:
    health_sweep()
    reminder_sweep()


@demo.register
def seed_flags_and_reminders(context: dict[str, Any]) -> None:
    transaction.on_commit(_sweep)
