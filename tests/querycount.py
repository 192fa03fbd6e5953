from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(action: Callable[[], object]) -> int:
    """How many SQL queries `action` runs (it is run once, warm, before counting)."""
    action()
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)
