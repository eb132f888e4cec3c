"""The readers of a date range read the daily rollups, and give what the visits give (issue 13).

The results pages, bulletins and the dashboard used to sum every visit of the range; they
now sum the rollups (evaluations.models.DailyFigures). These tests fill a hall with visits
of every kind, build the rollups, and check that each reader (a) sends no query to the
visits table when it needs none, and (b) gives exactly the figures the visits give,
the averages to the displayed decimal as Avg() gave them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Avg
from django.test.utils import CaptureQueriesContext

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from evaluations.selectors import service_figures
from evaluations.selectors.live import live_figures
from evaluations.selectors.results import (
    day_figures_by_window,
    day_totals,
    figures_by_period,
    figures_by_staff,
    figures_by_window,
    hall_totals,
    staff_figures_by_period,
    staff_totals,
)
from reports.selectors.dashboard import dashboard_years
from reports.selectors.periods import SERVICE, WAIT, daily_items, peak_days, period_stats
from reports.selectors.trends import monthly_rate_trends
from tests.windows.factories import (
    SHANGHAI,
    HallFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import Staff, Visit, Zone
from windows.rules.rounding import round_half_up

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 2, 22), dt.date(2021, 3, 14)  # three weeks across a month end
VISITS_TABLE = Visit._meta.db_table


def _rate(visit, level, **extra):
    Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.IMPORT, **extra
    )


@pytest.fixture
def mixed():
    """Hall RA over three weeks: two windows (one general), two staff and visits with no
    staff member; completed, transferred, no-show, in-service and abandoned visits; good,
    bad, excluded and historical bad ratings; waits and service times with odd microseconds.
    Hall RB on the same days, never counted in RA's figures."""
    hall = HallFactory(code="RA", name="汇总大厅")
    general = WindowFactory(
        hall=hall, number=1, zone=ZoneFactory(hall=hall, kind=Zone.Kind.GENERAL)
    )
    specialist = WindowFactory(hall=hall, number=2)
    members = [
        StaffFactory(hall=hall, badge_no="R01"),
        StaffFactory(hall=hall, badge_no="R02"),
        None,
    ]
    statuses = [Visit.Status.COMPLETED] * 5 + [Visit.Status.TRANSFERRED, Visit.Status.NO_SHOW]
    day = START - dt.timedelta(days=3)
    n = 0
    while day <= END + dt.timedelta(days=3):
        for slot in range(day.day % 5 + 2):
            n += 1
            status = statuses[n % len(statuses)]
            started = dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI) + dt.timedelta(
                minutes=9 * slot, microseconds=n * 7919
            )
            finished = started + dt.timedelta(seconds=300 + n * 37, microseconds=n * 104729)
            visit = VisitFactory(
                hall=hall,
                window=general if n % 3 else specialist,
                staff=members[n % 3],
                ticket_no=f"R{n:04d}",
                service_date=day,
                issued_at=started - dt.timedelta(seconds=60 + n * 53, microseconds=n * 3571),
                started_at=started,
                finished_at=finished if status == Visit.Status.COMPLETED else None,
                status=status,
                item_count=1 + n % 4,
            )
            if status == Visit.Status.COMPLETED and n % 4:
                extra = {}
                if n % 11 == 0:
                    extra["excluded"] = Rating.Exclusion.MALICIOUS
                if n % 13 == 0:
                    extra["historical_followup_skipped"] = True
                _rate(visit, 1 + n % 5, reasons=["long_wait"] if n % 2 else ["attitude"], **extra)
        day += dt.timedelta(days=1)
    # A visit still in service and one abandoned: in no figure.
    VisitFactory(
        hall=hall,
        window=specialist,
        service_date=END,
        status=Visit.Status.IN_SERVICE,
        finished_at=None,
    )
    VisitFactory(
        hall=hall,
        window=general,
        service_date=START,
        status=Visit.Status.ABANDONED,
        finished_at=None,
    )
    other = HallFactory(code="RB")
    for day in (START, END):
        _rate(VisitFactory(hall=other, service_date=day, item_count=9), 1)
    rollups_rebuild()
    return hall


def _visits(hall, start=START, end=END, **key):
    return Visit.objects.filter(hall=hall, service_date__range=(start, end), **key)


def _reads_no_visits(read) -> None:
    with CaptureQueriesContext(connection) as queries:
        read()
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if VISITS_TABLE in q["sql"]]


def test_the_range_readers_send_no_query_to_the_visits(mixed):
    staff = Staff.objects.get(hall=mixed, badge_no="R01")
    span = {"start": START, "end": END}
    for read in (
        lambda: hall_totals(hall=mixed, **span),
        lambda: figures_by_window(hall=mixed, **span),
        lambda: figures_by_staff(hall=mixed, **span),
        lambda: staff_totals(staff=staff, **span),
        lambda: staff_figures_by_period(staff=staff, period="week", **span),
        lambda: monthly_rate_trends(hall=mixed, year=2021),
        lambda: daily_items(hall=mixed, **span),
        lambda: peak_days(hall=mixed, **span),
        lambda: dashboard_years(hall=mixed, year=2021, today=END),
    ):
        _reads_no_visits(read)


