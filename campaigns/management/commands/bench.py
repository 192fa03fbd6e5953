"""`python manage.py bench --campaigns N`: the sweeps, the campaign pages and the API list at N campaigns, each
next to a floor, inside a transaction that is rolled back (nothing the benchmark builds is kept).

Floors live here and in campaigns/demo/bench_floors.py, not in the product:
- a sweep's floor is plain SQL written from the question the sweep answers (bench_floors), counted in the
  database: what answering it costs, whatever the sweep's own statements; each sweep runs first (in full), in the
  steady state (incremental, nothing changed) and after one campaign in a hundred changed, with the rows it read
  (PostgreSQL's pg_stat_xact_all_tables: rows scanned and fetched through indexes);
- the API list's floor is a plain view: `values()` of the same page, its parties and team, as JSON.
Time is measured without tracing; the peak memory (tracemalloc) comes from a second run of the same work.

A first run writes a table's worth of rows (every flag, every reminder due), so its floor adds the least any run
must write: the rows it wrote, copied once with plain INSERT … SELECT into tables with the same columns and
indexes. `--committed` (with `--in-database`) commits the campaigns and runs each sweep in transactions of its
own, as production does: inside the one rolled-back transaction every check's savepoint is a subtransaction
of it, and past 64 of them PostgreSQL checks every row they wrote through its subtransaction log (the reminder
sweep's first run at 10,000 campaigns: 62 s there, 11 s committed).
"""

import contextlib
import datetime
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.http import JsonResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path

from campaigns.demo import bench as bench_data
from campaigns.demo import bench_floors, bench_pages, bench_sql
from campaigns.models import Campaign, Member, Party
from campaigns.outbox.reminders import reminder_sweep
from campaigns.outbox.webhooks import webhook_sweep
from campaigns.services.health import health_sweep
from utilities.paginator import COUNT_CAP

PAGE_SAMPLES = 5
SLOWEST_SHOWN = 3  # a sweep's slowest statements, printed under its figures to say where its time goes


@contextlib.contextmanager
def undone() -> Iterator[None]:
    """A transaction (a savepoint inside another) whose work is rolled back at the end."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


class Rollback(Exception):
    """Raised at the end so nothing the benchmark built is kept."""


@dataclass
class Statement:
    """One statement a sweep ran, and how long the database took to answer it (rows streamed later from a
    server-side cursor are not counted here)."""

    sql: str
    params: object
    many: bool
    seconds: float


@dataclass
class Figures:
    seconds: float
    queries: int
    peak_mb: float | None = None
    size_kb: float | None = None
    rows_read: int | None = None

    def row(self, label: str) -> str:
        peak = f"{self.peak_mb:8.1f} MB" if self.peak_mb is not None else " " * 11
        size = f"{self.size_kb:8.1f} KB" if self.size_kb is not None else ""
        rows = f"{self.rows_read:12,d} rows read" if self.rows_read is not None else ""
        return f"{label:<44} {self.seconds * 1000:10.1f} ms {self.queries:7d} q {peak} {size}{rows}"


def api_floor(request):
    """The API campaign list's content (a page of 50, with parties and team) by hand: values() and JSON."""
    campaigns = Campaign.objects.for_user(request.user)  # in the API's order (the model's)
    page = list(
        campaigns.values(
            "id",
            "name",
            "kind",
            "status",
            "kickoff_date",
            "launch_date",
            "end_date",
            "goals",
            "created_by__username",
            "created_at",
            "updated_at",
        )[:50]
    )
    ids = [campaign["id"] for campaign in page]
    parties, team = {}, {}
    for party in Party.objects.filter(campaign_id__in=ids).values(
        "id",
        "campaign",
        "organization",
        "organization__name",
        "role",
        "point_of_contact",
        "point_of_contact__full_name",
    ):
        parties.setdefault(party["campaign"], []).append(party)
    for member in Member.objects.filter(campaign_id__in=ids).values(
        "id",
        "campaign",
        "person",
        "person__full_name",
        "person__organization",
        "person__organization__name",
        *Member.ROLE_FIELDS,
    ):
        team.setdefault(member["campaign"], []).append(member)
    for campaign in page:
        campaign["parties"], campaign["team"] = parties.get(campaign["id"], []), team.get(campaign["id"], [])
    counted = campaigns.order_by().values("pk")[: COUNT_CAP + 1].count()  # counted as the API counts
    return JsonResponse({"count": min(counted, COUNT_CAP), "count_capped": counted > COUNT_CAP, "results": page})


