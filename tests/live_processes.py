"""Real processes against the test database (a Celery worker, gunicorn): they share its rows only on
PostgreSQL with Redis, as CI runs; on a developer's SQLite such tests are skipped (the `needs_real_services`
fixture of tests/conftest.py)."""

import socket

from django.db import connection


def database_url() -> str:
    """The test database, for a process of its own."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
