"""Set-wise writes in statements of a fixed size.

`bulk_create` and `pk__in=[...]` put one parameter per value in the SQL (SQLite accepts 999 parameters per
statement, PostgreSQL 65,535). Passing the rows as a single JSON parameter makes a write of up to
ROWS_PER_STATEMENT rows one statement on both supported databases; the sweeps cut bigger writes with
`chunked`, so no statement (and no payload in memory) grows with the data: one JSON parameter of every row
at 100,000 campaigns exceeds PostgreSQL's 1 GB limit for a single value.
"""

import datetime
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.expressions import RawSQL

ROWS_PER_STATEMENT = 5000
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = ROWS_PER_STATEMENT) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


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
