"""Incremental sweeps (issue 24): a scheduled run looks only at the campaigns changed or due by time since the last
run, and gives exactly the flags, reminders and webhook deliveries a full run gives."""

import datetime
import random

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.models import (
    Campaign,
    Deliverable,
    Flag,
    Member,
    Reminder,
    ReportingPlan,
    ReportingPlanReporter,
    WebhookDelivery,
    WebhookEndpoint,
)
from campaigns.outbox.reminders import reminder_sweep
from campaigns.outbox.webhooks import webhook_sweep
from campaigns.registries import checks as health
from campaigns.services.health import health_sweep
from meetings.models import ActionItem, Attendance, Meeting
from meetings.services import action_item_mark_done, meeting_mark_held
from tests.campaigns.sweep_helpers import (
    UTC,
    assigned_deliverable,
    core_checks_only,  # noqa: F401  (fixture)
    healthy_campaign,
    team_member,
)
from tests.meetings.factories import series_for

pytestmark = pytest.mark.django_db
MONDAY = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York")
STATUSES = (Deliverable.Status.NOT_STARTED, Deliverable.Status.IN_PROGRESS, Deliverable.Status.PUBLISHED)


def snapshot() -> dict[str, set]:
    """What users get from the sweeps: flags (when they opened and resolved), outbox rows and webhook deliveries.
    A flag's "last seen" is left out: only a full run refreshes it."""
    return {
        "flags": set(Flag.objects.values_list("campaign_id", "code", "subject", "detail", "opened_at", "resolved_at")),
        "reminders": set(Reminder.objects.values_list("kind", "subject", "person_id", "due_at", "campaign_id")),
        "deliveries": set(
            WebhookDelivery.objects.values_list("endpoint_id", "event", "subject", "occurred_at", "campaign_id")
        ),
    }


