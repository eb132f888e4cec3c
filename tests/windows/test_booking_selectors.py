"""The booking page's reads: days, places left, masked phones and the quiet hours (错峰办)."""

import datetime as dt

import pytest

from tests.windows.factories import SHANGHAI, VisitFactory, WindowFactory
from windows import workdays
from windows.booking.selectors import (
    bookable_days,
    quiet_hours,
    slot_choices,
)
from windows.models import Appointment, AppointmentSlot, QueueCategory, Visit, Window

NOW = dt.datetime(2026, 3, 2, 9, 10, tzinfo=SHANGHAI)  # a Monday


@pytest.fixture
def weekdays_only(monkeypatch):
    """Monday to Friday: 8 weeks are 40 business days, whatever the state calendar says."""
    monkeypatch.setattr(workdays, "state_is_workday", lambda day: day.weekday() < 5)


@pytest.fixture
def category(hall_a):
    return QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")


def test_fourteen_business_days_from_today(hall_a, weekdays_only):
    days = bookable_days(hall=hall_a, now=NOW)

    assert (len(days), days[0], days[-1]) == (14, dt.date(2026, 3, 2), dt.date(2026, 3, 19))
    assert dt.date(2026, 3, 7) not in days


def test_places_left_count_booked_and_checked_in_of_that_day(hall_a, category):
    early = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30), capacity=3
    )
    late = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30), capacity=1
    )
    statuses = ["booked", "checked_in", "cancelled", "missed"]
    for number, status in enumerate(statuses):
        Appointment.objects.create(
            hall=hall_a,
            category=category,
            slot=late if status == "checked_in" else early,
            day=dt.date(2026, 3, 2),
            starts_at=NOW,
            ends_at=NOW,
            name="张三",
            phone="13812345678",
            id_last4="1234",
            code=f"CODE000{number}",
            status=status,
        )

    rows = [
        (c.slot.pk, c.capacity, c.taken, c.remaining, c.begun, c.bookable)
        for c in slot_choices(category=category, day=dt.date(2026, 3, 2), now=NOW)
    ]
    tomorrow = [
        (c.taken, c.begun, c.bookable)
        for c in slot_choices(category=category, day=dt.date(2026, 3, 3), now=NOW)
    ]

    assert rows == [(early.pk, 3, 1, 2, True, False), (late.pk, 1, 1, 0, False, False)]
    assert tomorrow == [(0, False, True), (0, False, True)]


# --- quiet hours ----------------------------------------------------------------------------

COUNTS = {9: 40, 10: 20, 11: 12, 12: 4, 13: 8, 14: 16, 15: 28, 16: 24}
WEEKDAYS = [
    dt.date(2026, 1, 5) + dt.timedelta(days=n)
    for n in range(56)
    if (dt.date(2026, 1, 5) + dt.timedelta(days=n)).weekday() < 5
]


def visits(hall, category, counts, *, status=Visit.Status.COMPLETED):
    window = Window.objects.filter(hall=hall).first() or WindowFactory(hall=hall, number=1)
    rows = []
    for hour, count in counts.items():
        for number in range(count):
            day = WEEKDAYS[number % len(WEEKDAYS)]
            issued = dt.datetime.combine(day, dt.time(hour, 15), tzinfo=SHANGHAI)
            rows.append(
                VisitFactory.build(
                    hall=hall,
                    window=window,
                    category=category,
                    service_date=day,
                    issued_at=issued,
                    started_at=issued + dt.timedelta(minutes=10),
                    status=status,
                )
            )
    Visit.objects.bulk_create(rows)


def test_the_average_per_hour_over_8_weeks_flags_the_two_quietest(hall_a, category, weekdays_only):
    visits(hall_a, category, COUNTS)
    # Not counted: today's visits, visits before the 8 weeks, visits not completed.
    VisitFactory(
        hall=hall_a,
        window=Visit.objects.first().window,
        category=category,
        service_date=dt.date(2026, 3, 2),
        issued_at=dt.datetime(2026, 3, 2, 8, 40, tzinfo=SHANGHAI),
        started_at=dt.datetime(2026, 3, 2, 8, 50, tzinfo=SHANGHAI),
    )
    VisitFactory(
        hall=hall_a,
        window=Visit.objects.first().window,
        category=category,
        service_date=dt.date(2026, 1, 2),
        issued_at=dt.datetime(2026, 1, 2, 8, 40, tzinfo=SHANGHAI),
        started_at=dt.datetime(2026, 1, 2, 8, 50, tzinfo=SHANGHAI),
    )
    visits(hall_a, category, {8: 30}, status=Visit.Status.NO_SHOW)

    quiet = quiet_hours(hall=hall_a, category=category, now=NOW)

    assert (quiet.of_category, quiet.days) == (True, 40)
    assert [(h.hour, h.average, h.quiet, h.share) for h in quiet.hours] == [
        (8, 0.0, False, 0),  # nobody served then: a break, not a quiet time
        (9, 1.0, False, 100),
        (10, 0.5, False, 50),
        (11, 0.3, False, 30),
        (12, 0.1, True, 10),
        (13, 0.2, True, 20),
        (14, 0.4, False, 40),
        (15, 0.7, False, 70),
        (16, 0.6, False, 60),
    ]


def test_a_category_without_history_gets_the_halls(hall_a, category, weekdays_only):
    other = QueueCategory.objects.create(hall=hall_a, name="医保业务", prefix="B")
    visits(hall_a, category, {9: 40, 10: 4})

    quiet = quiet_hours(hall=hall_a, category=other, now=NOW)
    hall_wide = quiet_hours(hall=hall_a, now=NOW)

    assert quiet.of_category is False
    assert [(h.hour, h.average, h.quiet) for h in quiet.hours][:4] == [
        (8, 0.0, False),
        (9, 1.0, False),
        (10, 0.1, True),
        (11, 0.0, False),
    ]
    assert [(h.hour, h.average, h.quiet) for h in hall_wide.hours] == [
        (9, 1.0, False),
        (10, 0.1, True),
    ]


def test_no_history_no_suggestion(hall_a, hall_b, category, weekdays_only):
    visits(hall_b, QueueCategory.objects.create(hall=hall_b, name="社保通办", prefix="A"), COUNTS)

    quiet = quiet_hours(hall=hall_a, category=category, now=NOW)

    assert (quiet.hours, quiet.of_category, quiet.days) == ([], False, 40)
