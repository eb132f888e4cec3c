import pytest

from tests.windows.factories import HallFactory, make_manager


@pytest.fixture
def hall_a(db):
    return HallFactory(code="HA", name="甲大厅")


@pytest.fixture
def hall_b(db):
    return HallFactory(code="HB", name="乙大厅")


@pytest.fixture
def manager_a(hall_a):
    return make_manager(hall_a, "manager_a")


@pytest.fixture
def manager_b(hall_b):
    return make_manager(hall_b, "manager_b")
