"""Health for orchestrators and load balancers.

`/healthz` and `/readyz` (django-health-check): the database, the Celery broker and the cache answer; otherwise
503, naming the dependency that failed: this process cannot serve now, try another or later. `/livez`: the
process answers, whatever its dependencies do; restarting it would not bring a database back.
"""

import dataclasses

from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from comarketing.celery import app


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (Redis, or the filesystem folders on one machine) accepts a connection."""

    def run(self) -> None:
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:  # the transport's own errors differ; the message names only the kind
            raise ServiceUnavailable(f"broker unreachable ({type(error).__name__})") from error


HEALTH_CHECKS = ["health_check.checks.Database", "health_check.checks.Cache", Broker]


class ReadinessView(HealthCheckView):
    """django-health-check's view, answering 503 Service Unavailable rather than its 500 when a check fails: the
    dependency is down, not this code, and load balancers and orchestrators read 503 as "not ready"."""

    checks = HEALTH_CHECKS

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


@never_cache
@transaction.non_atomic_requests
def liveness(request) -> HttpResponse:
    return HttpResponse("alive\n", content_type="text/plain; charset=utf-8")
