"""Malformed query parameters and NUL bytes are a 400 with the field named, never a 500.

Every JSON endpoint declares its query (a DRF serializer, in the OpenAPI schema for the API)
and answers a malformed value with DRF's `{"field": ["message"]}`. A NUL byte anywhere in
a query string or form (which PostgreSQL cannot store) is refused before any view runs,
on the pages and the admin as on the API. Who may call what is unchanged: the role is
checked before the query.
"""

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import Rating
from tests.evaluations.tablet_factories import finished_visit, paired_tablet
from tests.windows.factories import StaffFactory, VisitFactory, WindowFactory
from windows.models import Visit

pytestmark = pytest.mark.django_db

NUL = "\x00"
THIS_YEAR = timezone.localdate().year
VISITS = "/api/v1/visits/"
RATINGS = "/api/v1/ratings/"
WINDOWS = "/api/v1/windows/"
STATS = "/api/v1/halls/HA/stats/volume/"
LIVE = "/api/v1/results/live/"
DATA = "/api/v1/dashboard/year/"
TODAY = "/api/v1/dashboard/today/"
TABLET_STATE = "/api/v1/tablet/state"
TABLET_RATINGS = "/api/v1/tablet/ratings"
# The kiosk pages loaded before the tablet's API moved still call these.
TABLET_ALIASES = {TABLET_STATE: "/tablet/api/state", TABLET_RATINGS: "/tablet/api/ratings"}

# What each endpoint needs to answer 200 to the hall's manager.
VALID = {
    VISITS: {"hall": "HA"},
    RATINGS: {"hall": "HA"},
    WINDOWS: {"hall": "HA"},
    STATS: {"year": "2020"},
    LIVE: {"hall": "HA"},
    DATA: {"hall": "HA", "year": "2020"},
    TODAY: {"hall": "HA"},
}
BAD_VALUES = {
    "date": ["notadate", "2026-13-45", NUL],
    "window": ["abc", "0", "99999999999", NUL],
    "level": ["abc", "0", "6", NUL],
    "hall": [NUL, "H" * 21],
    "year": ["abc", "20x0", "99999", NUL],
}
DECLARED = {
    VISITS: ["hall", "date", "window"],
    RATINGS: ["hall", "date", "level"],
    WINDOWS: ["hall"],
    STATS: ["year"],
    LIVE: ["hall"],
    DATA: ["hall", "year"],
    TODAY: ["hall"],
}
CASES = [
    pytest.param(url, field, value, id=f"{url}?{field}={value!r}")
    for url, fields in DECLARED.items()
    for field in fields
    for value in BAD_VALUES[field]
]


@pytest.fixture
def window(hall_a):
    window = WindowFactory(hall=hall_a, number=5)
    VisitFactory(hall=hall_a, window=window)
    return window


@pytest.mark.parametrize(("url", "field", "value"), CASES)
def test_a_malformed_query_value_is_a_400_naming_the_field(
    client, english, manager_a, window, url, field, value
):
    client.force_login(manager_a)

    response = client.get(url, {**VALID[url], field: value})

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field], list)
    assert body[field][0]


