"""Set-wise writes in statements of a fixed size.

`bulk_create` puts one parameter per value in the SQL. Passing the rows as a single JSON parameter makes an
insert of up to ROWS_PER_STATEMENT rows one statement on both supported databases; the sweeps cut bigger
writes with `chunked`, so no statement (and no payload in memory) grows with the data: one JSON parameter of
every row at 100,000 campaigns exceeds PostgreSQL's 1 GB limit for a single value. Updates by id take a plain
`pk__in=chunk` (one parameter per id, well within both databases' limits at ROWS_PER_STATEMENT): a JSON list
of ids as a subquery let PostgreSQL, with statistics not yet updated after a big insert, join it against
every row of the table (6.7 s to update 1,000 reminders among 36,000).
"""

import datetime
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection, models

ROWS_PER_STATEMENT = 1000  # memory holds one such chunk of rows, whatever the data
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = ROWS_PER_STATEMENT) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def streamed(queryset: models.QuerySet) -> Iterator:
    """The rows of `queryset` read ROWS_PER_STATEMENT at a time (a server-side cursor on PostgreSQL), never all
    in memory at once."""
    return queryset.iterator(chunk_size=ROWS_PER_STATEMENT)


# Up to this many staged rows are deleted, more are truncated: a TRUNCATE gives the table new files (about 4 ms,
# twice per health check: half of a run's statement time after 100 of 10,000 campaigns changed), while the rows a
# DELETE leaves dead stay in the table, and scans of it, until the transaction ends.
DELETED_NOT_TRUNCATED = 1000


def staging_emptied(table: str, staged: int) -> None:
    """Empty a temporary staging table that holds `staged` rows, the cheaper way for that many."""
    truncate = connection.vendor == "postgresql" and staged > DELETED_NOT_TRUNCATED
    with connection.cursor() as cursor:
        cursor.execute(f"{'TRUNCATE' if truncate else 'DELETE FROM'} {table}")


def _to_json(field: models.Field) -> Callable[[Any], Any]:
    """How a value of `field` is written into the JSON payload (the text form the database stores)."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value  # looked up once: per row it was a third of an insert

        def moment(value):
            stored = adapt(value)
            return stored.isoformat() if isinstance(stored, datetime.datetime) else stored

        return moment
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat() if value is not None else None
    return lambda value: value


def insert_ignoring_conflicts(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    same_in_every_row: dict[str, Any] | None = None,
    *,
    table: str | None = None,
) -> int:
    """Insert `rows` (dicts of field name -> value, same keys in each), skipping any that would break a unique
    constraint; return how many were inserted. Values in `same_in_every_row` are sent once, not per row.
    `table` names another table with the model's columns to write into (a temporary one)."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in rows[0]]
    constants = [(model._meta.get_field(name), value) for name, value in (same_in_every_row or {}).items()]
    converters = [(field.name, _to_json(field)) for field in fields]
    payload = json.dumps([[convert(row[name]) for name, convert in converters] for row in rows])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*fields, *(field for field, _ in constants)])
    table = quote(table or model._meta.db_table)
    if connection.vendor == "postgresql":
        values = [f"(r->>{i})::{field.db_type(connection)}" for i, field in enumerate(fields)]
        values += [f"%s::{field.db_type(connection)}" for field, _ in constants]
        rows_sql = "jsonb_array_elements(%s::jsonb) AS r"
        sql = f"INSERT INTO {table} ({columns}) SELECT {', '.join(values)} FROM {rows_sql} ON CONFLICT DO NOTHING"
    elif connection.vendor == "sqlite":
        values = [f"json_extract(value, '$[{i}]')" for i in range(len(fields))] + ["%s"] * len(constants)
        # Not "INSERT OR IGNORE", which would also swallow NOT NULL errors; "WHERE true" lets SQLite parse the
        # upsert clause after a SELECT.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(values)} FROM json_each(%s) "
            "WHERE true ON CONFLICT DO NOTHING"
        )
    else:
        raise NotImplementedError(f"No set-wise insert for {connection.vendor}")
    params = [field.get_db_prep_save(value, connection) for field, value in constants]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, payload])
        return max(cursor.rowcount, 0)


def insert_selected_ignoring_conflicts(
    model: type[models.Model],
    select: models.QuerySet | tuple[str, list],
    columns: dict[str, str],
    same_in_every_row: dict[str, Any],
    *,
    table: str | None = None,
) -> int:
    """INSERT … SELECT: the rows of `select` (a values() queryset, or SQL and its parameters) into `model`,
    `columns` naming the column of `select` that fills each field, the values of `same_in_every_row` sent once;
    rows that would break a unique constraint are skipped. Return how many were inserted. Nothing passes
    through Python, whatever the size. `table` names another table with the model's columns to write into."""
    select_sql, select_params = select if isinstance(select, tuple) else select.query.sql_with_params()
    constants = [(model._meta.get_field(name), value) for name, value in same_in_every_row.items()]
    quote = connection.ops.quote_name
    targets = [model._meta.get_field(name) for name in columns] + [field for field, _ in constants]
    if connection.vendor == "postgresql":
        placeholders = [f"%s::{field.db_type(connection)}" for field, _ in constants]
    else:
        placeholders = ["%s"] * len(constants)
    values = [f"found.{quote(column)}" for column in columns.values()] + placeholders
    # "WHERE true" lets SQLite parse the upsert clause after a SELECT.
    sql = (
        f"INSERT INTO {quote(table or model._meta.db_table)} ({', '.join(quote(field.column) for field in targets)}) "
        f"SELECT {', '.join(values)} FROM ({select_sql}) AS found WHERE true ON CONFLICT DO NOTHING"
    )
    params = [field.get_db_prep_save(value, connection) for field, value in constants]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *select_params])
        return max(cursor.rowcount, 0)


def insert_history(queryset: models.QuerySet, *, history_type: str, moment: datetime.datetime, reason: str) -> int:
    """One django-simple-history row per row of `queryset`, as it is now, in ONE statement (INSERT … SELECT):
    the history of set-wise writes, which bypass `save()` and its signals. `history_type` is "+" (created) or
    "~" (changed); the user is none (the writer is a sweep)."""
    model = queryset.model
    fields = model._meta.concrete_fields
    historical = model.history.model._meta
    select_sql, params = queryset.order_by().values_list(*(field.attname for field in fields)).query.sql_with_params()
    quote = connection.ops.quote_name
    tracked = [quote(historical.get_field(field.name).column) for field in fields]
    extra = [
        quote(historical.get_field(name).column) for name in ("history_date", "history_type", "history_change_reason")
    ]
    sql = (
        f"INSERT INTO {quote(historical.db_table)} ({', '.join(tracked + extra)}) "
        f"SELECT found.*, %s, %s, %s FROM ({select_sql}) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(moment), history_type, reason, *params])
        return max(cursor.rowcount, 0)


def refresh_planner_statistics(written: Iterable[type[models.Model]], *, vacuum: bool = False) -> None:
    """Fresh planner statistics for the tables of `written` (PostgreSQL's ANALYZE; it counts the rows this
    transaction wrote too), and with `vacuum` (outside a transaction only) their dead rows cleared as well. For a
    write that changed much of a table: until autovacuum comes round, the next statement reading it is planned for
    the table as it was. A webhook sweep right after a first health sweep, planned for an empty flags table, took
    61 s instead of 3.7 s at 10,000 campaigns."""
    if connection.vendor != "postgresql":
        return
    tables = sorted({connection.ops.quote_name(model._meta.db_table) for model in written})
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {', '.join(tables)}")
