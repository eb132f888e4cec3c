"""Writing an import's visits: the database itself skips the visits already stored.

The visits import hands over validated rows (`NewVisit`). Each batch is written with
`INSERT ... ON CONFLICT (hall, ticket, start) DO NOTHING RETURNING`: the database, not a
query made before, decides which visits are new, so a visit stored a moment ago by
another import is skipped instead of failing the batch, and a later row of the same file
with the same identity is skipped too (rows are inserted in file order, the first wins).
The new visits' service items and ratings follow.

PostgreSQL gets every batch by COPY (into a temporary table, then INSERT ... SELECT for
the visits; straight into the tables for items and ratings); SQLite by multi-row INSERTs
and executemany. Neither builds a model instance per row: for a 300,000-row file that
construction, not the database, was most of the time bulk_create took.

Times travel as text in UTC, `YYYY-MM-DD HH:MM:SS`: exactly what Django stores in SQLite
for a time without microseconds, and what PostgreSQL reads with a `+00` after it. The
importer turns the hall's local times into that text once, when it reads them, and a
text comparison of two such times is a comparison of the times. Every NOT NULL column
is written here: Django keeps model defaults in Python, not in the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
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
)
VISIT_FIELDS = len(VISIT_COLUMNS)  # NewVisit's first fields
SQLITE_BATCH_ROWS = 1000  # 1,000 rows x 11 columns, far below SQLite's 32,766 parameters


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


@dataclass
class StoreResult:
    visits: int  # visits written; the other rows of the batch were stored already
    bad_ratings: list[StoredRating]  # the new ratings below Rating.GOOD_FROM


class VisitStore:
    """Writes batches of NewVisit to one database; `for_database` picks the fastest way."""

    @staticmethod
    def for_database(alias: str = DEFAULT_DB_ALIAS) -> VisitStore:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            return PostgresVisitStore(connection)
        return SQLiteVisitStore(connection)

    def __init__(self, connection) -> None:
        self.connection = connection
        self.quote = connection.ops.quote_name

    def write(self, visits: Sequence[NewVisit]) -> StoreResult:
        """Store the visits not stored yet, with their items and ratings."""
        new = self._insert_visits(visits)  # [(visit id, row)]
        self._append(
            VisitItem._meta.db_table,
            ITEM_COLUMNS,
            ((visit_id, item_id) for visit_id, visit in new for item_id in visit.item_ids),
        )
        rated = [(visit_id, visit) for visit_id, visit in new if visit.rating is not None]
        self._append(
            Rating._meta.db_table,
            RATING_COLUMNS,
            (
                (
                    visit_id,
                    v.rating,
                    self._time(v.rated_at),
                    Rating.Source.IMPORT,
                    "[]",
                    "",
                    "",
                    "",
                    "",
                )
                for visit_id, v in rated
            ),
        )
        bad = {visit_id: visit for visit_id, visit in rated if visit.rating < Rating.GOOD_FROM}
        return StoreResult(visits=len(new), bad_ratings=self._stored_ratings(bad))

    def _first_of_each_key(self, visits: Iterable[NewVisit]) -> dict[tuple, NewVisit]:
        """The rows by their key (as RETURNING gives it back); a later repeat is dropped."""
        rows: dict[tuple, NewVisit] = {}
        for visit in visits:
            rows.setdefault(visit.key, visit)
        return rows

    def _stored_ratings(self, bad: dict[int, NewVisit]) -> list[StoredRating]:
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
                    level=bad[visit].rating,
                    rated_at=datetime.fromisoformat(bad[visit].rated_at + "+00:00"),
                )
                for pk, visit in cursor.fetchall()
            ]

    def _columns(self, columns: Sequence[str]) -> str:
        return ", ".join(self.quote(column) for column in columns)

    # What each database does its own way.
    def _time(self, value: str | None) -> str | None:
        raise NotImplementedError

    def _insert_visits(self, visits: Sequence[NewVisit]) -> list[tuple[int, NewVisit]]:
        raise NotImplementedError

    def _append(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        raise NotImplementedError


class SQLiteVisitStore(VisitStore):
    """Multi-row INSERT ... RETURNING for the visits, executemany for the rest.

    Statements go straight to the sqlite3 cursor, with its own `?` placeholders: Django's
    cursor wrapper would rewrite every 11,000-parameter statement's placeholders, and
    with DEBUG on quote each parameter for the query log.
    """

    @staticmethod
    def _time(value: str | None) -> str | None:
        return value  # the text Django stores

    def _cursor(self):
        self.connection.ensure_connection()
        return self.connection.connection.cursor()

    def _insert_visits(self, visits: Sequence[NewVisit]) -> list[tuple[int, NewVisit]]:
        head = (
            f"INSERT INTO {self.quote(Visit._meta.db_table)} ({self._columns(VISIT_COLUMNS)}) "
            "VALUES "
        )
        one_row = "(" + ", ".join(["?"] * len(VISIT_COLUMNS)) + ")"
        # `|| ''` returns the stored text as it is, past Django's datetime converter.
        tail = (
            f" ON CONFLICT ({self._columns(VISIT_KEY)}) DO NOTHING RETURNING "
            f"{self.quote('id')}, {self._columns(VISIT_KEY[:2])}, {self.quote('started_at')} || ''"
        )
        rows = self._first_of_each_key(visits)
        batch_rows = list(rows.values())
        new: list[tuple[int, NewVisit]] = []
        cursor = self._cursor()
        try:
            for start in range(0, len(batch_rows), SQLITE_BATCH_ROWS):
                batch = batch_rows[start : start + SQLITE_BATCH_ROWS]
                params = list(chain.from_iterable(visit[:VISIT_FIELDS] for visit in batch))
                cursor.execute(head + ", ".join([one_row] * len(batch)) + tail, params)
                new.extend((pk, rows[tuple(key)]) for pk, *key in cursor.fetchall())
        finally:
            cursor.close()
        return new

    def _append(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        placeholders = ", ".join(["?"] * len(columns))
        cursor = self._cursor()
        try:
            cursor.executemany(
                f"INSERT INTO {self.quote(table)} ({self._columns(columns)}) "
                f"VALUES ({placeholders})",
                rows,
            )
        finally:
            cursor.close()


class PostgresVisitStore(VisitStore):
    """COPY: the visits into a temporary table and from there INSERT ... SELECT, so that
    ON CONFLICT applies; items and ratings straight into their tables."""

    STAGING = "visit_import_staging"

    @staticmethod
    def _time(value: str | None) -> str | None:
        return None if value is None else value + "+00"

    def _insert_visits(self, visits: Sequence[NewVisit]) -> list[tuple[int, NewVisit]]:
        rows = self._first_of_each_key(visits)
        visit_table, staging = self.quote(Visit._meta.db_table), self.quote(self.STAGING)
        columns = self._columns(VISIT_COLUMNS)
        with self.connection.cursor() as cursor:
            # Dropped at the end of the import's transaction; emptied for every batch.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                f"SELECT {columns}, 0 AS position FROM {visit_table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            with cursor.copy(f"COPY {staging} ({columns}, position) FROM STDIN") as copy:
                time = self._time
                for position, visit in enumerate(rows.values()):
                    copy.write_row(
                        (
                            *visit[:2],
                            time(visit.issued_at),
                            time(visit.called_at),
                            time(visit.started_at),
                            time(visit.finished_at),
                            *visit[6:VISIT_FIELDS],
                            position,
                        )
                    )
            cursor.execute(
                f"INSERT INTO {visit_table} ({columns}) "
                f"SELECT {columns} FROM {staging} ORDER BY position "
                f"ON CONFLICT ({self._columns(VISIT_KEY)}) DO NOTHING "
                f"RETURNING {self.quote('id')}, {self._columns(VISIT_KEY[:2])}, "
                f"to_char({self.quote('started_at')} AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD HH24:MI:SS')"
            )
            return [(pk, rows[tuple(key)]) for pk, *key in cursor.fetchall()]

    def _append(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        with self.connection.cursor() as cursor:
            with cursor.copy(
                f"COPY {self.quote(table)} ({self._columns(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