@pytest.mark.parametrize(
    ("url", "field", "value", "message"),
    [
        (
            VISITS,
            "date",
            "2026-13-45",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        (VISITS, "window", "abc", "A valid integer is required."),
        (RATINGS, "level", "abc", "A valid integer is required."),
        (RATINGS, "level", "6", "Ensure this value is less than or equal to 5."),
        (VISITS, "hall", NUL, "Null characters are not allowed."),
        (STATS, "year", "abc", "Give the year as 4 digits from 1900 to 2100."),
        (DATA, "year", "abc", f"The year must be a number from 2000 to {THIS_YEAR}."),
        (DATA, "year", "99999", f"The year must be a number from 2000 to {THIS_YEAR}."),
        (LIVE, "hall", "", "This field may not be blank."),
        (TODAY, "hall", "H" * 21, "Ensure this field has no more than 20 characters."),
    ],
)
def test_the_400_says_what_is_wrong(
    en_client, english, manager_a, window, url, field, value, message
):
    en_client.force_login(manager_a)

    response = en_client.get(url, {**VALID[url], field: value})

    assert response.json() == {field: [message]}


@pytest.mark.parametrize("url", [LIVE, DATA, TODAY])
def test_a_feed_without_its_hall_is_a_400_naming_it(en_client, english, manager_a, window, url):
    en_client.force_login(manager_a)
    query = {key: value for key, value in VALID[url].items() if key != "hall"}

    response = en_client.get(url, query)

    assert response.status_code == 400
    assert response.json() == {"hall": ["This field is required."]}


@pytest.mark.parametrize("url", [LIVE, DATA, TODAY])
def test_a_feed_asked_for_an_unknown_hall_is_a_404(client, manager_a, window, url):
    client.force_login(manager_a)

    response = client.get(url, {**VALID[url], "hall": "NOPE"})

    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize("url", list(VALID))
def test_the_valid_query_still_answers(client, manager_a, window, url):
    client.force_login(manager_a)

    assert client.get(url, VALID[url]).status_code == 200


@pytest.mark.parametrize("url", [VISITS, RATINGS, WINDOWS, STATS, LIVE, DATA, TODAY])
def test_parameters_an_endpoint_does_not_declare_are_ignored(client, manager_a, window, url):
    client.force_login(manager_a)
    undeclared = {
        k: v
        for k, v in {"date": "notadate", "window": "abc", "level": "abc"}.items()
        if k not in DECLARED[url]
    }

    assert client.get(url, {**VALID[url], **undeclared}).status_code == 200


def test_the_filters_still_filter(client, manager_a, window, hall_a):
    client.force_login(manager_a)
    VisitFactory(hall=hall_a, window=WindowFactory(hall=hall_a, number=6))

    by_window = client.get(VISITS, {"hall": "HA", "date": "2020-09-28", "window": "6"}).json()
    other_day = client.get(VISITS, {"hall": "HA", "date": "2020-09-29"}).json()

    assert [visit["window_no"] for visit in by_window["results"]] == [6]
    assert other_day["results"] == []


# --- the tablet's API (device token) ---------------------------------------------------


@pytest.fixture
def tablet_token(window):
    return paired_tablet(window)[1]


@pytest.mark.parametrize("path", [TABLET_STATE, TABLET_ALIASES[TABLET_STATE]])
@pytest.mark.parametrize("field", ["hall", "date", "window", "level"])
def test_the_tablet_state_refuses_a_nul_byte(client, english, tablet_token, field, path):
    response = client.get(path, {field: NUL}, HTTP_AUTHORIZATION=f"Device {tablet_token}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("path", [TABLET_STATE, TABLET_ALIASES[TABLET_STATE]])
def test_the_tablet_state_ignores_parameters_it_does_not_take(client, tablet_token, path):
    response = client.get(
        path,
        {"date": "2026-13-45", "window": "abc", "level": "abc"},
        HTTP_AUTHORIZATION=f"Device {tablet_token}",
    )

    assert response.status_code == 200


@pytest.mark.parametrize("path", [TABLET_RATINGS, TABLET_ALIASES[TABLET_RATINGS]])
def test_a_rating_form_with_a_nul_byte_is_refused_and_stores_nothing(
    client, window, tablet_token, path
):
    visit = finished_visit(window)

    response = client.post(
        path,
        {"visit_id": visit.pk, "level": 1, "client_id": str(uuid.uuid4()), "comment": f"a{NUL}b"},
        HTTP_AUTHORIZATION=f"Device {tablet_token}",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["comment"]
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("path", [TABLET_RATINGS, TABLET_ALIASES[TABLET_RATINGS]])
def test_a_rating_with_a_nul_in_its_json_is_refused_and_stores_nothing(
    client, english, window, tablet_token, path
):
    visit = finished_visit(window)
    body = {"visit_id": visit.pk, "level": 1, "client_id": str(uuid.uuid4()), "comment": NUL}

    response = client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {tablet_token}",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"comment": ["Null characters are not allowed."]}
    assert Rating.objects.count() == 0


# --- who may call what: unchanged, and checked before the query ------------------------

HALL_ENDPOINTS = [STATS, LIVE, DATA, TODAY]  # name hall HA: another hall's manager gets 404


@pytest.mark.parametrize("url", HALL_ENDPOINTS)
@pytest.mark.parametrize("malformed", [False, True])
def test_another_halls_manager_still_gets_404(client, manager_b, window, url, malformed):
    client.force_login(manager_b)
    query = {**VALID[url], "hall": "HA"} if url != STATS else dict(VALID[url])
    if malformed:
        query["year"] = "abc"

    assert client.get(url, query).status_code == 404


@pytest.mark.parametrize("url", [VISITS, RATINGS, WINDOWS])
def test_another_halls_manager_still_sees_none_of_the_halls_rows(client, manager_b, window, url):
    client.force_login(manager_b)

    response = client.get(url, {"hall": "HA"})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("url", [VISITS, RATINGS, STATS, LIVE, DATA, TODAY])
@pytest.mark.parametrize("malformed", [False, True])
def test_window_staff_still_get_403(client, hall_a, window, url, malformed):
    client.force_login(StaffFactory(hall=hall_a).user)
    query = dict(VALID[url])
    if malformed:
        query |= {"date": "notadate", "window": "abc", "level": "abc", "year": "abc"}

    assert client.get(url, query).status_code == 403


@pytest.mark.parametrize("url", [LIVE, DATA, TODAY])
@pytest.mark.parametrize("malformed", [False, True])
def test_anonymous_callers_of_a_feed_are_refused_before_the_query(client, window, url, malformed):
    query = {**VALID[url], "year": "abc", "hall": "H" * 21} if malformed else VALID[url]

    response = client.get(url, query)

    assert response.status_code == 403
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize("url", [TABLET_STATE, TABLET_ALIASES[TABLET_STATE]])
def test_a_managers_session_is_still_no_tablet(client, manager_a, url):
    client.force_login(manager_a)

    assert client.get(url, {"date": "notadate"}).status_code == 401


# --- NUL bytes on the pages and the admin ----------------------------------------------

MANAGER_PAGES = [
    ("home", {}),
    ("password_change", {}),
    ("results:me", {}),
    ("results:hall", {}),
    ("complaints:list", {}),
    ("complaints:new", {}),
    ("complaints:dashboard", {}),
    ("complaints:detail", {"pk": 1}),
    ("rectification:progress", {}),
    ("reports:dashboard", {}),
    ("bulletins:list", {}),
    ("bulletins:detail", {"pk": 1}),
    ("surveys:overview", {}),
    ("admin:index", {}),
    ("admin:windows_window_changelist", {}),
    ("admin:windows_visit_changelist", {}),
    ("admin:evaluations_rating_changelist", {}),
    ("admin:autocomplete", {}),
]
STAFF_PAGES = [("home", {}), ("console:index", {}), ("results:me", {}), ("password_change", {})]
NUL_QUERIES = [
    {"hall": NUL},
    {"q": f"张{NUL}"},
    {"start": NUL, "end": "2020-01-01"},
    {"term": NUL, "app_label": "windows", "model_name": "window", "field_name": "zone"},
]


@pytest.mark.parametrize("query", NUL_QUERIES, ids=["hall", "q", "start", "term"])
@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES, ids=[n for n, _ in MANAGER_PAGES])
def test_a_nul_byte_on_a_managers_page_is_a_400(client, manager_a, window, name, kwargs, query):
    client.force_login(manager_a)

    response = client.get(reverse(name, kwargs=kwargs), query, HTTP_ACCEPT="text/html")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES, ids=[n for n, _ in STAFF_PAGES])
def test_a_nul_byte_on_a_staff_members_page_is_a_400(client, hall_a, name, kwargs):
    client.force_login(StaffFactory(hall=hall_a).user)

    response = client.get(reverse(name, kwargs=kwargs), {"hall": NUL}, HTTP_ACCEPT="text/html")

    assert response.status_code == 400


MALFORMED_PAGE_QUERY = {
    "date": "notadate",
    "window": "abc",
    "level": "abc",
    "year": "abc",
    "start": "2026-13-45",
    "end": "notadate",
    "week": "2026-13-45",
    "page": "abc",
    "kind": "abc",
}


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [page for page in MANAGER_PAGES if not page[1] and page[0] != "admin:autocomplete"],
    ids=[n for n, k in MANAGER_PAGES if not k and n != "admin:autocomplete"],
)
def test_other_malformed_values_on_a_managers_page_are_never_a_500(
    client, manager_a, window, name, kwargs
):
    client.force_login(manager_a)

    response = client.get(reverse(name, kwargs=kwargs), MALFORMED_PAGE_QUERY)

    assert response.status_code in (200, 302, 400, 404)


