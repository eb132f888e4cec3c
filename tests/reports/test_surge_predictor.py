"""The surge predictor (pure) and the SQL arrival counts that feed it."""

import datetime as dt

import pytest

from evaluations.rollups import rollups_refresh
from reports.surge import predictor
from reports.surge.predictor import Projection, cumulative, levels_crossed, project, quantile
from reports.surge.selectors import (
    STARTED,
    arrival_basis,
    arrival_counts,
    hall_totals,
    history_days,
    learnt_items_per_window_day,
)
from tests.windows.factories import SHANGHAI, HallFactory, VisitFactory, WindowFactory
from windows.models import QueueCategory, Visit


def test_quantile_interpolates_like_numpy():
    values = [0.1, 0.2, 0.3, 0.4, 0.5]
    assert quantile(values, 0.5) == 0.3
    assert quantile(values, 0.1) == pytest.approx(0.14)
    assert quantile(values, 0.9) == pytest.approx(0.46)
    assert quantile([7.0], 0.9) == 7.0


def test_projection_is_arrivals_over_the_median_share_with_the_spread_as_interval():
    history = [(200, 1000), (250, 1000), (300, 1000), (350, 1000), (400, 1000)]
    projection = project(arrived=600, history=history)
    assert projection.mid == pytest.approx(2000.0)  # 600 / 0.30
    assert projection.low == pytest.approx(600 / 0.38)  # P90 share 0.38
    assert projection.high == pytest.approx(600 / 0.22)  # P10 share 0.22
    assert projection.days == 5
    assert projection.early is False
    assert projection.as_json() == {
        "arrived": 600,
        "projected": 2000,
        "low": 1579,
        "high": 2727,
        "share": 0.3,
        "days": 5,
        "early": False,
    }


def test_early_in_the_day_the_projection_is_marked_and_never_alerts():
    history = [(50, 1000), (100, 1000), (150, 1000), (120, 1000)]
    projection = project(arrived=400, history=history)
    assert projection.early is True
    assert projection.low == pytest.approx(400 / 0.141)
    assert levels_crossed(projection, 500) == []


def test_too_little_history_or_an_unopened_hall_projects_nothing():
    assert project(arrived=10, history=[(1, 10), (2, 10), (3, 10)]) is None
    assert project(arrived=10, history=[(0, 10), (0, 10), (0, 10), (0, 10)]) is None
    # days without a total (closed) do not count as history
    assert project(arrived=10, history=[(1, 10), (2, 10), (3, 10), (0, 0)]) is None


def test_levels_are_crossed_by_the_lower_bound():
    projection = Projection(
        arrived=500, mid=1500, low=1250, high=1800, share=0.33, days=8, early=False
    )
    assert levels_crossed(projection, 1000) == [100, 120]
    assert levels_crossed(projection, 1251) == []
    assert levels_crossed(projection, 800) == [100, 120, 150]
    assert levels_crossed(projection, 0) == []
    assert levels_crossed(None, 1000) == []
    few = Projection(arrived=19, mid=1500, low=1250, high=1800, share=0.33, days=8, early=False)
    assert levels_crossed(few, 1000) == []


def test_capacity_and_windows_needed():
    assert predictor.capacity(windows=23, items_per_window_day=50, threshold=None) == 1150
    assert predictor.capacity(windows=23, items_per_window_day=50, threshold=900) == 900
    assert predictor.windows_needed(projected=1404, items_per_window_day=50) == 29
    assert predictor.windows_needed(projected=1404, items_per_window_day=0) == 0
    assert cumulative([1, 0, 2, 3]) == [1, 1, 3, 6]


def _visit(hall, window, day, hour, minute, *, items=1, status=Visit.Status.COMPLETED, **kw):
    issued = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
    return VisitFactory(
        hall=hall,
        window=window,
        service_date=day,
        issued_at=issued,
        started_at=issued + dt.timedelta(minutes=20),
        finished_at=issued + dt.timedelta(minutes=28),
        status=status,
        item_count=items,
        **kw,
    )


