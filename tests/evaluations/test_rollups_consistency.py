"""Maintained rollups are rebuilt rollups: every writer of visits, items and ratings keeps
the daily rollups (evaluations.models.rollups) exactly as `rollups_rebuild` computes them
from the detail tables, step after step (issue 13 item 3). Run on SQLite and PostgreSQL.

After each step the rows written by the writers are compared, row for row, with a rebuild
done inside a savepoint and rolled back (so a later step still starts from what the
writers themselves maintained), and the hall's figures are checked against exact values.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from complaints.services.complaints import complaint_verify
from evaluations.models import DailyFigures, DailyItemFigures, Rating
from evaluations.rollups import rollups_rebuild
from evaluations.rollups import visits_changed as refresh_window_day
from evaluations.selectors.figures import ServiceFigures
from evaluations.selectors.rollups import rollup_figures
from evaluations.services.ratings import rating_exclusion_set, rating_submit
from tests.windows.factories import SHANGHAI, ServiceItemFactory, StaffFactory, WindowFactory
from windows.hooks import visits_changed
from windows.models import Visit
from windows.services import (
    visit_finish,
    visit_no_show,
    visit_put_back,
    visit_start,
    visit_transfer,
    visits_abandon_stale,
    window_sign_in,
)

DAY = dt.date(2026, 3, 2)
FIGURE_COLUMNS = [
    field.attname for field in DailyFigures._meta.concrete_fields if field.name != "id"
]
ITEM_COLUMNS = [
    field.attname for field in DailyItemFigures._meta.concrete_fields if field.name != "id"
]
IMPORT_HEADER = (
    "hall_code,ticket_no,issued_at,called_at,started_at,finished_at,"
    "window_no,staff_badge,service_codes,status,rating,rated_at\n"
)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def rows() -> tuple[list[tuple], list[tuple]]:
    """Every rollup row (without its id), in a stable order."""
    return (
        sorted(DailyFigures.objects.values_list(*FIGURE_COLUMNS), key=repr),
        sorted(DailyItemFigures.objects.values_list(*ITEM_COLUMNS), key=repr),
    )


def rebuilt_rows() -> tuple[list[tuple], list[tuple]]:
    """The rows a fresh rebuild gives, leaving the maintained rows as they are."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            rollups_rebuild()
            result = rows()
            raise Undo
    except Undo:
        return result


def assert_maintained() -> None:
    assert rows() == rebuilt_rows()


def figures(hall) -> ServiceFigures:
    return rollup_figures(DailyFigures.objects.filter(hall=hall))


def expect(hall, **values) -> None:
    """The hall's rollup figures: the given values, zero for every other field."""
    wanted = dict.fromkeys(ServiceFigures.__dataclass_fields__, 0) | values
    assert figures(hall) == ServiceFigures(**wanted)


@pytest.fixture
def counter(hall_a):
    """Two windows of hall HA, a staff member each, and two service items."""
    items = [ServiceItemFactory(code="S001"), ServiceItemFactory(code="S002")]
    first = WindowFactory(hall=hall_a, number=1)
    second = WindowFactory(hall=hall_a, number=2)
    sessions = [
        window_sign_in(
            staff=StaffFactory(hall=hall_a, badge_no="GL001"), window=first, now=at(8, 30)
        ),
        window_sign_in(
            staff=StaffFactory(hall=hall_a, badge_no="GL002"), window=second, now=at(8, 30)
        ),
    ]
    return sessions, items


