"""Schemathesis over /api/schema/: every operation answers no 5xx and matches its schema.

The portal is called in-process through its WSGI handler, so the requests share the test's
database transaction. A hall manager calls with an API token (the integration's way in),
the pages' JSON feeds with the manager's session cookie (the pages' scripts' way in), the
tablet's operations with the device token of a tablet of the same hall. Examples are
bounded and derandomized: the same cases on every run, about 15 s in all.
"""

import datetime as dt
from collections import Counter

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from tests.evaluations.tablet_factories import paired_tablet
from tests.windows.factories import (
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)

pytestmark = pytest.mark.django_db(transaction=False)

MAX_EXAMPLES = 25
# The pages' JSON feeds, called by their scripts with the browser's session.
FEEDS = {
    "/api/v1/results/live/",
    "/api/v1/dashboard/year/",
    "/api/v1/dashboard/today/",
    "/api/v1/dashboard/surge/",
    "/api/v1/dashboard/waiting/",
}
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_app(db):
    """The portal's WSGI handler, keeping the test's connection (and transaction) open.

    After each request Django closes a connection that is not in autocommit, which the
    test's transaction is not; Django's test client turns that off around its requests,
    and so does this fixture for schemathesis' in-process requests.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


@pytest.fixture
def hall_with_data(hall_a):
    """Hall HA with a specialist window, a rated visit with its staff member and an unrated
    one without; the path and query parameters that name them (fixed in a second run)."""
    item = ServiceItemFactory(code="S001")
    window = WindowFactory(hall=hall_a, number=5, zone=None)
    staff = StaffFactory(hall=hall_a, badge_no="B005")
    rated = VisitFactory(hall=hall_a, window=window, staff=staff, ticket_no="A001")
    rating = Rating.objects.create(
        visit=rated, level=5, rated_at=rated.finished_at, source="import"
    )
    VisitFactory(hall=hall_a, window=window, staff=None, ticket_no="A002")
    known = {
        "/api/v1/halls/{code}/": {"path_parameters": {"code": hall_a.code}},
        "/api/v1/halls/{code}/stats/volume/": {"path_parameters": {"code": hall_a.code}},
        "/api/v1/service-items/{code}/": {"path_parameters": {"code": item.code}},
        "/api/v1/visits/{id}/": {"path_parameters": {"id": rated.pk}},
        "/api/v1/ratings/{id}/": {"path_parameters": {"id": rating.pk}},
        "/api/v1/windows/{id}/": {"path_parameters": {"id": window.pk}},
        **{feed: {"query": {"hall": hall_a.code}} for feed in FEEDS},
    }
    return window, known


def _credentials_for(
    operation_path: str, *, api_token: str, session: str, device_token: str
) -> dict:
    """The caller's credentials, as keyword arguments of schemathesis' call."""
    if operation_path.startswith("/api/v1/tablet/"):
        return {"headers": {"Authorization": f"Device {device_token}"}}
    if operation_path in FEEDS:
        return {"cookies": {django_settings.SESSION_COOKIE_NAME: session}}
    return {"headers": {"Authorization": f"Token {api_token}"}}


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _fuzz(operation, credentials: dict, fixed: dict | None = None) -> Counter:
    """Run the operation's bounded examples, with the `fixed` path or query parameters given;
    raises on the first failing one.

    Returns how many responses of each status code the examples got.
    """
    statuses: Counter = Counter()

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(**(fixed or {})))
    def call(case):
        response = case.call_and_validate(**credentials, checks=CHECKS)
        statuses[response.status_code] += 1

    call()
    return statuses


# A new operation may need its rows' parameters in `known` above.
OPERATIONS = [
    "GET /api/v1/dashboard/surge/",
    "GET /api/v1/dashboard/today/",
    "GET /api/v1/dashboard/waiting/",
    "GET /api/v1/dashboard/year/",
    "GET /api/v1/halls/",
    "GET /api/v1/halls/{code}/",
    "GET /api/v1/halls/{code}/stats/volume/",
    "GET /api/v1/ratings/",
    "GET /api/v1/ratings/{id}/",
    "GET /api/v1/results/live/",
    "GET /api/v1/service-items/",
    "GET /api/v1/service-items/{code}/",
    "GET /api/v1/tablet/state",
    "GET /api/v1/visits/",
    "GET /api/v1/visits/{id}/",
    "GET /api/v1/windows/",
    "GET /api/v1/windows/{id}/",
    "POST /api/v1/tablet/ratings",
    "POST /api/v1/visits/batch/",
]


def test_every_operation_answers_without_server_errors_and_as_its_schema_says(
    api_schema, hall_with_data, hall_a
):
    window, known = hall_with_data
    manager = make_manager(hall_a, "api_manager")
    api_token = Token.objects.create(user=manager).key
    session = _session_of(manager)
    _device, device_token = paired_tablet(window)
    failures: dict[str, str] = {}
    statuses: dict[str, Counter] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]

    for operation in operations:
        credentials = _credentials_for(
            operation.path, api_token=api_token, session=session, device_token=device_token
        )
        # Generated parameters mostly name nothing (404): the hall's rows are fuzzed too.
        runs = [None, known[operation.path]] if operation.path in known else [None]
        for fixed in runs:
            label = f"{operation.label} {fixed}" if fixed else operation.label
            try:
                statuses[label] = _fuzz(operation, credentials, fixed)
            except Exception as error:  # one operation's failure must not hide the others'
                failures[label] = f"{type(error).__name__}: {error}"[:2000]

    print("\n".join(f"{label}: {dict(counts)}" for label, counts in statuses.items()))
    assert sorted(operation.label for operation in operations) == OPERATIONS
    assert failures == {}
    # Every run reached the portal, and the rows named by their parameters were found (200).
    assert all(sum(counts.values()) >= MAX_EXAMPLES // 2 for counts in statuses.values())
    assert [label for label in statuses if label.endswith("}") and not statuses[label][200]] == []


@pytest.fixture
def busy_hall(hall_a):
    """Hall HA today and a year ago: rated and unrated visits at two windows, bad reviews with
    reasons, a comment and a phone, one without a staff member; the feeds' every field set."""
    today = timezone.localdate()
    a_year_ago = dt.date(today.year - 1, today.month, min(today.day, 28))
    general = WindowFactory(hall=hall_a, number=1, zone=ZoneFactory(hall=hall_a, kind="general"))
    other = WindowFactory(hall=hall_a, number=2, zone=None)
    staff = StaffFactory(hall=hall_a, badge_no="B001", display_name="张三")
    for day, window, level, items in [
        (today, general, 1, 2),
        (today, general, 5, 1),
        (today, other, 2, 3),
        (today, other, None, 1),
        (a_year_ago, general, 4, 5),
    ]:
        visit = VisitFactory(
            hall=hall_a,
            window=window,
            staff=staff if window is general else None,
            service_date=day,
            item_count=items,
        )
        if level is not None:
            Rating.objects.create(
                visit=visit,
                level=level,
                rated_at=visit.finished_at,
                source="tablet",
                reasons=["long_wait"] if level < 3 else [],
                comment="等太久" if level == 1 else "",
                callback_phone="13812345678" if level == 1 else "",
            )
    rollups_rebuild()  # the factories write visits and ratings without the services
    return today


