"""A fictional new hall's history, as its queue system and its HR office export it.

Hall GL07 (not the demo's LH01) has kept two years of queue-system exports
(contracts.md section 2): last year's file with Chinese headers and statuses (办结, 转办,
过号), this year's with English ones, up to today. None of its windows (101-120, and 121
opened this year), service codes (GLS01-GLS30, GLS31 new this year) or staff badges
(GL001-GL030, GL031-GL032 hired this year) exist in the portal yet. The staff file
(contracts.md section 4a, Chinese headers) lists only GL001-GL015: the others are
historical staff or staff HR never listed, whom `import_visits --create-missing` creates
as cards without a login.

Visits are served on the state calendar's working days (statutory holidays closed,
make-up working days open), 08:30-17:00 (today only until `now`), one ticket numbering a
day; about 8% are transferred and 5% no-shows (never rated); completed visits have 1-4
distinct service codes and are rated 1-5 or left unrated (the evaluation rate climbs from
about 60% to 97% over the two years); about 2% of the ratings are bad (1-2). The first
two completed visits of yesterday and of today are rated 1 and 2: bad reviews recent
enough to open follow-up cases, while every earlier one is historical. Last year's first
working day from 10 August is its peak day (three times the visits). This year's file
ends with three bad rows, each rejected as a whole (`bad_rows`): a rating of 6 by a
badge seen nowhere else, a completed visit without a finish time at a window seen
nowhere else, and a row without service codes.

Everything is drawn from one seeded random generator: the same arguments give the same
files. The test (test_new_hall_history.py) uses a small `visits_per_day`; run this module
for the real size (about 140,000 completed visits a year):

    .venv/bin/python -m tests.imports.new_hall OUT_DIR [--visits-per-day 620] [--today D]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

HALL_CODE = "GL07"
HALL_NAME = "鼓楼区社会保障综合服务大厅（GL07）"
WINDOWS = tuple(range(101, 121))
NEW_WINDOW = 121  # opened this year
CODES = tuple(f"GLS{n:02d}" for n in range(1, 31))
NEW_CODE = "GLS31"  # published this year
BADGES = tuple(f"GL{n:03d}" for n in range(1, 31))
NEW_BADGES = ("GL031", "GL032")  # hired this year
LISTED_BADGES = BADGES[:15]  # in the staff file
REJECTED_BADGE = "GL099"  # only on a rejected row: never created
REJECTED_WINDOW = 199  # only on a rejected row: never created

COMPLETED, TRANSFERRED, NO_SHOW = "completed", "transferred", "no_show"
CHINESE_STATUS = {COMPLETED: "办结", TRANSFERRED: "转办", NO_SHOW: "过号"}
VISIT_HEADERS = {
    "en": (
        "hall_code",
        "ticket_no",
        "issued_at",
        "called_at",
        "started_at",
        "finished_at",
        "window_no",
        "staff_badge",
        "service_codes",
        "status",
        "rating",
        "rated_at",
    ),
    "zh": (
        "大厅编码",
        "排队号",
        "取号时间",
        "叫号时间",
        "开始办理时间",
        "办结时间",
        "窗口号",
        "工号",
        "业务编码",
        "状态",
        "评价",
        "评价时间",
    ),
}
STAFF_HEADER = ("大厅编码", "工号", "姓名", "部门", "职务", "邮箱", "在岗")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("小明", "丽华", "建国", "秀英", "志强", "海燕", "文静", "国平", "春梅", "晓东")
DEPARTMENTS = ("社保管理中心", "合作医疗办公室", "社保卡服务中心")
TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class VisitRow:
    """One row of an export, with the values the figures are computed from."""

    ticket_no: str
    issued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    window_no: int
    staff_badge: str
    service_codes: tuple[str, ...]
    status: str
    rating: int | None
    rated_at: dt.datetime | None

    @property
    def day(self) -> dt.date:
        return self.started_at.date()

    def cells(self, language: str) -> list[str]:
        status = CHINESE_STATUS[self.status] if language == "zh" else self.status
        return [
            HALL_CODE,
            self.ticket_no,
            _time(self.issued_at),
            _time(self.called_at),
            _time(self.started_at),
            _time(self.finished_at),
            str(self.window_no),
            self.staff_badge,
            ";".join(self.service_codes),
            status,
            "" if self.rating is None else str(self.rating),
            _time(self.rated_at),
        ]


@dataclass(frozen=True)
class StaffRow:
    badge_no: str
    name: str
    department: str
    job_title: str
    email: str
    on_duty: str

    def cells(self) -> list[str]:
        return [HALL_CODE, self.badge_no, self.name, self.department, self.job_title, self.email,
                self.on_duty]  # fmt: skip


@dataclass(frozen=True)
class NewHall:
    today: dt.date
    last_year: list[VisitRow]  # the Chinese file
    this_year: list[VisitRow]  # the English file, BAD_ROWS after these
    staff: list[StaffRow]

    def write(self, directory: Path) -> dict[str, Path]:
        """The three files: staff.csv, visits-<last year>.csv, visits-<this year>.csv."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "staff": directory / "staff.csv",
            "last_year": directory / f"visits-{self.today.year - 1}.csv",
            "this_year": directory / f"visits-{self.today.year}.csv",
        }
        with paths["staff"].open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(STAFF_HEADER)
            writer.writerows(row.cells() for row in self.staff)
        _write_visits(paths["last_year"], self.last_year, "zh", extra=[])
        _write_visits(paths["this_year"], self.this_year, "en", extra=bad_rows(self.today))
        return paths


