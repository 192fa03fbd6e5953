"""The bookkeeping of incremental sweeps (models/sweeps.py): which campaigns changed, which fell due by time,
and when each sweep last completed.

A change marks its campaign for every sweep once it commits (receivers.py); a sweep takes the marks (setting
them back in the same statement, so a change committing meanwhile marks the campaign again for the next run),
adds the campaigns whose due moment has come, looks at those alone and stores their next due moments. A full
run (the first, `--full`, the nightly one, or `SWEEPS_INCREMENTAL=false`) looks at every open campaign and
stores every due moment afresh, healing anything the marks missed (a change written in bulk without signals).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, models
from django.db.models import Q, QuerySet

from campaigns.models import Campaign, SweepDue, SweepWatermark
from utilities.bulk_rows import refresh_planner_statistics

HEALTH, REMINDERS, WEBHOOKS = "health", "reminders", "webhooks"
SWEEPS = (HEALTH, REMINDERS, WEBHOOKS)


def _table() -> str:
    return connection.ops.quote_name(SweepDue._meta.db_table)


def sweep_marks_changed(campaign_ids: Iterable[int], sweeps: Iterable[str] = SWEEPS) -> None:
    """Mark campaigns changed for `sweeps` (one statement; ids of campaigns deleted meanwhile are skipped)."""
    campaign_ids = sorted(set(campaign_ids))
    if campaign_ids:
        campaigns = Campaign.objects.filter(pk__in=campaign_ids).values("pk").query.sql_with_params()
        _mark_selected(campaigns, sweeps)


def sweep_marks_changed_selected(select: tuple[str, list], sweeps: Iterable[str]) -> None:
    """Mark the campaigns whose ids a SELECT returns (one column) changed for `sweeps`, in the database."""
    _mark_selected(select, sweeps)


def _mark_selected(select: tuple[str, list], sweeps: Iterable[str]) -> None:
    select_sql, select_params = select
    unions, params = [], []
    for sweep in sweeps:
        unions.append(f"SELECT %s AS sweep, ids.* FROM ({select_sql}) AS ids")
        params += [sweep, *select_params]
    # "WHERE true" lets SQLite parse the upsert clause after a SELECT.
    sql = (
        f"INSERT INTO {_table()} (sweep, campaign_id, changes) SELECT marked.*, 1 FROM ({' UNION ALL '.join(unions)}) "
        "AS marked WHERE true ON CONFLICT (sweep, campaign_id) DO UPDATE SET changes = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sweep_marks_take(sweep: str, now: datetime.datetime) -> list[int]:
    """The campaigns changed since the sweep last took its marks, or due by `now`; the marks are set back."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET changes = 0 WHERE sweep = %s AND changes > 0 RETURNING campaign_id", [sweep]
        )
        changed = {row[0] for row in cursor.fetchall()}
    due = SweepDue.objects.filter(sweep=sweep, due_at__lte=now).values_list("campaign_id", flat=True)
    return sorted(changed.union(due))


def sweep_marks_clear(sweep: str) -> None:
    """A full run looks at every campaign: the marks it would take are set back.

    Marks another transaction holds are skipped, not waited for: a full run of the same sweep at the same moment
    is setting them back itself, and a change marking its campaign meanwhile only costs the next incremental run
    one more look. Waiting would hold this run (inside its transaction) until the other one commits, so two full
    sweeps could never run side by side (and each resolves every flag once only because both can)."""
    if connection.vendor != "postgresql":
        SweepDue.objects.filter(sweep=sweep, changes__gt=0).update(changes=0)
        return
    # Joined with the locked marks, not `id IN (the locked marks)`: PostgreSQL ran that IN as a subplan read again
    # for every mark (quadratic: 79 s and 154 million rows read for 12,000 marks at 10,000 campaigns).
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH locked AS (SELECT id FROM {table} WHERE sweep = %s AND changes > 0 FOR UPDATE SKIP LOCKED) "
            f"UPDATE {table} SET changes = 0 FROM locked WHERE {table}.id = locked.id",
            [sweep],
        )


FOUND_TABLE = "sweep_due_found"  # a full run's moments, before they are stored (a temporary table)


