"""The surge predictor: today's total from the arrivals so far, pure (no database).

The one function both the beat job (reports.surge.services, fed by the SQL counts of
reports.surge.selectors) and the replay (bench/surge_replay.py, fed generated counts) call.

The method: on a history day d, a share r_d = arrived by this slot / the day's total had
come in by this time of day. Today's total is projected as arrived / median(r_d), with an
interval arrived / P90(r) .. arrived / P10(r) (P10 and P90 of the history days' shares,
linear interpolation). Only the SHAPE of the history days enters, not their level: a step
change (10 August 2020: +40% overnight) is projected from today's own arrivals at once,
which a level forecast (the mean of past days) would miss for weeks.

Early in the day the shares are small and spread (0.05 or 0.15 by 9:30 doubles the
projection): the interval is wide and the projection marked `early` (too early to say);
no alert is raised on an early projection, and the levels are crossed by the interval's
LOWER bound, so an alert means "even the optimistic reading passes capacity", and only
when the check 15 minutes before said so too (confirmed_levels).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
# Levels of capacity (percent) an alert is raised for, once each per hall and day.
LEVELS = (100, 120, 150)
# Before this median share of the day has arrived, the projection is "too early to say".
EARLY_SHARE = 0.2
# Fewer history days than this: no projection at all (the interval would mean nothing).
MIN_HISTORY_DAYS = 4
# Below this many items arrived, no alert (a quiet hall's noise).
MIN_ARRIVED = 20


@dataclass(frozen=True)
class Projection:
    """Today's projected total (items) at a slot, with its interval."""

    arrived: int
    mid: float
    low: float
    high: float
    share: float  # the median share of the day arrived by this slot on history days
    days: int  # history days behind it
    early: bool  # too early to say: shown, never alerted on

    def as_json(self) -> dict:
        return {
            "arrived": self.arrived,
            "projected": round(self.mid),
            "low": round(self.low),
            "high": round(self.high),
            "share": round(self.share, 3),
            "days": self.days,
            "early": self.early,
        }


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile of values by linear interpolation (numpy's default), values sorted."""
    if not values:
        raise ValueError("no values")
    position = (len(values) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def cumulative(counts: Iterable[int]) -> list[int]:
    """Running totals of counts per slot."""
    total, out = 0, []
    for count in counts:
        total += count
        out.append(total)
    return out


def project(*, arrived: int, history: Sequence[tuple[int, int]]) -> Projection | None:
    """Project today's total from `arrived` (items arrived up to the slot) and the history
    days' (arrived by the same slot, total of the day) pairs; None without enough history
    (fewer than MIN_HISTORY_DAYS days with a total) or when nothing is known yet (every
    history day had nothing by now: the hall was not open yet).
    """
    shares = sorted(part / total for part, total in history if total > 0)
    if len(shares) < MIN_HISTORY_DAYS:
        return None
    share = quantile(shares, 0.5)
    low_share, high_share = quantile(shares, 0.1), quantile(shares, 0.9)
    if share <= 0 or low_share <= 0:
        return None
    return Projection(
        arrived=arrived,
        mid=arrived / share,
        low=arrived / high_share,
        high=arrived / low_share,
        share=share,
        days=len(shares),
        early=share < EARLY_SHARE,
    )


def capacity(*, windows: int, items_per_window_day: float, threshold: int | None) -> float:
    """The hall's (or a category's) capacity today: the manager's threshold if set, else
    the windows open today × items one window handles in a day."""
    if threshold:
        return float(threshold)
    return windows * items_per_window_day


def levels_crossed(projection: Projection | None, capacity_items: float) -> list[int]:
    """The levels (percent of capacity) the projection's lower bound passes; none while
    too early, below MIN_ARRIVED items or without a capacity."""
    if projection is None or projection.early or projection.arrived < MIN_ARRIVED:
        return []
    if capacity_items <= 0:
        return []
    return [level for level in LEVELS if projection.low >= capacity_items * level / 100]


def confirmed_levels(
    projection: Projection | None, previous: Projection | None, capacity_items: float
) -> list[int]:
    """The levels crossed now AND at the check 15 minutes before (its projection from the
    arrivals up to the slot before): one reading is not an alarm. In the replay this
    halves the false alarms (learnt capacity: 5 to 3, fixed: 2 to 1) for 15 minutes of
    the first alert (bench/README.md)."""
    before = set(levels_crossed(previous, capacity_items))
    return [level for level in levels_crossed(projection, capacity_items) if level in before]


def windows_needed(*, projected: float, items_per_window_day: float) -> int:
    """How many windows would bring the capacity up to the projection."""
    if items_per_window_day <= 0:
        return 0
    return math.ceil(projected / items_per_window_day)
