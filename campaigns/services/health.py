"""The health sweep: every registered check over all open campaigns, stored as flags set-wise."""

import datetime
import gc
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.models import Campaign, Flag, Member
from campaigns.registries import checks as health
from campaigns.services import sweep_marks
from utilities.bulk_rows import (
    chunked,
    insert_history,
    insert_ignoring_conflicts,
    insert_selected_ignoring_conflicts,
    staging_emptied,
)
from utilities.validation import save_validated

logger = logging.getLogger(__name__)

# One check's findings at a time, written here a chunk at a time, so the database compares them with the open
# flags (temporary tables: each connection has its own, emptied by each check as it ends). The findings not yet open
# as flags are copied to a table of their own before they are inserted as flags: an insert that read the flags
# table it wrote could scan its own new rows again for every finding when planned against a flags table that
# starts empty (142 s for 100,000 findings at 100,000 campaigns), and in the steady state that copy is empty.
FINDINGS_TABLE = "health_sweep_findings"
NEW_FINDINGS_TABLE = "health_sweep_new_findings"


@dataclass
class HealthSweepResult:
    """How many flags the sweep opened, kept open and resolved (counts: at 100,000 campaigns a list of every
    flag's key was most of the sweep's memory; the flags themselves say which)."""

    opened: int = 0
    resolved: int = 0
    still_open: int = 0
    opened_critical: bool = False
    looked_at: int | None = None  # campaigns an incremental run looked at (None: a full run)
    failed_checks: list[str] = field(default_factory=list)


def _findings_table(name: str) -> str:
    """A temporary table of findings, created once per connection. It is empty between checks: each check
    empties what it staged before it ends (and a check that fails rolls its rows back with its savepoint)."""
    flag = Flag._meta
    columns = ", ".join(
        f"{connection.ops.quote_name(flag.get_field(name).column)} {flag.get_field(name).db_type(connection)}"
        for name in ("campaign", "subject", "detail")
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns}, "
            f"UNIQUE ({quote(flag.get_field('campaign').column)}, {quote(flag.get_field('subject').column)}))"
        )
    return name


def _of_the_finding(table: str, select: str, output_field) -> RawSQL:
    """`select` ("… {where}") over the finding (in `table`) with the flag's campaign and subject."""
    flag = connection.ops.quote_name(Flag._meta.db_table)
    where = f"FROM {table} found WHERE found.campaign_id = {flag}.campaign_id AND found.subject = {flag}.subject"
    return RawSQL(select.format(where=where), (), output_field=output_field)


def _found(table: str) -> RawSQL:
    """True for a flag whose campaign and subject are among the check's findings (in `table`)."""
    return _of_the_finding(table, "EXISTS (SELECT 1 {where})", BooleanField())


def _finding_detail(table: str) -> RawSQL:
    """The detail of the finding (in `table`) with the flag's campaign and subject."""
    return _of_the_finding(table, "(SELECT found.detail {where})", TextField())


def _refresh_changed_text(check: health.HealthCheck, mine, table: str, now: datetime.datetime) -> None:
    """An open flag says what its finding says now (the tool access still missing, the days overdue), and its
    title what the check is called now: rewritten, with a history row, only where they differ, so the steady
    state writes nothing."""
    # Joined with the findings, not a lookup of its finding per flag: PostgreSQL scanned the findings table once
    # for each flag (8 million rows read per check after 1,000 campaigns changed at 100,000).
    quote = connection.ops.quote_name
    mine_sql, mine_params = mine.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT flag.id FROM {quote(Flag._meta.db_table)} flag JOIN {table} found "
            "ON found.campaign_id = flag.campaign_id AND found.subject = flag.subject "
            f"WHERE flag.id IN ({mine_sql}) AND (flag.detail <> found.detail OR flag.title <> %s)",
            [*mine_params, check.title],
        )
        changed = [row[0] for row in cursor.fetchall()]
    for pks in chunked(changed):
        refreshed = Flag.objects.filter(pk__in=pks)
        refreshed.update(title=check.title, detail=_finding_detail(table))
        insert_history(
            refreshed, history_type="~", moment=now, reason="Refreshed by the health sweep: its finding changed"
        )


