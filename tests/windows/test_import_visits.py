import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from evaluations.models import Complaint, Rating
from tests.windows.factories import (
    UserFactory,
    make_manager,
)
from windows import roles
from windows.importing import ImportFileError, RowError, visits_import
from windows.models import ServiceItem, Visit, VisitItem, Window

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
    monkeypatch.setattr("windows.importing.visits.CHUNK_SIZE", 2)
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
        + GOOD.replace("A001", "A003").replace(",1,B001,S001,", ",8,B999,S888,"),
    )

    result = run(path, create_missing=True)

    assert [str(error) for error in result.errors] == ["row 4: unknown staff badge B999 of hall HA"]
    assert result.summary == "imported 2, unchanged 0, rejected 1"
    window = Window.objects.get(hall=configured_hall, number=9)
    assert (window.zone, window.name, window.is_active) == (None, "", True)
    assert not Window.objects.filter(number=8).exists()  # only for valid rows
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
        "dry run: nothing was saved\nimported 1, unchanged 0, rejected 0\n",
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


def test_a_bad_review_in_the_file_opens_a_follow_up_case(configured_hall):
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
