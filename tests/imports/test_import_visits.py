import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Complaint, DutyAlert
from demo.seed import seed_demo
from evaluations.models import Rating
from evaluations.selectors import service_figures
from imports.visits import visits_import
from tests.windows.factories import (
    UserFactory,
    make_manager,
)
from windows import roles
from windows.importing import ImportFileError, RowError
from windows.models import ServiceItem, Staff, Visit, VisitItem, Window

# Rows in the shape of shared/data/sample-visits-cn.csv (Chinese headers and statuses).
CN_HEADER = (
    "大厅编码,排队号,取号时间,叫号时间,开始办理时间,办结时间,"
    "窗口号,工号,业务编码,状态,评价,评价时间\n"
)
CN_SAMPLE = CN_HEADER + (
    "HA,A001,2022-01-04 08:30:00,2022-01-04 08:40:00,2022-01-04 08:41:00,"
    "2022-01-04 08:50:00,1,B001,S001;S002,办结,5,2022-01-04 08:50:30\n"
    "HA,A002,2022-01-04 08:31:00,,2022-01-04 08:52:00,2022-01-04 09:00:00,1,,S001,转办,,\n"
    "HA,A003,2022-01-04 08:32:00,2022-01-04 09:01:00,2022-01-04 09:01:30,,2,,S002,过号,,\n"
)
HEADER = (
    "hall_code,ticket_no,issued_at,called_at,started_at,finished_at,"
    "window_no,staff_badge,service_codes,status,rating,rated_at\n"
)
GOOD = (
    "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,1,B001,S001,completed,,\n"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path, text: str, *, name: str = "visits.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def write_xlsx(tmp_path, rows: list[list[object]], *, name: str = "visits.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path, **options):
    with open(path, "rb") as file:
        return visits_import(file=file, filename=path.name, **options)


def visits() -> list[tuple]:
    return list(
        Visit.objects.order_by("ticket_no").values_list(
            "hall__code", "ticket_no", "window__number", "staff__badge_no", "status", "item_count"
        )
    )


def counts() -> tuple[int, int, int, int]:
    """Visits, items handled (sum of item_count), VisitItems, ratings."""
    items = sum(Visit.objects.values_list("item_count", flat=True))
    return (Visit.objects.count(), items, VisitItem.objects.count(), Rating.objects.count())


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))


def import_at(monkeypatch, text: str) -> None:
    """Run the import at the given hall time: its today decides which bad reviews are
    historical (and whether a new case is fresh enough to alert the duty leader)."""
    moment = shanghai(text)
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- importing --------------------------------------------------------------------------


def test_chinese_headers_bom_and_status_words(tmp_path, configured_hall):
    path = write(tmp_path, CN_SAMPLE, bom=True)

    result = run(path)

    assert result.summary == "imported 3, unchanged 0, rejected 0"
    assert result.errors == []
    assert visits() == [
        ("HA", "A001", 1, "B001", "completed", 2),
        ("HA", "A002", 1, None, "transferred", 1),
        ("HA", "A003", 2, None, "no_show", 1),
    ]
    assert counts() == (3, 4, 4, 1)
    assert sorted(VisitItem.objects.values_list("visit__ticket_no", "service_item__code")) == [
        ("A001", "S001"),
        ("A001", "S002"),
        ("A002", "S001"),
        ("A003", "S002"),
    ]
    rating = Rating.objects.get()
    assert (rating.visit.ticket_no, rating.level, rating.source) == ("A001", 5, "import")
    assert rating.rated_at == shanghai("2022-01-04 08:50:30")


def test_times_are_hall_local_and_stored_aware(tmp_path, configured_hall):
    path = write(tmp_path, CN_SAMPLE)

    run(path)

    visit = Visit.objects.get(ticket_no="A001")
    assert visit.issued_at == dt.datetime(2022, 1, 4, 0, 30, tzinfo=dt.UTC)
    assert visit.called_at == dt.datetime(2022, 1, 4, 0, 40, tzinfo=dt.UTC)
    assert visit.started_at == dt.datetime(2022, 1, 4, 0, 41, tzinfo=dt.UTC)
    assert visit.finished_at == dt.datetime(2022, 1, 4, 0, 50, tzinfo=dt.UTC)
    assert visit.service_date == dt.date(2022, 1, 4)
    assert Visit.objects.get(ticket_no="A002").called_at is None
    assert Visit.objects.get(ticket_no="A003").finished_at is None


