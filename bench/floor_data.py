"""The held-out-style data of bench/floor_run.py, from tests/imports/new_hall.py's generator.

A fictional hall (GL07) none of whose windows, service codes or most badges exist yet: the
staff file (15 of its badges) and its visits of the current year up to today, as its queue
system exports them (English headers; the generator's three bad rows are left out, so
that every row is stored and the raw floor needs no validation). Today's and yesterday's
first completed visits are rated bad: the follow-up cases of the import. Earlier years
(for hall_stats with 2 and 4 years stored) are the generator's full years, other seeds.

Files are written once into the work directory and reused: their names carry what they
were generated from.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.imports import new_hall

HALL = new_hall.HALL_CODE
ZONE = ZoneInfo("Asia/Shanghai")
SEED = 7


def hall_today() -> dt.date:
    """Today in the hall: the import's follow-up window is counted from it."""
    return dt.datetime.now(ZONE).date()


def working_days(start: dt.date, end: dt.date) -> int:
    return sum(
        1
        for n in range((end - start).days + 1)
        if new_hall._open(start + dt.timedelta(days=n))  # the generator's own calendar
    )


def visits_per_day(rows: int, today: dt.date) -> int:
    """The generator's visits a day that give about `rows` visits from 1 January to today."""
    return max(1, round(rows / working_days(dt.date(today.year, 1, 1), today)))


def staff_file(directory: Path) -> Path:
    path = directory / "staff.csv"
    if not path.exists():
        hall = new_hall.generate(today=dt.date(2026, 1, 5), visits_per_day=1)
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(new_hall.STAFF_HEADER)
            writer.writerows(row.cells() for row in hall.staff)
    return path


def _rows_of_year(year: int, today: dt.date, per_day: int, seed: int):
    """The visits of `year`: up to today (11:00) for the current year, else the whole year."""
    if year == today.year:
        return new_hall.generate(today=today, visits_per_day=per_day, seed=seed).this_year
    last = dt.date(year, 12, 31)
    return new_hall.generate(
        today=last, now=dt.time(17, 0), visits_per_day=per_day, seed=seed
    ).this_year


def visits_files(
    directory: Path, *, year: int, today: dt.date, per_day: int, xlsx: bool
) -> dict[str, Path]:
    """The CSV (and XLSX) of the hall's visits of `year`; seed SEED + years before today's."""
    seed = SEED + (today.year - year)
    stem = f"visits-{HALL}-{year}-to-{today.isoformat()}-{per_day}perday-seed{seed}"
    paths = {"csv": directory / f"{stem}.csv"}
    if xlsx:
        paths["xlsx"] = directory / f"{stem}.xlsx"
    if all(path.exists() for path in paths.values()):
        return paths
    rows = _rows_of_year(year, today, per_day, seed)
    header = new_hall.VISIT_HEADERS["en"]
    if not paths["csv"].exists():
        partial = paths["csv"].with_suffix(".part")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(row.cells("en") for row in rows)
        partial.rename(paths["csv"])
    if xlsx and not paths["xlsx"].exists():
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("visits")
        sheet.append(header)
        for row in rows:
            sheet.append(row.cells("en"))
        partial = paths["xlsx"].with_suffix(".xlsx.part")
        workbook.save(partial)
        partial.rename(paths["xlsx"])
    return paths


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as stream:
        return sum(1 for _ in stream) - 1
