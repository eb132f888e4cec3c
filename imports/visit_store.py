"""Writing an import's visits: only the visits not stored yet, with their items and ratings.

The visits import hands over validated rows (`NewVisit`). A later row of the file with
the identity (hall, ticket, start) of an earlier one in its chunk is dropped before
writing (the first row wins); in a later chunk, it is found stored. On SQLite each batch
is one `INSERT ... ON CONFLICT (hall, ticket, start) DO NOTHING RETURNING`: the database
skips the visits it holds (SQLite writes one transaction at a time, so nothing stored
meanwhile can surprise it). On PostgreSQL the import first takes a transaction-level
advisory lock per hall (`pg_advisory_xact_lock`), then asks which of the batch's keys
are stored (one query), takes the new visits' ids from their sequence (one query) and
COPYs them straight into the table: two imports of one hall run one after the other, and
the second finds the first one's visits stored. The new visits' items and ratings follow.

A new bad review whose follow-up deadline has passed already (the importer's
`past_deadline`, asked once per batch after the batch's visits are in, since they may
make a day a business day) is written historical (`historical_followup_skipped`) and
left out of the ratings handed back for follow-up cases.

PostgreSQL gets every batch by COPY, straight into the tables; SQLite as one JSON array
per batch and table, read by json_each. Neither builds a model instance per row: for a
300,000-row file that construction, not the database, was most of the time bulk_create
took.

Times travel as text in UTC, `YYYY-MM-DD HH:MM:SS`: exactly what Django stores in SQLite
for a time without microseconds, and what PostgreSQL reads with a `+00` after it. The
importer turns the hall's local times into that text once, when it reads them, and a
text comparison of two such times is a comparison of the times. Every NOT NULL column
is written here: Django keeps model defaults in Python, not in the table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections

from evaluations.models import Rating
from windows.models import Visit, VisitItem

VISIT_COLUMNS = (
    "hall_id",
    "ticket_no",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "service_date",
    "window_id",
    "staff_id",
    "status",
    "item_count",
)
VISIT_KEY = ("hall_id", "ticket_no", "started_at")  # the one_visit_per_ticket_start constraint
ITEM_COLUMNS = ("visit_id", "service_item_id")
RATING_COLUMNS = (
    "visit_id",
    "level",
    "rated_at",
    "source",
    "reasons",
    "comment",
    "callback_phone",
    "excluded",
    "exclusion_note",
    "historical_followup_skipped",
)
VISIT_FIELDS = len(VISIT_COLUMNS)  # NewVisit's first fields


class NewVisit(NamedTuple):
    """One validated row of an import, with its hall's ids resolved; times UTC text.

    A tuple whose first fields are the visit's columns in VISIT_COLUMNS order, so that a
    batch's parameters are its rows' first fields one after the other.
    """

    hall_id: int
    ticket_no: str
    issued_at: str
    called_at: str | None
    started_at: str
    finished_at: str | None
    service_date: str  # YYYY-MM-DD, the hall's local day of started_at
    window_id: int
    staff_id: int | None
    status: str
    item_count: int
    item_ids: list[int]
    rating: int | None
    rated_at: str | None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.hall_id, self.ticket_no, self.started_at)


@dataclass(frozen=True, slots=True)
class StoredRating:
    pk: int
    visit_id: int
    level: int
    rated_at: datetime  # aware, UTC


@dataclass(slots=True)
class PreparedBatch:
    """A chunk's valid visits as the store writes them: plain values, quick to pickle (the
    import may prepare them in its reading process, see forked.py). Lists run in step:
    entry i of each is the i-th distinct visit (first row of each key)."""

    rows: int  # the valid rows of the chunk, repeats included
    keys: list[tuple[int, str, str]]  # (hall_id, ticket_no, started_at)
    visit_values: list | str  # as the store's _insert_visits takes them
    item_ids: list[list[int]]
    ratings: list[tuple[int, str] | None]  # (level, rated_at as UTC text)
    service_dates: list[str]  # YYYY-MM-DD


# For each (hall pk, rated_at) of new bad reviews: is the follow-up deadline past?
PastDeadline = Callable[[Sequence[tuple[int, datetime]]], list[bool]]


@dataclass
class StoreResult:
    visits: int  # visits written; the other rows of the batch were stored already
    bad_ratings: list[StoredRating]  # the new ratings below Rating.GOOD_FROM that need a case
    historical: int = 0  # new bad ratings written historical: past their deadline, no case
    days: dict[int, tuple[str, str]] = field(default_factory=dict)  # hall pk -> first, last
    # service_date of the visits written


class VisitStore:
    """Writes batches of visits to one database; `for_database` picks the fastest way.

    `prepare` is pure Python and may run in another process; `write` runs in the
    import's transaction.
    """

    @staticmethod
    def for_database(alias: str = DEFAULT_DB_ALIAS) -> VisitStore:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            return PostgresVisitStore(connection)
        return SQLiteVisitStore(connection)

    def __init__(self, connection) -> None:
        self.connection = connection
        self.quote = connection.ops.quote_name

    def prepare(self, visits: Sequence[NewVisit]) -> PreparedBatch:
        first: dict[tuple[int, str, str], NewVisit] = {}
        for visit in visits:
            first.setdefault(visit.key, visit)  # a later repeat of a visit is unchanged
        distinct = list(first.values())
        return PreparedBatch(
            rows=len(visits),
            keys=list(first),
            visit_values=self._visit_values(distinct),
            item_ids=[visit.item_ids for visit in distinct],
            ratings=[
                None if visit.rating is None else (visit.rating, visit.rated_at)
                for visit in distinct
            ],
            service_dates=[visit.service_date for visit in distinct],
        )

    def analyze(self) -> None:
        """Refresh the database's statistics of the tables written (after a big import, so
        the statistics pages do not plan their queries for yesterday's table; autovacuum
        would, minutes later). PostgreSQL only: SQLite plans without them."""

    def write(
        self, batch: PreparedBatch, *, past_deadline: PastDeadline | None = None
    ) -> StoreResult:
        """Store the batch's visits not stored yet, with their items and ratings.

        Without `past_deadline` every new bad review needs a case (none is historical).
        """
        new = self._insert_visits(batch)  # [(visit id, entry)]
        self._append(
            VisitItem._meta.db_table,
            ITEM_COLUMNS,
            [(visit_id, item) for visit_id, entry in new for item in batch.item_ids[entry]],
        )
        rated = [
            (visit_id, entry, *batch.ratings[entry])
            for visit_id, entry in new
            if batch.ratings[entry] is not None
        ]
        bad = [rating for rating in rated if rating[2] < Rating.GOOD_FROM]
        historical: set[int] = set()  # visit ids
        if bad and past_deadline is not None:
            passed = past_deadline([(batch.keys[entry][0], _utc(at)) for _, entry, _, at in bad])
            historical = {
                visit_id for (visit_id, *_), past in zip(bad, passed, strict=True) if past
            }
        self._append(
            Rating._meta.db_table,
            RATING_COLUMNS,
            [
                (
                    visit_id,
                    level,
                    self._time(rated_at),
                    Rating.Source.IMPORT,
                    "[]",
                    "",
                    "",
                    "",
                    "",
                    self._bool(visit_id in historical),
                )
                for visit_id, _entry, level, rated_at in rated
            ],
        )
        followed_up = {
            visit_id: (level, rated_at)
            for visit_id, _entry, level, rated_at in bad
            if visit_id not in historical
        }
        return StoreResult(
            visits=len(new),
            bad_ratings=self._stored_ratings(followed_up),
            historical=len(historical),
            days=_days_written(batch, [entry for _, entry in new]),
        )

    def _stored_ratings(self, bad: dict[int, tuple[int, str]]) -> list[StoredRating]:
        if not bad:
            return []
        table, visit_id = self.quote(Rating._meta.db_table), self.quote("visit_id")
        placeholders = ", ".join(["%s"] * len(bad))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self.quote('id')}, {visit_id} FROM {table} "
                f"WHERE {visit_id} IN ({placeholders})",
                list(bad),
            )
            return [
                StoredRating(
                    pk=pk,
                    visit_id=visit,
                    level=bad[visit][0],
                    rated_at=_utc(bad[visit][1]),
                )
                for pk, visit in cursor.fetchall()
            ]

    def _columns(self, columns: Sequence[str]) -> str:
        return ", ".join(self.quote(column) for column in columns)

    @staticmethod
    def _new_entries(batch: PreparedBatch, returned: list[tuple]) -> list[tuple[int, int]]:
        """(visit id, entry) of the visits INSERT ... RETURNING id, hall, ticket, start
        gave back: the ones it wrote."""
        entry_of = dict(zip(batch.keys, range(len(batch.keys)), strict=True))
        return [(pk, entry_of[hall, ticket, started]) for pk, hall, ticket, started in returned]

    # What each database does its own way.
    def _time(self, value: str | None) -> str | None:
        raise NotImplementedError

    @staticmethod
    def _bool(value: bool) -> bool | str:
        return value

    def _visit_values(self, visits: list[NewVisit]) -> list | str:
        raise NotImplementedError

    def _insert_visits(self, batch: PreparedBatch) -> list[tuple[int, int]]:
        raise NotImplementedError

    def _append(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        raise NotImplementedError


def _days_written(batch: PreparedBatch, entries: list[int]) -> dict[int, tuple[str, str]]:
    """Per hall, the first and last service_date of the batch's entries written."""
    if not entries:
        return {}
    dates, keys = batch.service_dates, batch.keys
    halls = {keys[entry][0] for entry in (entries[0], entries[-1])}
    if len(halls) == 1 and all(keys[entry][0] in halls for entry in entries):
        written = [dates[entry] for entry in entries]  # one hall: the usual file
        return {halls.pop(): (min(written), max(written))}
    days: dict[int, tuple[str, str]] = {}
    for entry in entries:
        hall_id, day = keys[entry][0], dates[entry]
        first, last = days.get(hall_id, (day, day))
        days[hall_id] = (min(first, day), max(last, day))
    return days