def sweep_due_store(
    sweep: str,
    moments: Iterable[QuerySet | list[QuerySet]],
    now: datetime.datetime,
    campaign_ids: list[int] | None = None,
) -> None:
    """Store, per campaign, the earliest moment after `now` among `moments` (querysets made by
    registries.due.due_moments, or lists of them), for `campaign_ids` (None: every campaign, as a full run does)."""
    rows = SweepDue.objects.filter(sweep=sweep, due_at__isnull=False)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=campaign_ids)
    rows.update(due_at=None)
    table = _table()
    if connection.vendor == "postgresql":
        after = "%s::timestamptz"
    else:
        after, now = "%s", connection.ops.adapt_datetimefield_value(now)
    flattened = [queryset for found in moments for queryset in (found if isinstance(found, list) else [found])]
    selects, params = [], []
    for queryset in flattened:
        if campaign_ids is not None:
            queryset = queryset.filter(due_campaign__in=campaign_ids)
        select_sql, select_params = queryset.query.sql_with_params()
        selects.append(f"SELECT found.due_campaign, found.due_moment FROM ({select_sql}) AS found")
        params += select_params
    if not selects:
        return
    # Every source's moments in one statement: an upsert per source rewrote each campaign's row once per source
    # (four times for the reminder sweep, 2.8 of its first run's 9.6 s at 10,000 campaigns).
    earliest = (
        f"SELECT moments.due_campaign AS campaign_id, MIN(moments.due_moment) AS due_at "
        f"FROM ({' UNION ALL '.join(selects)}) AS moments "
        f"WHERE moments.due_moment > {after} GROUP BY moments.due_campaign"
    )
    upsert = (
        f"INSERT INTO {table} (sweep, campaign_id, changes, due_at) SELECT %s, found.campaign_id, 0, found.due_at "
        # "WHERE true": SQLite would read the ON of ON CONFLICT as the join condition of the FROM.
        "FROM ({}) AS found WHERE true ON CONFLICT (sweep, campaign_id) DO UPDATE SET due_at = excluded.due_at"
    )
    with connection.cursor() as cursor:
        if campaign_ids is None and connection.vendor == "postgresql":
            # Every campaign's moments are worked out into a table first: PostgreSQL reads for an INSERT in one
            # process, for a CREATE TABLE … AS with its parallel workers too (the reminder sweep's moments at
            # 100,000 campaigns: 7.6 s in the INSERT, 4.0 s with two workers).
            cursor.execute(f"CREATE TEMPORARY TABLE {FOUND_TABLE} AS {earliest}", [*params, now])
            cursor.execute(upsert.format(f"SELECT * FROM {FOUND_TABLE}"), [sweep])
            cursor.execute(f"DROP TABLE {FOUND_TABLE}")
        else:
            cursor.execute(upsert.format(earliest), [sweep, *params, now])


def sweep_runs_incrementally(sweep: str, *, full: bool, now: datetime.datetime) -> bool:
    """Whether this run may look only at what changed: not asked for in full, allowed by the settings, a full run
    has stored the due moments before, and no more than SWEEP_FULL_RUN_ABOVE_CAMPAIGNS campaigns are changed or
    due. Above that a full run is the cheaper way: a chunk at a time, every campaign costs several times what it
    costs set-wise (a full health run's flags mark every campaign for the reminder sweep: at 1,000,000 campaigns,
    the incremental run after it was still working after 8 minutes)."""
    if full or not settings.SWEEPS_INCREMENTAL:
        return False
    if not SweepWatermark.objects.filter(name=sweep, last_full_at__isnull=False).exists():
        return False
    at_most = settings.SWEEP_FULL_RUN_ABOVE_CAMPAIGNS
    waiting = SweepDue.objects.filter(Q(changes__gt=0) | Q(due_at__lte=now), sweep=sweep)
    return waiting.values("pk")[: at_most + 1].count() <= at_most  # reads at most that many marks


def sweep_watermark(sweep: str) -> datetime.datetime | None:
    return SweepWatermark.objects.filter(name=sweep).values_list("last_completed_at", flat=True).first()


def sweep_completed(
    sweep: str, now: datetime.datetime, *, full: bool, wrote: Iterable[type[models.Model]] = ()
) -> None:
    """Record the run. A full run rewrote the due moments and may have written a table's worth of rows (`wrote`:
    a first run opens every flag): their statistics are refreshed, so the sweeps after it are planned for them."""
    if full:
        refresh_planner_statistics([SweepDue, *wrote])
    fields = {"last_completed_at": now, **({"last_full_at": now} if full else {})}
    SweepWatermark.objects.update_or_create(name=sweep, defaults=fields)
