"""Checking in at the kiosk with the appointment's code: a ticket called first when due."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.windows.factories import SHANGHAI
from windows.booking.services import appointment_check_in
from windows.models import Appointment, AppointmentSlot, QueueCategory, Visit

pytestmark = pytest.mark.usefixtures("english")


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def category_of(hall, prefix="A", name="社保通办"):
    return QueueCategory.objects.create(hall=hall, name=name, prefix=prefix)


def book(hall, code="ABCD2345", *, day=2, status=Appointment.Status.BOOKED, category=None):
    category = category or category_of(hall)
    slot, _ = AppointmentSlot.objects.get_or_create(
        category=category, starts_at=dt.time(10, 0), defaults={"ends_at": dt.time(10, 30)}
    )
    return Appointment.objects.create(
        hall=hall,
        category=category,
        slot=slot,
        day=dt.date(2026, 3, day),
        starts_at=at(10, 0, day),
        ends_at=at(10, 30, day),
        name="张三",
        phone="13812345678",
        id_last4="123X",
        code=code,
        status=status,
    )


def test_the_code_checks_in_and_issues_an_appointment_ticket_due_at_the_slot(hall_a):
    appointment = book(hall_a)

    visit = appointment_check_in(hall=hall_a, code="  abcd2345 ", now=at(9, 40))

    appointment.refresh_from_db()
    assert (visit.ticket_no, visit.lane, visit.due_at, visit.issued_at, visit.status) == (
        "A001",
        Visit.Lane.APPOINTMENT,
        at(10, 0),
        at(9, 40),
        Visit.Status.WAITING,
    )
    assert (appointment.status, appointment.checked_in_at, appointment.visit_id) == (
        Appointment.Status.CHECKED_IN,
        at(9, 40),
        visit.pk,
    )


def test_a_check_in_during_the_slot_is_accepted(hall_a):
    book(hall_a)

    visit = appointment_check_in(hall=hall_a, code="ABCD-2345", now=at(10, 29))

    assert visit.ticket_no == "A001"


@pytest.mark.parametrize("code", ["", "   ", "ZZZZ9999", "ABCD234"])
def test_an_unknown_code_is_not_correct(hall_a, code):
    book(hall_a)

    with pytest.raises(ValidationError) as error:
        appointment_check_in(hall=hall_a, code=code, now=at(9, 40))

    assert error.value.messages == ["The appointment code is not correct."]
    assert Visit.objects.count() == 0
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_another_halls_code_reads_like_an_unknown_one(hall_a, hall_b):
    other = book(hall_b)

    with pytest.raises(ValidationError) as error:
        appointment_check_in(hall=hall_a, code=other.code, now=at(9, 40))

    assert error.value.messages == ["The appointment code is not correct."]
    assert Visit.objects.count() == 0
    other.refresh_from_db()
    assert (other.status, other.visit_id) == (Appointment.Status.BOOKED, None)


@pytest.mark.parametrize(
    "day, status, moment, message",
    [
        (3, Appointment.Status.BOOKED, at(9, 40), "This appointment is not for today."),
        (2, Appointment.Status.BOOKED, at(9, 40, day=1), "This appointment is not for today."),
        (2, Appointment.Status.BOOKED, at(10, 30), "The appointment's time slot is over."),
        (2, Appointment.Status.MISSED, at(10, 10), "The appointment's time slot is over."),
        (
            2,
            Appointment.Status.CHECKED_IN,
            at(9, 40),
            "This appointment has already been checked in.",
        ),
        (2, Appointment.Status.CANCELLED, at(9, 40), "This appointment was cancelled."),
    ],
)
def test_refusals_say_why_and_issue_nothing(hall_a, day, status, moment, message):
    appointment = book(hall_a, day=day, status=status)

    with pytest.raises(ValidationError) as error:
        appointment_check_in(hall=hall_a, code=appointment.code, now=moment)

    assert error.value.messages == [message]
    assert Visit.objects.count() == 0
    appointment.refresh_from_db()
    assert (appointment.status, appointment.checked_in_at, appointment.visit_id) == (
        status,
        None,
        None,
    )


def test_a_second_check_in_with_the_same_code_is_refused(hall_a):
    appointment = book(hall_a)
    appointment_check_in(hall=hall_a, code=appointment.code, now=at(9, 40))

    with pytest.raises(ValidationError) as error:
        appointment_check_in(hall=hall_a, code=appointment.code, now=at(9, 41))

    assert error.value.messages == ["This appointment has already been checked in."]
    assert Visit.objects.count() == 1


def test_a_refused_ticket_leaves_the_appointment_booked(hall_a):
    """The category's own refusal (tickets not issued at that hour) is passed on."""
    category = category_of(hall_a)
    category.opens_at = dt.time(9, 0)
    category.save()
    appointment = book(hall_a, category=category)

    with pytest.raises(ValidationError) as error:
        appointment_check_in(hall=hall_a, code=appointment.code, now=at(8, 50))

    assert error.value.messages == ["Tickets for 社保通办 are issued from 09:00 to 17:00."]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.visit_id) == (Appointment.Status.BOOKED, None)
    assert Visit.objects.count() == 0
