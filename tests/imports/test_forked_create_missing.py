"""The visits import reads in a forked child also with --create-missing: the child writes
nothing; the windows, service codes and badges it meets unknown travel with their chunk
(provisional keys) and the importing process creates them. Same rows, same output as
reading in line. And on PostgreSQL two imports of one hall at once store each visit once
(the per-hall advisory lock before the key check)."""

import os
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from complaints.models import Complaint
from evaluations.models import Rating
from imports import visits as visits_module
from tests.imports.test_import_visits import HEADER, call, counts, run, write
from windows.importing.forked import ProducedInChild
from windows.models import ServiceItem, Staff, Visit, Window

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork is POSIX")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- replies reach the child before its next item --------------------------------------


def test_a_reply_reaches_the_child_before_it_produces_its_next_item():
    learned = []

    def items():
        yield "first"
        for _ in range(5000):  # at most 5 s: the reply comes within a few items
            if learned:
                break
            yield "waiting"
            time.sleep(0.001)
        yield ("learned", list(learned), os.getpid())

    produced = ProducedInChild(items(), on_reply=learned.append)
    received = []
    for item in produced:
        if item == "first":
            produced.reply({"window 7": 42})
        received.append(item)

    kind, seen, pid = received[-1]
    assert (kind, seen) == ("learned", [{"window 7": 42}])
    assert pid != os.getpid()
    assert learned == []  # learned in the child, not here


def test_a_reply_after_the_child_has_finished_is_dropped():
    produced = ProducedInChild(iter([1]), on_reply=lambda message: None)
    received = []
    for item in produced:
        received.append(item)
    produced.reply("too late")  # the child has gone: nothing to tell, nothing raised

    assert received == [1]


# --- the same import, read in a child or in line ----------------------------------------


def row(ticket, day, window, badge, codes, status, rating="") -> str:
    finished = f"{day} 08:50:00" if status != "no_show" else ""
    times = f"{day} 08:30:00,,{day} 08:41:00,{finished}"
    return f"HA,{ticket},{times},{window},{badge},{codes},{status},{rating},\n"


ROWS = [
    # chunk 1 (CHUNK_SIZE 3): window 7, code N01 and badge X1 unknown
    row("A001", "2022-01-04", 7, "X1", "N01;S001", "completed", 1),
    row("A002", "2022-01-04", 7, "X1", "N01", "completed", 5),
    row("A003", "2022-01-04", 1, "B001", "S001", "no_show"),
    # chunk 2: window 7 and X1 again (created by chunk 1), window 8 and badge X2 new; a
    # rejected row's unknown window 9, badge X9 and code N09 are never created
    row("A004", "2022-01-05", 7, "X1", "N01;N02", "completed", 2),
    row("A005", "2022-01-05", 8, "X2", "N02", "transferred"),
    row("A006", "2022-01-05", 9, "X9", "N09", "completed", 6),
    # chunk 3: a repeat of A001 (unchanged), everything known by now
    row("A001", "2022-01-04", 7, "X1", "N01;S001", "completed", 1),
    row("A007", "2022-01-05", 8, "X1", "S002;N02", "completed", 4),
]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(visits_module, "CHUNK_SIZE", 3)


@pytest.fixture
def forks(monkeypatch):
    """Counts the forked readers started."""
    started = []

    class Spy(ProducedInChild):
        def __iter__(self):
            started.append(self)
            return super().__iter__()

    monkeypatch.setattr(visits_module, "ProducedInChild", Spy)
    return started