def _time(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime(TIME)


def _write_visits(path: Path, rows: list[VisitRow], language: str, extra: list[list[str]]):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(VISIT_HEADERS[language])
        writer.writerows(row.cells(language) for row in rows)
        writer.writerows(extra)


def bad_rows(today: dt.date) -> list[list[str]]:
    """Three rows a real export may hold, each rejected whole (see the module's docstring)."""
    day = (today - dt.timedelta(days=1)).isoformat()

    def cells(ticket, window, badge, codes, finished, rating):
        return [HALL_CODE, ticket, f"{day} 12:00:00", f"{day} 12:05:00", f"{day} 12:06:00",
                finished, str(window), badge, codes, COMPLETED, rating, ""]  # fmt: skip

    return [
        cells("Z901", WINDOWS[0], REJECTED_BADGE, CODES[0], f"{day} 12:10:00", "6"),
        cells("Z902", REJECTED_WINDOW, BADGES[0], CODES[0], "", "5"),
        cells("Z903", WINDOWS[0], BADGES[0], "", f"{day} 12:10:00", ""),
    ]


def bad_row_errors(first_row: int) -> list[str]:
    """The command's lines for the bad rows, the first of them on spreadsheet row
    `first_row`."""
    return [
        f"row {first_row}: rating 6 is not a whole number from 1 to 5",
        f"row {first_row + 1}: missing finished_at (办结时间)",
        f"row {first_row + 2}: missing service codes",
    ]


def generate(
    *, today: dt.date, now: dt.time = dt.time(11, 0), visits_per_day: int = 5, seed: int = 7
) -> NewHall:
    """The hall's two years, last year whole and this year up to `now` of `today`."""
    rng = random.Random(seed)
    last_year = _year(rng, dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31),
                      today=today, now=now, per_day=visits_per_day, new=False)  # fmt: skip
    this_year = _year(rng, dt.date(today.year, 1, 1), today,
                      today=today, now=now, per_day=visits_per_day, new=True)  # fmt: skip
    return NewHall(today=today, last_year=last_year, this_year=this_year, staff=_staff(rng))


def _staff(rng: random.Random) -> list[StaffRow]:
    rows = []
    for index, badge in enumerate(LISTED_BADGES):
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]
        rows.append(
            StaffRow(
                badge_no=badge,
                name=name,
                department=DEPARTMENTS[index % len(DEPARTMENTS)],
                job_title="窗口负责人" if index % 5 == 0 else "综合柜员",
                email=f"{badge.lower()}@gl07.example.invalid" if index % 3 else "",
                on_duty="否" if index == 14 else "是",
            )
        )
    return rows


