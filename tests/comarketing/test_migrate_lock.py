"""`migrate` runs one at a time per PostgreSQL database: one started while another runs waits for it (two at once
installed the same periodic task and one failed; the topology test runs two as processes). Skipped on SQLite."""

import threading

from django.core.management import call_command
from django.db import connections

from comarketing.management.commands.migrate import MIGRATE_LOCK
from tests.live_processes import wait_for

WAITING = """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


def test_a_migrate_started_while_another_runs_waits_for_it(needs_real_services):
    running = connections.create_connection("default")  # the other machine's migrate, in the middle of its run
    with running.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
    finished = threading.Event()

    def migrate() -> None:
        try:
            call_command("migrate", verbosity=0)
            finished.set()
        finally:
            connections.close_all()

    second = threading.Thread(target=migrate)
    second.start()
    try:

        def waiting() -> int:
            with running.cursor() as cursor:
                cursor.execute(WAITING)
                return cursor.fetchone()[0]

        assert wait_for(lambda: waiting() == 1, 60)
        assert not finished.is_set()
    finally:
        running.close()  # the first run ends: its lock goes with its session
        second.join(timeout=120)
    assert finished.is_set()
