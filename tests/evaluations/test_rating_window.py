"""A rating lands only on the visit the citizen just had (evaluations.rating_window).

The console stores each visit on the server from 开始办理, so the tablet's state and the
ratings it sends are judged against the window's real sequence of visits: a tap made after
the next visit started is refused (409, with the state to show now), whatever the network
did; a tap kept offline that was made in time counts, once.
"""

import datetime as dt
import json
import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import Rating
from tests.evaluations.tablet_factories import as_tablet, paired_tablet
from tests.windows.factories import ServiceItemFactory, StaffFactory, WindowFactory
from windows.models import Visit
from windows.services import visit_finish, visit_start, window_sign_in

pytestmark = pytest.mark.django_db
STATE = "/api/v1/tablet/state"
RATINGS = "/api/v1/tablet/ratings"


@pytest.fixture
def window(hall_a):
    return WindowFactory(hall=hall_a, number=5, name="5号窗口")


@pytest.fixture
def item():
    return ServiceItemFactory(code="C01", name="参保登记")


@pytest.fixture
def session(window):
    staff = StaffFactory(hall=window.hall, badge_no="A005", display_name="王小明")
    return window_sign_in(staff=staff, window=window, now=timezone.now() - dt.timedelta(hours=1))


@pytest.fixture
def tablet_client(en_client, window):
    _device, token = paired_tablet(window)
    return as_tablet(en_client, token)


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def serve(session, item, ticket: str, *, start: float, finish: float | None) -> Visit:
    """A visit started `start` seconds ago and finished `finish` seconds ago (None: in service)."""
    visit = visit_start(session=session, ticket_no=ticket, service_items=[item], now=ago(start))
    if finish is None:
        return visit
    return visit_finish(session=session, visit=visit, now=ago(finish))


def rate(client, visit, *, level=5, age_ms=0, client_id=None, **fields):
    body = {
        "visit_id": visit.pk,
        "level": level,
        "client_id": str(client_id or uuid.uuid4()),
        "age_ms": age_ms,
        **fields,
    }
    return client.post(RATINGS, json.dumps(body), content_type="application/json")


def test_the_tablet_offers_the_visit_just_finished(tablet_client, session, item):
    visit = serve(session, item, "A101", start=300, finish=2)
    pending = tablet_client.get(STATE).json()["pending"]
    assert (pending["visit_id"], pending["ticket_no"]) == (visit.pk, "A101")


def test_the_prompt_closes_the_moment_the_next_visit_starts(tablet_client, session, item):
    serve(session, item, "A103", start=300, finish=20)
    serve(session, item, "A104", start=5, finish=None)
    state = tablet_client.get(STATE).json()
    assert state["pending"] is None
    assert state["serving"]["ticket_no"] == "A104"


def test_after_a_transfer_the_visit_before_is_not_offered(tablet_client, session, item):
    serve(session, item, "A1", start=300, finish=30)
    transferred = visit_start(session=session, ticket_no="A2", service_items=[item], now=ago(20))
    from windows.services import visit_transfer

    visit_transfer(session=session, visit=transferred, now=ago(10))
    state = tablet_client.get(STATE).json()
    assert (state["pending"], state["serving"]) == (None, None)


def test_the_reported_race_a_tap_on_the_old_prompt_is_refused_with_the_new_state(
    english, tablet_client, session, item
):
    """Finish A101 unrated, start and finish A102, tap 0.3 s later on a tablet still
    showing A101: nothing lands on A101, the answer carries A102 to rate."""
    a101 = serve(session, item, "A101", start=600, finish=3.0)
    a102 = serve(session, item, "A102", start=2.0, finish=0.3)

    response = rate(tablet_client, a101, level=1, reasons=["attitude"])

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "superseded"
    assert body["message"] == (
        "The next citizen's service had already started at this window; this visit stays unrated."
    )
    assert body["state"]["pending"]["visit_id"] == a102.pk
    assert body["state"]["pending"]["ticket_no"] == "A102"
    assert Rating.objects.count() == 0
    assert Complaint.objects.count() == 0

    retry = rate(tablet_client, a102, level=1, reasons=["attitude"])
    assert retry.status_code == 201
    assert Rating.objects.get().visit == a102
    assert Complaint.objects.get().rating.visit == a102


@pytest.mark.parametrize(
    ("tap_seconds_ago", "status", "rated"),
    [
        (25, 201, True),  # tapped before the next start, sent late (offline)
        (22, 201, True),  # shortly before (2 s: the margin the test's own run time needs)
        (18, 409, False),  # shortly after the next visit started
        (1, 409, False),
    ],
)
def test_a_tap_is_judged_by_when_it_happened(
    tablet_client, session, item, tap_seconds_ago, status, rated
):
    first = serve(session, item, "A1", start=300, finish=30)
    serve(session, item, "A2", start=20, finish=None)

    response = rate(tablet_client, first, age_ms=int(tap_seconds_ago * 1000))

    assert response.status_code == status
    assert Rating.objects.filter(visit=first).exists() is rated
    if rated:
        rating = Rating.objects.get()
        assert abs((rating.rated_at - ago(tap_seconds_ago)).total_seconds()) < 1