urlpatterns = [
    path("bench/floor/campaigns/", api_floor),
    *bench_pages.urlpatterns,
    path("", include("comarketing.urls")),
]


class Command(BaseCommand):
    help = (
        "Build N synthetic campaigns (rolled back at the end) and print time, queries and peak memory of the "
        "sweeps, the campaign change page and list and the API campaign list, next to their floors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaigns", type=int, default=1000)
        parser.add_argument("--requests", type=int, default=100, help="API list requests per measurement.")
        parser.add_argument(
            "--pages",
            action="store_true",
            help="Instead of the sweeps: every page kind for a small company and a hub, next to floors (issue 24).",
        )
        parser.add_argument(
            "--rounds", type=int, default=bench_pages.ROUNDS, help="With --pages: requests per page (the median)."
        )
        parser.add_argument("--sweeps-only", action="store_true", help="Measure the sweeps, not the pages.")
        parser.add_argument(
            "--in-database",
            action="store_true",
            help="Generate the campaigns inside PostgreSQL (generate_series), for a million of them.",
        )
        parser.add_argument(
            "--committed",
            action="store_true",
            help="With --in-database: commit the campaigns and run each sweep in transactions of its own, as in "
            "production. Needs a database of its own holding no campaigns; the data stays there (drop it after).",
        )

    def handle(
        self,
        *args,
        campaigns: int,
        requests: int,
        rounds: int = bench_pages.ROUNDS,
        pages=False,
        sweeps_only=False,
        in_database=False,
        committed=False,
        **options,
    ):
        if campaigns < 1:
            raise CommandError("--campaigns must be at least 1")
        if in_database and connection.vendor != "postgresql":
            raise CommandError("--in-database needs PostgreSQL (DATABASE_URL)")
        if committed and not in_database:
            raise CommandError("--committed goes with --in-database")
        if committed and Campaign.objects.exists():
            raise CommandError("--committed keeps what it builds: give it a database of its own holding no campaigns")
        # SSL redirects off: the test client speaks plain HTTP to the views, as a proxy that ends TLS would
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], DEBUG=False, SECURE_SSL_REDIRECT=False):
            if committed:
                self._measure(campaigns, requests, rounds, pages, sweeps_only, in_database)
                self.stdout.write("Synthetic data committed: drop this database when done.")
                return
            with undone():
                self._measure(campaigns, requests, rounds, pages, sweeps_only, in_database)
            self.stdout.write("Synthetic data rolled back.")

    def _measure(self, campaigns: int, requests: int, rounds: int, pages: bool, sweeps_only: bool, in_database: bool):
        now = bench_data.monday_morning(datetime.date.today())
        started = time.perf_counter()
        build = bench_sql.generate if in_database else bench_data.build
        with transaction.atomic():
            world = build(campaigns, now)
        seconds = time.perf_counter() - started
        self.stdout.write(f"Built {campaigns} campaigns in {seconds:.1f} s on {connection.vendor}.")
        if pages:
            bench_pages.run(world, now, self.stdout.write, rounds)
        else:
            self._sweeps(now)
            if not sweeps_only:
                self._pages(world, requests)

    # --- measuring -------------------------------------------------------------------------------------------

    def _timed(self, work: Callable[[], object], statements: list | None = None) -> Figures:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if statements is not None:
                    statements.append(Statement(sql, params, many, time.perf_counter() - started))

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
        return Figures(seconds, queries)

    @staticmethod
    def _peak_mb(work: Callable[[], object]) -> float:
        tracemalloc.start()
        try:
            work()
            return tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()

    # --- sweeps: first run against an independent floor, steady state, one campaign in a hundred changed --------

    @staticmethod
    def _rows_read() -> int | None:
        """Rows this transaction has read so far (table scans and index fetches), on PostgreSQL."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(seq_tup_read), 0) + COALESCE(SUM(idx_tup_fetch), 0) FROM pg_stat_xact_all_tables"
            )
            return int(cursor.fetchone()[0])

    def _read(self, work: Callable[[], object], statements: list | None = None, *, keep: bool = True) -> Figures:
        """Time `work` in a transaction (a savepoint inside the rolled-back one), kept or undone."""
        with transaction.atomic() if keep else undone():
            before = self._rows_read()
            figures = self._timed(work, statements)
            if before is not None:
                figures.rows_read = self._rows_read() - before
        return figures

    @staticmethod
    def _floor(statements: list[tuple[str, list]]) -> Callable[[], None]:
        def count():
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return count

    def _sweep(
        self,
        label: str,
        work: Callable[[], object],
        summary: Callable[[object], str],
        floor: list | None,
        written: tuple = (),
    ) -> Figures:
        """Time `work` (and its floor, if any), then run it once more under tracemalloc and keep its effect; a
        first run's floor adds the copying of what it wrote (`written`, models) once."""
        statements: list = []
        outcome = []
        figures = self._read(lambda: outcome.append(work()), statements, keep=False)
        with transaction.atomic():
            figures.peak_mb = self._peak_mb(work)
        self.stdout.write(figures.row(label))
        self.stdout.write(f"  {summary(outcome[0])}")
        if floor is not None:
            floor_figures = self._read(self._floor(floor))
            self.stdout.write(floor_figures.row("  floor: the question in plain SQL"))
            floor_seconds = floor_figures.seconds
            if written:
                copied, copy_seconds = self._copy_floor(written)
                self.stdout.write(f"  floor: its {copied} rows written once (INSERT … SELECT) {copy_seconds:.3f}s")
                floor_seconds += copy_seconds
            self.stdout.write(f"  ratio to floor: {figures.seconds / floor_seconds:.2f}x")
        waited = sum(statement.seconds for statement in statements)
        self.stdout.write(f"  of which executing statements: {waited * 1000:.1f} ms; the slowest:")
        for slowest in sorted(statements, key=lambda statement: -statement.seconds)[:SLOWEST_SHOWN]:
            sql = " ".join(slowest.sql.split())
            self.stdout.write(f"  {slowest.seconds * 1000:10.1f} ms  {sql[:150]}")
        return figures

    @staticmethod
    def _copy_floor(written: tuple) -> tuple[int, float]:
        """The least a run writing the rows of `written` must do: copy them once into empty tables with the same
        columns, defaults and indexes (dropped again). Returns the rows copied and the seconds it took."""
        quote = connection.ops.quote_name
        copied, seconds = 0, 0.0
        with undone(), connection.cursor() as cursor:
            for number, model in enumerate(written):
                table, copy = model._meta.db_table, f"bench_floor_copy_{number}"
                Command._empty_copy(cursor, table, copy)
                started = time.perf_counter()
                cursor.execute(f"INSERT INTO {quote(copy)} SELECT * FROM {quote(table)}")
                seconds += time.perf_counter() - started
                copied += cursor.rowcount
        return copied, seconds

    @staticmethod
    def _empty_copy(cursor, table: str, copy: str) -> None:
        """An empty table `copy` with the columns and indexes of `table`."""
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {quote(copy)} (LIKE {quote(table)} INCLUDING ALL)")
            return
        # SQLite has no LIKE: the columns, then each of the table's indexes made again on the copy.
        cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)} WHERE 0")
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table]
        )
        for name, sql in cursor.fetchall():
            made_again = sql.replace(quote(name), quote(f"{copy}_{name}"), 1).replace(
                f" ON {quote(table)} ", f" ON {quote(copy)} ", 1
            )
            cursor.execute(made_again)

    def _sweeps(self, now: datetime.datetime) -> None:
        self.stdout.write(f"Sweeps at {now:%a %Y-%m-%d %H:%M} UTC")

        def looked_at(result) -> str:
            return "" if result.looked_at is None else f"; looked at {result.looked_at} campaigns"

        def flags(result) -> str:
            changes = f"flags opened {result.opened}, still open {result.still_open}, resolved {result.resolved}"
            return changes + looked_at(result)

        def reminders(result) -> str:
            return f"new in the outbox {result.created}" + looked_at(result)

        def deliveries(result) -> str:
            return f"new webhook deliveries {result.created}"

        sweeps = (
            (
                "health sweep",
                bench_floors.HEALTH,
                lambda at, incremental: health_sweep(now=at, incremental=incremental),
                flags,
            ),
            (
                "reminder sweep",
                bench_floors.REMINDERS,
                lambda at, incremental: reminder_sweep(now=at, enqueue=False, incremental=incremental),
                reminders,
            ),
            (
                "webhook sweep",
                bench_floors.WEBHOOKS,
                lambda at, incremental: webhook_sweep(now=at, enqueue=False, incremental=incremental),
                deliveries,
            ),
        )
        # Past the late-commit margin, so the webhook sweep's steady state is not the first run's window again.
        steady = now + datetime.timedelta(seconds=settings.SWEEP_LATE_COMMIT_MARGIN_SECONDS, minutes=5)
        changed_at = steady + datetime.timedelta(minutes=5)
        first: dict[str, Figures] = {}
        for label, sweep, run, summary in sweeps:
            floor = bench_floors.counted(sweep, now)
            first[sweep] = self._sweep(
                f"{label}, first run", lambda run=run: run(now, False), summary, floor, bench_floors.written[sweep]
            )
        # What autovacuum does once the first runs commit (inside the benchmark's one transaction it cannot): the
        # timed first runs were undone, and their dead rows would otherwise stay in every index the sweeps read.
        bench_data.outbox_sent(now)
        bench_data.analyze(vacuum=not connection.in_atomic_block)
        for _, _, run, _ in sweeps:  # the run before: the steady state is a run with nothing new since it
            run(steady - datetime.timedelta(minutes=1), True)
        for label, _, run, summary in sweeps:
            self._sweep(f"{label}, steady state", lambda run=run: run(steady, True), summary, None)
        self.stdout.write(f"{bench_data.change_one_percent()} campaigns changed (one in a hundred)")
        for label, sweep, run, summary in sweeps:
            figures = self._sweep(f"{label}, 1 % changed", lambda run=run: run(changed_at, True), summary, None)
            self.stdout.write(f"  of its first run: {figures.seconds / first[sweep].seconds:.1%}")

    def _page(self, client: Client, label: str, url: str) -> Figures:
        """The median of PAGE_SAMPLES requests (one request's time varies by a third from run to run)."""
        client.get(url)  # warm
        response = None

        def get():
            nonlocal response
            response = client.get(url)

        samples = sorted((self._timed(get) for _ in range(PAGE_SAMPLES)), key=lambda figures: figures.seconds)
        figures = samples[len(samples) // 2]
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        figures.size_kb = len(response.content) / 1024
        figures.peak_mb = self._peak_mb(get)
        self.stdout.write(figures.row(label))
        return figures

    def _throughput(self, client: Client, label: str, url: str, requests: int) -> Figures:
        client.get(url)
        durations, queries = [], 0
        for _ in range(requests):
            figures = self._timed(lambda: client.get(url))
            durations.append(figures.seconds)
            queries = figures.queries
        p95 = statistics.quantiles(durations, n=20)[18] if len(durations) >= 20 else max(durations)
        total = sum(durations)
        self.stdout.write(
            f"{label:<44} {requests / total:8.0f} req/s  mean {total / requests * 1000:6.1f} ms  "
            f"p95 {p95 * 1000:6.1f} ms  {queries} q/request"
        )
        return Figures(total / requests, queries)

    def _pages(self, world: bench_data.World, requests: int) -> None:
        large, small = Client(), Client()
        large.force_login(world.large_user)
        small.force_login(world.small_user)
        visible = Campaign.objects.for_user(world.large_user).count()
        few = Campaign.objects.for_user(world.small_user).count()
        self.stdout.write(f"Pages for a company seeing {visible} campaigns (and one seeing {few})")
        change = "/admin/campaigns/campaign/{}/change/"
        big = self._page(large, f"campaign change page ({visible} visible)", change.format(world.large_campaign_id))
        little = self._page(small, f"campaign change page ({few} visible)", change.format(world.small_campaign_id))
        self.stdout.write(f"  same query count whatever is visible: {big.queries == little.queries}")
        self._page(large, f"campaign change list ({visible} visible)", "/admin/campaigns/campaign/")
        self._page(small, f"campaign change list ({few} visible)", "/admin/campaigns/campaign/")
        api = self._throughput(large, f"API campaign list ({visible} visible)", "/api/campaigns/", requests)
        floor = self._throughput(large, "  floor: values() + JSON", "/bench/floor/campaigns/", requests)
        self.stdout.write(f"  API / floor requests per second: {floor.seconds / api.seconds:.2f}")
        self._throughput(small, f"API campaign list ({few} visible)", "/api/campaigns/", requests)
        content = json.loads(large.get("/api/campaigns/").content)
        self.stdout.write(f"  API page: {len(content['results'])} campaigns of {content['count']}")
