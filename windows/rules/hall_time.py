"""The hall's local time: its day, week (Monday to Sunday) and month.

Times are stored aware in UTC; every day a user or a figure speaks of is the hall's local
day, in the hall's own time zone (Hall.time_zone, Asia/Shanghai by default).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def hall_zone(hall=None) -> ZoneInfo:
    """The hall's time zone; the installation's (settings.TIME_ZONE) without a hall."""
    zone = getattr(hall, "time_zone", None)
    if zone:
        return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
    return ZoneInfo(settings.TIME_ZONE)


def hall_localtime(hall, moment: datetime | None = None) -> datetime:
    """The moment (now by default) as the hall's wall-clock time."""
    return (moment or timezone.now()).astimezone(hall_zone(hall))


def hall_localdate(hall, moment: datetime | None = None) -> date:
    """The hall's local day of the moment (today by default)."""
    return hall_localtime(hall, moment).date()


def hall_day_start(hall, day: date) -> datetime:
    """The aware moment the hall's day begins (local midnight)."""
    return datetime.combine(day, time.min, tzinfo=hall_zone(hall))


def hall_day_bounds(hall, first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the hall's days from first to last (inclusive) as aware moments."""
    return hall_day_start(hall, first), hall_day_start(hall, (last or first) + timedelta(days=1))


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the day's week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    """The first and the last day of the day's month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)
