"""rollups_refresh / rollups_rebuild: the rows computed in the database from the visits,
with the figures of evaluations.selectors.figures and the averages of Avg()."""

import datetime as dt

import pytest
from django.db.models import Avg

from evaluations.models import DailyFigures, DailyItemFigures, Rating
from evaluations.rollups import SERVICE, WAIT, rollups_rebuild, rollups_refresh
from evaluations.selectors.figures import service_figures
from evaluations.selectors.rollups import average_duration, rollup_figures
from tests.windows.factories import (
    HallFactory,
    ServiceItemFactory,
    VisitFactory,
    WindowFactory,
)
from windows.models import Visit, VisitItem

pytestmark = pytest.mark.django_db(transaction=False)
DAY = dt.date(2025, 3, 4)


def rate(visit, level, excluded=""):
    Rating.objects.create(
        visit=visit,
        level=level,
        rated_at=visit.finished_at,
        source=Rating.Source.IMPORT,
        excluded=excluded,
    )


def small_day():
    hall = HallFactory()
    three = VisitFactory(hall=hall, service_date=DAY, item_count=3)
    rate(three, 5)
    for code in ("A1", "A2", "A3"):
        VisitItem.objects.create(visit=three, service_item=ServiceItemFactory(code=code))
    rate(VisitFactory(hall=hall, service_date=DAY), 2)
    rate(VisitFactory(hall=hall, service_date=DAY), 1, excluded=Rating.Exclusion.MALICIOUS)
    VisitFactory(hall=hall, service_date=DAY)
    VisitFactory(hall=hall, service_date=DAY, status=Visit.Status.NO_SHOW, finished_at=None)
    VisitFactory(hall=hall, service_date=DAY, status=Visit.Status.TRANSFERRED, finished_at=None)
    return hall


def test_a_refreshed_day_gives_the_figures_of_its_visits():
    hall = small_day()

    rollups_refresh(hall_id=hall.pk, start=DAY, end=DAY)

    rows = DailyFigures.objects.filter(hall=hall)
    assert rollup_figures(rows) == service_figures(Visit.objects.filter(hall=hall))
    assert rollup_figures(rows).visits == 4
    assert list(
        DailyItemFigures.objects.filter(hall=hall)
        .order_by("service_item__code")
        .values_list("service_item__code", "items", "rated", "good", "bad", "excluded")
    ) == [("A1", 1, 1, 1, 0, 0), ("A2", 1, 1, 1, 0, 0), ("A3", 1, 1, 1, 0, 0)]


def test_the_sums_give_the_averages_of_avg():
    hall = small_day()
    rollups_refresh(hall_id=hall.pk, start=DAY, end=DAY)
    totals = rollup_figures(DailyFigures.objects.filter(hall=hall))
    rows = DailyFigures.objects.filter(hall=hall)
    wait = sum(rows.values_list("wait_microseconds", flat=True))
    service = sum(rows.values_list("service_microseconds", flat=True))

    expected = Visit.objects.filter(hall=hall).completed().aggregate(w=Avg(WAIT), s=Avg(SERVICE))

    assert average_duration(wait, totals.visits) == expected["w"]
    assert average_duration(service, totals.visits) == expected["s"]


def test_a_rebuild_is_idempotent():
    hall = small_day()
    first = rollups_rebuild()
    second = rollups_rebuild(hall_ids=[hall.pk])
    assert first == second
    assert DailyFigures.objects.count() == first.rows


def test_waiting_and_service_times_keep_their_microseconds():
    hall = HallFactory()
    window = WindowFactory(hall=hall)
    start = dt.datetime(2025, 3, 4, 1, 30, 0, 1, tzinfo=dt.UTC)
    for issued, finished in (
        (start - dt.timedelta(minutes=12, microseconds=123_457), start + dt.timedelta(0, 480)),
        (start - dt.timedelta(seconds=1), start + dt.timedelta(seconds=59, microseconds=999_999)),
        (start.replace(microsecond=0) - dt.timedelta(hours=2), start + dt.timedelta(hours=1)),
    ):
        VisitFactory(
            hall=hall,
            window=window,
            service_date=DAY,
            issued_at=issued,
            started_at=start,
            finished_at=finished,
            ticket_no=f"T{finished.microsecond}{issued.second}",
        )

    rollups_refresh(hall_id=hall.pk, start=DAY, end=DAY)

    row = DailyFigures.objects.get(hall=hall)
    # waits 720.123457 s, 1 s, 7200.000001 s; services 480 s, 59.999999 s, 3600 s
    assert (row.wait_microseconds, row.service_microseconds) == (7_921_123_458, 4_139_999_999)
    expected = Visit.objects.filter(hall=hall).aggregate(w=Avg(WAIT), s=Avg(SERVICE))
    assert average_duration(row.wait_microseconds, row.visits) == expected["w"]
    assert average_duration(row.service_microseconds, row.visits) == expected["s"]
