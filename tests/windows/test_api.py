import pytest
from django.urls import reverse

from tests.windows.factories import (
    ServiceItemFactory,
    StaffFactory,
    WindowFactory,
    make_manager,
)
from windows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_halls_windows(hall_a, hall_b):
    item = ServiceItemFactory(code="LHS01")
    window_a = WindowFactory(hall=hall_a, number=5, name="社保通办5号窗口")
    window_a.service_items.add(item)
    WindowFactory(hall=hall_b, number=7)
    return window_a


def test_a_manager_lists_only_their_halls_windows(client, manager_a, two_halls_windows):
    client.force_login(manager_a)

    response = client.get(reverse("window-list"))

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "hall": "HA",
            "number": 5,
            "name": "社保通办5号窗口",
            "zone": two_halls_windows.zone.name,
            "is_specialist": False,
            "department": None,
            "is_active": True,
            "service_codes": ["LHS01"],
        }
    ]


def test_another_halls_window_and_hall_are_not_found(client, manager_b, two_halls_windows):
    client.force_login(manager_b)

    window = client.get(reverse("window-detail", args=[two_halls_windows.pk]))
    hall = client.get(reverse("hall-detail", args=["HA"]))
    halls = client.get(reverse("hall-list"))

    assert (window.status_code, hall.status_code) == (404, 404)
    assert [h["code"] for h in halls.json()["results"]] == ["HB"]


def test_a_supervisor_reads_their_hall(client, hall_a, two_halls_windows):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    client.force_login(supervisor)

    response = client.get(reverse("window-list"), {"hall": "HA"})

    assert [w["number"] for w in response.json()["results"]] == [5]


@pytest.mark.parametrize("path", ["window-list", "hall-list", "service-item-list"])
def test_window_staff_cannot_read_the_configuration_api(client, hall_a, path):
    staff = StaffFactory(hall=hall_a)
    client.force_login(staff.user)

    assert client.get(reverse(path)).status_code == 403


def test_anonymous_callers_are_refused(client, two_halls_windows):
    assert client.get(reverse("window-list")).status_code == 403


def test_the_api_is_read_only(client, manager_a, two_halls_windows):
    client.force_login(manager_a)

    response = client.post(reverse("window-list"), {"hall": "HA", "number": 9})

    assert response.status_code == 405


def test_the_openapi_schema_and_docs_are_served_without_a_cdn(client, manager_a):
    client.force_login(manager_a)

    schema = client.get(reverse("api-schema"))
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200
    assert b"/api/v1/windows/" in schema.content
    assert docs.status_code == 200
    assert b"cdn." not in docs.content and b"https://" not in docs.content
