"""Generate one hall-year of visits in the import format: CSV and XLSX (contracts.md §2)."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
from openpyxl import Workbook

HEADER = [
    "hall_code", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
    "window_no", "staff_badge", "service_codes", "status", "rating", "rated_at",
]  # fmt: skip
FORMAT = "%Y-%m-%d %H:%M:%S"


def rows(*, hall: str, year: int, total: int, seed: int = 2020):
    """`total` visits spread over the year's state working days, 23 windows."""
    rng = random.Random(seed)
    days = [
        date(year, 1, 1) + timedelta(days=n)
        for n in range(366)
        if (date(year, 1, 1) + timedelta(days=n)).year == year
        and chinese_calendar.is_workday(date(year, 1, 1) + timedelta(days=n))
    ]
    per_day = total // len(days) + 1
    produced = 0
    for day in days:
        for n in range(per_day):
            if produced == total:
                return
            start = datetime.combine(day, time(9)) + timedelta(seconds=n * 25000 // per_day)
            window = rng.randint(1, 23)
            status = rng.choices(["completed", "no_show", "transferred"], (93, 4, 3))[0]
            finished = start + timedelta(seconds=rng.randint(120, 1500))
            level = rng.choices(["5", "4", "3", "2", "1", ""], (80, 7, 2, 1, 0.5, 9.5))[0]
            rated = status == "completed" and level
            codes = ";".join(
                f"LHS{code:02d}" for code in rng.sample(range(1, 31), rng.choice((1, 1, 2, 3)))
            )
            yield [
                hall,
                f"{'ABCD'[window % 4]}{n:04d}",
                (start - timedelta(seconds=rng.randint(60, 2400))).strftime(FORMAT),
                "",
                start.strftime(FORMAT),
                finished.strftime(FORMAT) if status == "completed" else "",
                window,
                f"LH{window:03d}",
                codes,
                status,
                level if rated else "",
                (finished + timedelta(seconds=15)).strftime(FORMAT) if rated else "",
            ]
            produced += 1


def write_csv(path: Path, **kwargs) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(**kwargs))


def write_xlsx(path: Path, **kwargs) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("visits")
    sheet.append(HEADER)
    for row in rows(**kwargs):
        sheet.append(row)
    workbook.save(path)
