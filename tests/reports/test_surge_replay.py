"""The surge replay (bench/surge_replay.py) with fixed expectations: the generated year, the
first alert of each event, the misses and false alarms; and the SQL counts of a generated
day equal the counts the replay feeds the predictor."""

import datetime as dt

import pytest

from bench import surge_replay as replay
from reports.surge.selectors import arrival_counts
from tests.reports.surge_data import store_generated_day
from tests.windows.factories import HallFactory, WindowFactory
from windows.models import QueueCategory


@pytest.fixture(scope="module")
def year():
    return replay.generate(replay.SEED)


def _total(categories):
    return sum(map(sum, categories))


def test_the_generated_year_is_shaped_like_the_seeds_2020(year):
    days_2020 = [day for day in year if day.year == 2020]
    assert len(days_2020) == 243
    ordinary = sorted(_total(year[d]) for d in days_2020 if not replay.is_event_day(d))
    assert ordinary[len(ordinary) // 2] == 965
    assert _total(year[dt.date(2020, 8, 7)]) == 957  # the Friday before the policies
    assert _total(year[dt.date(2020, 8, 10)]) == 1694  # a Monday: +12% on 1,404
    assert _total(year[dt.date(2020, 11, 2)]) == 2707  # +140%
    assert _total(year[dt.date(2020, 12, 1)]) == 3580  # +42% on November


def test_replay_with_the_learnt_capacity(year):
    summary = replay.summary(replay.replay(year, capacity="learnt"))
    assert summary["event_firsts"] == {
        "2020-08-10": "10:00",
        "2020-11-02": "10:00",
        "2020-12-01": "10:00",
    }
    assert (summary["days"], summary["over_capacity"], summary["over_alerted"]) == (243, 47, 47)
    assert summary["missed"] == []
    assert summary["false_alarms"] == ["2020-01-06", "2020-06-15", "2020-11-10"]
    assert len(summary["ordinary_alerts"]) == 21
    assert summary["ordinary_days"] == 183
    # the learnt capacity catches up with a surge that lasts: half the event days alert
    assert (summary["event_days"], summary["event_alerted"]) == (60, 29)
    assert summary["median_first_alert"] == "10:00"


def test_replay_with_a_managers_threshold(year):
    summary = replay.summary(replay.replay(year, capacity="fixed"))
    assert (summary["over_capacity"], summary["over_alerted"], summary["missed"]) == (77, 77, [])
    assert summary["false_alarms"] == ["2020-09-29"]
    assert len(summary["ordinary_alerts"]) == 18
    assert (summary["event_days"], summary["event_alerted"]) == (60, 60)


def test_the_levels_of_the_event_days(year):
    results = {r.day: r for r in replay.replay(year, capacity="learnt")}
    assert results[dt.date(2020, 8, 10)].first == {100: "10:00", 120: "10:00"}
    assert results[dt.date(2020, 11, 2)].first == {100: "10:00", 120: "10:00", 150: "10:00"}
    assert results[dt.date(2020, 12, 1)].capacity == 2625  # learnt from November
    assert results[dt.date(2020, 12, 1)].first == {100: "10:00", 120: "12:30"}


@pytest.mark.django_db
def test_the_sql_counts_of_a_generated_day_are_the_replays(year):
    day = dt.date(2020, 8, 10)
    hall = HallFactory(code="R1")
    window = WindowFactory(hall=hall)
    categories = [
        QueueCategory.objects.create(hall=hall, name=name, prefix=chr(65 + i))
        for i, name in enumerate(replay.CATEGORIES)
    ]
    store_generated_day(hall, window, categories, day, year[day])
    counts = arrival_counts(hall=hall, days=[day])
    assert {key[1]: slots for key, slots in counts.items()} == {
        category.pk: year[day][index] for index, category in enumerate(categories)
    }
