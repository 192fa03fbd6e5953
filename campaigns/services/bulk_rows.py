"""Set-wise writes that stay ONE statement whatever the number of rows.

`bulk_create` and `pk__in=[...]` put one parameter per value in the SQL, so Django splits a big write into
batches (SQLite accepts 999 parameters per statement, PostgreSQL 65,535): a sweep over 10,000 campaigns
would then issue more statements than one over 5. Passing the rows as a single JSON parameter keeps every
write of the sweeps one statement on both supported databases.
"""

import datetime
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


def _to_json(field: models.Field) -> Callable[[Any], Any]:
    """How a value of `field` is written into the JSON payload (the text form the database stores)."""
    if isinstance(field, models.DateTimeField):

        def moment(value):
            stored = connection.ops.adapt_datetimefield_value(value)
            return stored.isoformat() if isinstance(stored, datetime.datetime) else stored

        return moment
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat() if value is not None else None
    return lambda value: value


def insert_ignoring_conflicts(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Insert `rows` (dicts of field name -> value, same keys in each), skipping any that would break a unique
    constraint; return how many were inserted."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in rows[0]]
    converters = [(field.name, _to_json(field)) for field in fields]
    payload = json.dumps([[convert(row[name]) for name, convert in converters] for row in rows])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        values = ", ".join(f"(r->>{i})::{field.db_type(connection)}" for i, field in enumerate(fields))
        rows_sql = "jsonb_array_elements(%s::jsonb) AS r"
        sql = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {rows_sql} ON CONFLICT DO NOTHING"
    elif connection.vendor == "sqlite":
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {values} FROM json_each(%s)"
    else:
        raise NotImplementedError(f"No set-wise insert for {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])
        return max(cursor.rowcount, 0)


def id_list(ids: Iterable[int]) -> RawSQL:
    """`ids` as one subquery parameter, for `filter(pk__in=id_list(ids))`."""
    payload = json.dumps(sorted(set(ids)))
    if connection.vendor == "postgresql":
        return RawSQL("SELECT (jsonb_array_elements_text(%s::jsonb))::bigint", [payload])
    return RawSQL("SELECT value FROM json_each(%s)", [payload])


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
    extra = [quote(historical.get_field(name).column) for name in ("history_date", "history_type", "history_change_reason")]
    sql = (
        f"INSERT INTO {quote(historical.db_table)} ({', '.join(tracked + extra)}) "
        f"SELECT found.*, %s, %s, %s FROM ({select_sql}) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(moment), history_type, reason, *params])
        return max(cursor.rowcount, 0)
