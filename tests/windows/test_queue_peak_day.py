"""The seed's peak day (10 August 2020: 1,404 items, 23 windows) through the queue's
services: no ticket lost, none served twice, none skipped, and the waiting times the
database computes (each visit's, the daily rollups', the bulletins') equal the simulated
ones to the microsecond. The simulation: tests/windows/queue_simulation.py."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import transaction

from evaluations.models import DailyFigures
from reports.selectors.periods import period_stats
from reports.selectors.queue import queue_figures
from tests.windows.factories import HallFactory
from tests.windows.queue_simulation import PEAK_DAY, percentile_90, plan_day, simulate
from windows.models import QueueCall, TicketCounter, Visit
from windows.rules.rounding import percent, ratio, round_half_up


@pytest.fixture(scope="module")
def peak_day(django_db_setup, django_db_blocker):
    """The day, played once for the module's tests in a transaction rolled back after
    them (each test's own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = simulate(HallFactory(code="PK", name="高峰日大厅"))
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def day(peak_day, db):
    return peak_day


@pytest.fixture
def hall_a(day):
    return day.hall


def db_rank(visit: Visit, now: dt.datetime) -> tuple:
    """windows.queue.services.call_rank, written again from the issue's rule."""
    if visit.lane == Visit.Lane.TRANSFER:
        lane = 0
    elif visit.lane == Visit.Lane.APPOINTMENT and visit.due_at <= now:
        lane = 1
    elif visit.lane == Visit.Lane.PRIORITY:
        lane = 2
    else:
        lane = 3
    return (lane, visit.issued_at, visit.pk)


def test_a_peak_day_loses_no_ticket_serves_none_twice_and_skips_none(day, hall_a):
    planned = plan_day()
    visits = list(Visit.objects.filter(hall=hall_a).select_related("category"))
    by_ticket = defaultdict(list)
    for visit in sorted(visits, key=lambda v: (v.issued_at, v.pk)):
        by_ticket[visit.ticket_no].append(visit)

    # Every ticket issued is accounted for: each citizen got one number, and each number
    # ended completed or as a no-show, after any transfers on.
    assert sum(TicketCounter.objects.values_list("last", flat=True)) == len(planned) == 983
    assert len(by_ticket) == 983
    assert Counter(v.status for v in visits) == {
        Visit.Status.COMPLETED: 946,
        Visit.Status.NO_SHOW: 37,
        Visit.Status.TRANSFERRED: 15,
    }
    for chain in by_ticket.values():
        *handed_on, last = chain
        assert [v.status for v in handed_on] == [Visit.Status.TRANSFERRED] * len(handed_on)
        assert last.status in (Visit.Status.COMPLETED, Visit.Status.NO_SHOW)
        for before, after in pairwise(chain):
            assert (after.lane, after.issued_at) == (Visit.Lane.TRANSFER, before.finished_at)

    # None served twice: one call per visit, its recalls as many as the window made.
    calls = Counter(QueueCall.objects.filter(kind=QueueCall.Kind.CALL).values_list("visit_id"))
    recalls = Counter(QueueCall.objects.filter(kind=QueueCall.Kind.RECALL).values_list("visit_id"))
    assert set(calls.values()) == {1} and len(calls) == len(visits) == 998
    assert {v.pk: v.recalls for v in visits if v.recalls} == {
        visit_id: count for (visit_id,), count in recalls.items()
    }
    assert sum(recalls.values()) == 2 * 37 + 47
    assert Counter(v.lane for v in visits) == {
        Visit.Lane.NORMAL: 939,
        Visit.Lane.APPOINTMENT: 25,
        Visit.Lane.PRIORITY: 19,
        Visit.Lane.TRANSFER: 15,
    }

    # None skipped: at each call, no ticket of the window's categories waiting across the
    # call's moment ranked before the one called (the simulation checks ties too).
    assert day.skipped == []
    categories_of = {number: set(prefixes) for number, prefixes in day.window_categories.items()}
    for called in visits:
        now = called.called_at
        better = [
            other.ticket_no
            for other in visits
            if other.category.prefix in categories_of[called.window.number]
            and other.issued_at < now < other.called_at
            and db_rank(other, now) < db_rank(called, now)
        ]
        assert better == [], f"{called.ticket_no} called at {now} before {better}"

    # The big screen's and kiosk's waiting counts followed the queue all day.
    assert [(at, model) for at, model, _db in day.samples] == [
        (at, db) for at, _model, db in day.samples
    ]
    assert max(sum(model.values()) for _at, model, _db in day.samples) == 60


def test_a_peak_days_waiting_times_are_the_simulated_ones_to_the_microsecond(day, hall_a):
    visits = {v.pk: v for v in Visit.objects.filter(hall=hall_a).select_related("window")}
    for ticket in day.tickets:
        visit = visits[ticket.visit_id]
        assert visit.waiting_time == dt.timedelta(seconds=ticket.wait)
        assert (visit.window.number, visit.status, visit.item_count > 0) == (
            ticket.window,
            ticket.outcome,
            True,
        )
        assert visit.started_at == visit.issued_at + dt.timedelta(
            seconds=ticket.started - ticket.issued
        )
    completed = [t for t in day.tickets if t.outcome == Visit.Status.COMPLETED]
    items = sum(t.citizen.legs[t.leg].items for t in completed)
    assert (len(completed), items) == (946, 1404)

    # The daily rollups, window by window: their sums of waiting and service times.
    expected = defaultdict(Counter)
    for ticket in day.tickets:
        row = expected[ticket.window]
        if ticket.outcome == Visit.Status.COMPLETED:
            row["visits"] += 1
            row["items"] += ticket.citizen.legs[ticket.leg].items
            row["wait_microseconds"] += ticket.wait * 1_000_000
            row["service_microseconds"] += (ticket.ended - ticket.started) * 1_000_000
        else:
            row["transferred" if ticket.outcome == "transferred" else "no_shows"] += 1
    fields = ("visits", "items", "transferred", "no_shows")
    stored = {
        row["window__number"]: Counter({k: v for k, v in row.items() if v and k in fields})
        + Counter({k: row[k] for k in ("wait_microseconds", "service_microseconds") if row[k]})
        for row in DailyFigures.objects.filter(hall=hall_a, day=PEAK_DAY).values(
            "window__number", *fields, "wait_microseconds", "service_microseconds"
        )
    }
    assert stored == dict(expected)
    assert len(stored) == 23

    # The bulletins' figures (reports.selectors.periods): mean and 90th percentile.
    def wait_figures(tickets):
        waits = [t.wait for t in tickets]
        return (
            len(waits),
            round_half_up(sum(waits) / len(waits), 1),
            round_half_up(percentile_90(waits), 1),
        )

    by_window = defaultdict(list)
    for ticket in completed:
        by_window[str(ticket.window)].append(ticket)
    windows = {
        row.label.removesuffix("号窗口").removesuffix("号专窗"): (
            row.visits,
            row.avg_wait_seconds,
            row.p90_wait_seconds,
        )
        for row in period_stats(hall=hall_a, start=PEAK_DAY, end=PEAK_DAY, by="window")
    }
    assert windows == {number: wait_figures(t) for number, t in by_window.items()}
    [hall_row] = period_stats(hall=hall_a, start=PEAK_DAY, end=PEAK_DAY)
    assert (hall_row.visits, hall_row.items, hall_row.avg_wait_seconds) == (
        946,
        1404,
        wait_figures(completed)[1],
    )
    assert (hall_row.p90_wait_seconds, hall_row.no_shows) == (wait_figures(completed)[2], 37)

    # The queue's figures (reports.selectors.queue) per category, window and for the hall:
    # the results page, the bulletins and hall_stats read them.
    def queue_row(tickets):
        done = [t for t in tickets if t.outcome == Visit.Status.COMPLETED]
        waits = [t.wait for t in done]
        p90 = percentile_90(waits)
        return (
            len(tickets),
            len(done),
            sum(t.outcome == Visit.Status.NO_SHOW for t in tickets),
            ratio(sum(waits), len(waits) * 60, places=2),
            ratio(Decimal(str(p90)), 60, places=2),
            ratio(sum(t.ended - t.started for t in done), len(done) * 60, places=2),
        )

    def stored_row(row):
        return (
            row.tickets,
            row.visits,
            row.no_shows,
            row.mean_wait_minutes,
            row.p90_wait_minutes,
            row.mean_service_minutes,
        )

    report = queue_figures(hall=hall_a, start=PEAK_DAY, end=PEAK_DAY)
    by_category, by_number = defaultdict(list), defaultdict(list)
    for ticket in day.tickets:
        by_category[ticket.category].append(ticket)
        by_number[str(ticket.window)].append(ticket)
    assert {row.key: stored_row(row) for row in report.categories} == {
        prefix: queue_row(tickets) for prefix, tickets in by_category.items()
    }
    assert {row.key: stored_row(row) for row in report.windows} == {
        number: queue_row(tickets) for number, tickets in by_number.items()
    }
    assert stored_row(report.hall) == queue_row(day.tickets)
    assert (report.hall.tickets, report.hall.no_show_rate_pct) == (998, percent(37, 998))
