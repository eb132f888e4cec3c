"""windows.roles: one answer to who manages or supervises a hall, and who sees a phone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.windows.factories import StaffFactory, UserFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(hall_a, hall_b, manager_a, manager_b):
    retired = make_manager(hall_a, "retired_a")
    retired.is_active = False
    retired.save()
    return {
        "manager_a": manager_a,
        "manager_b": manager_b,
        "supervisor_a": make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR),
        "staff_a": StaffFactory(hall=hall_a).user,
        "root": UserFactory(username="root", is_superuser=True, is_staff=True),
        "retired_a": retired,
        "anonymous": AnonymousUser(),
    }


def test_who_manages_hall_a(people, hall_a):
    managers = {name for name, user in people.items() if roles.is_hall_manager(user, hall_a)}
    by_id = {name for name, user in people.items() if roles.is_hall_manager(user, hall_a.pk)}

    assert managers == by_id == {"manager_a", "root"}


def test_who_manages_some_hall(people):
    managers = {name for name, user in people.items() if roles.is_hall_manager(user)}

    assert managers == {"manager_a", "manager_b", "root"}


def test_who_supervises_hall_a(people, hall_a, hall_b):
    assert {name for name, user in people.items() if roles.is_supervisor(user, hall_a)} == {
        "supervisor_a"
    }
    assert {name for name, user in people.items() if roles.is_supervisor(user, hall_b)} == set()


def test_the_managers_of_a_hall_as_a_query_leave_out_superusers_and_inactive(people, hall_a):
    assert set(roles.hall_managers(hall_a).values_list("username", flat=True)) == {"manager_a"}


def test_managed_halls(people, hall_a, hall_b):
    assert roles.managed_hall_ids(people["manager_a"]) == {hall_a.pk}
    assert roles.managed_hall_ids(people["root"]) is None
    assert roles.managed_hall_ids(people["supervisor_a"]) == set()
    assert roles.managed_hall_ids(people["retired_a"]) == set()
    assert roles.managed_hall_ids(people["anonymous"]) == set()


def test_the_phone_shown_to_each(people, hall_a):
    handler = people["staff_a"]
    case = SimpleNamespace(hall_id=hall_a.pk, handler_id=handler.pk, callback_phone="13812341234")
    expected = {
        "manager_a": "13812341234",
        "root": "13812341234",
        "staff_a": "13812341234",  # the handler calls back
        "manager_b": "138****1234",
        "supervisor_a": "138****1234",
        "retired_a": "138****1234",
        "anonymous": "138****1234",
    }

    assert {name: roles.shown_phone(people[name], case) for name in expected} == expected
    assert {name: roles.phone_shower(people[name])(case) for name in expected} == expected