# Which column of a selected check's findings (registries.checks.found_rows) fills each field of a flag.
FOUND_FIELDS = dict(zip(("campaign", "subject", "detail"), health.FOUND_COLUMNS, strict=True))


def _as_rows(findings: list[health.Finding]) -> list[dict[str, Any]]:
    return [{"campaign": one.campaign_id, "subject": one.subject, "detail": one.detail} for one in findings]


def _write_findings(
    check: health.HealthCheck,
    open_campaigns,
    now: datetime.datetime,
    same_in_every_row: dict[str, Any],
    *,
    table: str | None = None,
) -> tuple[int, int]:
    """The check's findings into the flags (with `same_in_every_row`), or into a staging `table`: by the database
    for a selected check, else a chunk at a time. Rows already there are skipped. Returns how many findings there
    were (as many as written, for a selected check) and how many rows were written."""
    if check.select is not None:
        selected = check.select(open_campaigns, now)
        written = insert_selected_ignoring_conflicts(Flag, selected, FOUND_FIELDS, same_in_every_row, table=table)
        return written, written
    found = written = 0
    for findings in chunked(check.find(open_campaigns, now)):
        found += len(findings)
        written += insert_ignoring_conflicts(Flag, _as_rows(findings), same_in_every_row, table=table)
    return found, written


def _new_flag(check: health.HealthCheck, now: datetime.datetime) -> dict[str, Any]:
    """The fields every flag the check opens at `now` has in common."""
    return {
        "code": check.code,
        "severity": check.severity,
        "title": check.title,
        "opened_at": now,
        "last_seen_at": now,
        "attention_reason": "",
    }


def _opened(check: health.HealthCheck, flags, now: datetime.datetime, opened: int, result: HealthSweepResult) -> None:
    """What follows the opening of `opened` flags of the check at `now`: their history, and for a critical check
    their campaigns marked for the reminder sweep, which alerts the campaigns' leads."""
    result.opened += opened
    if not opened:
        return
    fresh = flags.filter(code=check.code, opened_at=now).order_by()
    if check.severity == health.CRITICAL:
        result.opened_critical = True
        campaigns = fresh.values("campaign_id").distinct().query.sql_with_params()
        sweep_marks.sweep_marks_changed_selected(campaigns, [sweep_marks.REMINDERS])
    insert_history(fresh, history_type="+", moment=now, reason="Opened by the health sweep")


def _open_every_finding(
    check: health.HealthCheck, open_campaigns, flags, now: datetime.datetime, result: HealthSweepResult
) -> None:
    """No flag of the check is open (its first run, or it found nothing last time): nothing to compare, so its
    findings are written straight into the flags, by the database for a selected check, else a chunk at a time.
    Staged and compared first, as below, a first run at 100,000 campaigns wrote its 1.5 million findings three
    times and read them twice more."""
    found, opened = _write_findings(check, open_campaigns, now, _new_flag(check, now))
    _opened(check, flags, now, opened, result)
    result.still_open += found - opened  # a finding already open: a sweep of its campaign opened it meanwhile


