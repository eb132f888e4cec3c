import datetime as dt

import pytest

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from evaluations.selectors import service_figures
from evaluations.selectors.results import (
    bad_reviews,
    figures_by_period,
    figures_by_staff,
    figures_by_window,
    mask_phone,
    staff_ratings,
)
from tests.windows.factories import HallFactory, StaffFactory, VisitFactory, WindowFactory
from windows.models import Visit

pytestmark = pytest.mark.django_db

NO_SHOW = {"status": Visit.Status.NO_SHOW, "finished_at": None}
TRANSFERRED = {"status": Visit.Status.TRANSFERRED, "finished_at": None}


def rate(visit, level, **extra):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.IMPORT, **extra
    )


def row(figures):
    return (
        figures.visits,
        figures.items,
        figures.rated,
        figures.good,
        figures.evaluation_rate_pct,
        figures.satisfaction_rate_pct,
    )


@pytest.fixture
def hall():
    return HallFactory(code="HR")


@pytest.fixture
def spread(hall):
    """Visits over three days of two weeks and two months (Wed 30 Sep - Mon 5 Oct 2020).

    Wed 30 Sep: 3 completed (items 2+1+1), rated 5 and 2, plus a transferred visit;
    Thu 1 Oct: only no-shows;
    Sun 4 Oct: 1 completed (3 items) rated 3 -- same week as 30 Sep, next month;
    Mon 5 Oct: 2 completed, rated 1 and 4, one no-show -- the next week.
    """
    window = WindowFactory(hall=hall, number=1)
    at = {"hall": hall, "window": window}
    wed, thu = dt.date(2020, 9, 30), dt.date(2020, 10, 1)
    sun, mon = dt.date(2020, 10, 4), dt.date(2020, 10, 5)
    rate(VisitFactory(**at, service_date=wed, item_count=2), 5)
    rate(VisitFactory(**at, service_date=wed), 2)
    VisitFactory(**at, service_date=wed)
    VisitFactory(**at, service_date=wed, **TRANSFERRED)
    VisitFactory(**at, service_date=thu, **NO_SHOW)
    VisitFactory(**at, service_date=thu, **NO_SHOW)
    rate(VisitFactory(**at, service_date=sun, item_count=3), 3)
    rate(VisitFactory(**at, service_date=mon), 1)
    rate(VisitFactory(**at, service_date=mon), 4)
    VisitFactory(**at, service_date=mon, **NO_SHOW)
    # outside the range asked for
    rate(VisitFactory(**at, service_date=dt.date(2020, 10, 6)), 5)
    return Visit.objects.filter(hall=hall)


RANGE = {"start": dt.date(2020, 9, 28), "end": dt.date(2020, 10, 5)}


def test_figures_by_day(spread):
    rows = figures_by_period(visits=spread, period="day", **RANGE)

    assert [(r.period_start, *row(r)) for r in rows] == [
        (dt.date(2020, 9, 30), 3, 4, 2, 1, 66.67, 50.0),
        (dt.date(2020, 10, 1), 0, 0, 0, 0, None, None),
        (dt.date(2020, 10, 4), 1, 3, 1, 1, 100.0, 100.0),
        (dt.date(2020, 10, 5), 2, 2, 2, 1, 100.0, 50.0),
    ]
    assert [(r.transferred, r.no_shows) for r in rows] == [(1, 0), (0, 2), (0, 0), (0, 1)]


def test_weeks_start_on_monday_across_a_month_boundary(spread):
    rows = figures_by_period(visits=spread, period="week", **RANGE)

    assert [(r.period_start, *row(r)) for r in rows] == [
        (dt.date(2020, 9, 28), 4, 7, 3, 2, 75.0, 66.67),
        (dt.date(2020, 10, 5), 2, 2, 2, 1, 100.0, 50.0),
    ]


def test_figures_by_month(spread):
    rows = figures_by_period(visits=spread, period="month", **RANGE)

    assert [(r.period_start, *row(r)) for r in rows] == [
        (dt.date(2020, 9, 1), 3, 4, 2, 1, 66.67, 50.0),
        (dt.date(2020, 10, 1), 3, 5, 3, 2, 100.0, 66.67),
    ]


def test_periods_add_up_to_the_service_figures_of_the_range(spread):
    rows = figures_by_period(visits=spread, period="week", **RANGE)
    total = service_figures(spread.filter(service_date__range=(RANGE["start"], RANGE["end"])))

    assert sum(r.visits for r in rows) == total.visits == 6
    assert sum(r.rated for r in rows) == total.rated == 5
    assert sum(r.bad for r in rows) == total.bad == 2


def test_an_unknown_period_is_refused(spread):
    with pytest.raises(ValueError):
        figures_by_period(visits=spread, period="year", **RANGE)


