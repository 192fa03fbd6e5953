"""Django's `migrate`, one at a time per database: every machine of a deploy may run it (compose's `migrate`
service on each host, an init container per pod), and two at once would both create the same tables or both
install the same periodic task (one then fails on the unique name, measured). On PostgreSQL the second waits on an
advisory lock held for the whole run, then finds nothing left to do; SQLite is one file on one machine."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

# Any number this project's other advisory locks do not use: its bytes spell "migrate".
MIGRATE_LOCK = int.from_bytes(b"migrate", "big")


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if connections[options["database"]].vendor != "postgresql":
            return super().handle(*args, **options)
        # A connection of its own: the migrations may close and reopen theirs, which would let the lock go.
        lock = connections.create_connection(options["database"])
        try:
            with lock.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
            return super().handle(*args, **options)
        finally:
            lock.close()  # the session ends, and its advisory lock with it