def test_an_offline_tap_in_time_counts_once_however_often_it_is_replayed(
    tablet_client, session, item
):
    first = serve(session, item, "A1", start=300, finish=40)
    serve(session, item, "A2", start=30, finish=10)
    client_id = uuid.uuid4()

    statuses = [
        rate(tablet_client, first, age_ms=35_000 + n * 1000, client_id=client_id).status_code
        for n in range(3)
    ]

    assert statuses == [201, 200, 200]
    assert Rating.objects.filter(visit=first).count() == 1


def test_a_refused_tap_is_refused_the_same_way_when_replayed(tablet_client, session, item):
    first = serve(session, item, "A1", start=300, finish=40)
    serve(session, item, "A2", start=30, finish=None)
    client_id = uuid.uuid4()

    answers = [
        (response.status_code, response.json()["error"])
        for response in (rate(tablet_client, first, client_id=client_id) for _ in range(3))
    ]

    assert answers == [(409, "superseded")] * 3
    assert Rating.objects.count() == 0


def test_a_tap_on_a_visit_in_service_is_refused(tablet_client, session, item):
    serving = serve(session, item, "A1", start=30, finish=None)
    response = rate(tablet_client, serving)
    assert (response.status_code, response.json()["error"]) == (409, "not_completed")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("role_groups")
def test_concurrent_replays_store_exactly_one_row(hall_a, window, session, item):
    """Four copies of the same tap at the same moment: one row, one 201, then 200s."""
    visit = serve(session, item, "A1", start=300, finish=2)
    _device, token = paired_tablet(window)
    client_id = uuid.uuid4()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def send():
        try:
            client = as_tablet(Client(HTTP_ACCEPT_LANGUAGE="en"), token)
            barrier.wait()
            statuses.append(rate(client, visit, client_id=client_id).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 200, 201]
    assert Rating.objects.filter(client_id=client_id).count() == 1


# --- polling: the state's ETag ---------------------------------------------------------


def test_an_unchanged_state_is_answered_304_until_the_window_changes(
    tablet_client, session, item, django_assert_max_num_queries
):
    first = tablet_client.get(STATE)
    etag = first["ETag"]
    with django_assert_max_num_queries(2):  # the device (with its window), its last-seen
        again = tablet_client.get(STATE, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)

    visit = serve(session, item, "A1", start=60, finish=1)

    changed = tablet_client.get(STATE, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["pending"]["visit_id"] == visit.pk
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    "change",
    ["start", "finish", "put_back", "rating", "sign_out", "import", "abandon"],
)
def test_every_change_a_tablet_shows_raises_the_windows_live_version(
    tablet_client, session, item, window, change, django_capture_on_commit_callbacks
):
    from windows.services import visit_put_back, visits_abandon_stale, window_sign_out

    serving = serve(session, item, "A1", start=120, finish=None)
    if change == "finish":
        serving = visit_finish(session=session, visit=serving, now=ago(60))
    if change == "rating":
        serving = visit_finish(session=session, visit=serving, now=ago(1))
    window.refresh_from_db()
    before = window.live_version

    if change == "start":
        visit_finish(session=session, visit=serving, now=ago(60))
        window.refresh_from_db()
        before = window.live_version
        serve(session, item, "A2", start=30, finish=None)
    elif change == "finish":
        serve(session, item, "A2", start=30, finish=10)
    elif change == "put_back":
        visit_put_back(session=session, visit=serving)
    elif change == "rating":
        assert rate(tablet_client, serving).status_code == 201
    elif change == "sign_out":
        window_sign_out(staff=session.staff, transfer_serving=True)
    elif change == "import":
        from imports.visits import visits_ingest

        local = timezone.localtime(ago(600)).strftime("%Y-%m-%d %H:%M:%S")
        record = {
            "ticket_no": "B1",
            "issued_at": local,
            "started_at": local,
            "finished_at": local,
            "window_no": str(window.number),
            "service_codes": item.code,
            "status": "completed",
        }
        with django_capture_on_commit_callbacks(execute=True):
            result = visits_ingest(records=[record], hall_code=window.hall.code)
        assert (result.imported, result.errors) == (1, [])
    elif change == "abandon":
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Visit.objects.filter(pk=serving.pk).update(service_date=yesterday)
        assert visits_abandon_stale() == 1

    window.refresh_from_db()
    assert window.live_version > before
