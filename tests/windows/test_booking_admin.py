"""The appointments' admin: slots and bookings scoped to the user's halls, phones masked.

Hall managers configure the slots and read the bookings (their role group); supervisors
read both; window staff have no admin access.
"""

import datetime as dt

import pytest

from tests.windows.factories import SHANGHAI, UserFactory, make_manager
from windows import roles
from windows.models import Appointment, AppointmentSlot, QueueCategory

pytestmark = pytest.mark.usefixtures("english")
SLOTS = "/admin/windows/appointmentslot/"
BOOKINGS = "/admin/windows/appointment/"


def hall_rows(hall, code):
    category = QueueCategory.objects.create(hall=hall, name=f"社保通办{hall.code}", prefix="A")
    slot = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30), capacity=4
    )
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    appointment = Appointment.objects.create(
        hall=hall,
        category=category,
        slot=slot,
        day=dt.date(2026, 3, 2),
        starts_at=moment,
        ends_at=moment + dt.timedelta(minutes=30),
        name=f"张三{hall.code}",
        phone="13812345678",
        id_last4="1234",
        code=code,
    )
    return category, slot, appointment


@pytest.fixture
def rows(hall_a, hall_b):
    return {"a": hall_rows(hall_a, "AAAA2222"), "b": hall_rows(hall_b, "BBBB3333")}


@pytest.fixture
def manager(client, manager_a):
    client.force_login(manager_a)
    return manager_a


def test_a_manager_lists_only_their_halls_slots_and_bookings(client, manager, rows):
    slots = client.get(SLOTS)
    bookings = client.get(BOOKINGS)

    assert list(slots.context["cl"].result_list) == [rows["a"][1]]
    assert list(bookings.context["cl"].result_list) == [rows["a"][2]]
    page = bookings.content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "AAAA2222" in page and "BBBB3333" not in page


def test_another_halls_rows_are_not_found(client, manager, rows):
    _category, slot, appointment = rows["b"]

    assert client.get(f"{SLOTS}{slot.pk}/change/").status_code == 302
    assert client.get(f"{BOOKINGS}{appointment.pk}/change/").status_code == 302
    assert client.post(f"{SLOTS}{slot.pk}/delete/", {"post": "yes"}).status_code == 302
    assert AppointmentSlot.objects.filter(pk=slot.pk).exists()


def test_a_manager_adds_a_slot_only_for_their_halls_categories(client, manager, rows):
    own, foreign = rows["a"][0], rows["b"][0]
    values = {"starts_at": "10:00", "ends_at": "10:30", "capacity": "3"}

    refused = client.post(f"{SLOTS}add/", {"category": foreign.pk, **values})
    added = client.post(f"{SLOTS}add/", {"category": own.pk, **values})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["category"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert added.status_code == 302
    assert list(
        AppointmentSlot.objects.filter(category=own).values_list("starts_at", "capacity")
    ) == [(dt.time(9, 0), 4), (dt.time(10, 0), 3)]
    assert AppointmentSlot.objects.filter(category=foreign).count() == 1


def test_a_slot_must_end_after_it_starts(client, manager, rows):
    response = client.post(
        f"{SLOTS}add/",
        {"category": rows["a"][0].pk, "starts_at": "10:00", "ends_at": "09:30", "capacity": "3"},
    )

    assert response.context["adminform"].form.non_field_errors() == [
        "A slot must end after it starts."
    ]
    assert AppointmentSlot.objects.count() == 2


@pytest.mark.parametrize(
    "starts_at, ends_at", [("08:00", "08:30"), ("16:45", "17:15"), ("08:29", "09:00")]
)
def test_a_slot_lies_within_the_categorys_ticket_hours(client, manager, rows, starts_at, ends_at):
    response = client.post(
        f"{SLOTS}add/",
        {"category": rows["a"][0].pk, "starts_at": starts_at, "ends_at": ends_at, "capacity": "3"},
    )

    assert response.context["adminform"].form.non_field_errors() == [
        "A slot must lie within the ticket hours of 社保通办HA (08:30-17:00): "
        "the kiosk issues its ticket."
    ]
    assert AppointmentSlot.objects.count() == 2


def test_bookings_are_read_only_and_a_booked_slot_cannot_be_deleted(client, manager, rows):
    _category, slot, appointment = rows["a"]

    page = client.get(f"{BOOKINGS}{appointment.pk}/change/")
    client.post(f"{BOOKINGS}{appointment.pk}/change/", {"name": "李四", "status": "cancelled"})

    assert page.status_code == 200
    assert "138****5678" in page.content.decode()
    assert "13812345678" not in page.content.decode()
    appointment.refresh_from_db()
    assert (appointment.name, appointment.status) == ("张三HA", "booked")
    assert client.get(f"{BOOKINGS}add/").status_code == 403
    assert client.get(f"{SLOTS}{slot.pk}/delete/").status_code == 403


def test_a_supervisor_reads_but_changes_nothing(client, hall_a, rows):
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    assert list(client.get(SLOTS).context["cl"].result_list) == [rows["a"][1]]
    assert client.get(f"{SLOTS}add/").status_code == 403
    assert (
        client.post(
            f"{SLOTS}{rows['a'][1].pk}/change/",
            {
                "category": rows["a"][0].pk,
                "starts_at": "09:00",
                "ends_at": "09:30",
                "capacity": "9",
            },
        ).status_code
        == 403
    )
    assert AppointmentSlot.objects.get(pk=rows["a"][1].pk).capacity == 4


def test_window_staff_see_nothing(client, rows):
    client.force_login(UserFactory(username="staff_a", role=roles.WINDOW_STAFF, is_staff=True))

    assert client.get(SLOTS).status_code == 403
    assert client.get(BOOKINGS).status_code == 403