def test_service_date_is_the_local_day(tmp_path, configured_hall):
    # 07:30 in Shanghai is 23:30 UTC of the day before
    path = write(
        tmp_path,
        HEADER + "HA,A001,2022-01-04 07:20:00,,2022-01-04 07:30:00,,1,,S001,no_show,,\n",
    )

    run(path)

    visit = Visit.objects.get()
    assert visit.started_at == dt.datetime(2022, 1, 3, 23, 30, tzinfo=dt.UTC)
    assert visit.service_date == dt.date(2022, 1, 4)


def test_english_headers_and_rating_without_rated_at_uses_finished_at(tmp_path, configured_hall):
    path = write(
        tmp_path,
        HEADER
        + "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,"
        + "1,B001,S001;S002;S001,completed,2,\n",
    )

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert visits() == [("HA", "A001", 1, "B001", "completed", 2)]
    assert counts() == (1, 2, 2, 1)
    rating = Rating.objects.get()
    assert (rating.level, rating.rated_at) == (2, shanghai("2022-01-04 08:50:00"))


def test_xlsx_with_real_dates_and_numbers(tmp_path, configured_hall):
    path = write_xlsx(
        tmp_path,
        [
            [
                "大厅编码",
                "排队号",
                "取号时间",
                "开始办理时间",
                "办结时间",
                "窗口号",
                "业务编码",
                "状态",
                "评价",
            ],
            [
                "HA",
                "A001",
                dt.datetime(2022, 1, 4, 8, 30),
                "2022-01-04 08:41:00",
                dt.datetime(2022, 1, 4, 8, 50),
                1,
                "S001",
                "办结",
                4,
            ],
        ],
    )

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert visits() == [("HA", "A001", 1, None, "completed", 1)]
    assert list(Rating.objects.values_list("level", flat=True)) == [4]


def test_hall_option_without_hall_column(tmp_path, configured_hall):
    path = write(
        tmp_path,
        "ticket_no,issued_at,started_at,finished_at,window_no,service_codes,status\n"
        "A001,2022-01-04 08:30:00,2022-01-04 08:41:00,2022-01-04 08:50:00,1,S001,completed\n",
    )

    result = run(path, hall_code="HA")

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert visits() == [("HA", "A001", 1, None, "completed", 1)]


def test_hall_option_rejects_rows_of_another_hall(tmp_path, configured_hall, hall_b):
    path = write(tmp_path, HEADER + GOOD + GOOD.replace("HA,A001", "HB,A002"))

    result = run(path, hall_code="HA")

    assert [str(error) for error in result.errors] == [
        "row 3: hall code HB does not match --hall HA"
    ]
    assert visits() == [("HA", "A001", 1, "B001", "completed", 1)]


def test_hall_option_unknown_hall_stops_the_file(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + GOOD)

    with pytest.raises(ImportFileError) as raised:
        run(path, hall_code="NOPE")

    assert str(raised.value) == "unknown hall NOPE"
    assert Visit.objects.count() == 0


def test_without_hall_option_the_hall_column_is_required(tmp_path, configured_hall):
    path = write(tmp_path, "ticket_no,issued_at,started_at,window_no,service_codes,status\n")

    with pytest.raises(ImportFileError) as raised:
        run(path)

    assert str(raised.value) == "missing required column hall_code (大厅编码)"


# --- idempotence ------------------------------------------------------------------------


def test_second_run_adds_nothing(tmp_path, configured_hall):
    path = write(tmp_path, CN_SAMPLE)
    run(path)

    result = run(path)

    assert result.summary == "imported 0, unchanged 3, rejected 0"
    assert counts() == (3, 4, 4, 1)


