"""windows.rules.hall_time: a hall's day, week and month are its own time zone's."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests.windows.factories import HallFactory
from windows.rules.hall_time import (
    hall_day_bounds,
    hall_day_start,
    hall_localdate,
    hall_localtime,
    hall_zone,
    month_of,
    week_of,
)

UTC = dt.UTC


def hall_in(zone: str):
    return SimpleNamespace(time_zone=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("moment", "zone", "day"),
    [
        # 18:15 UTC: 23:45 in Kolkata, already 02:15 the next day in Shanghai
        (dt.datetime(2020, 9, 28, 18, 15, tzinfo=UTC), "Asia/Kolkata", dt.date(2020, 9, 28)),
        (dt.datetime(2020, 9, 28, 18, 15, tzinfo=UTC), "Asia/Shanghai", dt.date(2020, 9, 29)),
        (dt.datetime(2020, 9, 28, 18, 45, tzinfo=UTC), "Asia/Kolkata", dt.date(2020, 9, 29)),
        # 03:59 UTC is 23:59 of the day before in New York (summer time, UTC-4)
        (dt.datetime(2020, 9, 29, 3, 59, tzinfo=UTC), "America/New_York", dt.date(2020, 9, 28)),
        (dt.datetime(2020, 9, 29, 4, 0, tzinfo=UTC), "America/New_York", dt.date(2020, 9, 29)),
        (dt.datetime(2020, 9, 28, 15, 59, tzinfo=UTC), "Asia/Shanghai", dt.date(2020, 9, 28)),
        (dt.datetime(2020, 9, 28, 16, 0, tzinfo=UTC), "Asia/Shanghai", dt.date(2020, 9, 29)),
    ],
)
def test_a_hall_has_its_own_local_day_for_a_utc_moment(moment, zone, day):
    hall = hall_in(zone)

    assert hall_localdate(hall, moment) == day
    assert hall_localtime(hall, moment).utcoffset() == ZoneInfo(zone).utcoffset(
        moment.replace(tzinfo=None)
    )


@pytest.mark.django_db
def test_a_stored_hall_reads_its_time_zone_field():
    kolkata = HallFactory(code="KOL", time_zone="Asia/Kolkata")
    default = HallFactory(code="DEF")
    kolkata.refresh_from_db()
    default.refresh_from_db()
    moment = dt.datetime(2020, 9, 28, 18, 15, tzinfo=UTC)

    assert (hall_localdate(kolkata, moment), hall_localdate(default, moment)) == (
        dt.date(2020, 9, 28),
        dt.date(2020, 9, 29),
    )
    assert hall_zone(default) == ZoneInfo("Asia/Shanghai")


def test_without_a_hall_the_installations_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    assert hall_zone(None) == ZoneInfo("Asia/Shanghai")
    assert hall_localdate(None, dt.datetime(2020, 9, 28, 16, 0, tzinfo=UTC)) == dt.date(2020, 9, 29)


@pytest.mark.parametrize(
    ("zone", "day", "start_utc", "end_utc"),
    [
        (
            "Asia/Shanghai",
            dt.date(2020, 9, 28),
            dt.datetime(2020, 9, 27, 16, 0, tzinfo=UTC),
            dt.datetime(2020, 9, 28, 16, 0, tzinfo=UTC),
        ),
        (
            "Asia/Kolkata",
            dt.date(2020, 9, 28),
            dt.datetime(2020, 9, 27, 18, 30, tzinfo=UTC),
            dt.datetime(2020, 9, 28, 18, 30, tzinfo=UTC),
        ),
        (  # the day summer time ends in New York has 25 hours
            "America/New_York",
            dt.date(2020, 11, 1),
            dt.datetime(2020, 11, 1, 4, 0, tzinfo=UTC),
            dt.datetime(2020, 11, 2, 5, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_bounds_of_a_hall_day(zone, day, start_utc, end_utc):
    start, end = hall_day_bounds(hall_in(zone), day)

    assert (start, end) == (start_utc, end_utc)
    assert hall_day_start(hall_in(zone), day) == start_utc


def test_the_bounds_of_several_days_end_after_the_last():
    start, end = hall_day_bounds(hall_in("Asia/Kolkata"), dt.date(2020, 9, 1), dt.date(2020, 9, 30))

    assert (start, end) == (
        dt.datetime(2020, 8, 31, 18, 30, tzinfo=UTC),
        dt.datetime(2020, 9, 30, 18, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        (dt.date(2024, 2, 29), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        (dt.date(2024, 2, 26), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        (dt.date(2024, 3, 3), dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        (dt.date(2025, 1, 1), dt.date(2024, 12, 30), dt.date(2025, 1, 5)),
    ],
)
def test_the_week_of_a_day_runs_monday_to_sunday(day, monday, sunday):
    assert week_of(day) == (monday, sunday)


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (dt.date(2024, 2, 10), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2023, 2, 28), dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        (dt.date(2024, 12, 31), dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        (dt.date(2020, 10, 1), dt.date(2020, 10, 1), dt.date(2020, 10, 31)),
    ],
)
def test_the_month_of_a_day(day, first, last):
    assert month_of(day) == (first, last)
