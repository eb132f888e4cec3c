"""The public booking pages: booking, confirmation, refusals, no personal data shown."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from tests.windows.factories import SHANGHAI, HallFactory
from windows import workdays
from windows.models import Appointment, AppointmentSlot, QueueCategory

pytestmark = pytest.mark.usefixtures("english", "frozen")

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)  # a Monday
PHONE = "13812345678"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    monkeypatch.setattr(workdays, "state_is_workday", lambda day: day.weekday() < 5)


@pytest.fixture
def category(hall_a):
    return QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")


@pytest.fixture
def slot(category):
    return AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30), capacity=2
    )


def data(of_category, of_slot, **changes):
    values = {
        "category": of_category.pk,
        "day": "2026-03-02",
        "slot": of_slot.pk,
        "name": "张三",
        "phone": PHONE,
        "id_last4": "123X",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def errors(response) -> list[str]:
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


def test_one_hall_goes_straight_to_its_page(client, slot):
    response = client.get("/booking/")

    assert (response.status_code, response["Location"]) == (302, "/booking/HA/")


def test_the_halls_with_bookable_categories_are_listed(client, slot, hall_b):
    other = QueueCategory.objects.create(hall=hall_b, name="社保通办", prefix="A")
    AppointmentSlot.objects.create(category=other, starts_at=dt.time(9, 0), ends_at=dt.time(10, 0))
    closed = HallFactory(code="HC", name="丙大厅", is_active=False)
    AppointmentSlot.objects.create(
        category=QueueCategory.objects.create(hall=closed, name="社保通办", prefix="A"),
        starts_at=dt.time(9, 0),
        ends_at=dt.time(10, 0),
    )
    HallFactory(code="HD", name="丁大厅")  # no slots

    response = client.get("/booking/")

    assert response.status_code == 200
    assert [hall.code for hall in response.context["halls"]] == ["HA", "HB"]


@pytest.mark.parametrize("code", ["NOPE", "HC"])
def test_unknown_and_inactive_halls_are_not_found(client, slot, code):
    HallFactory(code="HC", is_active=False)

    assert client.get(f"/booking/{code}/").status_code == 404
    assert client.get(f"/booking/{code}/cancel/").status_code == 404


def test_the_page_lists_days_slots_and_places(client, category, slot):
    AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(7, 0), ends_at=dt.time(7, 30), capacity=3
    )

    response = client.get("/booking/HA/")

    assert response.status_code == 200
    assert len(response.context["days"]) == 14
    assert [
        (c.slot.starts_at, c.remaining, c.bookable) for c, _q in response.context["choices"]
    ] == [
        (dt.time(7, 0), 3, False),
        (dt.time(9, 0), 2, True),
    ]
    page = response.content.decode()
    assert "2 of 2 places left" in page
    assert "passed" in page
    assert 'id="booking-challenge"' not in page
    assert "There is no history yet to suggest quieter times." in page


def test_choosing_another_day_and_category_by_query(client, hall_a, category, slot):
    other = QueueCategory.objects.create(hall=hall_a, name="医保业务", prefix="B")
    AppointmentSlot.objects.create(category=other, starts_at=dt.time(14, 0), ends_at=dt.time(15, 0))

    response = client.get(f"/booking/HA/?category={other.pk}&day=2026-03-05")

    assert (response.context["category"], response.context["day"]) == (other, dt.date(2026, 3, 5))
    assert [c.slot.starts_at for c, _q in response.context["choices"]] == [dt.time(14, 0)]


def test_a_booking_shows_its_code_and_the_masked_phone(client, category, slot):
    response = client.post("/booking/HA/", data(category, slot))

    appointment = Appointment.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/booking/HA/done/")
    done = client.get("/booking/HA/done/")
    page = done.content.decode()
    assert appointment.code in page
    assert "138****5678" in page
    assert PHONE not in page
    assert (appointment.phone, appointment.id_last4, appointment.day) == (
        PHONE,
        "123X",
        dt.date(2026, 3, 2),
    )


def test_the_confirmation_needs_the_booking_session(client, slot):
    assert client.get("/booking/HA/done/")["Location"] == "/booking/HA/"


def test_another_halls_confirmation_page_does_not_show_the_booking(client, category, slot, hall_b):
    client.post("/booking/HA/", data(category, slot))

    assert client.get("/booking/HB/done/")["Location"] == "/booking/HB/"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"phone": "12812345678"}, "Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        ({"phone": "1381234567"}, "Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        ({"phone": "138123456789"}, "Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        ({"phone": "1381234567a"}, "Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        ({"phone": None}, "Enter your mobile phone number."),
        (
            {"id_last4": "12X4"},
            "Enter the last 4 characters of your ID number: 3 digits, then a digit or X.",
        ),
        (
            {"id_last4": "123"},
            "Enter the last 4 characters of your ID number: 3 digits, then a digit or X.",
        ),
        (
            {"id_last4": "12345"},
            "Enter the last 4 characters of your ID number: 3 digits, then a digit or X.",
        ),
        ({"id_last4": ""}, "Enter the last 4 characters of your ID number."),
        ({"name": "  "}, "Enter your name."),
        ({"name": "张" * 51}, "The name can have at most 50 characters."),
        ({"slot": None}, "Choose a time slot."),
        ({"slot": "999999"}, "Choose one of the listed time slots."),
        ({"slot": "x"}, "Choose one of the listed time slots."),
        ({"category": "999999"}, "Choose one of the listed businesses."),
        ({"category": "x"}, "Choose one of the listed businesses."),
        ({"day": "2026-03-07"}, "Choose one of the listed days."),
        ({"day": "2026-13-01"}, "Choose one of the listed days."),
        ({"day": None}, "Choose a day."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    client, category, slot, changes, message
):
    response = client.post("/booking/HA/", data(category, slot, **changes))

    assert response.status_code == 200
    assert errors(response) == [message]
    assert message in response.content.decode()
    assert Appointment.objects.count() == 0


def test_another_halls_category_and_slot_are_refused(client, category, slot, hall_b):
    foreign = QueueCategory.objects.create(hall=hall_b, name="社保通办", prefix="A")
    foreign_slot = AppointmentSlot.objects.create(
        category=foreign, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30)
    )

    by_category = client.post("/booking/HA/", data(foreign, foreign_slot))
    by_slot = client.post("/booking/HA/", data(category, foreign_slot))

    assert errors(by_category) == [
        "Choose one of the listed businesses.",
        "Choose one of the listed time slots.",
    ]
    assert errors(by_slot) == ["Choose one of the listed time slots."]
    assert Appointment.objects.count() == 0


def test_a_full_slot_a_duplicate_and_a_block_are_explained(
    client, settings, hall_a, category, slot
):
    settings.BOOKING_CHALLENGE_AFTER = 100
    slot.capacity = 1
    slot.save()
    client.post("/booking/HA/", data(category, slot, phone="13900000000"))

    full = client.post("/booking/HA/", data(category, slot))
    assert errors(full) == ["This time slot is fully booked; choose another one."]

    later = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30)
    )
    duplicate = client.post("/booking/HA/", data(category, later, phone="13900000000"))
    assert errors(duplicate) == [
        "This phone number already has a booking for 社保通办 on that day."
    ]

    hall_a.booking_miss_limit = 1
    hall_a.save()
    Appointment.objects.filter(phone="13900000000").update(
        status="missed", ends_at=NOW - dt.timedelta(days=1)
    )
    blocked = client.post("/booking/HA/", data(category, later, phone="13900000000"))
    assert errors(blocked) == [
        "This phone number missed 1 appointments within 30 days; it can book again from "
        "March 31, 2026."
    ]
    assert Appointment.objects.count() == 1


# --- rate limit and challenge -----------------------------------------------------------------


def test_too_many_bookings_from_one_address_are_refused_with_429(client, settings, category, slot):
    settings.BOOKING_ATTEMPTS_PER_ADDRESS = 2
    settings.BOOKING_CHALLENGE_AFTER = 100
    client.post("/booking/HA/", data(category, slot, phone="1"))
    client.post("/booking/HA/", data(category, slot, phone="2"))

    refused = client.post("/booking/HA/", data(category, slot))

    assert refused.status_code == 429
    assert (
        refused.context["refusal"]
        == "Too many attempts from this network. Try again in 60 minutes."
    )
    assert (
        "Too many attempts from this network. Try again in 60 minutes." in refused.content.decode()
    )
    assert Appointment.objects.count() == 0
    elsewhere = client.post("/booking/HA/", data(category, slot), REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302
    assert Appointment.objects.count() == 1


def test_repeated_attempts_need_the_sum_answered(client, settings, category, slot):
    settings.BOOKING_CHALLENGE_AFTER = 1
    first = client.post("/booking/HA/", data(category, slot, phone="1"))
    assert 'id="booking-challenge"' in first.content.decode()

    unanswered = client.post("/booking/HA/", data(category, slot))
    assert errors(unanswered) == ["Answer the question to continue."]

    wrong = client.post(
        "/booking/HA/", data(category, slot, challenge=str(client.session["booking_challenge"] + 1))
    )
    assert errors(wrong) == ["The answer is not right; answer the new question."]
    assert Appointment.objects.count() == 0

    answer = client.session["booking_challenge"]
    right = client.post("/booking/HA/", data(category, slot, challenge=str(answer)))
    assert right.status_code == 302
    assert Appointment.objects.count() == 1
    assert "booking_challenge" not in client.session


def test_a_sum_is_answered_once(client, settings, category, slot):
    settings.BOOKING_CHALLENGE_AFTER = 1
    client.post("/booking/HA/", data(category, slot, phone="1"))
    answer = client.session["booking_challenge"]
    client.post("/booking/HA/", data(category, slot, phone="2", challenge=str(answer)))

    replay = client.post("/booking/HA/", data(category, slot, challenge=str(answer)))

    assert errors(replay) == ["The answer is not right; answer the new question."]
    assert Appointment.objects.count() == 0


# --- cancelling ----------------------------------------------------------------------------


@pytest.fixture
def booked(client, category, slot):
    client.post("/booking/HA/", data(category, slot))
    return Appointment.objects.get()


def test_cancel_with_code_and_phone(client, booked):
    response = client.post("/booking/HA/cancel/", {"code": booked.code.lower(), "phone": PHONE})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your booking is cancelled" in page
    assert "138****5678" in page
    assert PHONE not in page
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_cancel_tells_nothing_about_codes_or_phones(client, settings, booked, hall_b):
    settings.BOOKING_CHALLENGE_AFTER = 100
    answers = [
        client.post(url, {"code": code, "phone": phone})
        for url, code, phone in [
            ("/booking/HA/cancel/", "ZZZZ9999", PHONE),
            ("/booking/HA/cancel/", booked.code, "13900000000"),
            ("/booking/HB/cancel/", booked.code, PHONE),
            ("/booking/HA/cancel/", "Z" * 21, PHONE),
        ]
    ]

    assert [(a.status_code, errors(a)) for a in answers] == [
        (200, ["No booking matches this code and phone number."])
    ] * 4
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


@pytest.mark.parametrize(
    "values, message",
    [
        ({"code": "", "phone": PHONE}, "Enter the confirmation code."),
        ({"code": "ABCD2345", "phone": ""}, "Enter your mobile phone number."),
    ],
)
def test_cancel_needs_both(client, booked, values, message):
    response = client.post("/booking/HA/cancel/", values)

    assert errors(response) == [message]
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_too_many_cancels_are_refused_with_429(client, settings, booked):
    settings.BOOKING_ATTEMPTS_PER_ADDRESS = 2
    settings.BOOKING_CHALLENGE_AFTER = 100
    client.post("/booking/HA/cancel/", {"code": "ZZZZ9999", "phone": PHONE})
    client.post("/booking/HA/cancel/", {"code": "ZZZZ9998", "phone": PHONE})

    refused = client.post("/booking/HA/cancel/", {"code": booked.code, "phone": PHONE})

    assert refused.status_code == 429
    assert (
        refused.context["refusal"]
        == "Too many attempts from this network. Try again in 60 minutes."
    )
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_cancel_after_repeated_attempts_needs_the_sum(client, settings, booked):
    settings.BOOKING_CHALLENGE_AFTER = 2  # the booking was one attempt
    client.post("/booking/HA/cancel/", {"code": "ZZZZ9999", "phone": PHONE})

    unanswered = client.post("/booking/HA/cancel/", {"code": booked.code, "phone": PHONE})
    assert errors(unanswered) == ["Answer the question to continue."]
    answer = client.session["booking_challenge"]
    done = client.post(
        "/booking/HA/cancel/", {"code": booked.code, "phone": PHONE, "challenge": str(answer)}
    )
    assert "Your booking is cancelled" in done.content.decode()


def test_phones_are_never_logged(client, settings, caplog, category, slot):
    settings.BOOKING_ATTEMPTS_PER_ADDRESS = 2
    caplog.set_level(logging.DEBUG)
    for _attempt in range(3):
        client.post("/booking/HA/", data(category, slot))
    client.post("/booking/HA/cancel/", {"code": "ZZZZ9999", "phone": PHONE})

    assert PHONE not in caplog.text
    assert "booking book refused: address=127.0.0.1, retry in 60 min" in caplog.text


def test_the_pages_are_chinese_in_chinese(client, category, slot):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.get("/booking/HA/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