def _utc(text: str) -> datetime:
    """The aware moment of a time's UTC text."""
    return datetime.fromisoformat(text + "+00:00")


class SQLiteVisitStore(VisitStore):
    """Each batch of each table as one JSON array, one statement: INSERT ... SELECT from
    json_each(?). SQLite then reads the values in C; bound one by one (executemany or a
    multi-row VALUES), it takes about twice as long.

    Statements go straight to the sqlite3 cursor: Django's cursor wrapper would rewrite
    the placeholders, and with DEBUG on log each statement.
    """

    @staticmethod
    def _time(value: str | None) -> str | None:
        return value  # the text Django stores

    def _visit_values(self, visits: list[NewVisit]) -> str:
        return json.dumps([visit[:VISIT_FIELDS] for visit in visits], ensure_ascii=False)

    def _execute(self, sql: str, json_rows: str) -> list[tuple]:
        self.connection.ensure_connection()
        cursor = self.connection.connection.cursor()
        try:
            return cursor.execute(sql, (json_rows,)).fetchall()
        finally:
            cursor.close()

    def _select_from_json(self, count: int) -> str:
        values = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(count))
        return f"SELECT {values} FROM json_each(?) WHERE true"  # WHERE: see ON CONFLICT

    def _insert_visits(self, batch: PreparedBatch) -> list[tuple[int, int]]:
        # `|| ''` returns the stored text as it is, past Django's datetime converter.
        returned = self._execute(
            f"INSERT INTO {self.quote(Visit._meta.db_table)} ({self._columns(VISIT_COLUMNS)}) "
            f"{self._select_from_json(VISIT_FIELDS)} "
            f"ON CONFLICT ({self._columns(VISIT_KEY)}) DO NOTHING RETURNING "
            f"{self.quote('id')}, {self._columns(VISIT_KEY[:2])}, {self.quote('started_at')} || ''",
            batch.visit_values,
        )
        return self._new_entries(batch, returned)

    def _append(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if rows:
            self._execute(
                f"INSERT INTO {self.quote(table)} ({self._columns(columns)}) "
                f"{self._select_from_json(len(columns))}",
                json.dumps(rows, ensure_ascii=False),
            )


class PostgresVisitStore(VisitStore):
    """COPY straight into the tables, the visits with ids taken from their sequence, after
    one query for the batch's keys stored already, under a per-hall advisory lock."""

    # pg_advisory_xact_lock(LOCK_SPACE, hall pk): the two-int form, apart from the
    # one-bigint locks others take (the rollups' per window).
    LOCK_SPACE = 0x56495349  # "VISI"

    def __init__(self, connection) -> None:
        super().__init__(connection)
        self._locked: set[int] = set()  # halls this transaction holds the lock of
        self._sequence: str | None = None

    def analyze(self) -> None:
        with self.connection.cursor() as cursor:
            for model in (Visit, VisitItem, Rating):
                cursor.execute(f"ANALYZE {self.quote(model._meta.db_table)}")

    @staticmethod
    def _time(value: str | None) -> str | None:
        return None if value is None else value + "+00"

    @staticmethod
    def _bool(value: bool) -> str:
        return "t" if value else "f"

    def _visit_values(self, visits: list[NewVisit]) -> list[str]:
        """Each visit as its line of COPY's text format, all but the id (the reading
        process makes them: writing them row by row with psycopg's write_row took longer
        than the database's own work)."""
        time = self._time
        return [
            "\t".join(
                [
                    str(visit.hall_id),
                    _copy_text(visit.ticket_no),
                    time(visit.issued_at),
                    _NULL if visit.called_at is None else time(visit.called_at),
                    time(visit.started_at),
                    _NULL if visit.finished_at is None else time(visit.finished_at),
                    visit.service_date,
                    str(visit.window_id),
                    _NULL if visit.staff_id is None else str(visit.staff_id),
                    visit.status,
                    str(visit.item_count),
                ]
            )
            for visit in visits
        ]

    def lock_halls(self, hall_ids: set[int]) -> None:
        """Hold the import lock of these halls until the transaction ends (in pk order)."""
        with self.connection.cursor() as cursor:
            for hall_id in sorted(hall_ids - self._locked):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [self.LOCK_SPACE, hall_id])
                self._locked.add(hall_id)

    def _insert_visits(self, batch: PreparedBatch) -> list[tuple[int, int]]:
        self.lock_halls({hall_id for hall_id, _, _ in batch.keys})
        visit_table = self.quote(Visit._meta.db_table)
        hall, ticket, started = (f"visit.{self.quote(column)}" for column in VISIT_KEY)
        with self.connection.cursor() as cursor:
            # One text parameter: psycopg dumps a Python list to an array value by value.
            cursor.execute(
                "SELECT key.entry FROM json_array_elements(%s::json) "
                "WITH ORDINALITY AS key (value, entry) "
                f"JOIN {visit_table} AS visit ON {hall} = (key.value->>0)::bigint "
                f"AND {ticket} = key.value->>1 "
                f"AND {started} = ((key.value->>2) || '+00')::timestamptz",
                [json.dumps(batch.keys, ensure_ascii=False)],
            )
            stored = {entry - 1 for (entry,) in cursor.fetchall()}
            entries = [entry for entry in range(len(batch.keys)) if entry not in stored]
            if not entries:
                return []
            if self._sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Visit._meta.db_table])
                (self._sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, len(entries)]
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
            lines = batch.visit_values
            columns = f"{self.quote('id')}, {self._columns(VISIT_COLUMNS)}"
            with cursor.copy(f"COPY {visit_table} ({columns}) FROM STDIN") as copy:
                copy.write(
                    "".join(
                        [f"{pk}\t{lines[entry]}\n" for pk, entry in zip(ids, entries, strict=True)]
                    )
                )
        return list(zip(ids, entries, strict=True))

    def _append(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Rows of ints and plain text (no tab, newline or backslash; no None) by COPY."""
        if not rows:
            return
        line = "\t".join(["%s"] * len(columns)) + "\n"
        with self.connection.cursor() as cursor:
            with cursor.copy(
                f"COPY {self.quote(table)} ({self._columns(columns)}) FROM STDIN"
            ) as copy:
                copy.write("".join([line % row for row in rows]))


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A text value as COPY's text format reads it."""
    return value.translate(_COPY_ESCAPES)
