import pytest
from django.utils import translation

from tests.windows.factories import HallFactory, make_manager

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """Every test that uses the database starts with an empty shared cache.

    The cache is the database cache (hall/settings/cache.py) or Redis: rolling back a test
    does not empty it and --reuse-db keeps it, so the throttles' and pairing limits' counts
    would otherwise carry over from test to test, and from run to run.
    """
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("django_db_setup")
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


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


@pytest.fixture
def role_groups(transactional_db) -> None:
    """The role groups a data migration made. Transactional tests (the browser tests, the
    concurrency tests) flush them, and serialized_rollback does not bring them back once
    other threads have used the database: a transactional test that needs them asks for
    this fixture."""
    from django.apps import apps

    from windows.roles import sync_role_groups

    sync_role_groups(apps)