def test_the_admin_autocomplete_with_a_nul_term_is_a_400(client, manager_a, window):
    client.force_login(manager_a)

    response = client.get(
        "/admin/autocomplete/",
        {
            "term": f"窗口{NUL}",
            "app_label": "windows",
            "model_name": "visit",
            "field_name": "window",
        },
    )

    assert response.status_code == 400
    assert list(response.json()) == ["term"]


def test_a_nul_byte_in_a_path_is_a_400(client, manager_a, window):
    client.force_login(manager_a)

    assert client.get("/api/v1/halls/H%00A/").status_code == 400


def test_a_login_form_with_a_nul_byte_is_a_400(client, manager_a):
    response = client.post(reverse("login"), {"username": f"manager_a{NUL}", "password": "x"})

    assert response.status_code == 400


def test_a_case_form_with_a_nul_byte_stores_nothing(client, manager_a, window):
    client.force_login(manager_a)

    response = client.post(reverse("complaints:new"), {"hall": "HA", "description": f"x{NUL}"})

    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert Visit.objects.count() == 1


def test_a_visits_batch_with_a_nul_byte_is_refused_and_stores_nothing(
    client, english, manager_a, window
):
    client.force_login(manager_a)
    record = {"ticket_no": f"A9{NUL}", "window_no": 5, "status": "completed"}

    response = client.post(
        reverse("visit-batch"),
        {"hall": "HA", "visits": [{"ticket_no": "A8"}, record]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"visits": ["Record 2: null characters are not allowed."]}
    assert Visit.objects.count() == 1