def test_existing_visit_is_not_updated(tmp_path, configured_hall):
    run(write(tmp_path, HEADER + GOOD))
    changed = GOOD.replace("S001,completed,,", "S001;S002,completed,5,")

    result = run(write(tmp_path, HEADER + changed, name="changed.csv"))

    assert result.summary == "imported 0, unchanged 1, rejected 0"
    assert counts() == (1, 1, 1, 0)


def test_duplicate_row_in_one_file_is_the_same_visit(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + GOOD + GOOD.replace(",1,B001,", ",2,,"))

    result = run(path)

    assert result.summary == "imported 1, unchanged 1, rejected 0"
    assert visits() == [("HA", "A001", 1, "B001", "completed", 1)]


def test_same_ticket_started_at_another_time_is_another_visit(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + GOOD + GOOD.replace("08:41:00", "08:42:00"))

    result = run(path)

    assert result.summary == "imported 2, unchanged 0, rejected 0"


def test_rows_spanning_several_chunks(tmp_path, configured_hall, monkeypatch):
    monkeypatch.setattr("imports.visits.CHUNK_SIZE", 2)
    lines = [GOOD.replace("A001", f"A{n:03d}") for n in range(1, 6)]
    lines.insert(3, GOOD.replace("A001", "A002"))  # a duplicate in a later chunk
    lines.insert(1, GOOD.replace("S001", "S999"))
    path = write(tmp_path, HEADER + "".join(lines))

    result = run(path)

    assert [str(error) for error in result.errors] == ["row 3: unknown service code S999"]
    assert result.summary == "imported 5, unchanged 1, rejected 1"
    assert counts() == (5, 5, 5, 0)


# --- rejected rows ----------------------------------------------------------------------

BAD_ROWS = [
    (",A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,no_show,,", "missing hall code"),
    ("HX,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,no_show,,", "unknown hall HX"),
    ("HA,,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,no_show,,", "missing ticket number"),
    (
        "HA,A00000000000000000001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "ticket number A00000000000000000001 is longer than 20 characters",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,,,",
        "missing status",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,done,,",
        "unknown status done: use completed, transferred or no_show (办结, 转办, 过号)",
    ),
    (
        "HA,A001,,,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "missing issued_at (取号时间)",
    ),
    (
        "HA,A001,2022/01/04 08:30,,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "issued_at (取号时间): 2022/01/04 08:30 is not a time like 2022-01-04 08:30:00",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,2022-01-04T08:31:00,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "called_at (叫号时间): 2022-01-04T08:31:00 is not a time like 2022-01-04 08:30:00",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-02-30 08:41:00,,1,,S001,no_show,,",
        "started_at (开始办理时间): 2022-02-30 08:41:00 is not a time like 2022-01-04 08:30:00",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,completed,,",
        "missing finished_at (办结时间)",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:29:59,,1,,S001,no_show,,",
        "the service started before the ticket was issued",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:40:00,1,,S001,completed,,",
        "the service finished before it started",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,2022-01-04 08:29:00,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "the ticket was called before it was issued or after its service started",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,2022-01-04 08:42:00,2022-01-04 08:41:00,,1,,S001,no_show,,",
        "the ticket was called before it was issued or after its service started",
    ),
    ("HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,,,S001,no_show,,", "missing window number"),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,x,,S001,no_show,,",
        "window number x is not a whole number from 1 to 32767",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,9,,S001,no_show,,",
        "unknown window 9 of hall HA",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,B999,S001,no_show,,",
        "unknown staff badge B999 of hall HA",
    ),
    ("HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,,no_show,,", "missing service codes"),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001;S998;S999,no_show,,",
        "unknown service codes S998, S999",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,1,,S001,completed,6,",
        "rating 6 is not a whole number from 1 to 5",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,"
        "1,,S001,completed,4.5,",
        "rating 4.5 is not a whole number from 1 to 5",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,2022-01-04 08:50:00,"
        "1,,S001,completed,5,x",
        "rated_at (评价时间): x is not a time like 2022-01-04 08:30:00",
    ),
    (
        "HA,A001,2022-01-04 08:30:00,,2022-01-04 08:41:00,,1,,S001,no_show,3,",
        "a rating needs rated_at (评价时间) or finished_at (办结时间)",
    ),
]


