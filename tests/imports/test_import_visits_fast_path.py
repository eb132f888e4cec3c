"""The fast path of the visits import: the reading process, the store, the time text."""

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError
from django.db import connection
from django.utils import translation

from complaints.models import Complaint
from evaluations.models import Rating
from imports import visits as visits_module
from tests.imports.test_import_visits import (
    CN_HEADER,
    GOOD,
    HEADER,
    call,
    counts,
    import_at,
    run,
    write,
)
from tests.windows.factories import HallFactory, WindowFactory
from windows.importing import ImportFileError
from windows.importing.forked import produced_in_child
from windows.models import Visit

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork is POSIX")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- forked.produced_in_child -------------------------------------------------------------


def test_items_come_from_another_process_in_order():
    def pids():
        for n in range(5):
            yield n, os.getpid()

    produced = list(produced_in_child(pids()))

    assert [n for n, _pid in produced] == [0, 1, 2, 3, 4]
    assert {pid for _n, pid in produced} != {os.getpid()}


def test_an_exception_in_the_child_is_raised_in_the_parent_after_the_items_before_it():
    def failing():
        yield 1
        raise ImportFileError("the CSV file cannot be read near row 7: broken")

    received = []
    with pytest.raises(ImportFileError, match="near row 7: broken"):
        for item in produced_in_child(failing()):
            received.append(item)

    assert received == [1]


def test_a_consumer_that_stops_early_ends_the_child():
    items = produced_in_child(iter(range(100_000)))

    assert next(items) == 0
    items.close()  # the child is terminated and joined; nothing hangs


# --- the command reads in a child process -----------------------------------------------


def test_command_reports_a_file_that_stops_being_utf8_and_saves_nothing(tmp_path, configured_hall):
    path = tmp_path / "visits.csv"
    path.write_bytes(
        (HEADER + GOOD + GOOD.replace("A001", "A002")).encode() + b"HA,A003,\xc9\xe7\xb1\xa3\n"
    )

    with pytest.raises(CommandError) as raised:
        call(str(path))

    assert str(raised.value) == (
        f"{path}: the file is not UTF-8 text (first problem near row 4); "
        'save it as "CSV UTF-8" and try again'
    )
    assert counts() == (0, 0, 0, 0)
    assert connection.is_usable()  # the child did not touch the parent's connection


def test_command_over_several_chunks_with_bad_reviews_in_each(
    tmp_path, configured_hall, monkeypatch
):
    import_at(monkeypatch, "2022-01-04 18:00:00")
    monkeypatch.setattr(visits_module, "CHUNK_SIZE", 2)
    monkeypatch.setattr(visits_module, "FOLLOWUP_BATCH", 2)
    lines = [
        GOOD.replace("A001", f"A{n:03d}").replace("completed,,", f"completed,{level},")
        for n, level in enumerate([1, 5, 2, 3, 4], start=1)
    ]
    lines.insert(2, GOOD.replace("A001", "A002"))  # a repeat, in the next chunk
    path = write(tmp_path, HEADER + "".join(lines))

    assert call(str(path)) == ("imported 5, unchanged 1, rejected 0\n", 0)

    assert counts() == (5, 5, 5, 5)
    assert sorted(Complaint.objects.values_list("rating__visit__ticket_no", "level")) == [
        ("A001", 1),
        ("A003", 2),
    ]


def test_command_over_several_chunks_keeps_history_out_of_the_cases(
    tmp_path, configured_hall, monkeypatch
):
    """The reading process parses; the writing one decides, chunk by chunk, which bad
    reviews are history (written so by COPY or the JSON insert) and opens the others."""
    # Wednesday: the deadline of Monday's bad reviews (Tuesday) has passed.
    import_at(monkeypatch, "2022-01-05 09:00:00")
    monkeypatch.setattr(visits_module, "CHUNK_SIZE", 2)
    monkeypatch.setattr(visits_module, "FOLLOWUP_BATCH", 2)
    lines = [
        GOOD.replace("A001", f"A{n:03d}")
        .replace("2022-01-04", day)
        .replace("completed,,", f"completed,{level},")
        for n, (day, level) in enumerate(
            [("2022-01-03", 1), ("2022-01-04", 2), ("2022-01-03", 2), ("2022-01-04", 5)],
            start=1,
        )
    ]
    path = write(tmp_path, HEADER + "".join(lines))

    assert call(str(path)) == (
        "historical bad reviews (deadline passed, no follow-up case): 2\n"
        "imported 4, unchanged 0, rejected 0\n",
        0,
    )
    assert sorted(
        Rating.objects.values_list("visit__ticket_no", "level", "historical_followup_skipped")
    ) == [("A001", 1, True), ("A002", 2, False), ("A003", 2, True), ("A004", 5, False)]
    assert list(Complaint.objects.values_list("rating__visit__ticket_no", "due_date")) == [
        ("A002", dt.date(2022, 1, 5))
    ]