def test_the_pages_feeds_answer_as_the_schema_says_on_a_busy_day(
    api_schema, busy_hall, hall_a, manager_a
):
    """Every field of the feeds filled in (bad reviews, peak days, last year's figures, and the
    nulls of a window without visits): the responses still match their schema."""
    cookies = {django_settings.SESSION_COOKIE_NAME: _session_of(manager_a)}
    year = str(busy_hall.year)
    calls = [
        ("/api/v1/results/live/", {"hall": "HA"}),
        ("/api/v1/dashboard/today/", {"hall": "HA"}),
        ("/api/v1/dashboard/year/", {"hall": "HA"}),
        ("/api/v1/dashboard/year/", {"hall": "HA", "year": year}),
        ("/api/v1/dashboard/year/", {"hall": "HA", "year": str(busy_hall.year - 1)}),
    ]
    bodies = []
    for path, query in calls:
        case = api_schema[path]["GET"].Case(query=query)
        response = case.call_and_validate(cookies=cookies, checks=CHECKS)
        assert response.status_code == 200
        bodies.append(response.json())

    live, today, this_year = bodies[:3]
    assert [review["staff_name"] for review in live["bad_reviews"]] == ["", "张三"]
    assert [window["number"] for window in live["windows"]] == [1, 2]
    assert (today["visits"], today["items"]) == (4, 7)
    assert this_year == bodies[3]
    assert this_year["totals"]["peak_day"] == {"date": busy_hall.isoformat(), "items": 7}
    assert this_year["totals"]["previous_year_items_total"] == 5
    assert bodies[4]["totals"]["items_total"] == 5
