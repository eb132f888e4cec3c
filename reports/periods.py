"""Period arithmetic of the bulletins: the day, week (Monday to Sunday) or month of a date.

The days are the hall's local days; weeks and months are those of windows.rules.hall_time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from windows.rules.hall_time import month_of, week_of

Kind = Literal["daily", "weekly", "monthly"]
KINDS: tuple[Kind, ...] = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: dt.date
    end: dt.date  # inclusive


def period_of(*, kind: str, day: dt.date) -> Period:
    """The period of the given kind that contains day."""
    if kind == "daily":
        return Period(kind, day, day)
    if kind == "weekly":
        return Period(kind, *week_of(day))
    if kind == "monthly":
        return Period(kind, *month_of(day))
    raise ValueError(f"Unknown bulletin kind {kind!r}; use one of {KINDS}.")


def scheduled_day(*, kind: str, today: dt.date) -> dt.date:
    """A day inside the period the scheduled job builds when it runs on `today` (the hall's).

    The daily job (18:30) builds today's bulletin; the weekly job (Monday) last week's;
    the monthly job (the 1st) last month's.
    """
    if kind == "daily":
        return today
    if kind == "weekly":
        return week_of(today)[0] - dt.timedelta(days=7)
    if kind == "monthly":
        return month_of(today)[0] - dt.timedelta(days=1)
    raise ValueError(f"Unknown bulletin kind {kind!r}; use one of {KINDS}.")
