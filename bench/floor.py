"""The raw-SQL floor of the visits import: the same rows into the same tables, nothing else.

    .venv/bin/python bench/floor.py --database-url URL --hall GL07 FILE.csv [--variant V]

What `import_visits FILE --create-missing` stores, written with the least Python and the
fewest statements the database allows, in one transaction, with every index, constraint
and foreign key of the schema in place (the floor any import of these rows pays):

- the windows, service items and staff cards the file names and the database lacks
  (as --create-missing creates them: a specialist window, an unpublished item named by its
  code, a card without a login named by its badge);
- the visits, their items and their ratings (a bad review past its follow-up deadline
  stored historical, as the import decides it: business days after the day of the rating);
- the follow-up cases of the other bad reviews, their history rows and the duty alerts of
  those received in the last 24 hours;
- the daily rollups (evaluations_dailyfigures, evaluations_dailyitemfigures), each with one
  INSERT ... SELECT ... GROUP BY over the rows just written (a table not migrated yet is
  skipped with a warning);
- the hall's windows' live_version raised once, as the import does after writing.

The file is read here too, with the csv module: one tuple per row, times turned from the
hall's local time into UTC text once per hour of the file (as the import does). No
validation: the bench's file holds only valid rows. Not done (the import does them, the
floor has no need): ANALYZE after the load (PostgreSQL), queueing the duty alerts' emails.

Variants: SQLite `executemany` (values bound row by row) or `json_each` (one JSON array per
table and batch, as the import's store does); PostgreSQL `copy` (COPY FROM STDIN of text
built here; the visits' and ratings' ids reserved from their sequences first, so nothing
needs RETURNING). Ids of new rows come from the tables' own counters.

No Django: this process starts in a fraction of a second, as raw code would. SQLite runs
with the portal's connection settings (WAL, synchronous NORMAL, foreign keys on); the
environment variable FLOOR_CACHE_KB=N sets `PRAGMA cache_size=-N` as an experiment (on the
busy VM, 400 MB took the 322,000 visits' insert from 21 s to 12 s: the visits' unique
index outgrows the default 2 MB page cache; the import could do the same).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

import chinese_calendar

STATUS = {
    "completed": "completed",
    "transferred": "transferred",
    "no_show": "no_show",
    "办结": "completed",
    "转办": "transferred",
    "过号": "no_show",
}
HEADERS = {  # the contract's columns, English or Chinese
    "hall_code": "大厅编码",
    "ticket_no": "排队号",
    "issued_at": "取号时间",
    "called_at": "叫号时间",
    "started_at": "开始办理时间",
    "finished_at": "办结时间",
    "window_no": "窗口号",
    "staff_badge": "工号",
    "service_codes": "业务编码",
    "status": "状态",
    "rating": "评价",
    "rated_at": "评价时间",
}
GOOD_FROM = 3
CASE_NOTE = json.dumps({"note": "opened_from_bad_review"}, separators=(",", ":"))
FRESH_FOR = dt.timedelta(hours=24)
BATCH = 50_000  # rows per json_each statement

VISIT_COLUMNS = (
    "id", "hall_id", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
    "service_date", "window_id", "staff_id", "status", "item_count",
)  # fmt: skip
ITEM_COLUMNS = ("visit_id", "service_item_id")
RATING_COLUMNS = (
    "id", "visit_id", "level", "rated_at", "source", "reasons", "comment", "callback_phone",
    "excluded", "exclusion_note", "historical_followup_skipped",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "hall_id", "channel", "work_order_no", "received_at", "rating_id", "level",
    "reasons", "complainant_name", "callback_phone", "window_id", "staff_id",
    "service_item_id", "category", "comment", "attachment", "status", "due_date",
    "handler_id", "verification_note", "reply", "replied_at", "callback_result",
    "callback_note", "callback_at", "reopen_count", "escalated", "verdict", "closing_note",
    "closed_at", "personal_data_erased_at", "created_at",
)  # fmt: skip
HISTORY_EXTRA = ("history_date", "history_change_reason", "history_type", "history_user_id")
HISTORY_EXCLUDED = ("complainant_name", "callback_phone")
ALERT_COLUMNS = (
    "recipients", "sent_at", "acknowledged_at", "created_at", "complaint_id", "claimed_at",
    "message_id",
)  # fmt: skip

COUNTED = "('completed', 'transferred', 'no_show')"


def rollup_sql(vendor: str, halls: str = "v.hall_id = %(hall)s") -> dict[str, str]:
    """The two rollups of the halls `halls` selects (one hall: the floor), computed from
    the detail rows by the rules of evaluations.rules (good 3-5 and not excluded, bad 1-2
    and not excluded, excluded: a non-empty `excluded`) and figure_aggregates() (counted
    statuses, items of completed visits), grouped as /tmp/rollup_schema.md fixes them."""
    if vendor == "postgresql":
        flag = "r.historical_followup_skipped"
        micro = "(EXTRACT(EPOCH FROM ({a} - {b})) * 1000000)::bigint"
    else:
        flag = "r.historical_followup_skipped = 1"
        micro = "(strftime('%s', {a}) - strftime('%s', {b})) * 1000000"
    done = "v.status = 'completed'"
    good = f"{done} AND r.excluded = '' AND r.level >= {GOOD_FROM}"
    bad = f"{done} AND r.excluded = '' AND r.level < {GOOD_FROM}"
    rated = f"{done} AND r.id IS NOT NULL"
    excluded = f"{done} AND r.excluded <> ''"
    historical = f"{bad} AND {flag}"
    wait = micro.format(a="COALESCE(v.called_at, v.started_at)", b="v.issued_at")
    service = micro.format(a="v.finished_at", b="v.started_at")

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    figures = ", ".join(
        [
            count(done),
            f"SUM(CASE WHEN {done} THEN v.item_count ELSE 0 END)",
            count(rated),
            count(good),
            count(bad),
            count(excluded),
            count(historical),
            count("v.status = 'transferred'"),
            count("v.status = 'no_show'"),
            f"COALESCE(SUM(CASE WHEN {done} THEN {wait} END), 0)",
            f"COALESCE(SUM(CASE WHEN {done} THEN {service} END), 0)",
        ]
    )
    item_figures = ", ".join(["COUNT(*)", count(rated), count(good), count(bad), count(excluded)])
    return {
        "evaluations_dailyfigures": (
            "INSERT INTO evaluations_dailyfigures (hall_id, day, window_id, staff_id, visits, "
            "items, rated, good, bad, excluded, historical_bad, transferred, no_shows, "
            "wait_microseconds, service_microseconds) "
            f"SELECT v.hall_id, v.service_date, v.window_id, v.staff_id, {figures} "
            "FROM windows_visit v LEFT JOIN evaluations_rating r ON r.visit_id = v.id "
            f"WHERE {halls} AND v.status IN {COUNTED} "
            "GROUP BY v.hall_id, v.service_date, v.window_id, v.staff_id"
        ),
        "evaluations_dailyitemfigures": (
            "INSERT INTO evaluations_dailyitemfigures (hall_id, day, window_id, staff_id, "
            "service_item_id, items, rated, good, bad, excluded) "
            "SELECT v.hall_id, v.service_date, v.window_id, v.staff_id, vi.service_item_id, "
            f"{item_figures} "
            "FROM windows_visititem vi JOIN windows_visit v ON v.id = vi.visit_id "
            "LEFT JOIN evaluations_rating r ON r.visit_id = v.id "
            f"WHERE {halls} AND {done} "
            "GROUP BY v.hall_id, v.service_date, v.window_id, v.staff_id, vi.service_item_id"
        ),
    }


class Floor:
    """What both databases share: reading the file, the hall's references, the rules."""

    vendor = ""
    suffix = ""  # after a UTC time's text: PostgreSQL's COPY reads it as UTC

    def __init__(self, url: str, hall_code: str) -> None:
        self.url = url
        self.hall_code = hall_code
        self.timings: dict[str, float] = {}
        self.created = defaultdict(int)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    # -- database primitives, per vendor ------------------------------------------------
    def q(self, sql: str, params=()) -> list[tuple]:
        raise NotImplementedError

    def insert_returning_id(self, table: str, columns: tuple, values: tuple) -> int:
        raise NotImplementedError

    def table_exists(self, table: str) -> bool:
        raise NotImplementedError

    # -- the load ------------------------------------------------------------------------
    def clock(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(now - started, 3)
        return now

    def load_references(self) -> None:
        row = self.q(
            "SELECT id, time_zone, followup_due_working_days FROM windows_hall WHERE code = %s",
            (self.hall_code,),
        )
        if not row:
            sys.exit(f"floor: no hall {self.hall_code}")
        self.hall_id, zone, self.followup_days = row[0]
        self.zone = ZoneInfo(zone)
        self.windows = dict(
            self.q("SELECT number, id FROM windows_window WHERE hall_id = %s", (self.hall_id,))
        )
        self.staff = dict(
            self.q("SELECT badge_no, id FROM windows_staff WHERE hall_id = %s", (self.hall_id,))
        )
        self.items = dict(self.q("SELECT code, id FROM windows_serviceitem"))
        rule = self.q(
            "SELECT working_days FROM evaluations_deadlinerule WHERE hall_id = %s "
            "AND channel = 'bad_review' AND step = 'received'",
            (self.hall_id,),
        )
        if rule:
            self.followup_days = rule[0][0]
        self.overrides = {
            str(day)[:10]: kind
            for day, kind in self.q(
                "SELECT date, kind FROM windows_hallcalendarday WHERE hall_id = %s",
                (self.hall_id,),
            )
        }
        self.served = {
            str(day)[:10]
            for (day,) in self.q(
                "SELECT DISTINCT service_date FROM windows_visit WHERE hall_id = %s "
                "AND status = 'completed'",
                (self.hall_id,),
            )
        }

    def window_id(self, number: str) -> int:
        number = int(number)
        if number not in self.windows:
            self.windows[number] = self.insert_returning_id(
                "windows_window",
                ("hall_id", "number", "name", "is_active", "department_id", "zone_id",
                 "live_version"),
                (self.hall_id, number, "", True, None, None, 0),
            )  # fmt: skip
            self.created["windows"] += 1
        return self.windows[number]

    def staff_id(self, badge: str) -> int | None:
        if not badge:
            return None
        if badge not in self.staff:
            self.staff[badge] = self.insert_returning_id(
                "windows_staff",
                ("hall_id", "badge_no", "display_name", "photo", "job_title", "is_active",
                 "department_id", "email", "user_id"),
                (self.hall_id, badge, badge, "", "", True, None, "", None),
            )  # fmt: skip
            self.created["staff"] += 1
        return self.staff[badge]

    def item_id(self, code: str) -> int:
        if code not in self.items:
            self.items[code] = self.insert_returning_id(
                "windows_serviceitem",
                ("code", "name", "category", "handling", "promised_working_days",
                 "required_materials", "is_published"),
                (code, code, "", "on_the_spot", None, "", False),
            )  # fmt: skip
            self.created["service_items"] += 1
        return self.items[code]

    def read(self, path: Path) -> None:
        """The file's rows as the tables' tuples (visits, items, ratings), ids assigned."""
        utc_hour: dict[str, str] = {}
        zone, suffix = self.zone, self.suffix

        def utc(text: str) -> str | None:
            if not text:
                return None
            hour = text[:13]
            try:
                return utc_hour[hour] + text[13:] + suffix
            except KeyError:
                local = dt.datetime.fromisoformat(hour + ":00").replace(tzinfo=zone)
                utc_hour[hour] = local.astimezone(dt.UTC).strftime("%Y-%m-%d %H")
                return utc_hour[hour] + text[13:] + suffix

        self.visits: list[tuple] = []
        self.visit_items: list[tuple] = []
        self.ratings: list[list] = []  # id filled in later; the last field: local day
        windows, staff, items = self.windows, self.staff, self.items
        hall_id = self.hall_id
        visit_id = self.first_visit_id
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            chinese = {value: key for key, value in HEADERS.items()}
            at = {chinese.get(name, name): index for index, name in enumerate(header)}
            (c_ticket, c_issued, c_called, c_started, c_finished, c_window, c_badge,
             c_codes, c_status, c_rating, c_rated) = (
                at[name] for name in list(HEADERS)[1:]
            )  # fmt: skip
            for row in reader:
                window = windows.get(int(row[c_window])) or self.window_id(row[c_window])
                badge = row[c_badge]
                staff_id = (staff.get(badge) or self.staff_id(badge)) if badge else None
                codes = row[c_codes].split(";")
                status = STATUS[row[c_status]]
                finished = utc(row[c_finished])
                self.visits.append(
                    (
                        visit_id, hall_id, row[c_ticket], utc(row[c_issued]),
                        utc(row[c_called]), utc(row[c_started]), finished,
                        row[c_started][:10], window, staff_id, status, len(codes),
                    )
                )  # fmt: skip
                for code in codes:
                    self.visit_items.append((visit_id, items.get(code) or self.item_id(code)))
                if row[c_rating]:
                    local_rated = row[c_rated] or row[c_finished]
                    self.ratings.append(
                        [visit_id, int(row[c_rating]), utc(row[c_rated]) or finished,
                         local_rated[:10]]
                    )  # fmt: skip
                    if status == "completed":
                        self.served.add(row[c_started][:10])
                elif status == "completed":
                    self.served.add(row[c_started][:10])
                visit_id += 1

    # -- the follow-up rules, per day (not per row) ------------------------------------
    def is_business_day(self, day: dt.date) -> bool:
        text = day.isoformat()
        kind = self.overrides.get(text)
        if text in self.served or kind == "extra_opening":
            return True
        if kind == "closure":
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def due_date(self, day: dt.date) -> dt.date:
        if self.followup_days <= 0:
            return day
        found = 0
        while True:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                found += 1
                if found == self.followup_days:
                    return day

    def follow_ups(self) -> None:
        """Ratings' ids and historical flags; the cases of the bad reviews still in their
        follow-up window, with their history rows and (received in the last 24 h) alerts."""
        today = self.now.astimezone(self.zone).date()
        due: dict[str, dt.date] = {}
        self.cases: list[tuple] = []
        self.rating_rows: list[tuple] = []
        rating_id = self.first_rating_id
        visits = self.visits
        first_visit = self.first_visit_id
        for visit_id, level, rated_at, local_day in self.ratings:
            historical = False
            if level < GOOD_FROM:
                day = dt.date.fromisoformat(local_day)
                if local_day not in due:
                    due[local_day] = self.due_date(day)
                historical = day < today and due[local_day] < today
                if not historical:
                    visit = visits[visit_id - first_visit]
                    self.cases.append((rating_id, visit, level, rated_at, due[local_day]))
            self.rating_rows.append(
                (rating_id, visit_id, level, rated_at, "import", "[]", "", "", "", "",
                 historical)
            )  # fmt: skip
            rating_id += 1

    def case_rows(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        now = self.now.strftime("%Y-%m-%d %H:%M:%S") + self.suffix
        fresh_from = (self.now - FRESH_FOR).strftime("%Y-%m-%d %H:%M:%S")
        cases, history, alerts = [], [], []
        case_id = self.first_case_id
        for rating_id, visit, level, rated_at, due_date in self.cases:
            row = dict(zip(CASE_COLUMNS, (
                case_id, self.hall_id, "bad_review", "", rated_at, rating_id, level, "[]",
                "", "", visit[8], visit[9], None, "", "", "", "received", due_date.isoformat(),
                None, "", "", None, "", "", None, 0, False, "", "", None, None, now,
            ), strict=True))  # fmt: skip
            cases.append(tuple(row.values()))
            kept = [value for key, value in row.items() if key not in HISTORY_EXCLUDED]
            history.append((*kept, now, CASE_NOTE, "+", None))
            if rated_at >= fresh_from:
                alerts.append(("[]", None, None, now, case_id, None, ""))
            case_id += 1
        return cases, history, alerts

    def run(self, path: Path) -> None:
        started = time.perf_counter()
        self.begin()
        self.load_references()
        self.reserve_ids_before_read()
        started = self.clock("references", started)
        self.read(path)
        started = self.clock("read_csv", started)
        self.reserve_ids_after_read()
        self.follow_ups()
        started = self.clock("follow_up_rules", started)
        self.write("windows_visit", VISIT_COLUMNS, self.visits)
        started = self.clock("visits", started)
        self.write("windows_visititem", ITEM_COLUMNS, self.visit_items)
        started = self.clock("items", started)
        self.write("evaluations_rating", RATING_COLUMNS, self.rating_rows)
        started = self.clock("ratings", started)
        cases, history, alerts = self.case_rows()
        history_columns = tuple(c for c in CASE_COLUMNS if c not in HISTORY_EXCLUDED)
        self.write("evaluations_complaint", CASE_COLUMNS, cases, small=True)
        self.write(
            "evaluations_historicalcomplaint", history_columns + HISTORY_EXTRA, history, small=True
        )
        self.write("evaluations_dutyalert", ALERT_COLUMNS, alerts, small=True)
        started = self.clock("cases", started)
        for table, sql in rollup_sql(self.vendor).items():
            if self.table_exists(table):
                self.execute(sql.replace("%(hall)s", str(int(self.hall_id))))
            else:
                print(f"floor: WARNING: table {table} does not exist: rollup skipped")
                self.timings[f"{table}_skipped"] = True
            started = self.clock(table, started)
        self.execute(
            f"UPDATE windows_window SET live_version = live_version + 1 "
            f"WHERE hall_id = {int(self.hall_id)}"
        )
        self.commit()
        self.clock("commit", started)
        bad_historical = sum(
            1 for row in self.rating_rows if row[2] < GOOD_FROM and row[-1]
        )  # fmt: skip
        print(
            json.dumps(
                {
                    "floor": self.variant,
                    "visits": len(self.visits),
                    "items": len(self.visit_items),
                    "ratings": len(self.rating_rows),
                    "historical_bad": bad_historical,
                    "cases": len(cases),
                    "alerts": len(alerts),
                    "created": dict(self.created),
                    "seconds": self.timings,
                }
            )
        )


class SQLiteFloor(Floor):
    vendor = "sqlite"

    def __init__(self, url: str, hall_code: str, variant: str) -> None:
        super().__init__(url, hall_code)
        import sqlite3

        self.variant = variant
        path = unquote(urlparse(url).path)
        path = path[1:] if path.startswith("//") else path
        self.db = sqlite3.connect(path, isolation_level=None)
        # The portal's connection settings (hall/settings/base.py, Django's sqlite backend).
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if os.environ.get("FLOOR_CACHE_KB"):
            self.db.execute(f"PRAGMA cache_size=-{int(os.environ['FLOOR_CACHE_KB'])}")

    def q(self, sql, params=()):
        return self.db.execute(sql.replace("%s", "?"), params).fetchall()

    def execute(self, sql):
        self.db.execute(sql)

    def table_exists(self, table):
        return bool(self.q("SELECT 1 FROM sqlite_master WHERE type='table' AND name=%s", (table,)))

    def insert_returning_id(self, table, columns, values):
        marks = ", ".join("?" * len(values))
        cursor = self.db.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                 values)  # fmt: skip
        return cursor.lastrowid

    def begin(self):
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self):
        self.db.execute("COMMIT")

    def _next_id(self, table: str) -> int:
        # AUTOINCREMENT tables: past both the largest id and sqlite_sequence's counter.
        seq = self.q("SELECT seq FROM sqlite_sequence WHERE name = %s", (table,))
        top = self.q(f"SELECT MAX(id) FROM {table}")[0][0] or 0
        return max(top, seq[0][0] if seq else 0) + 1

    def reserve_ids_before_read(self):
        self.first_visit_id = self._next_id("windows_visit")

    def reserve_ids_after_read(self):
        self.first_rating_id = self._next_id("evaluations_rating")
        self.first_case_id = self._next_id("evaluations_complaint")

    def write(self, table, columns, rows, small=False):
        if not rows:
            return
        names = ", ".join(columns)
        if self.variant == "json_each" and not small:
            select = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            sql = f"INSERT INTO {table} ({names}) SELECT {select} FROM json_each(?)"
            for start in range(0, len(rows), BATCH):
                self.db.execute(sql, (json.dumps(rows[start : start + BATCH], default=str),))
            return
        marks = ", ".join("?" * len(columns))
        self.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