def sequences() -> list[tuple[str, int | None]]:
    """Where each id sequence stands (PostgreSQL). A rolled-back savepoint leaves sequences advanced there (SQLite
    rolls its counters back), so rows the compared runs write would get other ids: a delivery's subject names its
    flag or reminder by id ("flag:110" for the full run's flag, "flag:112" for the same flag opened again)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
        return [(f'"{schema}"."{name}"', last) for schema, name, last in cursor.fetchall()]


def sequences_put_back(positions: list[tuple[str, int | None]]) -> None:
    with connection.cursor() as cursor:
        for sequence, last in positions:
            if last is None:  # never used: the next id is the first
                cursor.execute("SELECT setval(%s::regclass, 1, false)", [sequence])
            else:
                cursor.execute("SELECT setval(%s::regclass, %s, true)", [sequence, last])


def sweep_all(now: datetime.datetime, *, incremental: bool) -> None:
    health_sweep(now=now, incremental=incremental)
    reminder_sweep(now=now, enqueue=False, incremental=incremental)
    webhook_sweep(now=now, enqueue=False, incremental=incremental)


def changed(capture, now: datetime.datetime, change) -> None:
    """Make a change as a request would: its commit hooks run (they mark the campaign for the sweeps)."""
    with time_machine.travel(now, tick=False), capture(execute=True):
        change()


def world(rng: random.Random) -> list[Campaign]:
    campaigns = []
    for n in range(4):
        campaign = healthy_campaign(
            name=f"Campaign {n}",
            kickoff_date=MONDAY.date() - datetime.timedelta(days=rng.randint(0, 9)),
            launch_date=MONDAY.date() + datetime.timedelta(days=rng.randint(10, 20)),
        )
        members = [team_member(campaign, time_zone=rng.choice(ZONES)) for _ in range(2)]
        if n % 2:
            series_for(campaign, attendees=members, first_date=MONDAY.date(), time_zone=rng.choice(ZONES), now=MONDAY)
        else:
            plan = ReportingPlan.objects.create(
                campaign=campaign, frequency="weekly", first_report_date=MONDAY.date() + datetime.timedelta(days=n)
            )
            for party in campaign.parties.all():
                lead = Member.objects.filter(campaign=campaign, person__organization=party.organization).first()
                ReportingPlanReporter.objects.create(plan=plan, organization=party.organization, reporter=lead.person)
        for _ in range(3):
            assigned_deliverable(
                campaign,
                due_date=MONDAY.date() + datetime.timedelta(days=rng.randint(-3, 8)),
                responsible=rng.choice(members),
                accountable=rng.choice([None, *members]),
            )
        campaigns.append(campaign)
    for campaign in campaigns[:2]:
        WebhookEndpoint.objects.create(
            organization=campaign.parties.first().organization, url="https://hooks.example.com/in", name="Ops"
        )
    return campaigns


def random_change(rng: random.Random, now: datetime.datetime):
    deliverables = list(Deliverable.objects.order_by("pk"))
    members = list(Member.objects.select_related("person").order_by("pk"))
    campaigns = list(Campaign.objects.order_by("pk"))

    def status():
        deliverable = rng.choice(deliverables)
        deliverable.status = rng.choice(STATUSES)
        deliverable.save()

    def due_date():
        deliverable = rng.choice(deliverables)
        deliverable.due_date = now.date() + datetime.timedelta(days=rng.randint(-2, 6))
        deliverable.save()

    def decision_maker():
        member = rng.choice(members)
        member.is_decision_maker = not member.is_decision_maker
        member.save()

    def new_deliverable():
        member = rng.choice(members)
        assigned_deliverable(
            member.campaign,
            due_date=now.date() + datetime.timedelta(days=rng.randint(0, 5)),
            responsible=member,
            accountable=rng.choice([None, member]),
        )

    def time_zone():
        person = rng.choice(members).person
        person.time_zone = rng.choice(ZONES)
        person.save()

    def campaign_status():
        campaign = rng.choice(campaigns)
        campaign.status = rng.choice([Campaign.Status.EXECUTION, Campaign.Status.CLOSED, Campaign.Status.PLANNING])
        campaign.save()

    def meeting_held():
        begun = list(Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__lte=now).order_by("pk"))
        if begun:
            meeting = rng.choice(begun)
            for attendance in Attendance.objects.filter(meeting=meeting):
                attendance.status = rng.choice([Attendance.Status.PRESENT, Attendance.Status.ABSENT])
                attendance.save()
            meeting_mark_held(meeting=meeting, now=now)

    def new_action_item():
        meeting = rng.choice(list(Meeting.objects.select_related("series").order_by("pk")))
        owner = rng.choice(list(Member.objects.filter(campaign_id=meeting.series.campaign_id).order_by("pk")))
        due = now.date() + datetime.timedelta(days=rng.randint(0, 4))
        ActionItem.objects.create(meeting=meeting, title="Send the slides", owner=owner, due_date=due)

    def action_item_done():
        items = list(ActionItem.objects.open().order_by("pk"))
        if items:
            action_item_mark_done(item=rng.choice(items))

    return rng.choice(
        [
            status,
            due_date,
            decision_maker,
            new_deliverable,
            time_zone,
            campaign_status,
            meeting_held,
            new_action_item,
            new_action_item,
            action_item_done,
        ]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_sweeps_give_what_full_sweeps_give_over_random_changes_and_time(
    seed, django_capture_on_commit_callbacks
):
    rng = random.Random(seed)
    now = MONDAY
    with time_machine.travel(now, tick=False):
        world(rng)
        sweep_all(now, incremental=False)
    for _ in range(24):
        now += datetime.timedelta(hours=rng.randint(1, 20), minutes=rng.choice([0, 15, 30]))
        for _ in range(rng.randint(0, 2)):
            changed(django_capture_on_commit_callbacks, now, random_change(rng, now))
        with time_machine.travel(now, tick=False):
            before, ids = transaction.savepoint(), sequences()
            sweep_all(now, incremental=False)
            full = snapshot()
            transaction.savepoint_rollback(before)
            sequences_put_back(ids)  # the incremental run's new rows get the ids the full run's got
            sweep_all(now, incremental=True)
            assert snapshot() == full, f"seed {seed}, at {now}"
    assert full["flags"] and full["reminders"] and full["deliveries"]  # the sequence exercised every sweep


SUBJECT_TABLES = ("campaigns_deliverable", "campaigns_raciassignment", "campaigns_party", "campaigns_flag")


@pytest.mark.usefixtures("core_checks_only")
def test_a_steady_state_run_with_nothing_changed_reads_no_campaign_rows():
    campaign = healthy_campaign()
    member = team_member(campaign)
    assigned_deliverable(campaign, due_date=MONDAY.date() + datetime.timedelta(days=20), responsible=member)
    health_sweep(now=MONDAY)
    reminder_sweep(now=MONDAY, enqueue=False)
    later = MONDAY + datetime.timedelta(minutes=15)
    with CaptureQueriesContext(connection) as health_queries:
        health_sweep(now=later, incremental=True)
    with CaptureQueriesContext(connection) as reminder_queries:
        reminder_sweep(now=later, enqueue=False, incremental=True)
    read = [
        query["sql"]
        for query in [*health_queries.captured_queries, *reminder_queries.captured_queries]
        if any(f'"{table}"' in query["sql"] for table in SUBJECT_TABLES) and "campaigns_reminder" not in query["sql"]
    ]
    assert read == []


def test_no_health_check_reads_every_campaign_on_every_run():
    """Every app's checks, registered as in production: a steady-state run reads no campaign's rows. A check that
    declared neither "changes only" nor its due moments read every registration form at each run (0.5 s of a
    0.7 s run at 100,000 campaigns)."""
    campaign = healthy_campaign()
    assigned_deliverable(
        campaign, due_date=MONDAY.date() + datetime.timedelta(days=20), responsible=team_member(campaign)
    )
    health_sweep(now=MONDAY)
    with CaptureQueriesContext(connection) as queries:
        health_sweep(now=MONDAY + datetime.timedelta(minutes=15), incremental=True)
    tables = (*SUBJECT_TABLES, "campaigns_member", "campaigns_kpiround", "meetings_meeting")
    assert [query["sql"] for query in queries if any(f'"{table}"' in query["sql"] for table in tables)] == []


def test_a_quiet_reminder_run_reads_no_people_or_teams():
    """Every reminder source, registered as in production: with nothing changed, a run asks nothing about people.
    It read every deactivated person and every opt-out each run, the one read that grew with the data (100,000
    rows at 100,000 campaigns, every five minutes)."""
    campaign = healthy_campaign()
    assigned_deliverable(
        campaign, due_date=MONDAY.date() + datetime.timedelta(days=20), responsible=team_member(campaign)
    )
    reminder_sweep(now=MONDAY, enqueue=False)
    with CaptureQueriesContext(connection) as queries:
        reminder_sweep(now=MONDAY + datetime.timedelta(minutes=5), enqueue=False, incremental=True)
    tables = ("partners_person", "campaigns_member", "campaigns_reminderoptout")
    assert [query["sql"] for query in queries if any(f'"{table}"' in query["sql"] for table in tables)] == []


def test_a_role_holder_deactivated_is_picked_up_by_the_next_run(django_capture_on_commit_callbacks, monkeypatch):
    """Written directly (not through the deactivation service, which re-checks their campaigns itself): the
    person's change marks their campaigns, and the scheduled run looks at them."""
    monkeypatch.setattr(health, "checks", {"role_holder_deactivated": health.checks["role_holder_deactivated"]})
    campaign = healthy_campaign()
    health_sweep(now=MONDAY)
    lead = Member.objects.filter(campaign=campaign, is_project_lead=True).first().person

    def deactivate():
        lead.is_active = False
        lead.save()

    changed(django_capture_on_commit_callbacks, MONDAY, deactivate)
    result = health_sweep(now=MONDAY + datetime.timedelta(minutes=15), incremental=True)

    assert result.looked_at == 1
    assert Flag.objects.open().get(code="role_holder_deactivated").subject == f"person:{lead.pk}"


