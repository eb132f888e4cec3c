"""bench/waiting_surge.py compares like with like: its floor SQL and its ORM alternative give
exactly waiting_bands' grouped counts, and its raw arrivals SQL the surge's arrival_counts,
on a small generated hall (on SQLite, and on PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import datetime as dt

import pytest

from bench import waiting_surge as bench
from evaluations.models import Rating
from reports.surge.selectors import arrival_counts
from windows.models import Visit

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2020, 9, day) for day in (1, 2, 3, 4, 7, 8)]
START, END = DAYS[0], DAYS[-1]


@pytest.fixture
def hall():
    hall = bench.generate_hall(code="WT", per_day=60, seed=15, days=DAYS)
    # Times on the bands' bounds (half-open: lower <= time < upper), a clock error and a
    # time a microsecond under a bound, so a floor that rounds would be caught.
    edges = [
        (dt.timedelta(minutes=5), dt.timedelta(minutes=30)),
        (dt.timedelta(seconds=-30), dt.timedelta(minutes=5)),
        (dt.timedelta(minutes=60), dt.timedelta(minutes=5, microseconds=-1)),
        (dt.timedelta(minutes=5, microseconds=-1), dt.timedelta(minutes=20)),
    ]
    visits = Visit.objects.filter(hall=hall, status="completed", rating__isnull=False).order_by(
        "pk"
    )[: len(edges)]
    for visit, (wait, service) in zip(list(visits), edges, strict=True):
        visit.called_at = visit.issued_at + wait
        visit.started_at = visit.called_at + dt.timedelta(seconds=20)
        visit.finished_at = visit.started_at + service
        visit.save(update_fields=["called_at", "started_at", "finished_at"])
    return hall


def test_floor_and_alternative_give_the_selectors_counts(hall):
    ours = bench.ours_counts(hall, START, END)
    rated = Rating.objects.filter(
        visit__hall=hall, visit__status="completed", visit__service_date__range=(START, END)
    ).count()

    assert sum(cell[0] for cell in ours.values()) == rated
    assert bench.floor_counts(hall, START, END) == ours
    assert bench.alternative_counts(hall, START, END) == ours


def test_the_interval_floor_on_postgresql(hall):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the second floor is PostgreSQL's")
    assert bench.floor_counts(hall, START, END, "interval") == bench.ours_counts(hall, START, END)


def test_the_surge_floor_gives_the_arrival_counts(hall):
    days = DAYS[1:]
    ours = arrival_counts(hall=hall, days=days)

    assert sum(sum(slots) for slots in ours.values()) == sum(
        Visit.objects.filter(hall=hall, service_date__in=days)
        .exclude(status="abandoned")
        .values_list("item_count", flat=True)
    )
    assert bench.surge_floor_counts(hall, days) == ours
