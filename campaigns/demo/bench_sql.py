"""Synthetic campaigns generated inside PostgreSQL (`manage.py bench --in-database`, for a million campaigns):
one `INSERT … SELECT … FROM generate_series` per table, nothing per row in Python.

The same shape as bench.build, about: a pool of partner companies (one per five campaigns) and two hosts, four
people per company (a person per five campaigns for the large host), per campaign two parties, four team members
(a quarter of the partners without a decision maker or budget owner), ten deliverables around today with their
Responsible and (three in four) Accountable, a weekly reporting plan with a reporter per company, and a webhook
per partner. Ids are laid out arithmetically from the tables' next ids, so each table's rows find their parents
without a join; other apps add their tables through `per_generation` (meetings adds a weekly series).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone

from campaigns.demo.bench import PREFIX, TIME_ZONES, World, analyze
from campaigns.models import (
    Campaign,
    Deliverable,
    Member,
    Party,
    RaciAssignment,
    ReportingPlan,
    ReportingPlanReporter,
    WebhookEndpoint,
)
from partners.models import Organization, Person
from partners.scoping import sharing
from partners.services import company_user_create


@dataclass(frozen=True)
class Layout:
    """Where each generated table's ids start, and how many of each there are."""

    campaigns: int
    small: int  # campaigns hosted by the small host (the first ones)
    pool: int  # partner companies
    large_people: int
    first_organization: int
    first_person: int
    first_campaign: int
    first_member: int
    today: datetime.date

    def staff(self, organization_sql: str, index_sql: str) -> str:
        """SQL for the id of person `index` (modulo the company's people) of a company given as an id."""
        pool_end = self.first_organization + self.pool
        return (
            f"(CASE WHEN {organization_sql} < {pool_end} "
            f"THEN {self.first_person} + 4 * ({organization_sql} - {self.first_organization}) + ({index_sql}) % 4 "
            f"WHEN {organization_sql} = {pool_end + 1} THEN {self.first_person} + 4 * {self.pool} + ({index_sql}) % 4 "
            f"ELSE {self.first_person} + 4 * {self.pool} + 4 + ({index_sql}) % {self.large_people} END)"
        )

    def host(self, campaign_index_sql: str) -> str:
        large = self.first_organization + self.pool
        return f"(CASE WHEN {campaign_index_sql} < {self.small} THEN {large + 1} ELSE {large} END)"

    def partner(self, campaign_index_sql: str) -> str:
        return f"({self.first_organization} + ({campaign_index_sql}) % {self.pool})"


# What other apps generate per campaign, given the layout (meetings adds its series).
per_generation: list[Callable[[Layout], None]] = []


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0]


def insert_generated(model: type[models.Model], rows: int, values: dict[str, str]) -> None:
    """INSERT INTO the model's table one row per `i` in 0..rows-1: `values` gives each field's SQL (of `i`); every
    other field takes its default (the moment for auto_now fields), sent once as a parameter. The id sequence is
    moved past the rows written."""
    quote = connection.ops.quote_name
    columns, expressions, params = [], [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        given = values.get(field.name, values.get(field.attname))
        if field.primary_key and given is None:
            continue  # numbered by the table
        columns.append(quote(field.column))
        if given is not None:
            expressions.append(f"({given.replace('%', '%%')})::{field.db_type(connection)}")  # modulo, not a parameter
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if auto else field.get_default()
        expressions.append(f"%s::{field.db_type(connection)}")
        params.append(field.get_db_prep_save(default, connection))
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} "
            f"FROM generate_series(0, {rows - 1}) AS g(i)",
            params,
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), MAX(id)) FROM {table}")