def stored() -> dict:
    return {
        "visits": sorted(
            (
                visit.ticket_no,
                visit.window.number,
                visit.staff.badge_no if visit.staff else None,
                visit.status,
                tuple(sorted(visit.visit_items.values_list("service_item__code", flat=True))),
                getattr(visit.rating, "level", None) if hasattr(visit, "rating") else None,
            )
            for visit in Visit.objects.select_related("window", "staff")
        ),
        "windows": sorted(
            Window.objects.filter(number__gt=2).values_list(
                "hall__code", "number", "zone", "is_active", "name"
            )
        ),
        "items": sorted(
            ServiceItem.objects.filter(code__startswith="N").values_list(
                "code", "name", "is_published"
            )
        ),
        "staff": sorted(
            Staff.objects.filter(badge_no__startswith="X").values_list(
                "hall__code", "badge_no", "display_name", "user"
            )
        ),
        "cases": sorted(Complaint.objects.values_list("rating__visit__ticket_no", "level")),
    }


EXPECTED = {
    "visits": [
        ("A001", 7, "X1", "completed", ("N01", "S001"), 1),
        ("A002", 7, "X1", "completed", ("N01",), 5),
        ("A003", 1, "B001", "no_show", ("S001",), None),
        ("A004", 7, "X1", "completed", ("N01", "N02"), 2),
        ("A005", 8, "X2", "transferred", ("N02",), None),
        ("A007", 8, "X1", "completed", ("N02", "S002"), 4),
    ],
    "windows": [
        ("HA", 7, None, True, ""),
        ("HA", 8, None, True, ""),
    ],
    "items": [("N01", "N01", False), ("N02", "N02", False)],
    "staff": [("HA", "X1", "X1", None), ("HA", "X2", "X2", None)],
    "cases": [],  # bad reviews of 2022: historical
}


@pytest.mark.parametrize("read_in_child", [True, False], ids=["forked", "in line"])
def test_create_missing_stores_the_same_read_in_a_child_or_in_line(
    tmp_path, configured_hall, small_chunks, forks, read_in_child
):
    path = write(tmp_path, HEADER + "".join(ROWS))

    result = run(path, create_missing=True, read_in_child=read_in_child)

    assert len(forks) == (1 if read_in_child else 0)
    assert (result.summary, result.created, result.historical_bad) == (
        "imported 6, unchanged 1, rejected 1",
        {"windows": 2, "service_items": 2, "staff": 2},
        2,
    )
    assert [str(error) for error in result.errors] == [
        "row 7: rating 6 is not a whole number from 1 to 5"
    ]
    assert stored() == EXPECTED
    assert counts() == (6, 9, 9, 4)


def test_the_command_says_what_it_created_as_before(tmp_path, configured_hall, small_chunks, forks):
    path = write(tmp_path, HEADER + "".join(ROWS[:5]))

    first = call(str(path), "--create-missing")
    again = call(str(path), "--create-missing")

    assert (first[0].splitlines(), first[1]) == (
        [
            "windows created: 2",
            "service items created: 2",
            "staff cards created (without a login): 2",
            "historical bad reviews (deadline passed, no follow-up case): 2",
            "imported 5, unchanged 0, rejected 0",
        ],
        0,
    )
    assert again == ("imported 0, unchanged 5, rejected 0\n", 0)
    assert len(forks) == 2


# --- PostgreSQL: two imports of one hall at once -----------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_store_each_visit_once(
    tmp_path, role_groups, configured_hall
):
    rows = [
        f"HA,T{n:04d},2022-01-04 08:30:00,,2022-01-04 08:41:{n % 60:02d},"
        f"2022-01-04 08:50:00,1,B001,S001;S002,completed,{n % 5 + 1},\n"
        for n in range(3000)
    ]
    path = write(tmp_path, HEADER + "".join(rows))
    results, failures = [], []
    start = threading.Barrier(2)

    def import_it():
        try:
            start.wait()
            results.append(run(path))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=import_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(result.summary for result in results) == [
        "imported 0, unchanged 3000, rejected 0",
        "imported 3000, unchanged 0, rejected 0",
    ]
    assert counts() == (3000, 6000, 6000, 3000)
    assert Rating.objects.filter(level__lt=Rating.GOOD_FROM).count() == 1200
    assert Visit.objects.values("hall", "ticket_no", "started_at").distinct().count() == 3000
