"""The one rule that keeps the daily rollups (evaluations.models.rollups) right.

Every writer of visits, their items or ratings calls `rollups_refresh` for what it
touched, in its own transaction: the rows of those days (and that window) are deleted and
computed again in the database, INSERT ... SELECT ... GROUP BY, from the aggregate
expressions of evaluations.selectors.figures.figure_aggregates() and evaluations.rules.
Nothing is counted up or down by hand, so a maintained rollup is by construction the one
`rollups_rebuild` gives (tests/evaluations/test_rollups_consistency.py checks it).

Only counted visits (Visit.COUNTED_STATUSES) have rows: a visit in service or abandoned is
in no figure. On PostgreSQL a refresh takes a transaction-level advisory lock per window
first (a hall's range: all its windows, in id order), so two writers of the same window
never delete and insert over each other; SQLite writes one transaction at a time anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.sql.subqueries import DeleteQuery

from evaluations import rules
from evaluations.models import DailyFigures, DailyItemFigures
from evaluations.selectors.figures import figure_aggregates
from windows.models import Visit, VisitItem, Window

# pg_advisory_xact_lock(LOCK_CLASS * 2^32 + window id): the high half keeps these locks
# apart from any other advisory lock of the portal ("roll" in ASCII).
LOCK_CLASS = 0x726F6C6C

# A visit's waiting and service time, the one rule of every figure: the rollups sum them,
# the bulletins' and the queue's percentiles order by them (reports.selectors.periods,
# reports.selectors.queue). Waiting runs from the ticket's issue to its call (叫号), or to
# the start of service when the call time is unknown (a ticket typed at the console, an
# import without called_at), as Visit.waiting_time says; service from start to finish.
CALLED = Coalesce(F("called_at"), F("started_at"))
WAIT = ExpressionWrapper(CALLED - F("issued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
KEY_COLUMNS = ("hall_id", "day", "window_id", "staff_id")  # of the rollups
VISIT_KEY = ("hall_id", "service_date", "window_id", "staff_id")  # the same, of a visit
ITEM_KEY = (*(f"visit__{name}" for name in VISIT_KEY), "service_item_id")


class Microseconds(Func):
    """PostgreSQL: a sum of intervals as whole microseconds (its epoch, numeric and exact,
    times 10^6)."""

    template = "ROUND(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


class MicrosecondsBetween(Func):
    """SQLite: `later - earlier` in whole microseconds, in SQL.

    Django's duration arithmetic on SQLite calls a Python function per row (parsing both
    texts): 13-16 s of a hall-year's refresh. The stored texts are 'YYYY-MM-DD HH:MM:SS'
    with '.ffffff' when there are microseconds: whole seconds from strftime('%s'), the
    microseconds from characters 21-26; exact, as Avg() of the same differences is.
    """

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = (
            f"((strftime('%%s', {later}) - strftime('%%s', {earlier})) * 1000000"
            f" + CAST(substr({later}, 21, 6) AS INTEGER)"
            f" - CAST(substr({earlier}, 21, 6) AS INTEGER))"
        )
        params = (*later_params, *earlier_params, *later_params, *earlier_params)
        return sql, params


def _field(value):
    return F(value) if isinstance(value, str) else value


def microseconds_between(later, earlier):
    """`later - earlier` of each row in whole microseconds (SQLite, in SQL), or as an
    interval (PostgreSQL): what duration_sum adds up and the queue's percentiles order."""
    if connection.vendor == "sqlite":
        return MicrosecondsBetween(_field(later), _field(earlier))
    return ExpressionWrapper(_field(later) - _field(earlier), output_field=DurationField())


def duration_sum(later, earlier, rows: Q):
    """The sum of `later - earlier` (field names or expressions) over the rows the filter
    picks, in whole microseconds (0 without any)."""
    difference = microseconds_between(later, earlier)
    if connection.vendor == "sqlite":
        summed = Sum(difference, filter=rows)
    else:
        summed = Microseconds(Sum(difference, filter=rows, output_field=DurationField()))
    return Coalesce(summed, Value(0), output_field=BigIntegerField())


@dataclass(frozen=True)
class Tables:
    """The models a refresh reads and writes: the live ones, or a migration's historical
    ones (the migration filling the rollups must not depend on later model code)."""

    visit: type = Visit
    visit_item: type = VisitItem
    window: type = Window
    daily: type = DailyFigures
    daily_item: type = DailyItemFigures


LIVE = Tables()