@pytest.mark.usefixtures("core_checks_only")
def test_a_change_to_one_campaign_is_picked_up(django_capture_on_commit_callbacks):
    quiet, busy = healthy_campaign(name="Quiet"), healthy_campaign(name="Busy")
    member = team_member(busy)
    later_on = assigned_deliverable(busy, due_date=MONDAY.date() + datetime.timedelta(days=30), responsible=member)
    team_member(quiet)
    health_sweep(now=MONDAY)
    reminder_sweep(now=MONDAY, enqueue=False)

    later = MONDAY + datetime.timedelta(days=1, hours=3)  # Tuesday 10:00 UTC: past 09:00 for the recipient (UTC)

    def due_tomorrow():
        later_on.due_date = later.date() + datetime.timedelta(days=2)
        later_on.save()

    changed(django_capture_on_commit_callbacks, later, due_tomorrow)
    result = reminder_sweep(now=later, enqueue=False, incremental=True)

    assert result.created == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.subject, reminder.person_id) == (
        "deliverable_due_soon",
        f"deliverable:{later_on.pk}",
        member.person_id,
    )


@pytest.mark.usefixtures("core_checks_only")
def test_a_transition_by_time_alone_is_picked_up():
    campaign = healthy_campaign()
    member = team_member(campaign, time_zone="Asia/Tokyo")
    tomorrow = assigned_deliverable(campaign, due_date=MONDAY.date() + datetime.timedelta(days=1), responsible=member)
    health_sweep(now=MONDAY)
    reminder_sweep(now=MONDAY, enqueue=False)
    assert not Flag.objects.filter(code="deliverable_overdue").exists()

    wednesday = MONDAY + datetime.timedelta(days=2)  # 07:00 UTC: 16:00 in Tokyo, the day after the due date
    opened = health_sweep(now=wednesday, incremental=True)
    reminder_sweep(now=wednesday, enqueue=False, incremental=True)

    assert opened.opened == 1
    assert Flag.objects.open().get(code="deliverable_overdue").subject == f"deliverable:{tomorrow.pk}"
    overdue = Reminder.objects.get(kind="deliverable_overdue")
    assert overdue.due_at == datetime.datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo


