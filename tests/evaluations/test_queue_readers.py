"""Every reader of visits with the queue's new states (issue 14 item 5, the audit): a ticket
waiting (no window, no start), called (a window, no start) or abandoned before its start
breaks no list, API, console, tablet or figure, and is in none that shows served visits."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating
from evaluations.selectors.console_day import console_day
from evaluations.selectors.results import figures_by_period
from tests.evaluations.tablet_factories import as_tablet, paired_tablet
from tests.windows.factories import ServiceItemFactory, StaffFactory, WindowFactory
from windows.models import QueueCategory, Visit
from windows.queue.services import ticket_call_next, ticket_issue, ticket_start
from windows.rules.hall_time import hall_localdate
from windows.services import visit_finish, visit_start, window_sign_in

pytestmark = pytest.mark.django_db
STATE = "/api/v1/tablet/state"
RATINGS = "/api/v1/tablet/ratings"


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.fixture
def window(hall_a):
    return WindowFactory(hall=hall_a, number=5, name="5号窗口")


@pytest.fixture
def item():
    return ServiceItemFactory(code="C01", name="参保登记")


@pytest.fixture
def staff(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A005", display_name="王小明")


@pytest.fixture
def session(window, staff):
    return window_sign_in(staff=staff, window=window, now=ago(3600))


@pytest.fixture
def category(hall_a, window):
    """Open all day (the tests run at any hour), served at window 5."""
    category = QueueCategory.objects.create(
        hall=hall_a, name="社保通办", prefix="A", opens_at=dt.time(0), closes_at=dt.time(23, 59)
    )
    category.windows.add(window)
    return category


@pytest.fixture
def day(hall_a, session, item, category):
    """At window 5: a typed ticket T101 served (finished 30 s ago), then the queue's A001
    called 20 s ago (not started); A002 waiting; an abandoned ticket of yesterday."""
    served = visit_start(session=session, ticket_no="T101", service_items=[item], now=ago(300))
    served = visit_finish(session=session, visit=served, now=ago(30))
    called = ticket_issue(category=category, now=ago(200))
    ticket_issue(category=category, now=ago(100))
    assert ticket_call_next(session=session, now=ago(20)).pk == called.pk
    yesterday = hall_localdate(hall_a) - dt.timedelta(days=1)
    Visit.objects.create(
        hall=hall_a,
        ticket_no="A009",
        issued_at=ago(86400),
        service_date=yesterday,
        category=category,
        status=Visit.Status.ABANDONED,
        item_count=1,
    )
    return served, Visit.objects.get(pk=called.pk)


def test_a_called_ticket_leaves_the_tablet_on_the_visit_before_and_the_rating_lands_there(
    en_client, window, session, item, day
):
    served, called = day
    client = as_tablet(en_client, paired_tablet(window)[1])

    state = client.get(STATE).json()
    assert (state["pending"]["visit_id"], state["serving"]) == (served.pk, None)

    body = {"visit_id": served.pk, "level": 5, "client_id": str(uuid.uuid4()), "age_ms": 0}
    response = client.post(RATINGS, json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert Rating.objects.get().visit_id == served.pk

    # The called ticket cannot be rated: it has not even started.
    body = {**body, "visit_id": called.pk, "client_id": str(uuid.uuid4())}
    response = client.post(RATINGS, json.dumps(body), content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (409, "not_completed")
    assert Rating.objects.count() == 1

    ticket_start(session=session, visit=called, service_items=[item], now=ago(10))
    state = client.get(STATE).json()
    assert (state["pending"], state["serving"]["ticket_no"]) == (None, "A001")


def test_the_console_day_lists_only_visits_whose_service_started(hall_a, staff, day):
    served, _called = day
    today = console_day(staff=staff, today=hall_localdate(hall_a))

    assert [row.visit.pk for row in today.rows] == [served.pk]
    assert (today.figures.visits, today.figures.items) == (1, 1)


def test_the_visits_api_lists_only_started_visits(client, manager_a, hall_a, day):
    served, called = day
    client.force_login(manager_a)
    response = client.get(reverse("visit-list"), {"hall": "HA"})

    assert response.status_code == 200
    assert [(v["ticket_no"], v["window_no"]) for v in response.json()["results"]] == [("T101", 5)]
    assert client.get(reverse("visit-detail", args=[called.pk])).status_code == 404
    assert client.get(reverse("visit-detail", args=[served.pk])).status_code == 200


def test_the_admin_lists_every_ticket_by_issue_only_in_its_hall(client, manager_a, manager_b, day):
    client.force_login(manager_a)
    response = client.get(reverse("admin:windows_visit_changelist"))

    assert response.status_code == 200
    listed = [(v.ticket_no, v.status) for v in response.context["cl"].result_list]
    assert listed == [
        ("A002", "waiting"),
        ("A001", "called"),
        ("T101", "completed"),
        ("A009", "abandoned"),
    ]
    client.force_login(manager_b)
    response = client.get(reverse("admin:windows_visit_changelist"))
    assert list(response.context["cl"].result_list) == []


def test_figures_by_period_make_no_row_of_waiting_or_called_tickets(hall_a, category):
    ticket_issue(category=category, now=ago(60))
    today = hall_localdate(hall_a)

    rows = figures_by_period(visits=Visit.objects.filter(hall=hall_a), period="day",
                             start=today, end=today)  # fmt: skip
    assert rows == []
