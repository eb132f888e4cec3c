"""Booking, cancelling, misses and blocks (windows.booking.services)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import translation

from tests.windows.factories import SHANGHAI, HallCalendarDayFactory
from windows.booking import services
from windows.booking.services import (
    CODE_ALPHABET,
    appointment_book,
    appointment_cancel,
    appointments_mark_missed,
    booking_blocked_until,
)
from windows.models import Appointment, AppointmentSlot, QueueCategory

pytestmark = pytest.mark.usefixtures("english")

PHONE = "13812345678"


def at(hour: int, minute: int = 0, day: int = 2, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def category(hall_a):
    return QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")


@pytest.fixture
def slot(category):
    return AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30), capacity=2
    )


def book(hall, category, slot, *, phone=PHONE, day=dt.date(2026, 3, 2), now=None):
    return appointment_book(
        hall=hall,
        category=category,
        slot=slot,
        day=day,
        name="张三",
        phone=phone,
        id_last4="123x",
        now=now or at(8, 0),
    )


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


def test_a_booking_takes_a_place_with_a_code_and_the_slots_moments(hall_a, category, slot):
    appointment = book(hall_a, category, slot)

    assert (
        appointment.hall_id,
        appointment.category_id,
        appointment.slot_id,
        appointment.day,
        appointment.starts_at,
        appointment.ends_at,
        appointment.name,
        appointment.phone,
        appointment.id_last4,
        appointment.status,
    ) == (
        hall_a.pk,
        category.pk,
        slot.pk,
        dt.date(2026, 3, 2),
        at(9, 0),
        at(9, 30),
        "张三",
        PHONE,
        "123X",
        Appointment.Status.BOOKED,
    )
    assert len(appointment.code) == 8
    assert set(appointment.code) <= set(CODE_ALPHABET)
    assert not set(appointment.code) & set("01IO")


def test_the_slot_capacity_holds_and_cancelled_places_are_free_again(hall_a, category, slot):
    first = book(hall_a, category, slot, phone="13800000001")
    book(hall_a, category, slot, phone="13800000002")

    assert refusal(lambda: book(hall_a, category, slot, phone="13800000003")) == [
        "This time slot is fully booked; choose another one."
    ]
    assert Appointment.objects.count() == 2

    appointment_cancel(hall=hall_a, code=first.code, phone="13800000001", now=at(8, 5))
    third = book(hall_a, category, slot, phone="13800000003")
    assert third.status == Appointment.Status.BOOKED


def test_the_capacity_is_per_day(hall_a, category, slot):
    slot.capacity = 1
    slot.save()
    book(hall_a, category, slot, phone="13800000001")

    other_day = book(hall_a, category, slot, phone="13800000002", day=dt.date(2026, 3, 3))

    assert other_day.day == dt.date(2026, 3, 3)


def test_one_phone_one_booking_per_day_and_category(hall_a, category, slot):
    later = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30)
    )
    other_category = QueueCategory.objects.create(hall=hall_a, name="医保业务", prefix="B")
    other_slot = AppointmentSlot.objects.create(
        category=other_category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30)
    )
    book(hall_a, category, slot)

    assert refusal(lambda: book(hall_a, category, later)) == [
        "This phone number already has a booking for 社保通办 on that day."
    ]
    assert Appointment.objects.count() == 1
    book(hall_a, other_category, other_slot)
    book(hall_a, category, later, day=dt.date(2026, 3, 3))
    assert Appointment.objects.count() == 3


def test_a_cancelled_booking_lets_the_phone_book_that_day_again(hall_a, category, slot):
    first = book(hall_a, category, slot)
    appointment_cancel(hall=hall_a, code=first.code, phone=PHONE, now=at(8, 1))

    assert book(hall_a, category, slot).status == Appointment.Status.BOOKED


def test_a_slot_that_has_begun_cannot_be_booked(hall_a, category, slot):
    assert refusal(lambda: book(hall_a, category, slot, now=at(9, 0))) == [
        "This time slot has already begun; choose a later one."
    ]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 3, 1),  # yesterday
        dt.date(2026, 3, 7),  # a Saturday
        dt.date(2026, 3, 23),  # the 15th business day (with the closure below)
        dt.date(2026, 3, 4),  # a closure the managers entered
    ],
)
def test_only_the_listed_business_days_can_be_booked(hall_a, category, slot, day):
    HallCalendarDayFactory(hall=hall_a, date=dt.date(2026, 3, 4), kind="closure")

    assert refusal(lambda: book(hall_a, category, slot, day=day, now=at(8, 0))) == [
        "Choose one of the listed days."
    ]
    assert Appointment.objects.count() == 0


def test_the_last_listed_day_can_be_booked(hall_a, category, slot):
    assert book(hall_a, category, slot, day=dt.date(2026, 3, 19)).day == dt.date(2026, 3, 19)


def test_slots_categories_and_halls_must_belong_together(hall_a, hall_b, category, slot):
    other_category = QueueCategory.objects.create(hall=hall_a, name="医保业务", prefix="B")
    foreign = QueueCategory.objects.create(hall=hall_b, name="社保通办", prefix="A")
    foreign_slot = AppointmentSlot.objects.create(
        category=foreign, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30)
    )

    assert refusal(lambda: book(hall_a, other_category, slot)) == [
        "Choose one of the listed time slots."
    ]
    assert refusal(lambda: book(hall_a, foreign, foreign_slot)) == [
        "This business category cannot be booked."
    ]
    category.is_active = False
    category.save()
    assert refusal(lambda: book(hall_a, category, slot)) == [
        "This business category cannot be booked."
    ]
    assert Appointment.objects.count() == 0


def test_a_code_clash_draws_another_code(hall_a, category, slot, monkeypatch):
    first = book(hall_a, category, slot, phone="13800000001")
    codes = iter([first.code, "ZZZZ2345"])
    monkeypatch.setattr(services, "new_code", lambda: next(codes))

    second = book(hall_a, category, slot, phone="13800000002")

    assert second.code == "ZZZZ2345"


# --- misses and blocks -------------------------------------------------------------------


def past(hall, category, slot, *, day, status=Appointment.Status.BOOKED, phone=PHONE, month=3):
    return Appointment.objects.create(
        hall=hall,
        category=category,
        slot=slot,
        day=dt.date(2026, month, day),
        starts_at=at(9, 0, day, month),
        ends_at=at(9, 30, day, month),
        name="张三",
        phone=phone,
        id_last4="1234",
        code=f"CODE{month:02d}{day:02d}" + ("X" if phone != PHONE else ""),
        status=status,
    )


def test_bookings_past_their_slot_end_are_marked_missed(hall_a, hall_b, category, slot):
    over = past(hall_a, category, slot, day=2)
    running = past(hall_a, category, slot, day=3)
    checked_in = past(hall_a, category, slot, day=1, status=Appointment.Status.CHECKED_IN)
    cancelled = past(hall_a, category, slot, day=27, month=2, status=Appointment.Status.CANCELLED)

    assert appointments_mark_missed(now=at(9, 30)) == 1
    assert appointments_mark_missed(now=at(9, 30)) == 0

    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {
        over.pk: "missed",
        running.pk: "booked",
        checked_in.pk: "checked_in",
        cancelled.pk: "cancelled",
    }


def test_three_misses_in_30_days_block_the_phone_for_30_days(hall_a, category, slot):
    for day in (2, 9, 16):
        past(hall_a, category, slot, day=day, month=2)

    # Marked missed lazily when counted; blocked from the third miss's day plus 30 days.
    assert booking_blocked_until(hall=hall_a, phone=PHONE, now=at(8, 0)) == dt.date(2026, 3, 18)
    assert refusal(lambda: book(hall_a, category, slot)) == [
        "This phone number missed 3 appointments within 30 days; "
        "it can book again from March 18, 2026."
    ]
    assert Appointment.objects.filter(day=dt.date(2026, 3, 2)).count() == 0
    assert booking_blocked_until(hall=hall_a, phone=PHONE, now=at(0, 0, day=18)) is None
    assert booking_blocked_until(hall=hall_a, phone="13800000009", now=at(8, 0)) is None


def test_misses_further_apart_than_30_days_do_not_block(hall_a, category, slot):
    past(hall_a, category, slot, day=5, month=1)
    past(hall_a, category, slot, day=2, month=2)
    past(hall_a, category, slot, day=16, month=2)

    assert booking_blocked_until(hall=hall_a, phone=PHONE, now=at(8, 0)) is None
    assert book(hall_a, category, slot).status == Appointment.Status.BOOKED


def test_the_limits_are_the_halls_own_and_misses_count_per_hall(hall_a, hall_b, category, slot):
    other = QueueCategory.objects.create(hall=hall_b, name="社保通办", prefix="A")
    other_slot = AppointmentSlot.objects.create(
        category=other, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30)
    )
    for day in (2, 9, 16):
        past(hall_b, other, other_slot, day=day, month=2)
    assert booking_blocked_until(hall=hall_a, phone=PHONE, now=at(8, 0)) is None

    hall_a.booking_miss_limit, hall_a.booking_block_days = 1, 5
    hall_a.save()
    past(hall_a, category, slot, day=27, month=2, phone=PHONE)
    assert booking_blocked_until(hall=hall_a, phone=PHONE, now=at(8, 0)) == dt.date(2026, 3, 4)


# --- cancelling ---------------------------------------------------------------------------


def test_cancel_with_code_and_phone(hall_a, category, slot):
    appointment = book(hall_a, category, slot)

    cancelled = appointment_cancel(
        hall=hall_a, code=f" {appointment.code.lower()} ", phone=PHONE, now=at(8, 30)
    )

    assert cancelled.pk == appointment.pk
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_cancel_answers_alike_for_unknown_codes_wrong_phones_and_other_halls(
    hall_a, hall_b, category, slot
):
    appointment = book(hall_a, category, slot)
    message = ["No booking matches this code and phone number."]

    assert refusal(lambda: appointment_cancel(hall=hall_a, code="ZZZZ9999", phone=PHONE)) == message
    assert (
        refusal(lambda: appointment_cancel(hall=hall_a, code=appointment.code, phone="13900000000"))
        == message
    )
    assert refusal(lambda: appointment_cancel(hall=hall_b, code=appointment.code, phone=PHONE)) == (
        message
    )
    assert refusal(lambda: appointment_cancel(hall=hall_a, code="", phone="")) == message
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_a_booking_cannot_be_cancelled_twice_or_once_its_slot_began(hall_a, category, slot):
    appointment = book(hall_a, category, slot)
    message = ["This booking can no longer be cancelled."]

    assert (
        refusal(
            lambda: appointment_cancel(
                hall=hall_a, code=appointment.code, phone=PHONE, now=at(9, 0)
            )
        )
        == message
    )
    appointment_cancel(hall=hall_a, code=appointment.code, phone=PHONE, now=at(8, 59))
    assert (
        refusal(
            lambda: appointment_cancel(
                hall=hall_a, code=appointment.code, phone=PHONE, now=at(8, 59)
            )
        )
        == message
    )


# --- concurrency (PostgreSQL) ------------------------------------------------------------


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("role_groups")
def test_two_bookings_at_once_for_the_last_place_give_it_to_one(hall_a, category, slot):
    slot.capacity = 1
    slot.save()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(phone: str) -> None:
        try:
            translation.activate("en")  # a thread starts in the default language
            barrier.wait()
            book(hall_a, category, slot, phone=phone)
            outcomes.append("booked")
        except ValidationError as error:
            outcomes.extend(error.messages)
        finally:
            translation.deactivate()
            close_old_connections()

    threads = [
        threading.Thread(target=attempt, args=(phone,)) for phone in ("13800000001", "13800000002")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["This time slot is fully booked; choose another one.", "booked"]
    assert Appointment.objects.filter(slot=slot).count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("role_groups")
def test_one_phone_booking_two_slots_at_once_gets_one(hall_a, category, slot):
    later = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30)
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(target) -> None:
        try:
            translation.activate("en")  # a thread starts in the default language
            barrier.wait()
            book(hall_a, category, target)
            outcomes.append("booked")
        except ValidationError as error:
            outcomes.extend(error.messages)
        finally:
            translation.deactivate()
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(target,)) for target in (slot, later)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [
        "This phone number already has a booking for 社保通办 on that day.",
        "booked",
    ]
    assert Appointment.objects.count() == 1