def test_the_hall_and_its_windows_and_staff_have_the_visits_figures(mixed):
    assert hall_totals(hall=mixed, start=START, end=END) == service_figures(_visits(mixed))
    windows = figures_by_window(hall=mixed, start=START, end=END)
    assert [row.window.number for row in windows] == [1, 2]
    for row in windows:
        got = {name: getattr(row, name) for name in service_figures(_visits(mixed)).__dict__}
        assert got == service_figures(_visits(mixed, window=row.window)).__dict__
    staff = figures_by_staff(hall=mixed, start=START, end=END)
    assert [row.staff.badge_no for row in staff] == ["R01", "R02"]
    for row in staff:
        got = {name: getattr(row, name) for name in service_figures(_visits(mixed)).__dict__}
        assert got == service_figures(_visits(mixed, staff=row.staff)).__dict__
        assert staff_totals(staff=row.staff, start=START, end=END) == service_figures(
            _visits(mixed, staff=row.staff)
        )


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_a_staff_members_periods_are_those_of_their_visits(mixed, period):
    member = Staff.objects.get(hall=mixed, badge_no="R02")

    got = staff_figures_by_period(staff=member, period=period, start=START, end=END)

    assert got == figures_by_period(
        visits=Visit.objects.filter(staff=member), period=period, start=START, end=END
    )
    assert len(got) > 1


def test_the_months_rates_are_those_of_their_visits(mixed):
    trends = {row.month: row for row in monthly_rate_trends(hall=mixed, year=2021)}

    for month, (start, end) in {
        2: (dt.date(2021, 2, 1), dt.date(2021, 2, 28)),
        3: (dt.date(2021, 3, 1), dt.date(2021, 3, 31)),
    }.items():
        expected = service_figures(_visits(mixed, start, end))
        assert {name: getattr(trends[month], name) for name in expected.__dict__} == (
            expected.__dict__
        )
    assert trends[1].visits == 0


def _avg_seconds(visits, expression) -> float | None:
    value = visits.completed().aggregate(value=Avg(expression))["value"]
    return None if value is None else round_half_up(value.total_seconds(), 1)


@pytest.mark.parametrize("by", ["hall", "window", "staff", "zone"])
def test_the_averages_are_avgs_to_the_decimal_shown(mixed, by):
    rows = period_stats(hall=mixed, start=START, end=END, by=by)

    visits = _visits(mixed)
    groups = {
        "hall": lambda row: visits,
        "window": lambda row: visits.filter(window__number=int(row.key)),
        "staff": lambda row: visits.filter(staff__badge_no=row.key),
        "zone": lambda row: (
            visits.filter(window__zone__name=row.key)
            if row.key
            else visits.exclude(window__zone__kind=Zone.Kind.GENERAL)
        ),
    }
    assert rows
    for row in rows:
        group = groups[by](row)
        assert (row.avg_wait_seconds, row.avg_service_seconds) == (
            _avg_seconds(group, WAIT),
            _avg_seconds(group, SERVICE),
        )
        assert row.visits == group.completed().count()


def test_an_average_half_a_microsecond_off_a_tenth_rounds_as_avg_did(db):
    """Three waits summing to 3 x 1.05 s less 1 microsecond: the mean, 1.0499997 s, is
    1.050000 s at Avg()'s microsecond, so 1.1 s shown, as before the rollups."""
    hall = HallFactory(code="RC")
    window = WindowFactory(hall=hall, number=1)
    day = dt.date(2021, 3, 1)
    started = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
    for n, wait in enumerate((1_000_000, 1_000_000, 1_149_999)):
        VisitFactory(
            hall=hall,
            window=window,
            ticket_no=f"C{n}",
            service_date=day,
            started_at=started + dt.timedelta(minutes=n),
            issued_at=started + dt.timedelta(minutes=n, microseconds=-wait),
        )
    rollups_rebuild()

    (row,) = period_stats(hall=hall, start=day, end=day)

    assert row.avg_wait_seconds == _avg_seconds(Visit.objects.filter(hall=hall), WAIT) == 1.1


def test_the_daily_series_and_peaks_are_the_completed_visits_items(mixed):
    completed = _visits(mixed).completed()
    by_day: dict[dt.date, int] = {}
    for day, items in completed.values_list("service_date", "item_count"):
        by_day[day] = by_day.get(day, 0) + items

    assert dict(daily_items(hall=mixed, start=START, end=END)) == {
        START + dt.timedelta(days=n): by_day.get(START + dt.timedelta(days=n), 0)
        for n in range((END - START).days + 1)
    }
    expected_peaks = sorted(by_day.items(), key=lambda pair: (-pair[1], pair[0]))[:5]
    assert peak_days(hall=mixed, start=START, end=END) == expected_peaks


def test_a_day_of_only_no_shows_is_no_peak_day(db):
    hall = HallFactory(code="RD")
    window = WindowFactory(hall=hall)
    VisitFactory(hall=hall, window=window, service_date=dt.date(2021, 3, 1), item_count=2)
    VisitFactory(
        hall=hall,
        window=window,
        service_date=dt.date(2021, 3, 2),
        status=Visit.Status.NO_SHOW,
        finished_at=None,
    )
    rollups_rebuild()

    assert peak_days(hall=hall, start=dt.date(2021, 3, 1), end=dt.date(2021, 3, 2)) == [
        (dt.date(2021, 3, 1), 2)
    ]


def test_todays_live_figures_are_read_from_todays_visits(mixed):
    """The live block reads the visits of the day, the same figures as the rollups' day."""
    day = END
    assert day_totals(hall=mixed, day=day) == hall_totals(hall=mixed, start=day, end=day)
    assert day_figures_by_window(hall=mixed, day=day) == figures_by_window(
        hall=mixed, start=day, end=day
    )
    with CaptureQueriesContext(connection) as queries:
        live_figures(hall=mixed)
    assert not [q for q in queries.captured_queries if "dailyfigures" in q["sql"]]
