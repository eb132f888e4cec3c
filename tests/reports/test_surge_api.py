"""The dashboard's surge feed (reports/surge/api.py) and its section of the dashboard: who
may read it, and that it gives the state the beat job alerts on."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.surge.models import SurgeAlert
from tests.reports.test_surge_alerts import AT_10_15, TODAY, surging_hall  # noqa: F401
from tests.windows.factories import HallFactory, StaffFactory, UserFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db

FEED = reverse("dashboard-surge")


def test_the_feed_is_mounted_under_the_dashboards_feeds():
    assert FEED == "/api/v1/dashboard/surge/"


def test_anonymous_users_are_refused(client, surging_hall):  # noqa: F811
    assert client.get(FEED, {"hall": "S1"}).status_code == 403


def test_window_staff_are_refused(client, surging_hall):  # noqa: F811
    client.force_login(StaffFactory(hall=surging_hall).user)
    assert client.get(FEED, {"hall": "S1"}).status_code == 403


def test_another_halls_manager_gets_not_found_and_a_missing_hall_is_a_bad_request(
    client,
    surging_hall,  # noqa: F811
):
    client.force_login(make_manager(HallFactory(code="S0"), "mgr_s0"))
    assert client.get(FEED, {"hall": "S1"}).status_code == 404
    assert client.get(FEED, {"hall": "NOPE"}).status_code == 404
    assert client.get(FEED).status_code == 400
    assert client.get(FEED, {"hall": "S0"}).status_code == 200


def test_the_feed_gives_the_state_at_this_moment(client, monkeypatch, surging_hall):  # noqa: F811
    monkeypatch.setattr(timezone, "now", lambda: AT_10_15)
    SurgeAlert.objects.create(
        hall=surging_hall, day=TODAY, level=100, at=AT_10_15, arrived=60, projected=150,
        low=120, high=180, capacity=100,
    )  # fmt: skip
    client.force_login(make_manager(surging_hall, "mgr_s1"))
    response = client.get(FEED, {"hall": "S1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    data = response.json()
    assert (data["date"], data["time"], data["basis"]) == ("2020-11-02", "10:15", "issued")
    assert data["projection"] == {
        "arrived": 60,
        "projected": 150,
        "low": 120,
        "high": 180,
        "share": 0.4,
        "days": 12,
        "early": False,
    }
    assert (data["capacity"], data["windows_open"], data["items_per_window_day"]) == (100, 1, 100)
    assert data["windows_signed_in"] == 1
    assert data["levels"] == [
        {"level": 100, "items": 100},
        {"level": 120, "items": 120},
        {"level": 150, "items": 150},
    ]
    assert data["crossed"] == [100, 120]
    # 8:00 to 18:00: labels are the ends of the quarters 8:00-8:15 .. 17:45-18:00
    assert (data["first_slot"], data["labels"][0], data["labels"][-1]) == (32, "08:15", "18:00")
    assert data["curve"][-1] == 60 and len(data["curve"]) == 41 - 32
    assert data["typical"][-1] == 50
    assert data["suggestion"]["windows_to_open"] == [2]
    assert data["categories"][0]["surging"] is True
    assert data["alerts"] == [
        {"level": 100, "time": "10:15", "projected": 150, "acknowledged": False}
    ]
    assert data["status"] == "Even the projection's lower bound passes 120% of capacity."


def test_without_history_the_feed_says_so(client):
    hall = HallFactory(code="S2")
    client.force_login(make_manager(hall, "mgr_s2"))
    data = client.get(FEED, {"hall": "S2"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["projection"] is None
    assert data["status"] == (
        "Not enough history on this weekday to project today (at least 4 days)."
    )


def test_the_dashboard_shows_the_section_to_a_manager_only(client, surging_hall):  # noqa: F811
    page = reverse("reports:dashboard")
    client.force_login(make_manager(surging_hall, "mgr_s1b"))
    html = client.get(page, {"hall": "S1"}).content.decode()
    assert 'id="surge"' in html and 'data-url="/api/v1/dashboard/surge/?hall=S1"' in html
    assert "reports/surge.js" in html
    client.force_login(UserFactory(username="staff_x", role=roles.WINDOW_STAFF))
    assert 'id="surge"' not in client.get(page, {"hall": "S1"}).content.decode()