def _year(rng, start, end, *, today, now, per_day, new) -> list[VisitRow]:
    rows: list[VisitRow] = []
    windows = WINDOWS + ((NEW_WINDOW,) if new else ())
    codes = CODES + ((NEW_CODE,) if new else ())
    badges = BADGES + (NEW_BADGES if new else ())
    first = dt.date(today.year - 1, 1, 1)
    span = (today - first).days or 1
    peak = dt.date(start.year, 8, 10)  # last year's peak day: the first working day from 10 August
    while not _open(peak):
        peak += dt.timedelta(days=1)
    peak = None if new else peak
    day = start
    while day <= end:
        if _open(day):
            count = per_day * (3 if day == peak else 1)
            count = max(1, round(count * rng.uniform(0.7, 1.3)))
            # the evaluation rate climbs from 60% to 97% over the two years
            rated_share = 0.60 + 0.37 * (day - first).days / span
            recent = day >= today - dt.timedelta(days=1)
            rows += _day(rng, day, count, today=today, now=now, windows=windows, codes=codes,
                         badges=badges, rated_share=rated_share, recent=recent)  # fmt: skip
        day += dt.timedelta(days=1)
    return rows


def _open(day: dt.date) -> bool:
    """The state working calendar (make-up working days open, statutory holidays closed)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def _day(rng, day, count, *, today, now, windows, codes, badges, rated_share, recent):
    opening = dt.datetime.combine(day, dt.time(8, 30))
    closing = dt.datetime.combine(day, now if day == today else dt.time(17, 0))
    seconds = int((closing - opening).total_seconds()) - 3600  # served before closing
    issued = sorted(opening + dt.timedelta(seconds=rng.randrange(seconds)) for _ in range(count))
    on_duty = {window: rng.choice(badges) for window in windows}
    forced_bad = [1, 2] if recent else []
    rows = []
    for number, issued_at in enumerate(issued, start=1):
        window = rng.choice(windows)
        badge = "" if rng.random() < 0.02 else on_duty[window]
        called_at = issued_at + dt.timedelta(seconds=rng.randrange(60, 1800))
        started_at = called_at + dt.timedelta(seconds=rng.randrange(0, 60))
        draw = rng.random()
        status = COMPLETED if draw < 0.87 else TRANSFERRED if draw < 0.95 else NO_SHOW
        finished_at = rating = rated_at = None
        if status != NO_SHOW:
            finished_at = started_at + dt.timedelta(seconds=rng.randrange(120, 1500))
        if status == COMPLETED:
            if forced_bad:
                rating = forced_bad.pop(0)
            elif rng.random() < rated_share:
                rating = _level(rng)
            if rating is not None and rng.random() < 0.9:  # else rated at the finish
                rated_at = finished_at + dt.timedelta(seconds=rng.randrange(3, 50))
        rows.append(
            VisitRow(
                ticket_no=f"{'ABC'[number % 3]}{number:04d}",
                issued_at=issued_at,
                called_at=called_at if rng.random() < 0.95 else None,
                started_at=started_at,
                finished_at=finished_at,
                window_no=window,
                staff_badge=badge,
                service_codes=tuple(rng.sample(codes, rng.choice((1, 1, 1, 2, 2, 3, 4)))),
                status=status,
                rating=rating,
                rated_at=rated_at,
            )
        )
    return rows


def _level(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.012:
        return 1
    if draw < 0.02:
        return 2
    if draw < 0.05:
        return 3
    if draw < 0.15:
        return 4
    return 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--visits-per-day", type=int, default=620)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    hall = generate(today=args.today, visits_per_day=args.visits_per_day)
    for name, path in hall.write(args.directory).items():
        print(f"{name}: {path}")
    for name, rows in (("last year", hall.last_year), ("this year", hall.this_year)):
        done = [row for row in rows if row.status == COMPLETED]
        print(f"{name}: {len(rows)} rows, {len(done)} completed visits")


if __name__ == "__main__":
    main()
