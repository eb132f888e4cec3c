"""The surge warning replayed over a generated year shaped like the seed's 2020.

python bench/surge_replay.py [--seed 2020] [--capacity learnt|fixed] [--markdown FILE]

The generator (seeded; `generate()`): 2019 and 2020, business days of the state calendar,
four business categories (企保待遇通办, 医保通办, 就业通办, 综合), about 1,000 items on
an ordinary 2020 day (2019: 5% fewer) with a weekday shape (Monday +12%, Friday -10%), a
seasonal one (February -20%, July +5%) and noise (a day's level ±7%, the split of the
morning and afternoon ±10%, every 15-minute slot Poisson-like); then the seed's events:
from 10 August to 31 August three policies at once (+404 items a day on 企保待遇通办: 1,404
on a typical day), November's medical-insurance enrolment (+140% of the hall on 医保通办),
December 42% above November (医保通办 again).

The replay (`replay()`): every business day of 2020, every 15 minutes from 8:30 to 17:00,
through the SAME predictor the beat job calls (reports.surge.predictor.project and
confirmed_levels), fed the generated counts instead of the SQL counts (which give the same
numbers: tests/reports/test_surge_replay.py stores a generated day as visits and reads it
back with reports.surge.selectors.arrival_counts). The history of a day is the service's
(reports.surge.selectors.history_days): the same weekday over the last 8 weeks and two weeks
either side of the same date a year ago. The capacity: 23 windows × the items per
window-day learnt as the service learns it (the 90th percentile of the last 56 days'
items per window-day), or a manager's fixed threshold (--capacity fixed: 23 × 50 = 1,150).

Reported: per day over capacity (its true total above the capacity of that morning) the
local time of the first alert; the days over capacity never alerted (misses); alerts on
days whose total stayed below capacity (false alarms), and on ordinary days (outside the
three events) in particular.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import chinese_calendar

from reports.surge.predictor import (
    LEVELS,
    SLOT_MINUTES,
    SLOTS_PER_DAY,
    confirmed_levels,
    project,
    quantile,
)

SEED = 2020
CATEGORIES = ("企保待遇通办", "医保通办", "就业通办", "综合")
SHARES = (0.30, 0.30, 0.15, 0.25)
BASE = 1000
WEEKDAY = (1.12, 1.03, 0.98, 0.97, 0.90)
MONTH = {1: 1.0, 2: 0.8, 3: 0.95, 4: 1.0, 5: 1.0, 6: 1.02, 7: 1.05, 8: 1.0, 9: 1.0,
         10: 0.97, 11: 1.0, 12: 1.0}  # fmt: skip
WINDOWS = 23
FIXED_PER_WINDOW = 50
OPEN_SLOT, CLOSE_SLOT = 34, 68  # 8:30 and 17:00: tickets from / until
LEARN_DAYS, LEARN_PERCENTILE = 56, 0.9
RECENT_WEEKS, SEASON_WEEKS = 8, 2
POLICY_DAY = date(2020, 8, 10)

# The arrival shape over the open slots (8:30-17:00): a morning peak around 9:30-10:30,
# the lunch dip, a smaller afternoon peak around 14:30-15:30.
MORNING = [2, 5, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1.5]  # 8:30 .. 11:45
AFTERNOON = [1.5, 2, 3, 4, 5, 5.5, 5.5, 5, 4.5, 4, 3, 2.5, 2, 1.5, 1, 1, 0.5, 0.5, 0.3, 0.2]


def event(day: date, category: int, level: float) -> float:
    """The extra items of the seed's events on a category that day (level: the hall's
    ordinary total of the day)."""
    if category == 0 and POLICY_DAY <= day <= date(2020, 8, 31):
        return 0.404 * level
    if category == 1 and day.year == 2020 and day.month == 11:
        return 1.4 * level  # the hall at 240%
    if category == 1 and day.year == 2020 and day.month == 12:
        return (2.4 * 1.42 - 1) * level  # the hall at 341%: November + 42%
    return 0.0


def is_event_day(day: date) -> bool:
    return (POLICY_DAY <= day <= date(2020, 8, 31)) or (day.year == 2020 and day.month >= 11)


def business_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if chinese_calendar.is_workday(day) and day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def generate(seed: int = SEED) -> dict[date, list[list[int]]]:
    """{day: [[items per slot of the day] per category]} for 2019 and 2020."""
    rng = random.Random(seed)
    out = {}
    for day in business_days(date(2019, 1, 2), date(2020, 12, 31)):
        level = BASE * (0.95 if day.year == 2019 else 1.0)
        level *= WEEKDAY[day.weekday()] * MONTH[day.month] * math.exp(rng.gauss(0, 0.07))
        tilt = rng.uniform(-0.1, 0.1)  # more of the day in the morning (+) or afternoon (-)
        shape = [w * (1 + tilt) for w in MORNING] + [w * (1 - tilt) for w in AFTERNOON]
        weights = sum(shape)
        categories = []
        for index, share in enumerate(SHARES):
            total = level * share + event(day, index, level)
            slots = [0] * SLOTS_PER_DAY
            for offset, weight in enumerate(shape):
                slots[OPEN_SLOT + offset] = _poisson(rng, total * weight / weights)
            categories.append(slots)
        out[day] = categories
    return out


def hall_slots(categories: list[list[int]]) -> list[int]:
    return [sum(values) for values in zip(*categories, strict=True)]


def history_of(day: date, known: dict) -> list[date]:
    """reports.surge.selectors.history_days on the generated calendar."""
    recent = [day - timedelta(weeks=week) for week in range(1, RECENT_WEEKS + 1)]
    year_ago = day - timedelta(weeks=52)
    season = [year_ago + timedelta(weeks=w) for w in range(-SEASON_WEEKS, SEASON_WEEKS + 1)]
    return sorted(d for d in set(recent + season) if d in known)


def learnt_per_window(day: date, totals: dict) -> float:
    """reports.surge.selectors.learnt_items_per_window_day: P90 of the last 56 days'."""
    per_window = sorted(
        totals[d] / WINDOWS for d in totals if day - timedelta(days=LEARN_DAYS) <= d < day
    )
    return quantile(per_window, LEARN_PERCENTILE) if per_window else 0.0


