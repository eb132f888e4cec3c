"""How busy the demo hall is: completed visits and items a business day, by desk, shaped
like the hall of the source (../shared/seed, domain.md "Volume analysis").

The source's hall handled 834 items a business day in 2020 (1,075 in 2019) at about 1.4
items a visit (one ticket, a batch of matters); the general (通办) windows did the main
body of it. Its year had a spring-festival dip; three policies at once sent the hall
its peak of 1,404 items on 10 August 2020, and the surge lasted to the end of the month
(September 18% below August); the resident medical insurance contributions opened in
November and the medical windows' volume rose 140%, then 42% more in December.

The demo puts ~830 items (~560 completed visits) on the average business day of each
calendar year, whatever the year's calendar: the figures below are relative, and
`YearVolume` scales them so that the year's business days (the state calendar of
chinesecalendar and the hall's own days, windows.workdays) average the target, with the
August peak day at 1,404/834 of it. A day's figure is an expectation; demo.visits draws
the day's tickets around it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from windows.models import Hall
from windows.workdays import business_days

from . import catalogue

ITEMS_PER_DAY = 830  # the source's 2020: 834 items a business day (2019: 1,075)
PEAK_RATIO = 1404 / 834  # 10 August 2020 against the year's average
SURGE_FROM = (8, 10)  # the peak day is the first business day from 10 August
SURGE = 1.45  # the surge desks after the peak day, to the end of August
COMPLETED_SHARE = 0.93  # the other tickets: no-show 4%, transferred 3%
NO_SHOW, TRANSFERRED = 0.04, 0.03


@dataclass(frozen=True)
class Desk:
    """A desk's share of the hall's items in an ordinary month, how many items one
    ticket brings (weights of 1, 2, 3, 4 items), and whether the August surge hit it."""

    share: float
    items_weights: tuple[int, ...]
    surge: bool

    @property
    def items_per_visit(self) -> float:
        total = sum(self.items_weights)
        return sum(n * w for n, w in enumerate(self.items_weights, start=1)) / total


DESKS = {
    catalogue.SB: Desk(0.51, (55, 32, 10, 3), surge=True),  # 12 windows
    catalogue.YB: Desk(0.12, (62, 27, 9, 2), surge=False),  # 4 windows, the year-end rush
    catalogue.QB: Desk(0.16, (58, 31, 9, 2), surge=True),  # 4 windows, retirement
    catalogue.SY: Desk(0.05, (83, 14, 3), surge=True),  # window 21, unemployment
    catalogue.JB: Desk(0.06, (75, 20, 5), surge=True),  # window 22, land-expropriated
    catalogue.KA: Desk(0.10, (90, 10), surge=False),  # window 23, social-security cards
}
# Month -> volume a day against an ordinary month: the spring-festival dip in February,
# the rush before it in January, September about 18% below the August of the surge.
MONTHS = {1: 1.10, 2: 0.80, 3: 1.05, 4: 0.98, 5: 0.95, 6: 1.00, 7: 1.02, 8: 1.00,
          9: 0.95, 10: 0.92, 11: 0.95, 12: 1.00}  # fmt: skip
# The medical windows: November's contributions (a day twice October's; the month +140%
# with its extra business days after National Day), December some 42% above November.
MEDICAL_MONTHS = {**MONTHS, 11: 2.0, 12: 2.55}
UNJITTERED_MONTHS = (8, 9, 11, 12)  # the months the source's figures pin down
# Monday the busiest, make-up working weekends quiet; the first day after a holiday busy.
WEEKDAYS = (1.15, 1.05, 1.0, 0.96, 0.9, 0.85, 0.85)
AFTER_HOLIDAY = 1.25
MONTH_JITTER = 0.04  # each year's months differ a little from the last
DAY_JITTER = 0.04
# The day's tickets by time of day (minutes from midnight): the morning's first two
# hours and the early afternoon are the peaks; the hall opens 9:00-12:00, 13:30-17:30.
HOURS = (
    (9 * 60, 10 * 60, 19),
    (10 * 60, 11 * 60, 20),
    (11 * 60, 12 * 60, 11),
    (13 * 60 + 30, 14 * 60, 6),
    (14 * 60, 15 * 60, 16),
    (15 * 60, 16 * 60, 14),
    (16 * 60, 17 * 60, 10),
    (17 * 60, 17 * 60 + 30, 4),
)
PEAK_HOURS = ((9 * 60, 11 * 60), (14 * 60, 15 * 60))
# The evaluation rate: from 59.55% when the hall started (June 2020 in the source) to
# 98.25% (its December), reached over the first EVALUATION_CLIMB_DAYS of the demo.
EVALUATION_FROM, EVALUATION_TO = 0.5955, 0.9825
EVALUATION_CLIMB_DAYS = 330
# Rating levels 5..1: satisfaction (levels 3-5) about 99.6%, as in contracts.md §3's
# example of the source's hall; about one bad review in 250 ratings.
LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = (92.6, 5.5, 1.5, 0.28, 0.12)


def desk_of(*, number: int, zone: str) -> str:
    """The desk of a window: the catalogue's for its number, else its zone's."""
    spec = next((w for w in catalogue.WINDOWS if w.number == number), None)
    if spec is not None:
        return spec.desk
    return zone if zone in DESKS else catalogue.KA


def evaluation_rate(*, since: date, day: date) -> float:
    progress = min(1.0, (day - since).days / EVALUATION_CLIMB_DAYS)
    return EVALUATION_FROM + (EVALUATION_TO - EVALUATION_FROM) * progress


class YearVolume:
    """The expected completed visits of each desk on each business day of one year."""

    def __init__(self, *, hall: Hall, year: int, desks: dict[str, int]) -> None:
        """`desks`: how many of the hall's windows serve each desk (a desk without
        windows takes no share)."""
        self.hall = hall
        self.year = year
        self.desks = {name: DESKS[name] for name, count in desks.items() if count}
        rng = random.Random(f"{hall.code}-volume-{year}")
        self.months = {
            month: 1.0 if month in UNJITTERED_MONTHS else 1 + rng.gauss(0, MONTH_JITTER)
            for month in range(1, 13)
        }

    @cached_property
    def days(self) -> list[date]:
        start = date(self.year, 1, 1)
        return business_days(hall=self.hall, start=start, end=date(self.year, 12, 31))

    @cached_property
    def peak_day(self) -> date | None:
        surge = date(self.year, *SURGE_FROM)
        return next((day for day in self.days if day >= surge and day.month == 8), None)

    def _raw(self, day: date, previous: date | None) -> dict[str, float]:
        """A day's relative items by desk, before scaling."""
        factor = WEEKDAYS[day.weekday()] * self.months[day.month]
        if previous is not None and (day - previous).days > 3:
            factor *= AFTER_HOLIDAY
        surging = self.peak_day is not None and self.peak_day <= day <= date(self.year, 8, 31)
        raw = {}
        for name, desk in self.desks.items():
            months = MEDICAL_MONTHS if name == catalogue.YB else MONTHS
            value = desk.share * months[day.month] * factor
            raw[name] = value * SURGE if surging and desk.surge else value
        return raw

    @cached_property
    def items(self) -> dict[date, dict[str, float]]:
        """Expected items by day and desk: the year averages ITEMS_PER_DAY a business day,
        the peak day PEAK_RATIO times that."""
        raw, previous = {}, None
        for day in self.days:
            raw[day] = self._raw(day, previous)
            previous = day
        total = ITEMS_PER_DAY * len(self.days)
        peak = self.peak_day
        scaled = {}
        if peak is not None:
            peak_items = ITEMS_PER_DAY * PEAK_RATIO
            scale = peak_items / sum(raw[peak].values())
            scaled[peak] = {name: value * scale for name, value in raw[peak].items()}
            total -= peak_items
        rest = sum(sum(values.values()) for day, values in raw.items() if day != peak)
        scale = total / rest if rest else 0.0
        for day, values in raw.items():
            if day != peak:
                scaled[day] = {name: value * scale for name, value in values.items()}
        return scaled

    def visits(self, day: date) -> dict[str, float]:
        """Expected completed visits by desk on a business day of the year (0 on others)."""
        items = self.items.get(day, {})
        return {name: value / self.desks[name].items_per_visit for name, value in items.items()}


class Volume:
    """YearVolume of each year asked for, built once."""

    def __init__(self, *, hall: Hall, desks: dict[str, int]) -> None:
        self.hall = hall
        self.desks = desks
        self._years: dict[int, YearVolume] = {}

    def year(self, year: int) -> YearVolume:
        if year not in self._years:
            self._years[year] = YearVolume(hall=self.hall, year=year, desks=self.desks)
        return self._years[year]

    def visits(self, day: date) -> dict[str, float]:
        return self.year(day.year).visits(day)

    def is_peak(self, day: date) -> bool:
        return self.year(day.year).peak_day == day
