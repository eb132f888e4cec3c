"""The queue's figures (reports.selectors.queue, issue 14 item 5): waiting from issue to
call, service from start to finish, no-shows and appointment punctuality per category,
window and staff member, with exact values on SQLite and PostgreSQL."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from evaluations.models import DailyFigures
from evaluations.rollups import rollups_refresh
from evaluations.selectors.rollups import average_duration
from reports.selectors.periods import period_stats
from reports.selectors.queue import queue_figures, queue_stats_json
from reports.selectors.volume import hall_volume_stats
from tests.reports import NO_QUEUE
from tests.reports.test_hall_stats_command import hall as volume_hall  # noqa: F401 (fixture)
from tests.windows.factories import SHANGHAI, StaffFactory, VisitFactory, WindowFactory
from windows.models import Appointment, AppointmentSlot, QueueCall, QueueCategory, Visit

DAY = dt.date(2026, 3, 2)
COMPLETED, TRANSFERRED, NO_SHOW = "completed", "transferred", "no_show"


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def ticket(hall, category, window, staff, *, wait, service=0, status=COMPLETED, called=True):
    """A queue ticket issued at 09:00, called after `wait` minutes (no call time recorded
    when not `called`: then served at once), served a minute after its call."""
    issued = at(9)
    called_at = issued + dt.timedelta(minutes=wait)
    started = called_at + dt.timedelta(minutes=1) if called else called_at
    visit = VisitFactory(
        hall=hall,
        category=category,
        window=window,
        staff=staff,
        service_date=DAY,
        issued_at=issued,
        called_at=called_at if called else None,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=service) if status == COMPLETED else None,
        status=status,
    )
    if category is not None and called:  # as windows.queue.services.ticket_call_next does
        QueueCall.objects.create(hall=hall, visit=visit, window=window, called_at=called_at)
    return visit


@pytest.fixture
def queue(hall_a):
    """Category A: waits 5, 10, 20 (completed, served 4, 6, 8 min) and a no-show after 30;
    category M: a completed ticket without a call time (waited 3 until its start, served
    5) and a transfer after 7. Beside them: a visit without a category (waited 50), and a
    waiting, a called and an abandoned ticket, which are in no figure."""
    one, two = WindowFactory(hall=hall_a, number=1), WindowFactory(hall=hall_a, number=2)
    s1 = StaffFactory(hall=hall_a, badge_no="S1", display_name="张一")
    s2 = StaffFactory(hall=hall_a, badge_no="S2", display_name="李二")
    a = QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A", sort_order=1)
    m = QueueCategory.objects.create(hall=hall_a, name="医保专窗", prefix="M", sort_order=2)
    ticket(hall_a, a, one, s1, wait=5, service=4)
    ticket(hall_a, a, one, s1, wait=10, service=6)
    ticket(hall_a, a, two, s2, wait=20, service=8)
    ticket(hall_a, a, two, s2, wait=30, status=NO_SHOW)
    ticket(hall_a, m, two, s2, wait=3, service=5, called=False)
    ticket(hall_a, m, one, s1, wait=7, status=TRANSFERRED)
    ticket(hall_a, None, one, s1, wait=50, service=9)  # an outside queue system's visit
    base = {"hall": hall_a, "category": a, "service_date": DAY, "issued_at": at(10)}
    VisitFactory(**base, window=None, staff=None, started_at=None, finished_at=None,
                 status=Visit.Status.WAITING)  # fmt: skip
    VisitFactory(**base, window=one, staff=s1, called_at=at(10, 5), started_at=None,
                 finished_at=None, status=Visit.Status.CALLED)  # fmt: skip
    VisitFactory(**base, window=None, staff=None, started_at=None, finished_at=None,
                 status=Visit.Status.ABANDONED)  # fmt: skip
    rollups_refresh(hall_id=hall_a.pk, start=DAY, end=DAY)
    return a, m


def appointment(hall, category, slot, code, *, day=DAY, status="booked", checked_in=None):
    starts = dt.datetime.combine(day, slot.starts_at, tzinfo=SHANGHAI)
    return Appointment.objects.create(
        hall=hall,
        category=category,
        slot=slot,
        day=day,
        starts_at=starts,
        ends_at=dt.datetime.combine(day, slot.ends_at, tzinfo=SHANGHAI),
        name="王五",
        phone="13800000000",
        id_last4="1234",
        code=code,
        status=status,
        checked_in_at=None if checked_in is None else starts + dt.timedelta(minutes=checked_in),
    )


@pytest.fixture
def appointments(hall_a, queue):
    """Category A on DAY: checked in 5 minutes early, right at the start, 3 minutes late,
    one missed, one cancelled (left out); and one of the next day (outside the range)."""
    a, _m = queue
    slot = AppointmentSlot.objects.create(category=a, starts_at=dt.time(9), ends_at=dt.time(10))
    appointment(hall_a, a, slot, "C1", status="checked_in", checked_in=-5)
    appointment(hall_a, a, slot, "C2", status="checked_in", checked_in=0)
    appointment(hall_a, a, slot, "C3", status="checked_in", checked_in=3)
    appointment(hall_a, a, slot, "C4", status="missed")
    appointment(hall_a, a, slot, "C5", status="cancelled")
    appointment(hall_a, a, slot, "C6", day=DAY + dt.timedelta(days=1), status="missed")


def figures(row) -> tuple:
    return (
        row.key,
        row.label,
        row.tickets,
        row.visits,
        row.no_shows,
        row.no_show_rate_pct,
        row.mean_wait_minutes,
        row.p90_wait_minutes,
        row.mean_service_minutes,
        row.appointments,
        row.appointments_on_time,
        row.appointments_missed,
        row.punctuality_pct,
    )


def test_per_category_window_and_staff(hall_a, queue, appointments):
    report = queue_figures(hall=hall_a, start=DAY, end=DAY)

    # Waits of the completed tickets: A 5, 10, 20 -> mean 11.67, p90 at position 1.8:
    # 10 + 0.8 x 10 = 18; M 3 (no call time: issue to start). The no-show and the transfer
    # count as tickets, not in the times; the visit without a category is not the queue's.
    assert [figures(row) for row in report.categories] == [
        ("A", "社保通办", 4, 3, 1, 25.0, 11.67, 18.0, 6.0, 4, 2, 1, 50.0),
        ("M", "医保专窗", 2, 1, 0, 0.0, 3.0, 3.0, 5.0, 0, 0, 0, None),
    ]
    # Hall: waits 3, 5, 10, 20 -> mean 9.5, p90 at position 2.7: 10 + 0.7 x 10 = 17.
    assert figures(report.hall) == ("HA", "甲大厅", 6, 4, 1, 16.67, 9.5, 17.0, 5.75, 4, 2, 1, 50.0)
    # Window 1: waits 5, 10 (p90 9.5); window 2: waits 20, 3 (p90 3 + 0.9 x 17 = 18.3).
    window_rows = [
        ("1", "", 3, 2, 0, 0.0, 7.5, 9.5, 5.0, None, None, None, None),
        ("2", "", 3, 2, 1, 33.33, 11.5, 18.3, 6.5, None, None, None, None),
    ]
    names = {row.key: row.label for row in report.windows}
    assert [figures(row)[:1] + figures(row)[2:] for row in report.windows] == [
        row[:1] + row[2:] for row in window_rows
    ]
    assert names == {
        "1": hall_a.windows.get(number=1).name,
        "2": hall_a.windows.get(number=2).name,
    }
    assert [figures(row) for row in report.staff] == [
        ("S1", "张一", 3, 2, 0, 0.0, 7.5, 9.5, 5.0, None, None, None, None),
        ("S2", "李二", 3, 2, 1, 33.33, 11.5, 18.3, 6.5, None, None, None, None),
    ]


def test_the_rollups_and_the_bulletin_figures_wait_until_the_call(hall_a, queue):
    """The one rule: the rollups' wait sum and period_stats' waits run to the call too."""
    waits = DailyFigures.objects.filter(hall=hall_a).values_list("wait_microseconds", "visits")
    total = sum(wait for wait, _visits in waits)
    # Completed: 5, 10, 20, 3 (the queue) and 50 (no category) minutes to their call.
    assert total == (5 + 10 + 20 + 3 + 50) * 60_000_000
    assert average_duration(total, 5) == dt.timedelta(minutes=17.6)
    [row] = period_stats(hall=hall_a, start=DAY, end=DAY)
    assert (row.avg_wait_seconds, row.p90_wait_seconds) == (1056.0, 2280.0)  # 20 + 0.6 x 30
    assert row.avg_service_seconds == 384.0  # 4, 6, 8, 5, 9 minutes


def test_no_queue_data_gives_zeros_and_empty_lists(hall_a):
    WindowFactory(hall=hall_a, number=1)
    report = queue_figures(hall=hall_a, start=DAY, end=DAY)

    assert (report.has_data, report.categories, report.windows, report.staff) == (
        False,
        [],
        [],
        [],
    )
    assert queue_stats_json(hall=hall_a, start=DAY, end=DAY) == NO_QUEUE


def test_another_halls_queue_is_not_counted(hall_a, hall_b, queue, appointments):
    assert queue_stats_json(hall=hall_b, start=DAY, end=DAY) == NO_QUEUE


def test_the_range_is_the_service_dates(hall_a, queue, appointments):
    after = DAY + dt.timedelta(days=1)
    report = queue_figures(hall=hall_a, start=after, end=after)

    assert figures(report.hall) == ("HA", "甲大厅", 0, 0, 0, None, None, None, None, 1, 0, 1, 0.0)
    assert [row.key for row in report.categories] == ["A"]  # its missed appointment


def test_an_unknown_grouping_is_refused(hall_a):
    with pytest.raises(ValueError, match="groups must be among category, window, staff"):
        queue_figures(hall=hall_a, start=DAY, end=DAY, groups=("zone",))


def test_hall_stats_gives_the_queue_object(hall_a, queue, appointments):
    """The year's figures without the 90th percentile (queue_summary: no sort of a year's
    waits); the hall's are the sums of its categories'."""
    out = io.StringIO()
    call_command("hall_stats", "--hall", "HA", "--year", "2026", "--json", stdout=out)
    stats = json.loads(out.getvalue())

    assert stats["queue"] == {
        "tickets": 6,
        "visits": 4,
        "no_shows": 1,
        "no_show_rate_pct": 16.67,
        "mean_wait_minutes": 9.5,
        "mean_service_minutes": 5.75,
        "appointments": 5,  # the year's: the next day's missed one too
        "appointments_on_time": 2,
        "appointments_missed": 2,
        "punctuality_pct": 40.0,
        "categories": [
            {
                "prefix": "A",
                "name": "社保通办",
                "tickets": 4,
                "visits": 3,
                "no_shows": 1,
                "no_show_rate_pct": 25.0,
                "mean_wait_minutes": 11.67,
                "mean_service_minutes": 6.0,
                "appointments": 5,
                "appointments_on_time": 2,
                "appointments_missed": 2,
                "punctuality_pct": 40.0,
            },
            {
                "prefix": "M",
                "name": "医保专窗",
                "tickets": 2,
                "visits": 1,
                "no_shows": 0,
                "no_show_rate_pct": 0.0,
                "mean_wait_minutes": 3.0,
                "mean_service_minutes": 5.0,
                "appointments": 0,
                "appointments_on_time": 0,
                "appointments_missed": 0,
                "punctuality_pct": None,
            },
        ],
    }
    # Every other key is the volume object of before: the queue's visits count as visits.
    assert (stats["visits_total"], stats["items_total"]) == (5, 5)
    assert list(stats) == [*OLD_KEYS, "queue"]


OLD_KEYS = [
    "hall",
    "year",
    "items_total",
    "visits_total",
    "business_days",
    "daily_average_items",
    "previous_year_items_total",
    "yoy_change_pct",
    "peak_day",
    "evaluation_rate_pct",
    "satisfaction_rate_pct",
    "months",
]


def test_the_api_gives_the_same_object(client, hall_a, manager_a, queue):
    client.force_login(manager_a)
    response = client.get("/api/v1/halls/HA/stats/volume/?year=2026")

    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(hall_volume_stats(hall=hall_a, year=2026)))
    assert response.json()["queue"]["tickets"] == 6


# `hall_stats --hall HA --year 2021 --json` of tests/reports/test_hall_stats_command.py's
# hall, printed by the code before the queue (commit f8c272e~1).
BEFORE_THE_QUEUE = (
    '{"hall": "HA", "year": 2021, "items_total": 6, "visits_total": 3, '
    '"business_days": 250, "daily_average_items": 0.0, "previous_year_items_total": 5, '
    '"yoy_change_pct": 20.0, "peak_day": {"date": "2021-01-04", "items": 3}, '
    '"evaluation_rate_pct": 66.67, "satisfaction_rate_pct": 50.0, '
    '"months": [{"month": 1, "items": 4, "visits": 2, "previous_year_items": 0, '
    '"mom_change_pct": null, "general_share_pct": 75.0}, {"month": 2, "items": 2, '
    '"visits": 1, "previous_year_items": 0, "mom_change_pct": -50.0, '
    '"general_share_pct": 100.0}, {"month": 3, "items": 0, "visits": 0, '
    '"previous_year_items": 0, "mom_change_pct": -100.0, "general_share_pct": null}, '
    '{"month": 4, "items": 0, "visits": 0, "previous_year_items": 0, '
    '"mom_change_pct": null, "general_share_pct": null}, {"month": 5, "items": 0, '
    '"visits": 0, "previous_year_items": 0, "mom_change_pct": null, '
    '"general_share_pct": null}, {"month": 6, "items": 0, "visits": 0, '
    '"previous_year_items": 0, "mom_change_pct": null, "general_share_pct": null}, '
    '{"month": 7, "items": 0, "visits": 0, "previous_year_items": 0, '
    '"mom_change_pct": null, "general_share_pct": null}, {"month": 8, "items": 0, '
    '"visits": 0, "previous_year_items": 0, "mom_change_pct": null, '
    '"general_share_pct": null}, {"month": 9, "items": 0, "visits": 0, '
    '"previous_year_items": 0, "mom_change_pct": null, "general_share_pct": null}, '
    '{"month": 10, "items": 0, "visits": 0, "previous_year_items": 0, '
    '"mom_change_pct": null, "general_share_pct": null}, {"month": 11, "items": 0, '
    '"visits": 0, "previous_year_items": 0, "mom_change_pct": null, '
    '"general_share_pct": null}, {"month": 12, "items": 0, "visits": 0, '
    '"previous_year_items": 5, "mom_change_pct": null, "general_share_pct": null}]}'
)


@pytest.mark.usefixtures("volume_hall")  # test_hall_stats_command's hall
def test_a_hall_without_the_queue_prints_the_same_bytes_and_the_new_key():
    out = io.StringIO()
    call_command("hall_stats", "--hall", "HA", "--year", "2021", "--json", stdout=out)

    queue = json.dumps(NO_QUEUE, ensure_ascii=False)
    assert out.getvalue() == BEFORE_THE_QUEUE[:-1] + ', "queue": ' + queue + "}\n"


def test_the_summary_is_the_figures_without_the_percentile(hall_a, queue, appointments):
    from dataclasses import replace

    from reports.selectors.queue import queue_summary

    full = queue_figures(hall=hall_a, start=DAY, end=DAY, groups=("category",))
    summary = queue_summary(hall=hall_a, start=DAY, end=DAY)

    assert summary.hall == replace(full.hall, p90_wait_minutes=None)
    assert summary.categories == [replace(row, p90_wait_minutes=None) for row in full.categories]
