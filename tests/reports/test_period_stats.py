import datetime as dt

import pytest

from evaluations.models import Rating
from reports.selectors.periods import (
    PeriodStats,
    daily_items,
    general_share_pct,
    peak_days,
    period_comparison,
    period_stats,
)
from tests.reports import make_visit
from tests.windows.factories import (
    HallCalendarDayFactory,
    ServiceItemFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import HallCalendarDay, Visit

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2020, 4, 27), D(2020, 5, 10)  # across May Day 2020 (1-5 May off)
NO_REASONS = {"attitude": 0, "long_wait": 0, "notification": 0, "unskilled": 0, "other": 0}


@pytest.fixture
def period(hall_a):
    """Two weeks of hall A around May Day 2020; every figure below is counted by hand.

    Completed visits (wait, service in minutes): v1 10/5, v2 20/10, v5 60/30 at window 1
    (general zone, staff B001); v3 30/15, v4 40/20 at window 2 (specialist, staff B002).
    """
    general = WindowFactory(
        hall=hall_a,
        number=1,
        name="社保通办1号窗口",
        zone=ZoneFactory(hall=hall_a, name="社保通办"),
    )
    specialist = WindowFactory(hall=hall_a, number=2, name="专业2号窗口", zone=None)
    first = StaffFactory(hall=hall_a, badge_no="B001", display_name="张三")
    second = StaffFactory(hall=hall_a, badge_no="B002", display_name="李四")
    c01, c02, c03 = (ServiceItemFactory(code=code) for code in ("C01", "C02", "C03"))
    # Closed Thursday 7 May; open on Sunday 10 May (no visits).
    HallCalendarDayFactory(hall=hall_a, date=D(2020, 5, 7), kind=HallCalendarDay.Kind.CLOSURE)
    HallCalendarDayFactory(
        hall=hall_a, date=D(2020, 5, 10), kind=HallCalendarDay.Kind.EXTRA_OPENING
    )
    make_visit(
        hall_a,
        general,
        D(2020, 4, 28),
        items=2,
        wait=10,
        service=5,
        staff=first,
        level=5,
        codes=[c01, c02],
    )
    make_visit(
        hall_a,
        general,
        D(2020, 4, 28),
        items=1,
        wait=20,
        service=10,
        staff=first,
        level=2,
        reasons=["attitude", "long_wait"],
        codes=[c01],
    )
    make_visit(
        hall_a,
        specialist,
        D(2020, 4, 29),
        items=3,
        wait=30,
        service=15,
        staff=second,
        level=1,
        reasons=["long_wait"],
        codes=[c01, c02, c03],
    )
    # 4 May, a statutory holiday, with a completed visit: a business day.
    make_visit(
        hall_a, specialist, D(2020, 5, 4), items=1, wait=40, service=20, staff=second, codes=[c03]
    )
    # 5 May, a holiday with only a no-show: not a business day.
    make_visit(hall_a, general, D(2020, 5, 5), status=Visit.Status.NO_SHOW, staff=first)
    make_visit(hall_a, specialist, D(2020, 5, 6), status=Visit.Status.TRANSFERRED, staff=second)
    # Saturday 9 May, a make-up working day; the rating was excluded as a mistake.
    make_visit(
        hall_a,
        general,
        D(2020, 5, 9),
        items=1,
        wait=60,
        service=30,
        staff=first,
        level=1,
        reasons=["other"],
        excluded=Rating.Exclusion.MISTAKEN,
        codes=[c02],
    )
    return hall_a


# State working days 27-30 April and 6-9 May (9 May made up) = 8, minus the closure on
# 7 May, plus the extra opening on 10 May and the holiday 4 May with visits = 9.
HALL = PeriodStats(
    key="HA",
    label="甲大厅",
    visits=5,
    items=8,
    business_days=9,
    daily_average_items=0.9,
    evaluation_rate_pct=80.0,
    satisfaction_rate_pct=33.33,
    bad_reviews=2,
    bad_reviews_by_reason={**NO_REASONS, "attitude": 1, "long_wait": 2},
    avg_wait_seconds=1920.0,  # (600 + 1200 + 1800 + 2400 + 3600) / 5
    p90_wait_seconds=3120.0,  # position 3.6: 2400 + 0.6 * 1200
    avg_service_seconds=960.0,
    p90_service_seconds=1560.0,  # 1200 + 0.6 * 600
    no_shows=1,
    no_show_rate_pct=14.29,  # 1 of 7 visits
    general_share_pct=50.0,  # 4 of 8 items at window 1
    excluded_ratings=1,  # 9 May's, a mistake: rated, neither good nor bad
)
WINDOW_1 = PeriodStats(
    key="1",
    label="社保通办1号窗口",
    visits=3,
    items=4,
    business_days=9,
    daily_average_items=0.4,
    evaluation_rate_pct=100.0,
    satisfaction_rate_pct=50.0,
    bad_reviews=1,
    bad_reviews_by_reason={**NO_REASONS, "attitude": 1, "long_wait": 1},
    avg_wait_seconds=1800.0,
    p90_wait_seconds=3120.0,  # position 1.8 of 600, 1200, 3600
    avg_service_seconds=900.0,
    p90_service_seconds=1560.0,
    no_shows=1,
    no_show_rate_pct=25.0,
    general_share_pct=100.0,
    excluded_ratings=1,
)
WINDOW_2 = PeriodStats(
    key="2",
    label="专业2号窗口",
    visits=2,
    items=4,
    business_days=9,
    daily_average_items=0.4,
    evaluation_rate_pct=50.0,
    satisfaction_rate_pct=0.0,
    bad_reviews=1,
    bad_reviews_by_reason={**NO_REASONS, "long_wait": 1},
    avg_wait_seconds=2100.0,
    p90_wait_seconds=2340.0,  # position 0.9 of 1800, 2400
    avg_service_seconds=1050.0,
    p90_service_seconds=1170.0,
    no_shows=0,
    no_show_rate_pct=0.0,
    general_share_pct=0.0,
)