# --- the store ---------------------------------------------------------------------------


def test_a_later_row_of_a_visit_in_the_same_chunk_loses_to_the_first(tmp_path, configured_hall):
    path = write(
        tmp_path, HEADER + GOOD + GOOD.replace(",1,B001,", ",2,,").replace(",,\n", ",5,\n")
    )

    result = run(path)

    assert result.summary == "imported 1, unchanged 1, rejected 0"
    assert list(Visit.objects.values_list("window__number", "staff__badge_no")) == [(1, "B001")]
    assert Rating.objects.count() == 0


def test_a_visit_stored_meanwhile_is_unchanged_and_gets_nothing_more(tmp_path, configured_hall):
    run(write(tmp_path, HEADER + GOOD))
    again = GOOD.replace("S001", "S001;S002").replace(",,\n", ",1,\n")

    result = run(write(tmp_path, HEADER + again, name="again.csv"))

    assert result.summary == "imported 0, unchanged 1, rejected 0"
    assert counts() == (1, 1, 1, 0)
    assert Complaint.objects.count() == 0


def test_times_of_a_zone_whose_offset_is_not_whole_hours(tmp_path, configured_hall):
    """The UTC text is shifted by hours only when the zone's offset is whole hours."""
    configured_hall.time_zone = ZoneInfo("Asia/Kolkata")
    configured_hall.save()

    run(write(tmp_path, HEADER + GOOD))

    visit = Visit.objects.get()
    assert visit.started_at == dt.datetime(2022, 1, 4, 3, 11, tzinfo=dt.UTC)  # 08:41 - 5:30
    assert visit.service_date == dt.date(2022, 1, 4)


def test_each_row_is_read_in_its_own_halls_zone(tmp_path, configured_hall):
    """contracts.md section 2: the times are the hall's local time, hall by hall."""
    london = HallFactory(code="HL", time_zone=ZoneInfo("Europe/London"))
    WindowFactory(hall=london, number=1)
    row_london = GOOD.replace("HA,", "HL,", 1).replace(",B001,", ",,")

    run(write(tmp_path, HEADER + GOOD + row_london + GOOD.replace("A001", "A002")))

    assert set(Visit.objects.values_list("hall__code", "ticket_no", "started_at")) == {
        ("HA", "A001", dt.datetime(2022, 1, 4, 0, 41, tzinfo=dt.UTC)),  # Shanghai: UTC+8
        ("HL", "A001", dt.datetime(2022, 1, 4, 8, 41, tzinfo=dt.UTC)),  # London in winter
        ("HA", "A002", dt.datetime(2022, 1, 4, 0, 41, tzinfo=dt.UTC)),
    }


def test_times_across_midnight_utc_keep_the_local_service_date(
    tmp_path, configured_hall, monkeypatch
):
    import_at(monkeypatch, "2022-01-04 18:00:00")
    row = "HA,A001,2022-01-04 07:59:00,,2022-01-04 07:59:30,2022-01-04 08:00:10,1,,S001,办结,2,\n"

    run(write(tmp_path, CN_HEADER + row))

    visit = Visit.objects.get()
    assert (visit.started_at, visit.finished_at, visit.service_date) == (
        dt.datetime(2022, 1, 3, 23, 59, 30, tzinfo=dt.UTC),
        dt.datetime(2022, 1, 4, 0, 0, 10, tzinfo=dt.UTC),
        dt.date(2022, 1, 4),
    )
    case = Complaint.objects.get()
    assert case.received_at == dt.datetime(2022, 1, 4, 0, 0, 10, tzinfo=dt.UTC)


def test_a_big_import_refreshes_the_statistics_after_the_commit(
    tmp_path, configured_hall, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(visits_module, "ANALYZE_AFTER_ROWS", 1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(write(tmp_path, HEADER + GOOD))

    names = [getattr(c, "__name__", None) or c.func.__name__ for c in callbacks]
    assert names == ["halls_touch", "analyze"]


def test_a_small_import_or_a_dry_run_leaves_the_statistics(
    tmp_path, configured_hall, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(visits_module, "ANALYZE_AFTER_ROWS", 1)

    with django_capture_on_commit_callbacks() as callbacks:
        run(write(tmp_path, HEADER + GOOD), dry_run=True)
    monkeypatch.setattr(visits_module, "ANALYZE_AFTER_ROWS", 2)
    with django_capture_on_commit_callbacks() as more:
        run(write(tmp_path, HEADER + GOOD))

    assert callbacks == []
    assert [callback.func.__name__ for callback in more] == ["halls_touch"]