@pytest.mark.parametrize(("line", "reason"), BAD_ROWS)
def test_bad_row_is_rejected_and_good_rows_are_stored(tmp_path, configured_hall, line, reason):
    good_after = GOOD.replace("A001", "A100")
    path = write(tmp_path, HEADER + GOOD + line + "\n" + good_after)

    result = run(path)

    assert result.errors == [RowError(row=3, reason=reason)]
    assert result.summary == "imported 2, unchanged 0, rejected 1"
    assert visits() == [
        ("HA", "A001", 1, "B001", "completed", 1),
        ("HA", "A100", 1, "B001", "completed", 1),
    ]
    assert counts() == (2, 2, 2, 0)
    assert (Window.objects.count(), ServiceItem.objects.count()) == (2, 2)


def test_errors_are_reported_in_row_order_with_blank_rows_counted(tmp_path, configured_hall):
    path = write(
        tmp_path,
        HEADER
        + GOOD.replace(",1,B001,", ",9,B001,")
        + ",,,,,,,,,,,\n"
        + GOOD.replace("A001", "A002").replace("S001", "S999"),
    )

    result = run(path)

    assert [str(error) for error in result.errors] == [
        "row 2: unknown window 9 of hall HA",
        "row 4: unknown service code S999",
    ]
    assert result.summary == "imported 0, unchanged 0, rejected 2"
    assert counts() == (0, 0, 0, 0)


# --- create missing and dry run -----------------------------------------------------------


def test_create_missing_creates_specialist_window_and_unpublished_item(tmp_path, configured_hall):
    path = write(
        tmp_path,
        HEADER
        + GOOD.replace(",1,B001,S001,", ",9,B001,S001;S777,")
        + GOOD.replace("A001", "A002").replace(",1,B001,S001,", ",9,,S777,")
        + GOOD.replace("A001", "A003")
        .replace(",1,B001,S001,", ",8,B999,S888,")
        .replace("completed,,", "completed,9,"),
    )

    result = run(path, create_missing=True)

    assert [str(error) for error in result.errors] == [
        "row 4: rating 9 is not a whole number from 1 to 5"
    ]
    assert result.summary == "imported 2, unchanged 0, rejected 1"
    assert result.notes == ["windows created: 1", "service items created: 1"]
    window = Window.objects.get(hall=configured_hall, number=9)
    assert (window.zone, window.name, window.is_active) == (None, "", True)
    assert not Window.objects.filter(number=8).exists()  # only for valid rows
    assert not Staff.objects.filter(badge_no="B999").exists()
    assert list(
        ServiceItem.objects.filter(code__in=["S777", "S888"]).values_list(
            "code", "name", "is_published"
        )
    ) == [("S777", "S777", False)]
    assert visits() == [
        ("HA", "A001", 9, "B001", "completed", 2),
        ("HA", "A002", 9, None, "completed", 1),
    ]


def test_dry_run_stores_nothing(tmp_path, configured_hall):
    path = write(tmp_path, CN_SAMPLE + "HA,A004,x,,,,1,,S999,办结,,\n")

    dry = run(path, dry_run=True, create_missing=True)

    assert dry.summary == "imported 3, unchanged 0, rejected 1"
    assert dry.dry_run is True
    assert counts() == (0, 0, 0, 0)
    assert (Window.objects.count(), ServiceItem.objects.count()) == (2, 2)
    real = run(path, create_missing=True)
    assert (real.summary, real.errors) == (dry.summary, dry.errors)


# --- who may import what ------------------------------------------------------------------