def test_the_hall_figures_of_a_period(period):
    assert period_stats(hall=period, start=START, end=END) == [HALL]


def test_the_general_share_alone_is_the_period_figure(period, hall_a):
    assert general_share_pct(hall=hall_a, start=START, end=END) == 50.0
    assert general_share_pct(hall=hall_a, start=D(2020, 6, 1), end=D(2020, 6, 7)) is None


def test_per_window(period):
    assert period_stats(hall=period, start=START, end=END, by="window") == [WINDOW_1, WINDOW_2]


def test_per_zone_with_the_specialist_windows_last(period):
    rows = period_stats(hall=period, start=START, end=END, by="zone")

    assert rows == [
        PeriodStats(**{**WINDOW_1.__dict__, "key": "社保通办", "label": "社保通办"}),
        PeriodStats(**{**WINDOW_2.__dict__, "key": "", "label": ""}),
    ]


def test_per_staff_member(period):
    rows = period_stats(hall=period, start=START, end=END, by="staff")

    assert rows == [
        PeriodStats(**{**WINDOW_1.__dict__, "key": "B001", "label": "张三"}),
        PeriodStats(**{**WINDOW_2.__dict__, "key": "B002", "label": "李四"}),
    ]


def test_per_service_item(period):
    rows = period_stats(hall=period, start=START, end=END, by="service_item")

    assert [(r.key, r.visits, r.items, r.general_share_pct) for r in rows] == [
        ("C01", 3, 3, 66.7),
        ("C02", 3, 3, 66.7),
        ("C03", 2, 2, 0.0),
    ]
    c01 = rows[0]
    assert (c01.avg_wait_seconds, c01.p90_wait_seconds) == (1200.0, 1680.0)
    assert (c01.avg_service_seconds, c01.p90_service_seconds) == (600.0, 840.0)
    assert c01.bad_reviews_by_reason == {**NO_REASONS, "attitude": 1, "long_wait": 2}
    assert (c01.evaluation_rate_pct, c01.satisfaction_rate_pct) == (100.0, 33.33)


def test_a_period_without_visits_has_one_empty_hall_row(period):
    rows = period_stats(hall=period, start=D(2020, 6, 1), end=D(2020, 6, 7))

    assert rows == [
        PeriodStats(
            key="HA",
            label="甲大厅",
            visits=0,
            items=0,
            business_days=5,
            daily_average_items=0.0,
            evaluation_rate_pct=None,
            satisfaction_rate_pct=None,
            bad_reviews=0,
            bad_reviews_by_reason=NO_REASONS,
            avg_wait_seconds=None,
            p90_wait_seconds=None,
            avg_service_seconds=None,
            p90_service_seconds=None,
            no_shows=0,
            no_show_rate_pct=None,
            general_share_pct=None,
        )
    ]
    assert period_stats(hall=period, start=D(2020, 6, 1), end=D(2020, 6, 7), by="window") == []


def test_an_unknown_grouping_is_refused(period):
    with pytest.raises(ValueError):
        period_stats(hall=period, start=START, end=END, by="department")


def test_a_single_visit_is_its_own_percentile(hall_a):
    make_visit(hall_a, WindowFactory(hall=hall_a), D(2020, 6, 1), wait=7, service=3)

    (row,) = period_stats(hall=hall_a, start=D(2020, 6, 1), end=D(2020, 6, 1))

    assert (row.p90_wait_seconds, row.p90_service_seconds) == (420.0, 180.0)


def test_the_comparison_with_the_days_before_and_the_year_before(period):
    make_visit(period, period.windows.get(number=1), D(2019, 5, 6), items=4)

    comparison = period_comparison(hall=period, start=D(2020, 5, 4), end=D(2020, 5, 10))

    assert comparison["current"].items == 2
    assert comparison["previous_period"].items == 6  # 27 April to 3 May
    assert comparison["previous_period"].business_days == 4  # 27-30 April
    assert comparison["same_period_last_year"].items == 4
    assert comparison["items_change_pct"] == -66.67
    assert comparison["items_yoy_pct"] == -50.0


def test_no_change_against_an_empty_period(period):
    comparison = period_comparison(hall=period, start=D(2020, 4, 27), end=D(2020, 5, 3))

    assert comparison["previous_period"].items == 0
    assert comparison["items_change_pct"] is None
    assert comparison["items_yoy_pct"] is None


def test_peak_days(period):
    assert peak_days(hall=period, start=START, end=END, limit=3) == [
        (D(2020, 4, 28), 3),
        (D(2020, 4, 29), 3),
        (D(2020, 5, 4), 1),
    ]


def test_daily_items_fill_the_days_without_visits(period):
    assert daily_items(hall=period, start=D(2020, 4, 27), end=D(2020, 4, 30)) == [
        (D(2020, 4, 27), 0),
        (D(2020, 4, 28), 3),
        (D(2020, 4, 29), 3),
        (D(2020, 4, 30), 0),
    ]
