"""Synthetic data for `manage.py bench`: N campaigns built in bulk, a fixed number of campaigns at a time.

Per campaign: two companies (a host, a partner from a pool), four team members, ten deliverables with their
Responsible and Accountable, a weekly meeting series with two past meetings and one tomorrow, a weekly
reporting plan with a reporter per company. A quarter of the partners name no decision maker or budget owner,
a quarter of the deliverables have no Accountable, and dates spread around `now`, so the checks find things
and reminders fall due in about the proportions of the issue's measurements (at 10,000 campaigns: 100,000
deliverables, 30,000 meetings, some 80,000 findings and 40,000-60,000 reminders; the sweep's `now` is a
Monday, when the weekly digest goes out too).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import F, Min

from campaigns.models import (
    Campaign,
    Deliverable,
    Member,
    Party,
    RaciAssignment,
    Reminder,
    ReportingPlan,
    ReportingPlanReporter,
    WebhookDelivery,
    WebhookEndpoint,
)
from campaigns.services.sweep_marks import sweep_marks_changed
from partners.models import Organization, Person
from partners.scoping import sharing
from partners.services import company_user_create
from utilities.bulk_rows import chunked, refresh_planner_statistics

PREFIX = "bench synthetic"
TIME_ZONES = ("Europe/Berlin", "Asia/Tokyo", "UTC", "America/New_York")
CAMPAIGNS_PER_BATCH = 2000
PEOPLE_PER_COMPANY = 4
DELIVERABLES = 10

# What other apps add to each batch of campaigns (meetings adds a weekly series): called with the batch's
# (campaign, host, partner, number) rows, each campaign's four members by campaign id, and today.
per_batch: list[Callable[[list[tuple], dict[int, list], datetime.date], None]] = []


@dataclass
class World:
    """Who looks at the data: a company seeing every campaign but `small`, and one seeing `small` campaigns."""

    large_user: object
    small_user: object
    large_campaign_id: int
    small_campaign_id: int
    campaigns: int


def monday_morning(today: datetime.date) -> datetime.datetime:
    """10:00 UTC on this week's Monday: digests are due in Europe and Asia, deliverables around it."""
    monday = today - datetime.timedelta(days=today.weekday())
    return datetime.datetime.combine(monday, datetime.time(10), tzinfo=datetime.UTC)


def _people(organization: Organization, count: int, start: int) -> list[Person]:
    return Person.objects.bulk_create(
        Person(
            organization=organization,
            full_name=f"Person {start + n}",
            email=f"p{start + n}@{organization.pk}.synthetic.invalid",
            time_zone=TIME_ZONES[(start + n) % len(TIME_ZONES)],
        )
        for n in range(count)
    )