class PostgresFloor(Floor):
    vendor = "postgresql"
    suffix = "+00"

    def __init__(self, url: str, hall_code: str, variant: str) -> None:
        super().__init__(url, hall_code)
        import psycopg

        self.variant = variant
        self.db = psycopg.connect(url)

    def q(self, sql, params=()):
        with self.db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def execute(self, sql):
        with self.db.cursor() as cursor:
            cursor.execute(sql)

    def table_exists(self, table):
        return self.q("SELECT to_regclass(%s)", (table,))[0][0] is not None

    def insert_returning_id(self, table, columns, values):
        marks = ", ".join(["%s"] * len(values))
        return self.q(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) RETURNING id", values
        )[0][0]

    def begin(self):
        pass  # psycopg opens the transaction at the first statement

    def commit(self):
        self.db.commit()

    def _reserve(self, table: str, count: int) -> int:
        """The first of `count` ids taken from the table's sequence in one statement."""
        if count == 0:
            return 1
        return self.q(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1) - %s + 1",
            (table, table, count, count),
        )[0][0]

    def reserve_ids_before_read(self):
        # The visits' ids must be known while reading (items and ratings refer to them):
        # the rows are counted before (a line count of the file is the floor's only pass
        # more, a few ms), the ids reserved once.
        self.first_visit_id = None

    def read(self, path):
        with path.open("rb") as stream:
            lines = sum(1 for _ in stream) - 1
        self.first_visit_id = self._reserve("windows_visit", lines)
        super().read(path)

    def reserve_ids_after_read(self):
        self.first_rating_id = self._reserve("evaluations_rating", len(self.ratings))
        bad = sum(1 for rating in self.ratings if rating[1] < GOOD_FROM)
        self.first_case_id = self._reserve("evaluations_complaint", bad)

    def write(self, table, columns, rows, small=False):
        if not rows:
            return
        # write_row formats each row in C (psycopg's binary package).
        with self.db.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--hall", default="GL07")
    parser.add_argument("--variant", choices=("executemany", "json_each", "copy"))
    options = parser.parse_args()
    if options.database_url.startswith("sqlite"):
        floor = SQLiteFloor(options.database_url, options.hall, options.variant or "executemany")
    else:
        floor = PostgresFloor(options.database_url, options.hall, "copy")
    floor.run(options.file)


if __name__ == "__main__":
    main()