def test_windows_and_staff_have_one_row_each_with_zeros_when_idle(hall):
    other = HallFactory(code="HO")
    w3 = WindowFactory(hall=hall, number=3)
    w1 = WindowFactory(hall=hall, number=1)
    idle = WindowFactory(hall=hall, number=2)
    WindowFactory(hall=hall, number=9, is_active=False)  # closed and idle: not listed
    zhang = StaffFactory(hall=hall, badge_no="B02", display_name="张三")
    li = StaffFactory(hall=hall, badge_no="B01", display_name="李四")
    StaffFactory(hall=other, badge_no="B00")
    day = dt.date(2020, 9, 28)
    rate(VisitFactory(hall=hall, window=w1, staff=zhang, service_date=day, item_count=2), 5)
    rate(VisitFactory(hall=hall, window=w1, staff=zhang, service_date=day), 1)
    VisitFactory(hall=hall, window=w3, staff=zhang, service_date=day)
    VisitFactory(hall=hall, window=w3, staff=None, service_date=day)
    VisitFactory(hall=hall, window=w3, staff=zhang, service_date=day, **NO_SHOW)
    rate(VisitFactory(hall=hall, window=w3, staff=zhang, service_date=day + dt.timedelta(1)), 5)
    VisitFactory(hall=other, service_date=day)
    rollups_rebuild()

    windows = figures_by_window(hall=hall, start=day, end=day)
    staff = figures_by_staff(hall=hall, start=day, end=day)

    assert [(w.window.number, *row(w), w.bad) for w in windows] == [
        (1, 2, 3, 2, 1, 100.0, 50.0, 1),
        (2, 0, 0, 0, 0, None, None, 0),
        (3, 2, 2, 0, 0, 0.0, None, 0),
    ]
    assert windows[1].window == idle
    assert [(s.staff.badge_no, *row(s), s.no_shows) for s in staff] == [
        ("B01", 0, 0, 0, 0, None, None, 0),
        ("B02", 3, 4, 2, 1, 66.67, 50.0, 1),
    ]
    assert staff[0].staff == li


def test_an_inactive_window_with_visits_is_listed(hall):
    closed = WindowFactory(hall=hall, number=9, is_active=False)
    VisitFactory(hall=hall, window=closed, service_date=dt.date(2020, 9, 28))
    rollups_rebuild()

    rows = figures_by_window(hall=hall, start=dt.date(2020, 9, 28), end=dt.date(2020, 9, 28))

    assert [(r.window.number, r.visits) for r in rows] == [(9, 1)]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("025-52345678", "025****5678"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_phones_are_masked(phone, masked):
    assert mask_phone(phone) == masked


def test_bad_reviews_of_a_day(hall, english):
    window = WindowFactory(hall=hall, number=5, name="5号窗口")
    staff = StaffFactory(hall=hall, badge_no="B05", display_name="王五")
    day = dt.date(2020, 9, 28)
    early = VisitFactory(hall=hall, window=window, staff=staff, service_date=day)
    late = VisitFactory(
        hall=hall,
        window=window,
        service_date=day,
        started_at=dt.datetime(2020, 9, 28, 3, 0, tzinfo=dt.UTC),
    )
    rate(
        early,
        2,
        reasons=["long_wait", "attitude"],
        comment="等了很久",
        callback_phone="13812345678",
    )
    rate(late, 1, reasons=["other"])
    rate(VisitFactory(hall=hall, window=window, service_date=day), 3)
    rate(VisitFactory(hall=hall, window=window, service_date=day + dt.timedelta(1)), 1)
    rate(VisitFactory(hall=HallFactory(code="HO"), service_date=day), 1)

    reviews = bad_reviews(hall=hall, day=day)

    assert [(r.window_number, r.level, r.staff_name, r.badge_no) for r in reviews] == [
        (5, 1, "", ""),
        (5, 2, "王五", "B05"),
    ]
    assert reviews[0].masked_phone == ""
    second = reviews[1]
    assert second.reasons == ("long waiting time", "poor attitude")
    assert second.level_label == "dissatisfied"
    assert second.comment == "等了很久"
    assert second.masked_phone == "138****5678"
    assert second.window_name == "5号窗口"


def test_staff_ratings_are_only_their_own(hall):
    mine = StaffFactory(hall=hall)
    other = StaffFactory(hall=hall)
    day = dt.date(2020, 9, 28)
    kept = rate(VisitFactory(hall=hall, staff=mine, service_date=day), 4)
    rate(VisitFactory(hall=hall, staff=other, service_date=day), 5)
    rate(VisitFactory(hall=hall, staff=mine, service_date=day - dt.timedelta(1)), 5)

    assert list(staff_ratings(staff=mine, start=day, end=day)) == [kept]