def build(count: int, now: datetime.datetime) -> World:
    today = now.date()
    small = min(100, max(1, count // 2))  # campaigns the small company hosts; the large one hosts the others
    pool = Organization.objects.bulk_create(
        Organization(name=f"{PREFIX} partner {i}", listed_in_directory=False) for i in range(max(30, count // 5))
    )
    large, small_host = Organization.objects.bulk_create(
        Organization(name=f"{PREFIX} {size} host", listed_in_directory=False) for size in ("large", "small")
    )
    staff = {organization.pk: _people(organization, PEOPLE_PER_COMPANY, 0) for organization in [*pool, small_host]}
    # The large host staffs its campaigns like the partners do: a few campaigns per person.
    staff[large.pk] = _people(large, max(PEOPLE_PER_COMPANY, count // 5), 0)
    users = []
    for organization in (large, small_host):
        person = company_user_create(
            organization=organization,
            email=f"viewer@{organization.pk}.synthetic.invalid",
            full_name=f"Viewer of {organization.name}",
            password=None,
        )
        staff[organization.pk].append(person)
        users.append(person.user)
    get_user_model().objects.filter(pk__in=[user.pk for user in users]).update(is_staff=True)
    # Every partner hears of its campaigns' flags: the webhook sweep has a day's events to deliver.
    endpoints = WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(organization=organization, name="Operations", url="https://hooks.example.com/in")
        for organization in pool
    )
    WebhookEndpoint.objects.filter(pk__in=[endpoint.pk for endpoint in endpoints]).update(created_at=_kickoff(today))
    # On record since before the campaigns, not since the benchmark built them (as for the reporting plans).
    Person.objects.filter(organization__name__startswith=PREFIX).update(updated_at=_kickoff(today))
    first_ids = []
    for start in range(0, count, CAMPAIGNS_PER_BATCH):
        numbers = range(start, min(count, start + CAMPAIGNS_PER_BATCH))
        ids = _build_batch(numbers, pool, (large, small_host, small), staff, today)
        first_ids = first_ids or ids
    sharing.rebuild()  # parties and teams written set-wise, past the refresh a save makes: stored once, as nightly
    analyze()
    return World(
        large_user=users[0],
        small_user=users[1],
        large_campaign_id=first_ids[small] if count > small else first_ids[0],
        small_campaign_id=first_ids[0],
        campaigns=count,
    )


def analyze(*, vacuum: bool = False) -> None:
    """Fresh planner statistics for the project's tables (PostgreSQL), as autovacuum keeps them, and with `vacuum`
    (outside a transaction) their dead rows cleared too. Not a bare ANALYZE: that also analyzes the catalogs every
    database shares, and the benchmark's one long transaction then held up every other database's ANALYZE on the
    server until it ended."""
    refresh_planner_statistics(apps.get_models(), vacuum=vacuum)


def _kickoff(today: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(today - datetime.timedelta(days=30), datetime.time(12), tzinfo=datetime.UTC)


def _build_batch(numbers, pool, hosts, staff, today) -> list[int]:
    large, small_host, small = hosts
    statuses = (Campaign.Status.PLANNING, Campaign.Status.EXECUTION, Campaign.Status.KICKOFF)
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"{PREFIX} campaign {i}",
            status=statuses[i % 3],
            kickoff_date=_kickoff(today).date(),
            launch_date=today + datetime.timedelta(days=i % 40 - 10),
        )
        for i in numbers
    )
    sides = []  # (campaign, host, partner, number)
    for i, campaign in zip(numbers, campaigns, strict=True):
        host = small_host if i < small else large
        sides.append((campaign, host, pool[i % len(pool)], i))
    Party.objects.bulk_create(
        Party(campaign=campaign, organization=organization, role=role)
        for campaign, host, partner, _ in sides
        for organization, role in ((host, Party.Role.HOST), (partner, Party.Role.PARTNER))
    )
    members = Member.objects.bulk_create(
        Member(
            campaign=campaign,
            person=staff[organization.pk][(2 * i + n) % len(staff[organization.pk])],
            is_decision_maker=n == 0 and (organization == host or i % 4 != 0),
            is_project_lead=n == 0,
            is_budget_owner=n == 0 and (organization == host or i % 4 != 0),
        )
        for campaign, host, partner, i in sides
        for organization in (host, partner)
        for n in (0, 1)
    )
    team = {campaign.pk: members[4 * k : 4 * k + 4] for k, (campaign, *_) in enumerate(sides)}
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            campaign=campaign,
            title=f"Deliverable {k} of {campaign.name}",
            due_date=today + datetime.timedelta(days=(7 * i + 11 * k) % 120 - 40),
            channel_party=None,
        )
        for campaign, _, _, i in sides
        for k in range(DELIVERABLES)
    )
    RaciAssignment.objects.bulk_create(
        RaciAssignment(deliverable=deliverable, member=team[deliverable.campaign_id][role_index], role=role)
        for n, deliverable in enumerate(deliverables)
        for role, role_index in (("R", 2), ("A", 0))
        if role == "R" or n % 4
    )
    for add_rows in per_batch:
        add_rows(sides, team, today)
    plans = ReportingPlan.objects.bulk_create(
        ReportingPlan(campaign=campaign, frequency="weekly", first_report_date=today - datetime.timedelta(days=20))
        for campaign, *_ in sides
    )
    # Agreed at the kickoff, not when the benchmark built them: the reminder sweep trusts only reminders stored
    # after a plan's last change.
    ReportingPlan.objects.filter(pk__in=[plan.pk for plan in plans]).update(updated_at=_kickoff(today))
    ReportingPlanReporter.objects.bulk_create(
        ReportingPlanReporter(plan=plan, organization=organization, reporter=staff[organization.pk][0])
        for plan, (_, host, partner, _) in zip(plans, sides, strict=True)
        for organization in (host, partner)
    )
    return [campaign.pk for campaign in campaigns]


def outbox_sent(now: datetime.datetime) -> None:
    """What the workers do with what the first runs queued (the benchmark's sweeps never enqueue): every pending
    reminder and delivery sent. Left pending, the steady state re-enqueued a backlog of 680,000 e-mails on every
    run at 100,000 campaigns, the state of an outage, not of a quiet day."""
    for model in (Reminder, WebhookDelivery):
        model.objects.filter(status=model.Status.PENDING).update(status=model.Status.SENT, sent_at=now, attempts=1)


def change_one_percent(days: int = 1) -> int:
    """A day's edits as the sweeps see them: one synthetic campaign in a hundred has a deliverable moved by `days`,
    and is marked changed as its commit hook would mark it. Returns how many campaigns changed."""
    campaign_ids = list(Campaign.objects.filter(name__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    changed = campaign_ids[::100]
    for chunk in chunked(changed):
        first = Deliverable.objects.filter(campaign_id__in=chunk).values("campaign_id").annotate(first=Min("pk"))
        moved = Deliverable.objects.filter(pk__in=[row["first"] for row in first])
        moved.update(due_date=F("due_date") + datetime.timedelta(days=days))
        sweep_marks_changed(chunk)
    return len(changed)