def test_manager_rows_of_another_hall_are_rejected(tmp_path, configured_hall, manager_a, hall_b):
    path = write(
        tmp_path,
        HEADER + GOOD + GOOD.replace("HA,", "HB,") + GOOD.replace("HA,", "HX,"),
    )

    result = run(path, user=manager_a)

    assert [str(error) for error in result.errors] == [
        "row 3: no permission for hall HB",
        "row 4: no permission for hall HX",
    ]
    assert visits() == [("HA", "A001", 1, "B001", "completed", 1)]


def test_superuser_may_import_any_hall(tmp_path, configured_hall):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    result = run(write(tmp_path, HEADER + GOOD), user=admin)

    assert result.summary == "imported 1, unchanged 0, rejected 0"


def test_supervisor_may_not_import(tmp_path, configured_hall):
    supervisor = make_manager(configured_hall, "supervisor_a", role=roles.SUPERVISOR)

    with pytest.raises(PermissionDenied):
        run(write(tmp_path, HEADER + GOOD), user=supervisor)

    assert Visit.objects.count() == 0


# --- the command ------------------------------------------------------------------------


def call(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_visits", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue(), exc.code
    return out.getvalue(), 0


def test_command_imports_and_exits_0(tmp_path, configured_hall):
    path = write(tmp_path, CN_SAMPLE, bom=True)

    assert call(str(path)) == ("imported 3, unchanged 0, rejected 0\n", 0)
    assert call(str(path)) == ("imported 0, unchanged 3, rejected 0\n", 0)
    assert counts() == (3, 4, 4, 1)


def test_command_prints_rejected_rows_then_summary_and_exits_1(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + GOOD.replace("S001", "S999") + GOOD.replace("A001", "A002"))

    output, status = call(str(path))

    assert output == ("row 2: unknown service code S999\nimported 1, unchanged 0, rejected 1\n")
    assert status == 1


def test_command_hall_create_missing_and_dry_run(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + GOOD.replace("HA,", ",").replace("S001", "S999"))

    output, status = call(str(path), "--hall", "HA", "--create-missing", "--dry-run")

    assert (output, status) == (
        "service items created: 1\ndry run: nothing was saved\n"
        "imported 1, unchanged 0, rejected 0\n",
        0,
    )
    assert counts() == (0, 0, 0, 0)
    assert not ServiceItem.objects.filter(code="S999").exists()


def test_command_missing_file(tmp_path, db):
    with pytest.raises(CommandError) as raised:
        call(str(tmp_path / "nowhere.csv"))

    assert str(raised.value) == f"cannot open {tmp_path / 'nowhere.csv'}: No such file or directory"


def test_command_unusable_file(tmp_path, db):
    path = write(tmp_path, "hall_code,ticket_no\nHA,A001\n")

    with pytest.raises(CommandError) as raised:
        call(str(path))

    assert str(raised.value) == (
        f"{path}: missing required columns issued_at (取号时间), started_at (开始办理时间), "
        "window_no (窗口号), service_codes (业务编码), status (状态)"
    )
    assert raised.value.returncode == 1


def test_command_unknown_hall_option(tmp_path, db):
    path = write(tmp_path, HEADER + GOOD)

    with pytest.raises(CommandError) as raised:
        call(str(path), "--hall", "NOPE")

    assert str(raised.value) == f"{path}: unknown hall NOPE"


def test_a_bad_review_in_the_file_opens_a_follow_up_case(configured_hall, monkeypatch):
    import_at(monkeypatch, "2020-09-30 18:00:00")
    rows = (
        "HA,A001,2020-09-30 09:00:00,,2020-09-30 09:10:00,2020-09-30 09:20:00,1,,S001,办结,2,\n"
        "HA,A002,2020-09-30 09:01:00,,2020-09-30 09:11:00,2020-09-30 09:21:00,1,,S001,办结,4,\n"
    )

    visits_import(file=io.BytesIO((CN_HEADER + rows).encode()), filename="v.csv")

    case = Complaint.objects.get()
    assert (case.rating.visit.ticket_no, case.level, case.due_date) == (
        "A001",
        2,
        dt.date(2020, 10, 9),
    )


# --- history does not flood today: bad reviews past their follow-up deadline ------------

SAMPLE_CN = Path(__file__).resolve().parents[1] / "data" / "sample-visits-cn.csv"
HISTORICAL_LINE = "historical bad reviews (deadline passed, no follow-up case): {}\n"


def rated_row(ticket: str, rated_at: str, level: int) -> str:
    """A completed visit at window 1 finished and rated at `rated_at` (hall time)."""
    day = rated_at.split()[0]
    return (
        f"HA,{ticket},{day} 00:00:00,,{day} 00:00:30,{rated_at},1,,S001,办结,{level},{rated_at}\n"
    )


def followups() -> tuple[list[tuple], list[tuple], int]:
    """(ticket, level, historical) of every rating; (ticket, due date) of every case; alerts."""
    ratings = Rating.objects.order_by("visit__ticket_no").values_list(
        "visit__ticket_no", "level", "historical_followup_skipped"
    )
    cases = Complaint.objects.order_by("rating__visit__ticket_no").values_list(
        "rating__visit__ticket_no", "due_date"
    )
    return list(ratings), list(cases), DutyAlert.objects.count()


MIXED = (
    rated_row("A001", "2022-01-04 09:00:00", 1)  # years ago: historical
    + rated_row("A002", "2022-01-05 09:00:00", 2)  # years ago: historical
    + rated_row("A003", "2024-03-04 18:00:00", 2)  # yesterday: due today, a live case
    + rated_row("A004", "2022-01-04 10:00:00", 5)  # a good review needs no follow-up
)


def test_an_old_bad_review_opens_no_case_and_alerts_nobody(configured_hall, monkeypatch):
    import_at(monkeypatch, "2024-03-05 09:00:00")

    result = visits_import(file=io.BytesIO((CN_HEADER + MIXED).encode()), filename="v.csv")

    assert (result.summary, result.historical_bad) == ("imported 4, unchanged 0, rejected 0", 2)
    assert followups() == (
        [("A001", 1, True), ("A002", 2, True), ("A003", 2, False), ("A004", 5, False)],
        [("A003", dt.date(2024, 3, 5))],
        1,  # A003, rated 15 hours before the import
    )


@pytest.mark.parametrize(
    ("now", "rated_at", "working_days", "due", "alerts"),
    [
        # Yesterday, 1 working day: due today, the boundary, still a live case.
        ("2024-03-05 09:00:00", "2024-03-04 18:00:00", 1, dt.date(2024, 3, 5), 1),
        # Yesterday, 0 working days: due yesterday, historical though 15 hours old.
        ("2024-03-05 09:00:00", "2024-03-04 18:00:00", 0, None, 0),
        # Friday, 1 working day: due Monday (the weekend is no working day) ...
        ("2024-03-04 09:00:00", "2024-03-01 18:00:00", 1, dt.date(2024, 3, 4), 0),
        # ... and on Tuesday that Monday has passed.
        ("2024-03-05 09:00:00", "2024-03-01 18:00:00", 1, None, 0),
        # Rated today with 0 working days: due today.
        ("2024-03-05 09:00:00", "2024-03-05 08:30:00", 0, dt.date(2024, 3, 5), 1),
        # 16:30 UTC on Monday 4 March is Tuesday 00:30 in the hall: the hall's day counts.
        ("2024-03-05 09:00:00", "2024-03-05 00:30:00", 0, dt.date(2024, 3, 5), 1),
    ],
)
def test_a_bad_review_opens_a_case_until_its_deadline_has_passed(
    configured_hall, monkeypatch, now, rated_at, working_days, due, alerts
):
    configured_hall.followup_due_working_days = working_days
    configured_hall.save()
    import_at(monkeypatch, now)

    result = visits_import(
        file=io.BytesIO((CN_HEADER + rated_row("A001", rated_at, 1)).encode()), filename="v.csv"
    )

    historical = due is None
    assert result.historical_bad == int(historical)
    assert followups() == (
        [("A001", 1, historical)],
        [] if historical else [("A001", due)],
        alerts,
    )


def test_the_command_prints_the_historical_count_and_a_second_run_changes_nothing(
    tmp_path, configured_hall, monkeypatch
):
    import_at(monkeypatch, "2024-03-05 09:00:00")
    path = write(tmp_path, CN_HEADER + MIXED)

    first = call(str(path))
    stored = (counts(), followups())
    second = call(str(path))

    assert first == (HISTORICAL_LINE.format(2) + "imported 4, unchanged 0, rejected 0\n", 0)
    assert second == ("imported 0, unchanged 4, rejected 0\n", 0)
    assert (counts(), followups()) == stored


def test_the_historical_count_comes_after_the_rejected_rows_and_before_a_dry_runs_summary(
    tmp_path, configured_hall, monkeypatch
):
    import_at(monkeypatch, "2024-03-05 09:00:00")
    path = write(tmp_path, CN_HEADER + MIXED + rated_row("A005", "2022-01-04 09:00:00", 7))

    output, status = call(str(path), "--dry-run")

    assert (output, status) == (
        "row 6: rating 7 is not a whole number from 1 to 5\n"
        + HISTORICAL_LINE.format(2)
        + "dry run: nothing was saved\nimported 4, unchanged 0, rejected 1\n",
        1,
    )
    assert counts() == (0, 0, 0, 0)
    assert followups() == ([], [], 0)


def test_historical_bad_reviews_count_in_every_figure_and_on_their_own(
    configured_hall, monkeypatch
):
    import_at(monkeypatch, "2024-03-05 09:00:00")
    visits_import(file=io.BytesIO((CN_HEADER + MIXED).encode()), filename="v.csv")

    figures = service_figures(Visit.objects.filter(hall=configured_hall))

    assert (figures.visits, figures.rated, figures.good, figures.bad) == (4, 4, 1, 3)
    assert figures.historical_bad == 2
    assert (figures.evaluation_rate_pct, figures.satisfaction_rate_pct) == (100.0, 25.0)


def test_the_admin_upload_shows_the_historical_count(
    client, configured_hall, manager_a, monkeypatch
):
    import_at(monkeypatch, "2024-03-05 09:00:00")
    client.force_login(manager_a)
    upload = io.BytesIO((CN_HEADER + MIXED).encode())
    upload.name = "visits.csv"

    response = client.post(
        reverse("admin:windows_visit_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302  # a clean import goes back to the list
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The admin writes messages with a capital first letter.
    assert (
        '<li class="info">Historical bad reviews (deadline passed, no follow-up case): 2</li>'
        in page
    )
    assert "Visits imported: imported 4, unchanged 0, rejected 0." in page
    assert Complaint.objects.count() == 1


def test_the_admin_dry_run_page_shows_the_historical_count(
    client, configured_hall, manager_a, monkeypatch
):
    import_at(monkeypatch, "2024-03-05 09:00:00")
    client.force_login(manager_a)
    upload = io.BytesIO((CN_HEADER + MIXED).encode())
    upload.name = "visits.csv"

    response = client.post(
        reverse("admin:windows_visit_import"),
        {"file": upload, "dry_run": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["result"].notes == [
        "historical bad reviews (deadline passed, no follow-up case): 2"
    ]
    assert '<p class="import-note">historical bad reviews' in response.content.decode()
    assert Visit.objects.count() == 0


def test_the_sample_year_2022_into_the_demo_hall_opens_no_case(db):
    seed_demo(today=dt.date(2026, 9, 28))  # the hall, windows, staff and catalogue only

    output, status = call(str(SAMPLE_CN))

    assert (output, status) == (
        HISTORICAL_LINE.format(19) + "imported 795, unchanged 0, rejected 0\n",
        0,
    )
    assert Complaint.objects.count() == 0
    assert DutyAlert.objects.count() == 0
    assert Rating.objects.filter(historical_followup_skipped=True).count() == 19
    assert Rating.objects.bad().count() == 19
    figures = service_figures(Visit.objects.filter(hall__code="LH01"))
    assert (figures.bad, figures.historical_bad) == (19, 19)