def planned_rows(model) -> float:
    """How many rows PostgreSQL's planner believes the table holds (-1: never analyzed, 0: analyzed empty)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("core_checks_only")
def test_a_full_run_leaves_the_planner_counting_the_rows_it_wrote():
    """The next sweep reads what a first run wrote before autovacuum comes round: planned for the empty tables,
    the webhook sweep after a first health sweep took 61 s instead of 3.7 s at 10,000 campaigns."""
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (CI runs this on PostgreSQL)")
    for _ in range(3):
        campaign = healthy_campaign()
        late = MONDAY.date() - datetime.timedelta(days=3)
        assigned_deliverable(campaign, due_date=late, responsible=team_member(campaign))  # overdue, no Accountable
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Flag._meta.db_table}, {WebhookDelivery._meta.db_table}")
    assert planned_rows(Flag) == 0

    health_sweep(now=MONDAY)
    assert Flag.objects.count() >= 3
    assert planned_rows(Flag) == Flag.objects.count()
    assert planned_rows(Flag.history.model) == Flag.history.count()

    endpoint = WebhookEndpoint.objects.create(
        organization=campaign.parties.first().organization, name="Ops", url="https://hooks.example.com/in"
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(created_at=MONDAY - datetime.timedelta(days=1))
    webhook_sweep(now=MONDAY + datetime.timedelta(minutes=1), enqueue=False)
    assert WebhookDelivery.objects.exists()
    assert planned_rows(WebhookDelivery) == WebhookDelivery.objects.count()


@pytest.mark.usefixtures("core_checks_only")
@pytest.mark.parametrize(("limit", "in_full"), [(1000, False), (1, True)], ids=["below the limit", "above it"])
def test_a_scheduled_run_with_more_campaigns_waiting_than_the_limit_runs_in_full(
    django_capture_on_commit_callbacks, settings, limit, in_full
):
    """Looked at a chunk at a time, every campaign costs several times what a full run costs it: past the limit,
    the scheduled run reads everything set-wise, and finds the same."""
    campaigns = [healthy_campaign(name=name) for name in ("One", "Two", "Three")]
    health_sweep(now=MONDAY)

    def two_lose_their_decision_makers():
        for campaign in campaigns[:2]:
            for member in Member.objects.filter(campaign=campaign, is_decision_maker=True):
                member.is_decision_maker = False
                member.save()

    changed(django_capture_on_commit_callbacks, MONDAY, two_lose_their_decision_makers)
    settings.SWEEP_FULL_RUN_ABOVE_CAMPAIGNS = limit
    result = health_sweep(now=MONDAY + datetime.timedelta(minutes=15), incremental=True)

    assert (result.looked_at is None) == in_full  # a full run looks at every campaign, not a counted few
    assert in_full or result.looked_at >= 2
    flagged = Flag.objects.open().filter(code="no_decision_maker").values_list("campaign", flat=True)
    assert {campaign for campaign in flagged} == {campaign.pk for campaign in campaigns[:2]}
