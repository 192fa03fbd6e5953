"""What `/healthz` checks (django-health-check): the database, the Celery broker and the cache."""

import dataclasses

from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

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
