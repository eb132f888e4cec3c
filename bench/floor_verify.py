"""Did two loads store the same data? Row for row, table by table, ids aside.

    .venv/bin/python bench/floor_verify.py URL_A URL_B [--tables visits,items,...]

Each table is read with its references replaced by natural keys (a hall by its code, a
window by its number, a visit by its ticket and start, a service item by its code, a rating
or case by its visit), so two databases whose ids differ compare equal when they hold the
same rows. Left out: ids, and the moments a row was written (`created_at`, `history_date`),
which no two loads share. Prints one line per table (rows, and `same` or the first
differing rows of each side) and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from urllib.parse import unquote, urlparse

VISIT_KEY = "v.ticket_no, v.started_at"
TABLES = {
    "windows": (
        "SELECT h.code, w.number, w.name, w.is_active, w.department_id, w.zone_id, "
        "w.live_version FROM windows_window w JOIN windows_hall h ON h.id = w.hall_id"
    ),
    "window_numbers": (  # windows without their live_version (which only the import raises)
        "SELECT h.code, w.number, w.name, w.is_active, w.department_id, w.zone_id "
        "FROM windows_window w JOIN windows_hall h ON h.id = w.hall_id"
    ),
    "service_items": (
        "SELECT code, name, category, handling, promised_working_days, required_materials, "
        "is_published FROM windows_serviceitem"
    ),
    "staff": (
        "SELECT h.code, s.badge_no, s.display_name, s.photo, s.job_title, s.is_active, "
        "s.department_id, s.email, s.user_id FROM windows_staff s "
        "JOIN windows_hall h ON h.id = s.hall_id"
    ),
    "visits": (
        "SELECT h.code, v.ticket_no, v.issued_at, v.called_at, v.started_at, v.finished_at, "
        "v.service_date, w.number, s.badge_no, v.status, v.item_count FROM windows_visit v "
        "JOIN windows_hall h ON h.id = v.hall_id JOIN windows_window w ON w.id = v.window_id "
        "LEFT JOIN windows_staff s ON s.id = v.staff_id"
    ),
    "visit_items": (
        f"SELECT {VISIT_KEY}, i.code FROM windows_visititem vi "
        "JOIN windows_visit v ON v.id = vi.visit_id "
        "JOIN windows_serviceitem i ON i.id = vi.service_item_id"
    ),
    "ratings": (
        f"SELECT {VISIT_KEY}, r.level, r.rated_at, r.reasons, r.comment, r.callback_phone, "
        "r.source, r.client_id, r.device_id, r.excluded, r.exclusion_note, "
        "r.historical_followup_skipped FROM evaluations_rating r "
        "JOIN windows_visit v ON v.id = r.visit_id"
    ),
    "cases": (
        f"SELECT {VISIT_KEY}, w.number, s.badge_no, c.* FROM evaluations_complaint c "
        "LEFT JOIN evaluations_rating r ON r.id = c.rating_id "
        "LEFT JOIN windows_visit v ON v.id = r.visit_id "
        "LEFT JOIN windows_window w ON w.id = c.window_id "
        "LEFT JOIN windows_staff s ON s.id = c.staff_id"
    ),
    "case_history": (
        f"SELECT {VISIT_KEY}, w.number, s.badge_no, c.* FROM evaluations_historicalcomplaint c "
        "LEFT JOIN evaluations_rating r ON r.id = c.rating_id "
        "LEFT JOIN windows_visit v ON v.id = r.visit_id "
        "LEFT JOIN windows_window w ON w.id = c.window_id "
        "LEFT JOIN windows_staff s ON s.id = c.staff_id"
    ),
    "duty_alerts": (
        f"SELECT {VISIT_KEY}, a.* FROM evaluations_dutyalert a "
        "JOIN evaluations_complaint c ON c.id = a.complaint_id "
        "LEFT JOIN evaluations_rating r ON r.id = c.rating_id "
        "LEFT JOIN windows_visit v ON v.id = r.visit_id"
    ),
    "daily_figures": (
        "SELECT h.code, w.number, s.badge_no, f.* FROM evaluations_dailyfigures f "
        "JOIN windows_hall h ON h.id = f.hall_id JOIN windows_window w ON w.id = f.window_id "
        "LEFT JOIN windows_staff s ON s.id = f.staff_id"
    ),
    "daily_item_figures": (
        "SELECT h.code, w.number, s.badge_no, i.code, f.* FROM evaluations_dailyitemfigures f "
        "JOIN windows_hall h ON h.id = f.hall_id JOIN windows_window w ON w.id = f.window_id "
        "LEFT JOIN windows_staff s ON s.id = f.staff_id "
        "JOIN windows_serviceitem i ON i.id = f.service_item_id"
    ),
}
# Columns of `x.*` left out: ids (compared through the natural keys before them) and the
# moments of writing.
DROPPED = {
    "id", "hall_id", "window_id", "staff_id", "rating_id", "service_item_id", "complaint_id",
    "created_at", "history_id", "history_date",
}  # fmt: skip
TABLE_OF = {
    "cases": "evaluations_complaint",
    "case_history": "evaluations_historicalcomplaint",
    "duty_alerts": "evaluations_dutyalert",
    "daily_figures": "evaluations_dailyfigures",
    "daily_item_figures": "evaluations_dailyitemfigures",
}


class Database:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            import sqlite3

            path = unquote(urlparse(url).path)
            self.connection = sqlite3.connect(path[1:] if path.startswith("//") else path)
            self.vendor = "sqlite"
        else:
            import psycopg

            self.connection = psycopg.connect(url)
            self.vendor = "postgresql"

    def exists(self, table: str) -> bool:
        if self.vendor == "sqlite":
            sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
            return bool(self.connection.execute(sql, (table,)).fetchone()[0])
        row = self.connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        return row[0] is not None

    def rows(self, sql: str) -> list[str]:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        names = [column[0] for column in cursor.description]
        # Natural keys come first; `x.*` columns named in DROPPED are ids or write times.
        keep = [
            index
            for index, name in enumerate(names)
            if not (name in DROPPED and index >= _first_star(names))
        ]
        return [repr(tuple(_plain(row[index]) for index in keep)) for row in cursor.fetchall()]


def _first_star(names: list[str]) -> int:
    """Where the `x.*` columns start: after the natural keys (whose names are plain)."""
    return names.index("id") if "id" in names else len(names)


def _plain(value):
    """One text form per value of either database (bools, times and JSON alike)."""
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return str(value)
    return value


def compare(url_a: str, url_b: str, tables: list[str]) -> list[dict]:
    a, b = Database(url_a), Database(url_b)
    report = []
    for name in tables:
        table = TABLE_OF.get(name)
        if table and not (a.exists(table) and b.exists(table)):
            report.append({"table": name, "same": None, "note": f"{table} missing"})
            continue
        rows_a, rows_b = a.rows(TABLES[name]), b.rows(TABLES[name])
        digest_a = hashlib.sha256("\n".join(sorted(rows_a)).encode()).hexdigest()[:16]
        digest_b = hashlib.sha256("\n".join(sorted(rows_b)).encode()).hexdigest()[:16]
        entry = {"table": name, "rows": [len(rows_a), len(rows_b)], "same": digest_a == digest_b}
        if not entry["same"]:
            only_a = Counter(rows_a) - Counter(rows_b)
            only_b = Counter(rows_b) - Counter(rows_a)
            entry["only_a"] = sorted(only_a.elements())[:3]
            entry["only_b"] = sorted(only_b.elements())[:3]
            entry["differing"] = [sum(only_a.values()), sum(only_b.values())]
        report.append(entry)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tables", default=",".join(TABLES))
    options = parser.parse_args()
    report = compare(options.a, options.b, options.tables.split(","))
    for entry in report:
        print(format_entry(entry))
    sys.exit(0 if all(entry["same"] is not False for entry in report) else 1)


def format_entry(entry: dict) -> str:
    if entry["same"] is None:
        return f"{entry['table']}: not compared ({entry['note']})"
    if entry["same"]:
        return f"{entry['table']}: same ({entry['rows'][0]} rows)"
    return (
        f"{entry['table']}: MISMATCH: rows {entry['rows'][0]} vs {entry['rows'][1]}, "
        f"{entry['differing'][0]} only in A, {entry['differing'][1]} only in B; "
        f"A: {entry['only_a']} B: {entry['only_b']}"
    )


if __name__ == "__main__":
    main()
