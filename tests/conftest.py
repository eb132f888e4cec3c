import pytest
from django.utils import translation

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


@pytest.fixture
def english(en_client):
    """Requests and assertions in English, whatever catalogue exists.

    translation.override alone is not enough: LocaleMiddleware picks each request's
    language from the request, so the client asks for English too.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def en_client(client):
    """A browser that asks for English, so text assertions survive the zh-hans catalogue."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