def _sweep_check(
    check: health.HealthCheck,
    open_campaigns,
    flags,
    now: datetime.datetime,
    result: HealthSweepResult,
    *,
    has_open_flags: bool,
) -> None:
    """Open, refresh and resolve the flags of one check. Its findings stream into the findings table a chunk at
    a time and the database compares them with the open flags: memory holds one chunk, whatever the data."""
    if not has_open_flags:
        _open_every_finding(check, open_campaigns, flags, now, result)
        return
    mine = flags.filter(code=check.code).order_by()  # by the index of its campaigns, not the list order
    table = _findings_table(FINDINGS_TABLE)
    _, found = _write_findings(check, open_campaigns, now, {}, table=table)  # each finding once
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")  # a temporary table has no statistics until asked
    resolved = list(mine.exclude(_found(table)).values_list("pk", flat=True))  # ids only; usually few
    for pks in chunked(resolved):
        # Only flags still open once locked: a sweep running at the same moment waits for this one and then finds
        # them resolved, so each flag is resolved once, with one history row, and each sweep counts its own.
        still_open = Flag.objects.filter(pk__in=pks, resolved_at__isnull=True).select_for_update().order_by("pk")
        closing = Flag.objects.filter(pk__in=list(still_open.values_list("pk", flat=True)))
        result.resolved += closing.update(resolved_at=now)
        # Set-wise writes skip save(), so their history is written set-wise too.
        insert_history(closing, history_type="~", moment=now, reason="Resolved by the health sweep")
    # "Last seen" is kept to within FLAG_LAST_SEEN_PRECISION_SECONDS: rewriting every open flag on every sweep
    # would be most of the sweep's writes for no one's benefit.
    stale_before = now - datetime.timedelta(seconds=settings.FLAG_LAST_SEEN_PRECISION_SECONDS)
    mine.filter(_found(table), last_seen_at__lte=stale_before).update(last_seen_at=now)
    _refresh_changed_text(check, mine, table, now)
    quote = connection.ops.quote_name
    new = _findings_table(NEW_FINDINGS_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {new} SELECT * FROM {table} findings WHERE NOT EXISTS (SELECT 1 FROM "
            f"{quote(Flag._meta.db_table)} flag WHERE flag.resolved_at IS NULL AND flag.code = %s "
            "AND flag.campaign_id = findings.campaign_id AND flag.subject = findings.subject)",
            [check.code],
        )
        new_found = cursor.rowcount
    opened = insert_selected_ignoring_conflicts(
        Flag,
        (f"SELECT * FROM {new}", []),
        {"campaign": "campaign_id", "subject": "subject", "detail": "detail"},
        _new_flag(check, now),
    )
    _opened(check, flags, now, opened, result)
    staging_emptied(table, found)
    staging_emptied(new, new_found)
    result.still_open += found - opened


def _run_checks(
    checks: list[health.HealthCheck],
    open_campaigns,
    flags,
    now: datetime.datetime,
    result: HealthSweepResult,
    *,
    collect: bool = True,
) -> None:
    """Each check in turn; a check that fails is logged and its flags stay as they are. `collect`: a full
    garbage collection after each check (see health_sweep)."""
    # Which checks have open flags, asked before any check writes: asked as each check began, the questions read
    # through the flags the checks before it had just opened (1.2 s of a first run at 100,000 campaigns).
    with_open_flags = {check.code for check in checks if flags.filter(code=check.code).exists()}
    for check in checks:
        try:
            with transaction.atomic():
                has_open_flags = check.code in with_open_flags
                _sweep_check(check, open_campaigns, flags, now, result, has_open_flags=has_open_flags)
        except Exception:
            logger.exception("Health check %s failed; its flags are left unchanged this time", check.code)
            result.failed_checks.append(check.code)
        if collect:
            gc.collect()


def _resolve_unregistered(flags, now: datetime.datetime, result: HealthSweepResult) -> None:
    unregistered = flags.exclude(code__in=[*health.checks])  # a check removed from the code
    result.resolved += unregistered.update(resolved_at=now)


def _due_moments(open_campaigns, now: datetime.datetime) -> list:
    return [check.due(open_campaigns, now) for check in health.checks.values() if check.due is not None]


@transaction.atomic
def health_sweep(
    *, now: datetime.datetime | None = None, campaign_ids: list[int] | None = None, incremental: bool = False
) -> HealthSweepResult:
    """Open flags for new findings, refresh those still found, resolve those no longer found.

    One check at a time, its findings compared with the open flags by the database, so memory holds a chunk
    of findings; a constant number of queries per check until a check finds more than ROWS_PER_STATEMENT
    things. Flags of closed campaigns and of checks no longer registered resolve too (closed campaigns are not
    checked); a check that fails is logged and its flags stay as they are. With `campaign_ids`, the same
    checks run for those campaigns only (right after a change to them). `incremental` (the scheduled sweep)
    looks only at the campaigns changed or due by time since the last run, once a full run stored the due
    moments (services.sweep_marks); checks that declare neither still look at every open campaign.
    """
    now = now or timezone.now()
    result = HealthSweepResult()
    open_campaigns = Campaign.objects.open()
    flags = Flag.objects.open()
    if campaign_ids is not None:
        # Not collected per check: a few campaigns' re-check in a web process, whose threads share the collector.
        _run_checks(
            list(health.checks.values()),
            open_campaigns.filter(pk__in=campaign_ids),
            flags.filter(campaign_id__in=campaign_ids),
            now,
            result,
            collect=False,
        )
        _resolve_unregistered(flags.filter(campaign_id__in=campaign_ids), now, result)
        return result
    full = not sweep_marks.sweep_runs_incrementally(sweep_marks.HEALTH, full=not incremental, now=now)
    # Each check leaves some garbage in reference cycles (up to 0.7 MB at 10,000 campaigns), freed only by a full
    # collection, so a sweep of every campaign (a worker's task) collects after every check. Objects older than
    # the sweep are frozen first: a full collection then takes a fraction of a millisecond instead of some 80 ms.
    gc.freeze()
    try:
        if full:
            sweep_marks.sweep_marks_clear(sweep_marks.HEALTH)
            _run_checks(list(health.checks.values()), open_campaigns, flags, now, result)
            _resolve_unregistered(flags, now, result)
            sweep_marks.sweep_due_store(sweep_marks.HEALTH, _due_moments(open_campaigns, now), now)
        else:
            looked_at = sweep_marks.sweep_marks_take(sweep_marks.HEALTH, now)
            result.looked_at = len(looked_at)
            checks = list(health.checks.values())
            _run_checks([check for check in checks if not check.incremental], open_campaigns, flags, now, result)
            for chunk in chunked(looked_at):
                mine = open_campaigns.filter(pk__in=chunk)
                chunk_flags = flags.filter(campaign_id__in=chunk)
                _run_checks([check for check in checks if check.incremental], mine, chunk_flags, now, result)
                _resolve_unregistered(chunk_flags, now, result)
                sweep_marks.sweep_due_store(sweep_marks.HEALTH, _due_moments(mine, now), now, chunk)
    finally:
        gc.unfreeze()
    sweep_marks.sweep_completed(sweep_marks.HEALTH, now, full=full, wrote=[Flag, Flag.history.model])
    return result


def _open_flag_to_decide(flag: Flag, user: Any) -> Flag:
    """The flag as it is now, locked until the transaction ends, if it is still open and the user is on its team.
    A sweep resolving it at the same moment waits for the decision, or has resolved it first and the decision is
    refused: a save of the copy read earlier never reopens a resolved flag."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.resolved_at is not None:
        raise ValidationError("This flag is already resolved; there is nothing left to acknowledge or snooze.")
    if not user.is_superuser and not Member.objects.filter(campaign_id=flag.campaign_id, person__user=user).exists():
        raise ValidationError("Only a member of the campaign team can acknowledge or snooze its flags.")
    return flag


@transaction.atomic
def flag_acknowledge(*, flag: Flag, user: Any, reason: str) -> Flag:
    """The team knows and accepts the risk: the flag stays open (and resolves itself later) but stops warning."""
    flag = _open_flag_to_decide(flag, user)
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_by = user
    flag.attention_reason = reason.strip()
    flag._history_user = user
    return save_validated(flag)


@transaction.atomic
def flag_snooze(*, flag: Flag, user: Any, until: datetime.date, reason: str) -> Flag:
    """Hide the flag's warning until `until` (a day after today in the user's time zone)."""
    flag = _open_flag_to_decide(flag, user)
    if until <= timezone.localdate():
        raise ValidationError({"snoozed_until": "Pick a day after today to snooze until."})
    flag.snoozed_until = until
    flag.attention_reason = reason.strip()
    flag._history_user = user
    return save_validated(flag)
