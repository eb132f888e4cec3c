"""Period arithmetic of the bulletins: the day, week (Monday to Sunday) or month of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["daily", "weekly", "monthly"]
KINDS: tuple[Kind, ...] = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: dt.date
    end: dt.date  # inclusive


def month_end(day: dt.date) -> dt.date:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def period_of(*, kind: str, day: dt.date) -> Period:
    """The period of the given kind that contains day."""
    if kind == "daily":
        return Period(kind, day, day)
    if kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "monthly":
        return Period(kind, day.replace(day=1), month_end(day))
    raise ValueError(f"Unknown bulletin kind {kind!r}; use one of {KINDS}.")


def scheduled_day(*, kind: str, today: dt.date) -> dt.date:
    """A day inside the period the scheduled job builds when it runs on `today`.

    The daily job (18:30) builds today's bulletin; the weekly job (Monday) last week's;
    the monthly job (the 1st) last month's.
    """
    if kind == "daily":
        return today
    if kind == "weekly":
        return today - dt.timedelta(days=today.weekday() + 7)
    if kind == "monthly":
        return today.replace(day=1) - dt.timedelta(days=1)
    raise ValueError(f"Unknown bulletin kind {kind!r}; use one of {KINDS}.")
