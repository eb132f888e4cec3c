"""The held-out-style data of bench/floor_run.py, from tests/imports/new_hall.py's generator.

A fictional hall (GL07) none of whose windows, service codes or most badges exist yet: the
staff file (15 of its badges) and its visits of the current year up to today, as its queue
system exports them (English headers; the generator's three bad rows are left out, so
that every row is stored and the raw floor needs no validation). Today's and yesterday's
first completed visits are rated bad: the follow-up cases of the import. Earlier years
(for hall_stats with 2 and 4 years stored) are the generator's full years: each of its
calls gives two years (see _generation).

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


def _generation(year: int, today: dt.date) -> tuple[dt.date, dt.time, int, str]:
    """Which call of the generator gives `year`: each call gives two years (its
    `this_year` and its whole `last_year`), so years go in pairs: this year and last year
    from today's call (seed SEED), the two before from a call whose today is the 31
    December of the later one (seed SEED + 2), and so on."""
    pair = (today.year - year) // 2
    if pair == 0:
        generated_today, now = today, dt.time(11, 0)
    else:
        generated_today, now = dt.date(today.year - 2 * pair, 12, 31), dt.time(17, 0)
    half = "this_year" if (today.year - year) % 2 == 0 else "last_year"
    return generated_today, now, SEED + 2 * pair, half


def _stem(year: int, today: dt.date, per_day: int) -> str:
    generated_today, _now, seed, _half = _generation(year, today)
    return f"visits-{HALL}-{year}-to-{generated_today.isoformat()}-{per_day}perday-seed{seed}"


def _write_csv(path: Path, rows) -> None:
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(new_hall.VISIT_HEADERS["en"])
        writer.writerows(row.cells("en") for row in rows)
    partial.rename(path)


def visits_files(
    directory: Path, *, year: int, today: dt.date, per_day: int, xlsx: bool
) -> dict[str, Path]:
    """The CSV (and XLSX) of the hall's visits of `year` (up to today for this year)."""
    stem = _stem(year, today, per_day)
    paths = {"csv": directory / f"{stem}.csv"}
    if xlsx:
        paths["xlsx"] = directory / f"{stem}.xlsx"
    if all(path.exists() for path in paths.values()):
        return paths
    generated_today, now, seed, half = _generation(year, today)
    hall = new_hall.generate(today=generated_today, now=now, visits_per_day=per_day, seed=seed)
    rows = getattr(hall, half)
    if not paths["csv"].exists():
        _write_csv(paths["csv"], rows)
    # The other year of the same call, written too while it is at hand.
    other_year = year + 1 if half == "last_year" else year - 1
    other = directory / f"{_stem(other_year, today, per_day)}.csv"
    if _generation(other_year, today)[:3] == (generated_today, now, seed) and not other.exists():
        _write_csv(other, getattr(hall, "this_year" if half == "last_year" else "last_year"))
    if xlsx and not paths["xlsx"].exists():
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("visits")
        sheet.append(new_hall.VISIT_HEADERS["en"])
        for row in rows:
            sheet.append(row.cells("en"))
        partial = paths["xlsx"].with_suffix(".xlsx.part")
        workbook.save(partial)
        partial.rename(paths["xlsx"])
    return paths


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as stream:
        return sum(1 for _ in stream) - 1
