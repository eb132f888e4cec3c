"""One API surface: the pages' JSON feeds and the tablet's API are operations of /api/v1/,
each documented once in the schema with its parameters; their former paths are gone (the
feeds) or kept out of the schema as aliases (the tablet's, for kiosk pages loaded before).
"""

import pytest

from tests.evaluations.tablet_factories import paired_tablet
from tests.windows.factories import WindowFactory

pytestmark = pytest.mark.django_db

HALL_PARAMETER = {
    "in": "query",
    "name": "hall",
    "schema": {"type": "string", "maxLength": 20, "minLength": 1},
    "description": "The code of one of the caller's halls.",
    "required": True,
}
YEAR_PARAMETER = {
    "in": "query",
    "name": "year",
    "schema": {"type": "integer", "minimum": 2000},
    "description": "A calendar year from 2000 to the hall's current one; this year if missing.",
}
FEEDS = {
    "/api/v1/results/live/": ([HALL_PARAMETER], "LiveResults"),
    "/api/v1/dashboard/year/": ([HALL_PARAMETER, YEAR_PARAMETER], "DashboardYear"),
    "/api/v1/dashboard/today/": ([HALL_PARAMETER], "DashboardToday"),
}
# The dashboard sections' feeds (issue 15), whose own tests document their parameters.
DASHBOARD_SECTIONS = ("/api/v1/dashboard/surge/", "/api/v1/dashboard/waiting/")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/", {"format": "json"}).json()


def test_the_schema_lists_the_feeds_and_the_tablets_api_under_api_v1(schema):
    paths = {path: sorted(operations) for path, operations in schema["paths"].items()}

    listed = [*FEEDS, *DASHBOARD_SECTIONS, "/api/v1/tablet/state"]
    assert {path: paths.get(path) for path in listed} == {
        "/api/v1/results/live/": ["get"],
        "/api/v1/dashboard/year/": ["get"],
        "/api/v1/dashboard/today/": ["get"],
        "/api/v1/dashboard/surge/": ["get"],
        "/api/v1/dashboard/waiting/": ["get"],
        "/api/v1/tablet/state": ["get"],
    }
    assert paths["/api/v1/tablet/ratings"] == ["post"]
    assert [path for path in paths if not path.startswith("/api/v1/")] == []
    assert len(paths) == 19


@pytest.mark.parametrize("path", list(FEEDS))
def test_a_feeds_parameters_and_responses_are_documented(schema, path):
    parameters, component = FEEDS[path]
    operation = schema["paths"][path]["get"]

    assert operation["parameters"] == parameters
    assert sorted(operation["responses"]) == ["200", "400", "403", "404"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{component}"}
    assert {"cookieAuth": []} in operation["security"]


def test_the_feeds_response_schemas_name_every_field_the_pages_read(schema):
    components = schema["components"]["schemas"]

    def fields(name):
        return list(components[name]["properties"])

    assert fields("LiveResults") == [
        "hall",
        "date",
        "updated_at",
        "totals",
        "windows",
        "bad_reviews",
    ]
    assert fields("LiveWindow")[:3] == ["number", "name", "visits"]
    assert fields("DashboardYear") == ["hall", "hall_name", "year", "totals", "months", "daily"]
    assert fields("DashboardDaily") == ["start", "end", "days", "peak_days"]
    assert fields("DashboardToday") == [
        "hall",
        "date",
        "updated_at",
        "visits",
        "items",
        "evaluation_rate_pct",
        "satisfaction_rate_pct",
    ]
    assert components["DashboardTotals"]["properties"]["peak_day"]["nullable"] is True


@pytest.mark.parametrize(
    "path",
    ["/results/hall/live.json", "/reports/dashboard/data.json", "/reports/dashboard/today.json"],
)
def test_the_feeds_former_paths_are_gone(client, manager_a, path):
    client.force_login(manager_a)

    assert client.get(path, {"hall": "HA"}).status_code == 404


def test_the_tablets_former_paths_still_answer_out_of_the_schema(schema, client, hall_a):
    _device, token = paired_tablet(WindowFactory(hall=hall_a, number=5))
    device = {"HTTP_AUTHORIZATION": f"Device {token}"}

    old = client.get("/tablet/api/state", **device)
    new = client.get("/api/v1/tablet/state", **device)

    assert (old.status_code, new.status_code) == (200, 200)
    assert old.json() == new.json()
    assert client.post("/tablet/api/ratings", {}, **device).status_code == 400
    assert "/tablet/api/state" not in schema["paths"]
    assert "/tablet/api/ratings" not in schema["paths"]