@pytest.mark.django_db
def test_arrival_counts_are_grouped_by_local_slot_and_category_in_sql(django_assert_num_queries):
    hall = HallFactory()
    window = WindowFactory(hall=hall)
    category = QueueCategory.objects.create(hall=hall, name="医保", prefix="B")
    day = dt.date(2020, 11, 2)
    _visit(hall, window, day, 8, 59, items=2)  # slot 35
    _visit(hall, window, day, 9, 0)  # slot 36
    _visit(hall, window, day, 9, 14, items=3, category=category)  # slot 36
    _visit(hall, window, day, 9, 15, status=Visit.Status.NO_SHOW)  # slot 37
    _visit(hall, window, day, 9, 20, status=Visit.Status.ABANDONED)  # never an arrival
    _visit(hall, window, day, 16, 59, category=category)  # slot 67
    _visit(hall, window, dt.date(2020, 11, 3), 9, 0)  # another day
    with django_assert_num_queries(1):
        counts = arrival_counts(hall=hall, days=[day])
    assert set(counts) == {(day, None), (day, category.pk)}
    assert {i: n for i, n in enumerate(counts[(day, None)]) if n} == {35: 2, 36: 1, 37: 1}
    assert {i: n for i, n in enumerate(counts[(day, category.pk)]) if n} == {36: 3, 67: 1}
    hall_day = hall_totals(counts)[day]
    assert sum(hall_day) == 8
    assert cumulative(hall_day)[36] == 6
    # by start of service (a hall importing an outside queue's visits): 20 minutes later
    started = arrival_counts(hall=hall, days=[day], basis=STARTED)
    assert {i: n for i, n in enumerate(started[(day, None)]) if n} == {37: 3, 38: 1}
    assert arrival_basis(hall) == "issued"
    category.is_active = False
    category.save()
    assert arrival_basis(hall) == STARTED


@pytest.mark.django_db
def test_history_days_are_the_weekday_recently_and_a_year_ago_business_days_only():
    hall = HallFactory()
    days = history_days(hall=hall, today=dt.date(2020, 11, 2))  # a Monday
    assert days == [
        dt.date(2019, 10, 21),
        dt.date(2019, 10, 28),
        dt.date(2019, 11, 4),
        dt.date(2019, 11, 11),
        dt.date(2019, 11, 18),
        dt.date(2020, 9, 7),
        dt.date(2020, 9, 14),
        dt.date(2020, 9, 21),
        dt.date(2020, 9, 28),
        # 5 October: the National Day holiday (not a business day)
        dt.date(2020, 10, 12),
        dt.date(2020, 10, 19),
        dt.date(2020, 10, 26),
    ]
    # A holiday on which the hall served citizens (business_days' "served" rule) counts;
    # a visit on a day that is not a candidate (a Tuesday) changes nothing.
    window = WindowFactory(hall=hall)
    _visit(hall, window, dt.date(2020, 10, 5), 9, 0)
    _visit(hall, window, dt.date(2020, 10, 6), 9, 0)
    assert dt.date(2020, 10, 5) in history_days(hall=hall, today=dt.date(2020, 11, 2))
    assert len(history_days(hall=hall, today=dt.date(2020, 11, 2))) == 13


@pytest.mark.django_db
def test_items_per_window_day_is_learnt_from_the_rollups():
    hall = HallFactory()
    one, two = WindowFactory(hall=hall), WindowFactory(hall=hall)
    for offset, (a, b) in enumerate([(40, 20), (30, 30), (50, 50), (10, 10), (25, 35)]):
        day = dt.date(2020, 11, 2) - dt.timedelta(days=offset + 1)
        _visit(hall, one, day, 9, 0, items=a)
        _visit(hall, two, day, 9, 0, items=b)
    rollups_refresh(hall_id=hall.pk, start=dt.date(2020, 10, 1), end=dt.date(2020, 11, 1))
    # per window-day: 30, 30, 50, 10, 30 -> sorted 10 30 30 30 50: P90 = 30 + 0.6 * 20
    assert learnt_items_per_window_day(hall=hall, today=dt.date(2020, 11, 2)) == pytest.approx(42)
    assert learnt_items_per_window_day(hall=hall, today=dt.date(2020, 9, 1)) == 0.0


def test_a_level_is_confirmed_by_the_check_before():
    now = Projection(arrived=500, mid=1500, low=1250, high=1800, share=0.33, days=8, early=False)
    before = Projection(arrived=400, mid=1300, low=1050, high=1600, share=0.3, days=8, early=False)
    assert predictor.confirmed_levels(now, before, 1000) == [100]
    assert predictor.confirmed_levels(now, None, 1000) == []
    assert predictor.confirmed_levels(now, now, 1000) == [100, 120]