def import_file(tmp_path, text: str) -> str:
    path = tmp_path / "visits.csv"
    path.write_text(IMPORT_HEADER + text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_visits", str(path), "--create-missing", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_every_writer_keeps_the_rollups_a_rebuild_gives(
    hall_a, manager_a, counter, tmp_path, english
):
    (first, second), (s1, s2) = counter

    # Started, then put back (a wrong ticket): in service, then gone; in no figure.
    wrong = visit_start(session=first, ticket_no="A001", service_items=[s1], now=at(9))
    assert_maintained()
    visit_put_back(session=first, visit=wrong)
    assert_maintained()
    expect(hall_a)

    # Finished with one more item than at the start (the items replaced).
    served = visit_start(session=first, ticket_no="A002", service_items=[s1], now=at(9, 5))
    served = visit_finish(session=first, visit=served, service_items=[s1, s2], now=at(9, 15))
    assert_maintained()
    expect(hall_a, visits=1, items=2)

    # Transferred from window 1, then served at window 2; and a no-show.
    moved = visit_start(session=first, ticket_no="A003", service_items=[s2], now=at(9, 20))
    visit_transfer(session=first, visit=moved, now=at(9, 25))
    assert_maintained()
    again = visit_start(session=second, ticket_no="A003", service_items=[s2], now=at(9, 30))
    visit_finish(session=second, visit=again, now=at(9, 40))
    absent = visit_start(session=first, ticket_no="A004", service_items=[s1], now=at(9, 45))
    visit_no_show(session=first, visit=absent, now=at(9, 46))
    assert_maintained()
    expect(hall_a, visits=2, items=3, transferred=1, no_shows=1)

    # Tablet ratings: a good one, and a bad one (which opens a follow-up case).
    rating_submit(visit=served, level=5, source=Rating.Source.TABLET)
    assert_maintained()
    bad = rating_submit(
        visit=again, level=1, source=Rating.Source.TABLET, reasons=[Rating.Reason.ATTITUDE]
    )
    assert_maintained()
    expect(hall_a, visits=2, items=3, rated=2, good=1, bad=1, transferred=1, no_shows=1)

    # The verdict of the case excludes the bad rating; then it is counted again.
    complaint_verify(
        complaint=bad.complaint,
        by=manager_a,
        exclude_rating=Rating.Exclusion.MALICIOUS,
        exclusion_note="同一号码一天内差评十次",
    )
    assert_maintained()
    expect(hall_a, visits=2, items=3, rated=2, good=1, excluded=1, transferred=1, no_shows=1)
    rating_exclusion_set(rating_id=bad.pk, excluded="")
    assert_maintained()
    expect(hall_a, visits=2, items=3, rated=2, good=1, bad=1, transferred=1, no_shows=1)

    # Left in service overnight, closed as abandoned: still in no figure.
    visit_start(session=second, ticket_no="A005", service_items=[s1], now=at(17))
    visits_abandon_stale(now=at(8, day=DAY + dt.timedelta(days=1)))
    assert Visit.objects.filter(status=Visit.Status.ABANDONED).count() == 1
    assert_maintained()


@pytest.mark.django_db
def test_the_import_keeps_the_rollups_a_rebuild_gives(hall_a, counter, tmp_path, english):
    """With --create-missing (a window and a badge created): a historical bad review, a
    completed visit of two items and a no-show, on two earlier days, beside a day the
    console served."""
    (first, _second), (s1, _s2) = counter
    visit = visit_start(session=first, ticket_no="A001", service_items=[s1], now=at(9))
    visit_finish(session=first, visit=visit, now=at(9, 10))

    output = import_file(
        tmp_path,
        "HA,B001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,"
        "7,GL099,S001;S002,completed,1,2022-01-04 08:51:00\n"
        "HA,B002,2022-01-04 09:00:00,,2022-01-04 09:05:00,2022-01-04 09:20:00,"
        "7,GL099,S001,completed,4,2022-01-04 09:21:00\n"
        "HA,B003,2022-01-05 09:00:00,,2022-01-05 09:05:00,,1,GL001,S001,no_show,,\n",
    )
    assert "3" in output
    assert_maintained()
    expect(hall_a, visits=3, items=4, rated=2, good=1, bad=1, historical_bad=1, no_shows=1)
    by_day = dict(
        DailyFigures.objects.filter(day__year=2022).values_list("day", "items").order_by()
    )
    assert by_day == {dt.date(2022, 1, 4): 3, dt.date(2022, 1, 5): 0}


@pytest.mark.django_db
def test_a_writer_that_does_not_refresh_is_caught(counter, hall_a):
    (first, _second), (s1, _s2) = counter
    visits_changed._functions.remove(refresh_window_day)
    try:
        visit = visit_start(session=first, ticket_no="A001", service_items=[s1], now=at(9))
        visit_finish(session=first, visit=visit, now=at(9, 10))
    finally:
        visits_changed.register(refresh_window_day)

    assert rows() != rebuilt_rows()
    expect(hall_a)  # the finished visit is missing from the maintained rollups


@pytest.mark.django_db
def test_the_rebuild_command_says_what_it_wrote_and_is_idempotent(counter, hall_a):
    (first, second), (s1, s2) = counter
    for session, ticket, items in ((first, "A001", [s1, s2]), (second, "A002", [s2])):
        visit = visit_start(session=session, ticket_no=ticket, service_items=items, now=at(9))
        visit_finish(session=session, visit=visit, now=at(9, 10))
    maintained = rows()

    outputs = []
    for _ in range(2):
        out = io.StringIO()
        call_command("rebuild_rollups", "--hall", "HA", stdout=out)
        outputs.append(out.getvalue())

    assert outputs == ["rollup rows: 2 (items: 3)\n"] * 2
    assert rows() == maintained
