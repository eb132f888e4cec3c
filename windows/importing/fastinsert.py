"""Multi-row INSERTs for the imports' hot path, without building a model instance a row.

`bulk_create` spends most of a 300,000-row import constructing model instances and
compiling each value; the imports already hold validated plain values, so they write them
with one parameterised INSERT per batch. Values are adapted by the connection's own
operations (the same as the ORM stores them), so rows read back exactly as ORM-written
ones. Every NOT NULL column must be given: Django keeps defaults in Python, not the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connections, models, router

BATCH_ROWS = 500  # 500 rows x ~12 columns stays far below SQLite's 32,766 parameters


def _adapter(field: models.Field, connection) -> Callable | None:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence],
    *,
    returning_pk: bool = False,
) -> list[int]:
    """INSERT the rows (values in the order of `fields`); the new primary keys if asked.

    The keys come back in the order of the rows (INSERT ... RETURNING, as bulk_create
    relies on for PostgreSQL and SQLite 3.35+).
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    adapters = [_adapter(field, connection) for field in columns]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(meta.db_table), ", ".join(quote(field.column) for field in columns)
    )
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returning = f" RETURNING {quote(meta.pk.column)}" if returning_pk else ""
    keys: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start : start + BATCH_ROWS]
            params = [
                adapt(value) if adapt is not None and value is not None else value
                for row in batch
                for adapt, value in zip(adapters, row, strict=True)
            ]
            cursor.execute(head + ", ".join([one_row] * len(batch)) + returning, params)
            if returning_pk:
                keys.extend(row[0] for row in cursor.fetchall())
    return keys
