"""Reports use each hall's own day (windows.rules.hall_time), not the server's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reports import tasks
from tests.windows.factories import HallFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.mark.parametrize(
    ("kind", "moment", "shanghai_day", "new_york_day"),
    [
        # Tuesday 1 September 02:00 in Shanghai is still Monday 31 August in New York
        ("daily", dt.datetime(2020, 8, 31, 18, 0, tzinfo=UTC), "2020-09-01", "2020-08-31"),
        # the weekly job runs on Monday: last week in Shanghai, the week before in New York
        ("weekly", dt.datetime(2020, 9, 6, 17, 0, tzinfo=UTC), "2020-08-31", "2020-08-24"),
        # the monthly job runs on the 1st: August in Shanghai, July in New York
        ("monthly", dt.datetime(2020, 8, 31, 18, 0, tzinfo=UTC), "2020-08-31", "2020-07-31"),
    ],
)
def test_the_scheduled_job_builds_each_halls_period_of_its_own_day(
    monkeypatch, django_capture_on_commit_callbacks, kind, moment, shanghai_day, new_york_day
):
    shanghai = HallFactory(code="SH")
    new_york = HallFactory(code="NY", time_zone="America/New_York")
    queued = []
    monkeypatch.setattr(timezone, "now", lambda: moment)
    monkeypatch.setattr(tasks.build_and_send_bulletin, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.build_bulletins(kind)

    assert count == 2
    assert sorted(queued) == sorted(
        [(shanghai.pk, kind, shanghai_day), (new_york.pk, kind, new_york_day)]
    )


def test_a_given_day_is_every_halls_day(monkeypatch, django_capture_on_commit_callbacks):
    shanghai = HallFactory(code="SH")
    new_york = HallFactory(code="NY", time_zone="America/New_York")
    queued = []
    monkeypatch.setattr(tasks.build_and_send_bulletin, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_bulletins("weekly", "2020-09-28")

    assert sorted(queued) == sorted(
        [(shanghai.pk, "weekly", "2020-09-28"), (new_york.pk, "weekly", "2020-09-28")]
    )


def test_an_unknown_kind_queues_nothing():
    with pytest.raises(ValueError, match="Unknown bulletin kind 'yearly'"):
        tasks.build_bulletins("yearly")