def generate(count: int, now: datetime.datetime) -> World:
    """`count` synthetic campaigns in the database around `now`, and who looks at them (a login of each host)."""
    today = now.date()
    if connection.vendor != "postgresql":
        raise NotImplementedError("Campaigns are generated in the database on PostgreSQL only.")
    pool = max(30, count // 5)
    layout = Layout(
        campaigns=count,
        small=min(100, max(1, count // 2)),
        pool=pool,
        large_people=max(4, count // 5),
        first_organization=next_id(Organization),
        first_person=next_id(Person),
        first_campaign=next_id(Campaign),
        first_member=next_id(Member),
        today=today,
    )
    o0, p0, c0, m0 = layout.first_organization, layout.first_person, layout.first_campaign, layout.first_member
    kickoff = today - datetime.timedelta(days=30)
    insert_generated(
        Organization,
        pool + 2,
        {
            "id": f"{o0} + i",
            "name": f"'{PREFIX} ' || CASE WHEN i < {pool} THEN 'partner ' || i WHEN i = {pool} THEN 'large host' "
            "ELSE 'small host' END",
            "listed_in_directory": "false",
        },
    )
    zones = "(ARRAY[{}])[1 + i % 4]".format(", ".join(f"'{zone}'" for zone in TIME_ZONES))
    people_organization = (
        f"CASE WHEN i < {4 * pool} THEN {o0} + i / 4 WHEN i < {4 * pool + 4} THEN {o0 + pool + 1} ELSE {o0 + pool} END"
    )
    insert_generated(
        Person,
        4 * pool + 4 + layout.large_people,
        {
            "id": f"{p0} + i",
            "organization": people_organization,
            "full_name": "'Person ' || i",
            "email": "'p' || i || '@synthetic.invalid'",
            "time_zone": zones,
            "updated_at": f"'{kickoff.isoformat()} 12:00+00'",
        },
    )
    statuses = "(ARRAY['planning', 'execution', 'kickoff'])[1 + i % 3]"
    insert_generated(
        Campaign,
        count,
        {
            "id": f"{c0} + i",
            "name": f"'{PREFIX} campaign ' || i",
            "status": statuses,
            "kickoff_date": f"'{kickoff.isoformat()}'",
            "launch_date": f"DATE '{today.isoformat()}' + (i % 40 - 10)",
        },
    )
    insert_generated(
        Party,
        2 * count,
        {
            "campaign": f"{c0} + i / 2",
            "organization": f"CASE WHEN i % 2 = 0 THEN {layout.host('i / 2')} ELSE {layout.partner('i / 2')} END",
            "role": "CASE WHEN i % 2 = 0 THEN 'host' ELSE 'partner' END",
        },
    )
    # Member 4c + 2·side + n: side 0 the host, 1 the partner; n 0 the lead (a quarter of partners name no decider).
    side_org = f"CASE WHEN i % 4 < 2 THEN {layout.host('i / 4')} ELSE {layout.partner('i / 4')} END"
    decides = "(i % 2 = 0 AND (i % 4 < 2 OR (i / 4) % 4 <> 0))"
    insert_generated(
        Member,
        4 * count,
        {
            "id": f"{m0} + i",
            "campaign": f"{c0} + i / 4",
            "person": layout.staff(side_org, "2 * (i / 4) + i % 2"),
            "is_decision_maker": decides,
            "is_budget_owner": decides,
            "is_project_lead": "(i % 2 = 0)",
        },
    )
    d0 = next_id(Deliverable)
    insert_generated(
        Deliverable,
        10 * count,
        {
            "id": f"{d0} + i",
            "campaign": f"{c0} + i / 10",
            "title": f"'Deliverable ' || i % 10 || ' of {PREFIX} campaign ' || i / 10",
            "due_date": f"DATE '{today.isoformat()}' + ((7 * (i / 10) + 11 * (i % 10)) % 120 - 40)",
        },
    )
    # Per deliverable a Responsible (the partner's lead) and, for three in four, an Accountable (the host's lead).
    insert_generated(
        RaciAssignment,
        20 * count,
        {
            "deliverable": f"{d0} + i / 2",
            "member": f"{m0} + 4 * (i / 20) + CASE WHEN i % 2 = 0 THEN 2 ELSE 0 END",
            "role": "CASE WHEN i % 2 = 0 THEN 'R' ELSE 'A' END",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RaciAssignment._meta.db_table} WHERE role = 'A' AND deliverable_id >= %s "
            "AND (deliverable_id - %s) %% 4 = 0",
            [d0, d0],
        )
    r0 = next_id(ReportingPlan)
    insert_generated(
        ReportingPlan,
        count,
        {
            "id": f"{r0} + i",
            "campaign": f"{c0} + i",
            "frequency": "'weekly'",
            "first_report_date": f"DATE '{(today - datetime.timedelta(days=20)).isoformat()}'",
            "updated_at": f"'{kickoff.isoformat()} 12:00+00'",
        },
    )
    reporter_org = f"CASE WHEN i % 2 = 0 THEN {layout.host('i / 2')} ELSE {layout.partner('i / 2')} END"
    insert_generated(
        ReportingPlanReporter,
        2 * count,
        {"plan": f"{r0} + i / 2", "organization": reporter_org, "reporter": layout.staff(reporter_org, "0")},
    )
    insert_generated(
        WebhookEndpoint,
        pool,
        {
            "organization": f"{o0} + i",
            "name": "'Operations'",
            "url": "'https://hooks.example.com/in'",
            "created_at": f"'{kickoff.isoformat()} 12:00+00'",
        },
    )
    for add_rows in per_generation:
        add_rows(layout)
    users = []
    for host in (o0 + pool, o0 + pool + 1):
        person = company_user_create(
            organization=Organization.objects.get(pk=host),
            email=f"viewer@{host}.synthetic.invalid",
            full_name="Viewer",
            password=None,
        )
        users.append(person.user)
    get_user_model().objects.filter(pk__in=[user.pk for user in users]).update(is_staff=True)
    sharing.rebuild()  # parties and teams written set-wise, past the refresh a save makes: stored once, as nightly
    analyze()
    return World(
        large_user=users[0],
        small_user=users[1],
        large_campaign_id=c0 + min(layout.small, count - 1),
        small_campaign_id=c0,
        campaigns=count,
    )
