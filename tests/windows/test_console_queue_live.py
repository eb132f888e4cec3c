"""The console's queue panel kept up to date by polling (ETag; 304 while unchanged)."""

import datetime as dt
import re

import pytest
from django.test import Client

from tests.windows.factories import StaffFactory, UserFactory
from windows.models import QueueCategory, Visit
from windows.queue.services import ticket_issue
from windows.services import window_sign_in, window_sign_out

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def one_period(monkeypatch):
    """No 30-second period boundary between two requests of a test."""
    monkeypatch.setattr("windows.console.queue.PANEL_REFRESH_SECONDS", 10**9)


@pytest.fixture
def pension(hall_a, window):
    category = QueueCategory.objects.create(
        hall=hall_a,
        name="社保通办",
        prefix="A",
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 59, 59),
    )
    category.windows.add(window)
    return category


@pytest.fixture
def staff(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A005", user=UserFactory(username="wangxm"))


def browser(staff) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff.user)
    return client


@pytest.fixture
def first(staff, window, pension):
    window_sign_in(staff=staff, window=window)
    return browser(staff)


def panel(client, etag: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get("/console/queue/", **headers)


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_an_unchanged_panel_is_answered_304_with_one_cheap_read(
    first, pension, django_assert_max_num_queries
):
    response = panel(first)
    etag = response["ETag"]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache, private"
    assert 'id="queue-panel"' in response.content.decode()
    with django_assert_max_num_queries(4):
        unchanged = panel(first, etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag


def test_a_call_from_one_browser_shows_in_the_second(first, staff, pension):
    second = browser(staff)
    ticket_issue(category=pension)
    etag = panel(second)["ETag"]
    first.post("/console/queue/call/", {"held": ""})
    response = panel(second, etag)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert text_of(html, "called-ticket") == "A001"
    assert 'data-mode="free"' in html
    assert 'name="called"' in html


def test_a_ticket_issued_anywhere_in_the_hall_updates_the_counts(first, pension):
    response = panel(first)
    assert text_of(response.content.decode(), "queue-total") == "0 tickets waiting"
    ticket_issue(category=pension)
    updated = panel(first, response["ETag"])
    assert updated.status_code == 200
    assert text_of(updated.content.decode(), "queue-total") == "1 ticket waiting"


def test_service_started_elsewhere_changes_the_mode(first, staff, window, pension, items):
    ticket_issue(category=pension)
    first.post("/console/queue/call/", {"held": ""})
    visit = Visit.objects.get()
    first.post(
        "/console/queue/start/",
        {"called": visit.pk, "service_items": [items[0].pk], "items_shown": "1"},
    )
    html = panel(first).content.decode()
    assert f'data-mode="serving-{visit.pk}"' in html
    assert re.search(r'id="btn-call"[^>]*disabled', html)


def test_signing_out_elsewhere_tells_the_page(first, staff):
    window_sign_out(staff=staff)
    html = panel(first).content.decode()
    assert 'data-mode="signed-out"' in html
    assert 'id="btn-call"' not in html


def test_the_panel_needs_a_staff_member(db, manager_a):
    response = Client().get("/console/queue/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/queue/"
    manager = Client()
    manager.force_login(manager_a)
    assert manager.get("/console/queue/").status_code == 403


def test_the_panel_page_carries_its_version(first):
    html = first.get("/console/").content.decode()
    etag = re.search(r'data-etag="([^"]+)"', html).group(1)
    assert etag.replace("&quot;", '"') == panel(first)["ETag"]
    assert 'data-live-url="/console/queue/"' in html
