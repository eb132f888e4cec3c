"""Appointment check-in at the kiosk: the confirmation code gives an appointment ticket."""

import datetime as dt

import pytest

from tests.windows.factories import ZoneFactory
from tests.windows.kiosk_factories import as_kiosk, at, nonce_of, paired, set_clock
from windows.models import Appointment, AppointmentSlot, QueueCategory, Visit
from windows.queue.defaults import default_categories_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(hall_a, monkeypatch):
    set_clock(monkeypatch, at(9, 50))
    ZoneFactory(hall=hall_a, name="社保通办", kind="general")
    default_categories_create(hall=hall_a)
    return hall_a


@pytest.fixture
def client_a(en_client, hall):
    return as_kiosk(en_client, paired(hall)[1])


def book(hall, code: str, *, day: int = 2, status=Appointment.Status.BOOKED) -> Appointment:
    category = QueueCategory.objects.get(hall=hall, prefix="A")
    slot, _created = AppointmentSlot.objects.get_or_create(
        category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30)
    )
    return Appointment.objects.create(
        hall=hall,
        category=category,
        slot=slot,
        day=at(10, 0, day=day).date(),
        starts_at=at(10, 0, day=day),
        ends_at=at(10, 30, day=day),
        name="张三",
        phone="13812345678",
        id_last4="123X",
        code=code,
        status=status,
    )


def check_in(client, code: str, nonce: str | None = None):
    if nonce is None:
        nonce = nonce_of(client.get("/kiosk/").content.decode())
    return client.post("/kiosk/check-in/", {"code": code, "nonce": nonce})


def test_a_booked_code_checks_in_with_an_appointment_ticket(english, client_a, hall):
    appointment = book(hall, "ABCD2345")

    response = check_in(client_a, " abcd-2345 ")

    assert response.status_code == 200
    visit = response.context["visit"]
    assert (visit.ticket_no, visit.lane, visit.due_at, visit.status) == (
        "A001",
        "appointment",
        at(10, 0),
        "waiting",
    )
    html = response.content.decode()
    assert '<p class="ticket-number" id="ticket-number">A001</p>' in html
    assert '<p class="ticket-category" id="ticket-category">社保通办 · appointment</p>' in html
    appointment.refresh_from_db()
    assert (appointment.status, appointment.visit) == ("checked_in", visit)


def test_a_double_tap_on_check_in_shows_the_same_ticket(english, client_a, hall):
    book(hall, "ABCD2345")
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())

    first = check_in(client_a, "ABCD2345", nonce)
    again = check_in(client_a, "ABCD2345", nonce)

    assert first.context["visit"] == again.context["visit"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    "case, message",
    [
        ("empty", "Enter the confirmation code of your appointment."),
        ("unknown", "The appointment code is not correct."),
        ("other_hall", "The appointment code is not correct."),
        ("checked_in", "This appointment has already been checked in."),
        ("cancelled", "This appointment was cancelled."),
        ("tomorrow", "This appointment is not for today."),
        ("over", "The appointment's time slot is over."),
    ],
)
def test_a_bad_code_says_why_and_issues_nothing(
    english, client_a, hall, hall_b, monkeypatch, case, message
):
    code = "ABCD2345"
    if case == "unknown":
        book(hall, "ZZZZ9999")
    elif case == "other_hall":
        ZoneFactory(hall=hall_b, name="乙社保", kind="general")
        default_categories_create(hall=hall_b)
        category = QueueCategory.objects.get(hall=hall_b)
        slot = AppointmentSlot.objects.create(
            category=category, starts_at=dt.time(10, 0), ends_at=dt.time(10, 30)
        )
        Appointment.objects.create(
            hall=hall_b,
            category=category,
            slot=slot,
            day=at(10, 0).date(),
            starts_at=at(10, 0),
            ends_at=at(10, 30),
            name="李四",
            phone="13900000000",
            id_last4="0000",
            code=code,
        )
    elif case in ("checked_in", "cancelled"):
        book(hall, code, status=case)
    elif case == "tomorrow":
        book(hall, code, day=3)
    elif case == "over":
        book(hall, code)
        set_clock(monkeypatch, at(10, 30))
    statuses = list(Appointment.objects.values_list("pk", "status"))

    response = check_in(client_a, "" if case == "empty" else code)

    assert response.status_code == 400
    assert response.context["check_in_form"].errors["code"] == [message]
    html = response.content.decode().replace("&#x27;", "'")
    assert f'id="checkin-errors" role="alert">{message} </div>' in html
    assert Visit.objects.count() == 0
    assert list(Appointment.objects.values_list("pk", "status")) == statuses


def test_a_refused_ticket_leaves_the_appointment_booked(english, client_a, hall):
    appointment = book(hall, "ABCD2345")
    QueueCategory.objects.filter(hall=hall).update(is_active=False)

    response = check_in(client_a, "ABCD2345")

    assert response.status_code == 400
    assert response.context["check_in_form"].errors["code"] == ["社保通办 takes no tickets now."]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.visit) == ("booked", None)
    assert Visit.objects.count() == 0


def test_check_in_needs_a_paired_kiosk(en_client, hall):
    book(hall, "ABCD2345")

    response = en_client.post("/kiosk/check-in/", {"code": "ABCD2345", "nonce": "x"})

    assert (response.status_code, response["Location"]) == (302, "/kiosk/pair/")
    assert Appointment.objects.get().status == "booked"
