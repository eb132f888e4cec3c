"""The dashboard's waiting-and-satisfaction feed (reports/waiting/api.py) and its section
of the dashboard page: who may read it, bad filters, and that it gives the selector's
figures as they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.selectors.waiting_bands import WaitingFilters, waiting_bands
from tests.evaluations.test_waiting_bands import build_month
from tests.windows.factories import StaffFactory, UserFactory, make_manager
from windows import roles
from windows.models import QueueCategory

pytestmark = pytest.mark.django_db

FEED = reverse("dashboard-waiting")  # /api/v1/dashboard/waiting/
PAGE = reverse("reports:dashboard")
SEPTEMBER = {"hall": "HA", "start": "2020-09-01", "end": "2020-09-30"}


@pytest.fixture
def month(hall_a):
    category = QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")
    return {**build_month(hall_a, category=category), "category": category}


def test_the_feed_is_mounted_under_the_dashboards_feeds():
    assert FEED == "/api/v1/dashboard/waiting/"


# --- who may read it ----------------------------------------------------------------------


def test_anonymous_users_are_refused(en_client, english, hall_a):
    response = en_client.get(FEED, SEPTEMBER)

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_window_staff_are_refused(client, hall_a):
    client.force_login(StaffFactory(hall=hall_a).user)

    assert client.get(FEED, SEPTEMBER).status_code == 403


@pytest.mark.parametrize("code", ["HA", "NOPE"])
def test_another_halls_manager_gets_not_found(client, hall_a, manager_b, code):
    client.force_login(manager_b)

    # The hall comes first: a bad filter does not tell the hall exists either.
    assert client.get(FEED, {**SEPTEMBER, "hall": code}).status_code == 404
    assert client.get(FEED, {**SEPTEMBER, "hall": code, "window": "x"}).status_code == 404


def test_a_manager_without_halls_gets_not_found(client, hall_a):
    client.force_login(UserFactory(username="lonely", role=roles.HALL_MANAGER))

    assert client.get(FEED, SEPTEMBER).status_code == 404


def test_a_supervisor_of_the_hall_may_read_it(client, hall_a, month):
    client.force_login(make_manager(hall_a, "jiandu", role=roles.SUPERVISOR))

    response = client.get(FEED, SEPTEMBER)

    assert response.status_code == 200
    assert response.json()["ratings"] == 495
    assert response["Cache-Control"].startswith("max-age=0")


# --- the figures ---------------------------------------------------------------------------


def test_the_feed_gives_the_selectors_figures(client, manager_a, hall_a, month):
    client.force_login(manager_a)

    response = client.get(FEED, SEPTEMBER)

    data = response.json()
    selector = waiting_bands(
        WaitingFilters(hall=hall_a, start=dt.date(2020, 9, 1), end=dt.date(2020, 9, 30))
    ).as_json()
    assert {key: data[key] for key in selector} == selector
    assert data["wait"]["threshold"]["minute"] == 15
    assert [row["verdict"] for row in data["windows"]] == [
        "similar",
        "service",
        "not_below",
        "too_few",
    ]
    assert data["options"] == {
        "categories": [{"key": "A", "label": "A 社保通办"}],
        "windows": [{"key": str(n), "label": f"社保通办{n}号窗口"} for n in (1, 2, 3, 4)],
        "staff": [{"key": "B0202", "label": "王芳 (B0202)"}],
    }


def test_the_thresholds_are_explained_in_the_users_language(en_client, english, manager_a, month):
    en_client.force_login(manager_a)

    explanations = en_client.get(FEED, SEPTEMBER).json()["explanations"]

    assert explanations == {
        "wait": "Bad reviews rise clearly from 15 minutes of waiting: 20.00% in the 15–20 band "
        "against 5.00% in the 0–5 band.",
        "service": "No longer band has a bad-review share clearly above the shortest band's: "
        "no threshold.",
    }


@pytest.mark.parametrize(
    ("query", "ratings"),
    [
        ({"window": "2"}, 50),
        ({"staff": "B0202"}, 50),
        ({"category": "A"}, 495),
        ({"category": "A", "window": "1", "staff": ""}, 270),
        ({"window": "", "category": "", "staff": ""}, 495),  # the selects' 全部
    ],
)
def test_the_filters(client, manager_a, month, query, ratings):
    client.force_login(manager_a)

    data = client.get(FEED, {**SEPTEMBER, **query}).json()

    assert data["ratings"] == ratings


def test_without_dates_the_period_is_the_dashboards_year(client, manager_a, month):
    client.force_login(manager_a)

    data = client.get(FEED, {"hall": "HA", "year": "2020"}).json()
    this_year = client.get(FEED, {"hall": "HA"}).json()

    assert (data["filters"]["start"], data["filters"]["end"]) == ("2020-01-01", "2020-12-31")
    assert data["ratings"] == 495
    today = timezone.localdate()
    assert this_year["filters"]["start"] == f"{today.year}-01-01"
    assert this_year["filters"]["end"] == today.isoformat()
    assert this_year["ratings"] == 0


BAD_FILTERS = [
    (
        {"start": "2020-09-31", "end": "2020-09-30"},
        "start",
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    ),
    ({"start": "2020-09-01", "end": ""}, "end", "Give both the first and the last day."),
    ({"start": "2020-09-01", "end": None}, "end", "Give both the first and the last day."),
    ({"start": None, "end": "2020-09-30"}, "start", "Give both the first and the last day."),
    (
        {"start": "2020-09-30", "end": "2020-09-01"},
        "end",
        "The last day cannot be before the first day.",
    ),
    ({"start": "2020-01-01", "end": "2021-01-01"}, "end", "The period can be at most 366 days."),
    ({"window": "x"}, "window", "A valid integer is required."),
    ({"window": "0"}, "window", "Ensure this value is greater than or equal to 1."),
    ({"window": "99"}, "window", "No window 99 in this hall."),
    ({"category": "Z"}, "category", "No business category Z in this hall."),
    ({"category": "ABC"}, "category", "Ensure this field has no more than 2 characters."),
    ({"staff": "B9999"}, "staff", "No staff member with badge B9999 in this hall."),
    ({"year": "1999", "start": None, "end": None}, "year", None),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_FILTERS)
def test_a_bad_filter_is_refused_with_the_reason(
    en_client, english, manager_a, month, query, field, message
):
    en_client.force_login(manager_a)
    params = {key: value for key, value in {**SEPTEMBER, **query}.items() if value is not None}

    response = en_client.get(FEED, params)

    if message is None:
        message = f"The year must be a number from 2000 to {timezone.localdate().year}."
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_another_halls_window_is_not_a_filter(client, manager_a, hall_b, month):
    build_month(hall_b)
    client.force_login(manager_a)
    hall_b.windows.filter(number=1).update(number=7)  # hall B has a window 7, hall A none

    response = client.get(FEED, {**SEPTEMBER, "window": "7"})

    assert response.status_code == 400


def test_a_period_of_366_days_is_accepted(client, manager_a, month):
    client.force_login(manager_a)

    response = client.get(FEED, {**SEPTEMBER, "start": "2020-01-01", "end": "2020-12-31"})

    assert response.status_code == 200
    assert response.json()["ratings"] == 495


# --- the dashboard's section ---------------------------------------------------------------


def test_the_dashboard_mounts_the_section_with_its_feed_and_script(client, manager_a, month):
    client.force_login(manager_a)

    html = client.get(PAGE, {"hall": "HA", "year": "2020"}).content.decode()

    assert 'data-url="/api/v1/dashboard/waiting/?hall=HA"' in html
    assert '<input type="hidden" name="year" value="2020">' in html
    assert 'src="/static/reports/waiting.js"' in html
    for element in ("waiting-wait-chart", "waiting-service-chart", "waiting-windows"):
        assert f'id="{element}"' in html
    assert "https://" not in html.split('id="waiting"')[1].split("</section>")[0]


def test_the_schema_documents_the_feed_and_its_parameters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/dashboard/waiting/"]["get"]
    assert [(p["name"], p["in"]) for p in operation["parameters"]] == [
        (name, "query") for name in ("category", "end", "hall", "staff", "start", "window", "year")
    ]
    assert sorted(operation["responses"]) == ["200", "400", "403", "404"]