def daily_figures_select(visits: dict, tables: Tables = LIVE) -> tuple[list[str], QuerySet]:
    """The DailyFigures rows of the visits matching the `visits` lookups (on Visit's
    fields): their columns, and the grouped queryset computing them."""
    completed = Q(status=Visit.Status.COMPLETED)
    aggregates = figure_aggregates()
    aggregates["wait_microseconds"] = duration_sum(CALLED, "issued_at", completed)
    aggregates["service_microseconds"] = duration_sum("finished_at", "started_at", completed)
    grouped = (
        tables.visit._default_manager.filter(**visits, status__in=Visit.COUNTED_STATUSES)
        .values(*VISIT_KEY)
        .annotate(**aggregates)
        .order_by(*VISIT_KEY)
    )
    return [*KEY_COLUMNS, *aggregates], grouped


def daily_item_figures_select(visits: dict, tables: Tables = LIVE) -> tuple[list[str], QuerySet]:
    """The DailyItemFigures rows of the items of the completed visits matching the
    `visits` lookups: their columns, and the grouped queryset computing them."""
    rating = "visit__rating__"
    aggregates = {
        "items": Count("pk"),
        "rated": Count("pk", filter=rules.rated_q(rating)),
        "good": Count("pk", filter=rules.good_q(rating)),
        "bad": Count("pk", filter=rules.bad_q(rating)),
        "excluded": Count("pk", filter=rules.excluded_q(rating)),
    }
    # The conditions on the joined visit (not visit IN (subquery)): one scan of visits.
    through_visit = {f"visit__{lookup}": value for lookup, value in visits.items()}
    grouped = (
        tables.visit_item._default_manager.filter(
            **through_visit, visit__status=Visit.Status.COMPLETED
        )
        .values(*ITEM_KEY)
        .annotate(**aggregates)
        # In the unique index's order: its pages are filled one after the other instead of
        # at random (a hall-year writes 170,000 rows).
        .order_by(*ITEM_KEY)
    )
    return [*KEY_COLUMNS, "service_item_id", *aggregates], grouped


def _compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _insert_sql(model, columns: list[str], grouped: QuerySet) -> tuple[str, list]:
    sql, params = _compiled(grouped)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    return f"INSERT INTO {table} ({names}) {sql}", params


def _delete_sql(rows: QuerySet) -> tuple[str, list]:
    query = rows.query.chain(DeleteQuery)
    sql, params = query.get_compiler(using=rows.db).as_sql()
    return sql, list(params)


def _write(
    cursor, deletes: list[tuple[str, list]], inserts: list[tuple[str, list]]
) -> tuple[int, int]:
    """Run the deletes, then the inserts; the rows inserted into each table.

    On PostgreSQL the two deletes are one statement and the two inserts another
    (data-modifying WITH: both SELECTs read the same snapshot, taken after the deletes),
    two round trips instead of four on every rating and console finish.
    """
    if connection.vendor != "postgresql":
        for sql, params in deletes:
            cursor.execute(sql, params)
        counts = []
        for sql, params in inserts:
            cursor.execute(sql, params)
            counts.append(cursor.rowcount)
        return counts[0], counts[1]
    (first_delete, first_params), (second_delete, second_params) = deletes
    cursor.execute(
        f"WITH gone AS ({first_delete}) {second_delete}", [*first_params, *second_params]
    )
    (first_insert, first_params), (second_insert, second_params) = inserts
    cursor.execute(
        f"WITH daily AS ({first_insert} RETURNING 1), items AS ({second_insert} RETURNING 1)"
        " SELECT (SELECT count(*) FROM daily), (SELECT count(*) FROM items)",
        [*first_params, *second_params],
    )
    return cursor.fetchone()


def _lock_windows(
    *, hall_ids: list[int] | None, window_id: int | None, tables: Tables = LIVE
) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if window_id is not None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(LOCK_CLASS << 32) + window_id])
            return
        table = connection.ops.quote_name(tables.window._meta.db_table)
        where, params = (
            ("WHERE hall_id = ANY(%s)", [hall_ids]) if hall_ids is not None else ("", [])
        )
        cursor.execute(
            f"SELECT count(pg_advisory_xact_lock(%s + w.id))"
            f" FROM (SELECT id FROM {table} {where} ORDER BY id) w",
            [LOCK_CLASS << 32, *params],
        )


@dataclass(frozen=True)
class RollupCounts:
    rows: int  # DailyFigures rows written
    item_rows: int  # DailyItemFigures rows written


Statement = tuple[str, list]


