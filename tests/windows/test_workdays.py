from datetime import date

import pytest

from tests.windows.factories import HallCalendarDayFactory, HallFactory, VisitFactory
from windows.models import HallCalendarDay, Visit
from windows.workdays import business_days, is_business_day, state_is_workday

pytestmark = pytest.mark.django_db


def test_national_day_week_of_2020_follows_the_state_calendar():
    hall = HallFactory()

    days = business_days(hall=hall, start=date(2020, 9, 26), end=date(2020, 10, 11))

    # 9-27 (Sunday) and 10-10 (Saturday) are make-up working days; 10-1..10-8 are off.
    assert days == [
        date(2020, 9, 27),
        date(2020, 9, 28),
        date(2020, 9, 29),
        date(2020, 9, 30),
        date(2020, 10, 9),
        date(2020, 10, 10),
    ]


def test_a_closure_removes_a_working_day_and_an_extra_opening_adds_a_weekend_day():
    hall = HallFactory()
    HallCalendarDayFactory(hall=hall, date=date(2020, 9, 29), reason="系统升级")
    HallCalendarDayFactory(
        hall=hall, date=date(2020, 10, 11), kind=HallCalendarDay.Kind.EXTRA_OPENING
    )

    days = business_days(hall=hall, start=date(2020, 9, 26), end=date(2020, 10, 11))

    assert days == [
        date(2020, 9, 27),
        date(2020, 9, 28),
        date(2020, 9, 30),
        date(2020, 10, 9),
        date(2020, 10, 10),
        date(2020, 10, 11),
    ]


def test_another_halls_closure_does_not_close_this_hall():
    hall, other = HallFactory(code="HA"), HallFactory(code="HB")
    HallCalendarDayFactory(hall=other, date=date(2020, 9, 29))

    assert is_business_day(hall=hall, day=date(2020, 9, 29)) is True
    assert is_business_day(hall=other, day=date(2020, 9, 29)) is False


def test_2020_had_the_249_business_days_of_the_annual_review():
    hall = HallFactory()

    assert len(business_days(hall=hall, start=date(2020, 1, 1), end=date(2020, 12, 31))) == 249


def test_an_empty_range_has_no_business_days():
    assert business_days(hall=HallFactory(), start=date(2020, 10, 2), end=date(2020, 10, 1)) == []


def test_a_year_the_state_calendar_does_not_know_falls_back_to_weekdays():
    assert state_is_workday(date(2099, 1, 5)) is True  # a Monday
    assert state_is_workday(date(2099, 1, 4)) is False  # a Sunday


def test_a_holiday_with_completed_visits_counts_as_a_business_day():
    hall = HallFactory()
    VisitFactory(hall=hall, service_date=date(2020, 10, 3))
    VisitFactory(
        hall=hall, service_date=date(2020, 10, 4), status=Visit.Status.NO_SHOW, finished_at=None
    )

    days = business_days(hall=hall, start=date(2020, 10, 1), end=date(2020, 10, 8))

    assert days == [date(2020, 10, 3)]


def test_completed_visits_outweigh_a_closure_and_count_only_for_their_hall():
    hall, other = HallFactory(code="HA"), HallFactory(code="HB")
    HallCalendarDayFactory(hall=hall, date=date(2020, 10, 2))
    VisitFactory(hall=hall, service_date=date(2020, 10, 2))

    assert is_business_day(hall=hall, day=date(2020, 10, 2)) is True
    assert is_business_day(hall=other, day=date(2020, 10, 2)) is False
