"""Schemathesis over /api/schema/: every operation answers no 5xx and matches its schema.

The portal is called in-process through its WSGI handler, so the requests share the test's
database transaction. A hall manager calls with an API token (the integration's way in),
the tablet's operations with the device token of a tablet of the same hall. Examples are
bounded and derandomized: the same cases on every run, about 10 s in all.
"""

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from evaluations.models import Rating
from tests.evaluations.tablet_factories import paired_tablet
from tests.windows.factories import (
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)

pytestmark = pytest.mark.django_db(transaction=False)

MAX_EXAMPLES = 25
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
    one without; the path parameters that name them."""
    item = ServiceItemFactory(code="S001")
    window = WindowFactory(hall=hall_a, number=5, zone=None)
    staff = StaffFactory(hall=hall_a, badge_no="B005")
    rated = VisitFactory(hall=hall_a, window=window, staff=staff, ticket_no="A001")
    rating = Rating.objects.create(
        visit=rated, level=5, rated_at=rated.finished_at, source="import"
    )
    VisitFactory(hall=hall_a, window=window, staff=None, ticket_no="A002")
    known = {
        "/api/v1/halls/{code}/": {"code": hall_a.code},
        "/api/v1/halls/{code}/stats/volume/": {"code": hall_a.code},
        "/api/v1/service-items/{code}/": {"code": item.code},
        "/api/v1/visits/{id}/": {"id": rated.pk},
        "/api/v1/ratings/{id}/": {"id": rating.pk},
        "/api/v1/windows/{id}/": {"id": window.pk},
    }
    return window, known


def _headers_for(operation_path: str, *, api_token: str, device_token: str) -> dict:
    if operation_path.startswith("/tablet/"):
        return {"Authorization": f"Device {device_token}"}
    return {"Authorization": f"Token {api_token}"}


def _fuzz(operation, headers: dict, path_parameters: dict | None = None) -> Counter:
    """Run the operation's bounded examples; raises on the first failing one.

    Returns how many responses of each status code the examples got.
    """
    statuses: Counter = Counter()

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def call(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    call()
    return statuses


def test_every_operation_answers_without_server_errors_and_as_its_schema_says(
    api_schema, hall_with_data, hall_a
):
    window, known = hall_with_data
    api_token = Token.objects.create(user=make_manager(hall_a, "api_manager")).key
    _device, device_token = paired_tablet(window)
    failures: dict[str, str] = {}
    statuses: dict[str, Counter] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]

    for operation in operations:
        headers = _headers_for(operation.path, api_token=api_token, device_token=device_token)
        # Generated path parameters mostly name nothing (404): the hall's rows are fuzzed too.
        runs = [None, known[operation.path]] if operation.path in known else [None]
        for path_parameters in runs:
            label = f"{operation.label} {path_parameters}" if path_parameters else operation.label
            try:
                statuses[label] = _fuzz(operation, headers, path_parameters)
            except Exception as error:  # one operation's failure must not hide the others'
                failures[label] = f"{type(error).__name__}: {error}"[:2000]

    print("\n".join(f"{label}: {dict(counts)}" for label, counts in statuses.items()))
    assert len(operations) == 14  # a new operation may need its rows' path parameters above
    assert failures == {}
    # Every run reached the portal, and the rows named by their path were found (200).
    assert all(sum(counts.values()) >= MAX_EXAMPLES // 2 for counts in statuses.values())
    assert [label for label in statuses if label.endswith("}") and not statuses[label][200]] == []