def _statements(
    *,
    hall_ids: list[int] | None,
    start: date | None,
    end: date | None,
    window_id: int | None,
    tables: Tables,
) -> tuple[list[Statement], list[Statement]]:
    """The two DELETEs and the two INSERT ... SELECTs of a refresh, compiled."""
    key: dict = {}
    if hall_ids is not None:
        key = {"hall_id__in": hall_ids} if len(hall_ids) != 1 else {"hall_id": hall_ids[0]}
    if window_id is not None:
        key["window_id"] = window_id
    days, service_dates = dict(key), dict(key)
    if start is not None:
        days["day__gte"], service_dates["service_date__gte"] = start, start
    if end is not None:
        days["day__lte"], service_dates["service_date__lte"] = end, end
    deletes = [
        _delete_sql(model._default_manager.filter(**days))
        for model in (tables.daily, tables.daily_item)
    ]
    inserts = [
        _insert_sql(tables.daily, *daily_figures_select(service_dates, tables)),
        _insert_sql(tables.daily_item, *daily_item_figures_select(service_dates, tables)),
    ]
    return deletes, inserts


# Stand-ins compiled once into the statements of a one-hall refresh, then replaced by the
# real values at each call: building and compiling the four querysets costs more Python
# time (6-20 ms) than running them for a window's day (about 4 ms), on every rating.
_STAND_INS = {
    "hall": 2**62 + 11,
    "window": 2**62 + 12,
    "start": date(1111, 1, 11),
    "end": date(1222, 2, 22),
}
_compiled_refreshes: dict[tuple, tuple[list, list]] = {}


def _slot(param):
    """Which value a compiled parameter stands for: (name, as text?), or the constant."""
    for name, stand_in in _STAND_INS.items():
        if param == stand_in:
            return (name, False)
        if isinstance(stand_in, date) and param == str(stand_in):
            return (name, True)  # SQLite: Django passes dates as their ISO text
    return param


def _one_hall_statements(
    *, hall_id: int, start: date, end: date, window_id: int | None
) -> tuple[list[Statement], list[Statement]]:
    """_statements of one hall's refresh, compiled once per database and shape."""
    shape = (connection.alias, connection.vendor, window_id is None)
    compiled = _compiled_refreshes.get(shape)
    if compiled is None:
        deletes, inserts = _statements(
            hall_ids=[_STAND_INS["hall"]],
            start=_STAND_INS["start"],
            end=_STAND_INS["end"],
            window_id=None if window_id is None else _STAND_INS["window"],
            tables=LIVE,
        )
        compiled = tuple(
            [(sql, [_slot(param) for param in params]) for sql, params in statements]
            for statements in (deletes, inserts)
        )
        _compiled_refreshes[shape] = compiled
    values = {"hall": hall_id, "window": window_id, "start": start, "end": end}

    def bound(slot):
        if isinstance(slot, tuple):
            name, as_text = slot
            return str(values[name]) if as_text else values[name]
        return slot

    deletes, inserts = (
        [(sql, [bound(slot) for slot in slots]) for sql, slots in statements]
        for statements in compiled
    )
    return deletes, inserts


def _refresh(
    *,
    hall_ids: list[int] | None,
    start: date | None = None,
    end: date | None = None,
    window_id: int | None = None,
    tables: Tables = LIVE,
) -> RollupCounts:
    if hall_ids is not None and not hall_ids:
        return RollupCounts(rows=0, item_rows=0)
    if tables is LIVE and hall_ids is not None and len(hall_ids) == 1 and start and end:
        deletes, inserts = _one_hall_statements(
            hall_id=hall_ids[0], start=start, end=end, window_id=window_id
        )
    else:
        deletes, inserts = _statements(
            hall_ids=hall_ids, start=start, end=end, window_id=window_id, tables=tables
        )
    with transaction.atomic(savepoint=False):
        _lock_windows(hall_ids=hall_ids, window_id=window_id, tables=tables)
        with connection.cursor() as cursor:
            rows, item_rows = _write(cursor, deletes, inserts)
    return RollupCounts(rows=rows, item_rows=item_rows)


def rollups_refresh(*, hall_id: int, start: date, end: date, window_id: int | None = None) -> None:
    """Recompute the rollups of the hall's days start..end (only that window's if given)
    from the visits, their items and ratings, in the caller's transaction."""
    _refresh(hall_ids=[hall_id], start=start, end=end, window_id=window_id)


def rollups_rebuild(
    *,
    hall_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    tables: Tables = LIVE,
) -> RollupCounts:
    """Recompute the rollups of the given halls (all by default) over start..end (all days
    by default): the rebuild command, the migration filling them, bulk writers."""
    return _refresh(hall_ids=hall_ids, start=start, end=end, tables=tables)


def visits_changed(*, hall_id: int, window_id: int, day: date) -> None:
    """windows.hooks.visits_changed: a writer of windows changed that window's day."""
    _refresh(hall_ids=[hall_id], start=day, end=day, window_id=window_id)
