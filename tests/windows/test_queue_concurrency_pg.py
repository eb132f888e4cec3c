"""PostgreSQL: windows calling at the same moment never get the same ticket, and kiosks
issuing at the same moment never give the same number (SQLite writes one transaction at a
time, so the race only exists on PostgreSQL: leg 2 of CI runs these)."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from tests.windows.factories import (
    SHANGHAI,
    ServiceItemFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import QueueCall, QueueCategory, Visit
from windows.queue.defaults import default_categories_create
from windows.queue.services import ticket_call_next, ticket_issue, ticket_start
from windows.services import visit_finish, window_sign_in

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL; SQLite runs one transaction at a time",
    ),
    pytest.mark.django_db(transaction=True),
]

WINDOWS = 8


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 2, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def category(role_groups, hall_a):
    zone = ZoneFactory(hall=hall_a, name="社保通办")
    for number in range(1, WINDOWS + 1):
        WindowFactory(hall=hall_a, number=number, zone=zone)
    default_categories_create(hall=hall_a)
    return QueueCategory.objects.get(hall=hall_a, prefix="A")


@pytest.fixture
def sessions(hall_a, category):
    return [
        window_sign_in(staff=StaffFactory(hall=hall_a), window=window, now=at(8, 30))
        for window in category.zones.get().windows.order_by("number")
    ]


def together(count: int, work) -> tuple[list, list[BaseException]]:
    """Run work(index) in `count` threads released at the same moment; their results and
    whatever they raised."""
    start = threading.Barrier(count, timeout=30)
    results, failures = [None] * count, []

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures


def test_windows_calling_at_the_same_moment_each_get_a_different_ticket(category, sessions):
    waiting = [ticket_issue(category=category, now=at(9, 0, n)) for n in range(WINDOWS + 2)]

    called, failures = together(
        WINDOWS, lambda i: ticket_call_next(session=sessions[i], now=at(9, 30))
    )

    assert failures == []
    assert sorted(visit.ticket_no for visit in called) == [f"A{n:03d}" for n in range(1, 9)]
    assert [visit.window_id for visit in called] == [session.window_id for session in sessions]
    assert list(Visit.objects.waiting().values_list("ticket_no", flat=True)) == [
        waiting[8].ticket_no,
        waiting[9].ticket_no,
    ]
    assert Counter(QueueCall.objects.values_list("window_id", flat=True)) == {
        session.window_id: 1 for session in sessions
    }


def test_windows_calling_and_serving_without_pause_call_every_ticket_exactly_once(
    category, sessions
):
    tickets = [ticket_issue(category=category, now=at(9, 0, n)) for n in range(40)]
    item = ServiceItemFactory(code="C01")

    def serve_until_empty(index: int) -> list[str]:
        session, served = sessions[index], []
        while (visit := ticket_call_next(session=session, now=at(9, 30))) is not None:
            assert visit.window_id == session.window_id
            visit = ticket_start(session=session, visit=visit, service_items=[item], now=at(9, 30))
            visit_finish(session=session, visit=visit, now=at(9, 31))
            served.append(visit.ticket_no)
        return served

    served, failures = together(WINDOWS, serve_until_empty)

    assert failures == []
    everyone = [ticket for window in served for ticket in window]
    assert sorted(everyone) == sorted(t.ticket_no for t in tickets)
    assert len(everyone) == len(set(everyone)) == 40
    assert Visit.objects.filter(status=Visit.Status.COMPLETED).count() == 40
    assert (
        QueueCall.objects.values("visit_id").distinct().count() == QueueCall.objects.count() == 40
    )


def test_kiosks_issuing_at_the_same_moment_give_unique_consecutive_numbers(category):
    issued, failures = together(
        WINDOWS, lambda i: [ticket_issue(category=category, now=at(9, 0)) for _ in range(10)]
    )

    assert failures == []
    numbers = sorted(visit.ticket_no for batch in issued for visit in batch)
    assert numbers == [f"A{n:03d}" for n in range(1, 81)]
    assert category.counters.get().last == 80
    assert Visit.objects.waiting().count() == 80