def hhmm(slot: int) -> str:
    minutes = slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class DayResult:
    day: date
    total: int
    capacity: int
    first: dict = field(default_factory=dict)  # level -> "HH:MM" of the first alert

    @property
    def over(self) -> bool:
        return self.total > self.capacity

    @property
    def alerted(self) -> bool:
        return bool(self.first)


def replay(data: dict, *, capacity: str = "learnt", year: int = 2020) -> list[DayResult]:
    """Every business day of the year, every 15 minutes in opening hours."""
    hall = {day: hall_slots(categories) for day, categories in data.items()}
    totals = {day: sum(slots) for day, slots in hall.items()}
    results = []
    for day in sorted(d for d in data if d.year == year):
        history = history_of(day, hall)
        per_window = learnt_per_window(day, totals) if capacity == "learnt" else FIXED_PER_WINDOW
        cap = WINDOWS * per_window
        result = DayResult(day=day, total=totals[day], capacity=round(cap))
        slots = hall[day]
        previous = None
        for slot in range(OPEN_SLOT, CLOSE_SLOT + 1):
            pairs = [(sum(hall[d][:slot]), totals[d]) for d in history]
            projection = project(arrived=sum(slots[:slot]), history=pairs)
            for level in confirmed_levels(projection, previous, cap):
                result.first.setdefault(level, hhmm(slot))
            previous = projection
            if len(result.first) == len(LEVELS):
                break
        results.append(result)
    return results


def summary(results: list[DayResult]) -> dict:
    over = [r for r in results if r.over]
    ordinary = [r for r in results if not is_event_day(r.day)]
    first_times = sorted(r.first[100] for r in over if 100 in r.first)
    return {
        "days": len(results),
        "over_capacity": len(over),
        "over_alerted": sum(r.alerted for r in over),
        "missed": [r.day.isoformat() for r in over if not r.alerted],
        "false_alarms": [r.day.isoformat() for r in results if r.alerted and not r.over],
        "ordinary_days": len(ordinary),
        "ordinary_alerts": [r.day.isoformat() for r in ordinary if r.alerted],
        "event_days": sum(is_event_day(r.day) for r in results),
        "event_alerted": sum(is_event_day(r.day) and r.alerted for r in results),
        "median_first_alert": first_times[len(first_times) // 2] if first_times else None,
        "event_firsts": {
            r.day.isoformat(): r.first.get(100)
            for r in results
            if r.day in (POLICY_DAY, date(2020, 11, 2), date(2020, 12, 1))
        },
    }


def markdown(results: list[DayResult], capacity: str) -> str:
    s = summary(results)
    lines = [
        f"Capacity {capacity}: {s['days']} business days of 2020, "
        f"{s['over_capacity']} over capacity, {s['over_alerted']} of them alerted "
        f"(median first alert {s['median_first_alert']}); missed: "
        f"{', '.join(s['missed']) or 'none'}; false alarms (alerted, total below capacity): "
        f"{', '.join(s['false_alarms']) or 'none'}; alerts on the "
        f"{s['ordinary_days']} ordinary days: {', '.join(s['ordinary_alerts']) or 'none'}; "
        f"event days alerted: {s['event_alerted']} of {s['event_days']}.",
        "",
        "| day | items | capacity | first alert 100% | 120% | 150% |",
        "|---|---:|---:|---|---|---|",
    ]
    for r in results:
        if r.over or r.alerted:
            lines.append(
                f"| {r.day} | {r.total} | {r.capacity} | {r.first.get(100, '—')} | "
                f"{r.first.get(120, '—')} | {r.first.get(150, '—')} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--capacity", choices=("learnt", "fixed"), default="learnt")
    parser.add_argument("--markdown", help="write the table to this file too")
    args = parser.parse_args()
    data = generate(args.seed)
    results = replay(data, capacity=args.capacity)
    text = markdown(results, args.capacity)
    print(text)
    totals = [r.total for r in results if not is_event_day(r.day)]
    print(f"ordinary days: median {statistics.median(totals):.0f} items")
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
