"""Thin Celery tasks of the meetings app; each is idempotent and safe to run twice."""

from celery import shared_task
from django.utils import timezone

from meetings import services
from meetings.models import MeetingSeries


@shared_task(name="meetings.materialize_all_series")
def materialize_all_series() -> int:
    """Fan out: one task per series that still has meetings to come."""
    series_ids = list(MeetingSeries.objects.active(timezone.now()).values_list("pk", flat=True))
    for series_id in series_ids:
        materialize_series.delay(series_id)
    return len(series_ids)


@shared_task(name="meetings.materialize_series")
def materialize_series(series_id: int) -> dict:
    result = services.series_materialize(series_id=series_id)
    return {
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "cancelled": result.cancelled,
    }
