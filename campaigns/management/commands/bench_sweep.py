import datetime
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from campaigns import health
from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from campaigns.services.health import health_sweep
from campaigns.services.reminders import reminder_sweep
from partners.models import Organization, Person

SYNTHETIC = "bench-sweep synthetic"


class Rollback(Exception):
    """Raised at the end so nothing the benchmark built is kept."""


class Command(BaseCommand):
    help = (
        "Build N synthetic campaigns inside a transaction that is rolled back, then time the set-wise sweeps and a "
        "naive per-campaign evaluation of the same checks (queries and seconds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaigns", type=int, default=1000)
        parser.add_argument(
            "--naive-limit",
            type=int,
            default=None,
            help="Evaluate the naive way on at most this many campaigns and extrapolate (it is slow by design).",
        )

    def handle(self, *args, campaigns: int, naive_limit: int | None, **options):
        if campaigns < 1:
            raise CommandError("--campaigns must be at least 1")
        try:
            with transaction.atomic():
                ids = self._build(campaigns)
                self._report(ids, naive_limit)
                raise Rollback
        except Rollback:
            self.stdout.write("Synthetic data rolled back.")

    def _build(self, count: int) -> list[int]:
        started = time.perf_counter()
        today = timezone.localdate()
        organizations = Organization.objects.bulk_create(
            Organization(name=f"{SYNTHETIC} company {i}", listed_in_directory=False) for i in range(2 * count)
        )
        people = Person.objects.bulk_create(
            Person(
                organization=organization,
                full_name=f"Synthetic person {i}",
                email=f"bench{i}@synthetic.invalid",
                time_zone=("Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin")[i % 3],
            )
            for i, organization in enumerate(organizations)
        )
        statuses = (Campaign.Status.PLANNING, Campaign.Status.EXECUTION, Campaign.Status.KICKOFF)
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                name=f"{SYNTHETIC} campaign {i}",
                status=statuses[i % 3],
                kickoff_date=today - datetime.timedelta(days=20),
                launch_date=today + datetime.timedelta(days=10),
            )
            for i in range(count)
        )
        Party.objects.bulk_create(
            Party(campaign=campaign, organization=organizations[2 * i + side], role=("host", "partner")[side])
            for i, campaign in enumerate(campaigns)
            for side in (0, 1)
        )
        # Every other campaign: the partner names nobody but a project lead (no decision maker, no budget owner).
        members = Member.objects.bulk_create(
            Member(
                campaign=campaign,
                person=people[2 * i + side],
                is_project_lead=True,
                is_decision_maker=side == 0 or i % 2 == 0,
                is_budget_owner=side == 0 or i % 2 == 0,
            )
            for i, campaign in enumerate(campaigns)
            for side in (0, 1)
        )
        deliverables = Deliverable.objects.bulk_create(
            Deliverable(
                campaign=campaign, title=f"Deliverable {n}", due_date=today + datetime.timedelta(days=n * 3 - 4)
            )
            for campaign in campaigns
            for n in range(3)
        )
        RaciAssignment.objects.bulk_create(
            RaciAssignment(deliverable=deliverable, member=members[2 * (i // 3) + i % 2], role=role)
            for i, deliverable in enumerate(deliverables)
            for role in (("R", "A") if i % 4 else ("R",))
        )
        self.stdout.write(f"Built {count} campaigns in {time.perf_counter() - started:.1f} s ({connection.vendor}).")
        return [campaign.pk for campaign in campaigns]

    def _measure(self, label: str, work: Callable[[], object]) -> tuple[float, int]:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
        self.stdout.write(f"{label:<48} {seconds:9.2f} s {queries:9d} queries")
        return seconds, queries

    def _report(self, ids: list[int], naive_limit: int | None) -> None:
        now = timezone.now()
        checks = list(health.checks.values())
        sweep_seconds, sweep_queries = self._measure(
            "health sweep (set-wise, writes flags)", lambda: health_sweep(now=now)
        )
        self._measure("health sweep again (steady state)", lambda: health_sweep(now=now))
        self._measure("reminder sweep (set-wise, writes outbox)", lambda: reminder_sweep(now=now, enqueue=False))
        sample = ids[:naive_limit] if naive_limit else ids

        def naive() -> None:
            for campaign_id in sample:
                one = Campaign.objects.open().filter(pk=campaign_id)
                for check in checks:
                    list(check.find(one, now))

        naive_seconds, naive_queries = self._measure(
            f"naive: every check per campaign ({len(sample)} campaigns)", naive
        )
        scale = len(ids) / len(sample)
        if scale != 1:
            naive_seconds, naive_queries = naive_seconds * scale, round(naive_queries * scale)
            self.stdout.write(
                f"{'naive, extrapolated to all campaigns':<48} {naive_seconds:9.2f} s {naive_queries:9d} queries"
            )
        self.stdout.write(
            f"Checks registered: {len(checks)}. Naive / set-wise: {naive_seconds / sweep_seconds:.1f}× the time, "
            f"{naive_queries / sweep_queries:.0f}× the queries (the naive run does not even write flags)."
        )
