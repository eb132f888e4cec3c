import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.windows.factories import (
    DepartmentFactory,
    ServiceItemFactory,
    UserFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.importing import ImportFileError, RowError, windows_import
from windows.models import Department, Hall, ServiceItem, Window, WindowServiceItem, Zone

# The first rows of shared/data/sample-windows.csv, verbatim.
SAMPLE = """\
大厅编码,大厅名称,窗口号,窗口名称,片区,进驻部门,业务编码
LH01,六合区社会保障综合服务大厅（示例）,1,社保通办1号窗口,社保通办,社保管理中心,LHS04;LHS05;LHS06;LHS07;LHS08;LHS09
LH01,六合区社会保障综合服务大厅（示例）,2,社保通办2号窗口,社保通办,社保管理中心,LHS07;LHS08;LHS09;LHS10;LHS11;LHS12
LH01,六合区社会保障综合服务大厅（示例）,3,社保通办3号窗口,社保通办,社保管理中心,LHS10;LHS11;LHS12;LHS13;LHS14;LHS15
"""
HEADER = "hall_code,hall_name,window_no,window_name,zone,department,service_codes\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def configured_hall(hall_a):
    """Hall HA with window 1 in 社保通办, run by 社保管理中心, handling S001 and S002."""
    zone = ZoneFactory(hall=hall_a, name="社保通办", sort_order=1)
    department = DepartmentFactory(hall=hall_a, name="社保管理中心")
    window = WindowFactory(hall=hall_a, number=1, name="一号", zone=zone, department=department)
    window.service_items.set([ServiceItemFactory(code="S001"), ServiceItemFactory(code="S002")])
    ServiceItemFactory(code="S003")
    return hall_a


def write(tmp_path, text: str, *, name: str = "windows.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def write_xlsx(tmp_path, rows: list[list[object]], *, name: str = "windows.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path, **options):
    with open(path, "rb") as file:
        return windows_import(file=file, filename=path.name, **options)


def stored() -> dict[str, list[tuple]]:
    """Everything the import may write, as plain values."""
    return {
        "halls": list(Hall.objects.values_list("code", "name")),
        "zones": list(Zone.objects.values_list("hall__code", "name", "kind", "sort_order")),
        "departments": list(Department.objects.values_list("hall__code", "name")),
        "windows": list(
            Window.objects.values_list(
                "hall__code", "number", "name", "zone__name", "department__name", "is_active"
            )
        ),
        "window_items": sorted(
            WindowServiceItem.objects.values_list(
                "window__hall__code", "window__number", "service_item__code"
            )
        ),
        "service_items": list(ServiceItem.objects.values_list("code", "name", "is_published")),
    }


def item_codes(hall_code: str, number: int) -> list[str]:
    window = Window.objects.get(hall__code=hall_code, number=number)
    return sorted(window.service_items.values_list("code", flat=True))


# --- creating and updating -------------------------------------------------------------


def test_sample_creates_hall_zone_department_windows_and_items(tmp_path, db):
    # given the sample's first rows (Chinese headers) and an empty database
    path = write(tmp_path, SAMPLE)

    # when
    result = run(path, create_missing=True)

    # then
    assert (result.imported, result.unchanged, result.rejected) == (3, 0, 0)
    assert result.errors == []
    assert result.summary == "imported 3, unchanged 0, rejected 0"
    assert stored()["halls"] == [("LH01", "六合区社会保障综合服务大厅（示例）")]
    assert stored()["zones"] == [("LH01", "社保通办", "general", 1)]
    assert stored()["departments"] == [("LH01", "社保管理中心")]
    assert stored()["windows"] == [
        ("LH01", 1, "社保通办1号窗口", "社保通办", "社保管理中心", True),
        ("LH01", 2, "社保通办2号窗口", "社保通办", "社保管理中心", True),
        ("LH01", 3, "社保通办3号窗口", "社保通办", "社保管理中心", True),
    ]
    assert item_codes("LH01", 3) == ["LHS10", "LHS11", "LHS12", "LHS13", "LHS14", "LHS15"]
    assert WindowServiceItem.objects.count() == 18
    assert stored()["service_items"] == [
        (f"LHS{n:02d}", f"LHS{n:02d}", False) for n in range(4, 16)
    ]


def test_reimport_changes_nothing_and_counts_unchanged(tmp_path, db):
    # given the sample imported once
    path = write(tmp_path, SAMPLE)
    run(path, create_missing=True)
    before = stored()

    # when it is imported again
    result = run(path, create_missing=True)

    # then
    assert result.summary == "imported 0, unchanged 3, rejected 0"
    assert stored() == before


def test_general_zones_get_their_order_and_specialist_windows_no_zone(tmp_path, hall_a):
    path = write(
        tmp_path,
        HEADER
        + "HA,,1,,企保待遇通办,,\n"
        + "HA,,2,,医保通办,,\n"
        + "HA,,3,,社保通办,,\n"
        + "HA,,21,专业21号窗口,专业,,\n",
    )

    result = run(path)

    assert result.summary == "imported 4, unchanged 0, rejected 0"
    assert sorted(stored()["zones"]) == [
        ("HA", "企保待遇通办", "general", 3),
        ("HA", "医保通办", "general", 2),
        ("HA", "社保通办", "general", 1),
    ]
    assert Window.objects.get(number=21).zone is None
    assert Window.objects.get(number=21).is_specialist


def test_reimport_updates_the_window_to_exactly_the_row(tmp_path, configured_hall):
    # given window 1 of HA (社保通办, 社保管理中心, S001+S002), deactivated
    Window.objects.filter(number=1).update(is_active=False)
    path = write(tmp_path, HEADER + "HA,甲大厅新名,1,医保1号,医保通办,合作医疗办公室,S002;S003\n")

    # when
    result = run(path)

    # then the window, the hall's name and the window's items follow the row
    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert stored()["halls"] == [("HA", "甲大厅新名")]
    assert stored()["windows"] == [("HA", 1, "医保1号", "医保通办", "合作医疗办公室", True)]
    assert item_codes("HA", 1) == ["S002", "S003"]
    assert Department.objects.filter(hall=configured_hall).count() == 2


def test_empty_optional_cells_clear_name_department_and_items_but_keep_hall_name(
    tmp_path, configured_hall
):
    path = write(tmp_path, HEADER + "HA,,1,,社保通办,,\n")

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert stored()["halls"] == [("HA", "甲大厅")]
    assert stored()["windows"] == [("HA", 1, "", "社保通办", None, True)]
    assert item_codes("HA", 1) == []


@pytest.mark.parametrize(
    "codes",
    ["S002;S001", "S001；S002", " S001 ; S002 ", "S001 S002", "S001;;S002;S001", "S001,S002"],
)
def test_row_identical_to_what_is_stored_is_unchanged(tmp_path, configured_hall, codes):
    path = write(tmp_path, HEADER + f'HA,甲大厅,1,一号,社保通办,社保管理中心,"{codes}"\n')
    before = stored()

    result = run(path)

    assert result.summary == "imported 0, unchanged 1, rejected 0"
    assert stored() == before


def test_only_a_changed_service_item_counts_as_imported(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + "HA,,1,一号,社保通办,社保管理中心,S001\n")

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert item_codes("HA", 1) == ["S001"]


@pytest.mark.parametrize("window_no", ["7", "07", "7号", " 7 号", "７"])
def test_window_number_forms_tolerated(tmp_path, hall_a, window_no):
    path = write(tmp_path, HEADER + f"HA,,{window_no},,社保通办,,\n")

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert list(Window.objects.values_list("number", flat=True)) == [7]


@pytest.mark.parametrize(
    ("header", "bom"),
    [(HEADER, False), ("大厅编码,大厅名称,窗口号,窗口名称,片区,进驻部门,业务编码\n", True)],
    ids=["english", "chinese-with-bom"],
)
def test_csv_headers_in_english_or_chinese(tmp_path, hall_a, header, bom):
    ServiceItemFactory(code="S001")
    path = write(tmp_path, header + "HA,,5,五号,社保通办,社保管理中心,S001\n", bom=bom)

    result = run(path)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert stored()["windows"] == [("HA", 5, "五号", "社保通办", "社保管理中心", True)]


def test_xlsx_with_numeric_window_numbers(tmp_path, hall_a):
    # given a workbook whose window numbers are numbers, as Excel stores them
    ServiceItemFactory(code="S001")
    path = write_xlsx(
        tmp_path,
        [
            ["大厅编码", "大厅名称", "窗口号", "窗口名称", "片区", "进驻部门", "业务编码"],
            ["HA", None, 5, "五号", "社保通办", "社保管理中心", "S001"],
            [None] * 7,
            ["HA", None, 6.0, "六号", "专业", None, None],
        ],
    )

    result = run(path)

    assert result.summary == "imported 2, unchanged 0, rejected 0"
    assert stored()["windows"] == [
        ("HA", 5, "五号", "社保通办", "社保管理中心", True),
        ("HA", 6, "六号", None, None, True),
    ]


def test_later_rows_of_a_new_hall_need_no_name(tmp_path, db):
    path = write(tmp_path, HEADER + "HN,新大厅,1,,社保通办,,\nHN,,2,,社保通办,,\n")

    result = run(path)

    assert result.summary == "imported 2, unchanged 0, rejected 0"
    assert stored()["halls"] == [("HN", "新大厅")]
    assert Window.objects.filter(hall__code="HN").count() == 2


def test_new_window_reuses_the_zone_and_leaves_other_windows_alone(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + "HA,,2,,社保通办,,\n")

    run(path)

    assert Zone.objects.count() == 1
    assert stored()["windows"] == [
        ("HA", 1, "一号", "社保通办", "社保管理中心", True),
        ("HA", 2, "", "社保通办", None, True),
    ]


# --- bad rows ---------------------------------------------------------------------------

NOT_A_WINDOW_NUMBER = "is not a whole number from 1 to 32767"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (",,1,,社保通办,,", "row 2: missing hall code"),
        ("HN,,1,,社保通办,,", "row 2: new hall HN needs a hall name"),
        ("H A,新大厅,1,,社保通办,,", "row 2: hall_code: Use 1-20 letters, digits, '-' or '_'."),
        ("HA,,,,社保通办,,", "row 2: missing window number"),
        *[
            (f"HA,,{value},,社保通办,,", f"row 2: window number {value} {NOT_A_WINDOW_NUMBER}")
            for value in ("abc", "0", "-3", "5.5", "5号窗口", "40000")
        ],
        ("HA,,1,,,,", "row 2: missing zone"),
        ("HA,,1,,综合,,", "row 2: unknown zone 综合: use 社保通办, 医保通办, 企保待遇通办, 专业"),
        ("HA,,1,,社保通办,,S001;LHS99", "row 2: unknown service code LHS99"),
        ("HA,,1,,社保通办,,LHS98;S001;LHS99", "row 2: unknown service codes LHS98, LHS99"),
        (
            f"HA,,1,{'窗' * 101},社保通办,,",
            "row 2: window_name: Ensure this value has at most 100 characters (it has 101).",
        ),
        (
            f"HA,,1,,社保通办,{'部' * 101},",
            "row 2: department: Ensure this value has at most 100 characters (it has 101).",
        ),
        (
            f"HA,{'厅' * 101},1,,社保通办,,",
            "row 2: hall_name: Ensure this value has at most 100 characters (it has 101).",
        ),
    ],
)
def test_bad_row_is_rejected_with_its_reason_and_changes_nothing(
    tmp_path, configured_hall, line, message
):
    # given HA configured, and a row with one fault
    path = write(tmp_path, HEADER + line + "\n")
    before = stored()

    # when
    result = run(path)

    # then
    assert [str(error) for error in result.errors] == [message]
    assert result.summary == "imported 0, unchanged 0, rejected 1"
    assert stored() == before


def test_unknown_service_code_rejects_the_whole_row(tmp_path, configured_hall):
    # given a row that renames the window, adds a department and one unknown code
    path = write(tmp_path, HEADER + "HA,新名,1,新窗,医保通办,新部门,S003;LHS99\n")
    before = stored()

    result = run(path)

    assert result.errors == [RowError(row=2, reason="unknown service code LHS99")]
    assert stored() == before


def test_unknown_service_codes_created_unpublished_with_create_missing(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + "HA,,1,一号,社保通办,社保管理中心,S001;LHS99；LHS98\n")

    result = run(path, create_missing=True)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert item_codes("HA", 1) == ["LHS98", "LHS99", "S001"]
    assert list(
        ServiceItem.objects.filter(code__startswith="LHS").values_list(
            "code", "name", "is_published", "handling"
        )
    ) == [("LHS98", "LHS98", False, "on_the_spot"), ("LHS99", "LHS99", False, "on_the_spot")]


def test_too_long_new_service_code_is_rejected_with_create_missing(tmp_path, configured_hall):
    path = write(tmp_path, HEADER + f"HA,,1,,社保通办,,S001;{'X' * 31}\n")
    before = stored()

    result = run(path, create_missing=True)

    assert [str(error) for error in result.errors] == [
        "row 2: service_codes: Ensure this value has at most 30 characters (it has 31)."
    ]
    assert stored() == before


def test_duplicate_window_in_the_file_rejects_the_later_row(tmp_path, hall_a, hall_b):
    path = write(
        tmp_path,
        HEADER + "HA,,1,第一,社保通办,,\nHA,,2,,社保通办,,\nHA,,1号,第二,专业,,\nHB,,1,,专业,,\n",
    )

    result = run(path)

    assert [str(error) for error in result.errors] == [
        "row 4: window 1 of hall HA is already in row 2"
    ]
    assert result.summary == "imported 3, unchanged 0, rejected 1"
    assert Window.objects.get(hall=hall_a, number=1).name == "第一"


def test_good_rows_are_saved_beside_bad_ones_and_errors_are_in_file_order(tmp_path, hall_a):
    path = write(
        tmp_path,
        HEADER
        + "HA,,1,,社保通办,,\n"
        + "HA,,x,,社保通办,,\n"
        + "\n"
        + "HA,,2,,专业,,\n"
        + "HA,,3,,大厅,,\n",
    )

    result = run(path)

    assert [str(error) for error in result.errors] == [
        "row 3: window number x is not a whole number from 1 to 32767",
        "row 6: unknown zone 大厅: use 社保通办, 医保通办, 企保待遇通办, 专业",
    ]
    assert result.summary == "imported 2, unchanged 0, rejected 2"
    assert sorted(Window.objects.values_list("number", flat=True)) == [1, 2]


def test_rejected_row_of_a_new_hall_leaves_no_hall_behind(tmp_path, db):
    path = write(tmp_path, HEADER + "HN,新大厅,1,,社保通办,新部门,LHS99\n")

    result = run(path)

    assert result.summary == "imported 0, unchanged 0, rejected 1"
    assert stored() == {key: [] for key in stored()}


# --- unusable files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "windows.csv",
            b"hall_code,window_no,window_name\nHA,1,x\n",
            "missing required column zone (片区)",
        ),
        (
            "windows.xls",
            HEADER.encode(),
            "unsupported file type windows.xls: use a .csv or .xlsx file",
        ),
        (
            "windows.csv",
            (HEADER + "HA,,1,,社保通办,,\n").encode("gbk"),
            'the file is not UTF-8 text (first problem near row 2); save it as "CSV UTF-8" '
            "and try again",
        ),
        ("windows.csv", b"", "the file is empty"),
        ("windows.xlsx", b"PK junk", "the file is not a readable .xlsx workbook"),
    ],
)
def test_unusable_file_raises_and_changes_nothing(
    tmp_path, configured_hall, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = stored()

    with pytest.raises(ImportFileError) as raised:
        run(path)

    assert str(raised.value) == message
    assert stored() == before


def test_file_that_turns_unreadable_halfway_saves_none_of_its_rows(tmp_path, configured_hall):
    # given good rows followed by a line in GBK
    path = tmp_path / "windows.csv"
    path.write_bytes(
        (HEADER + "HA,,7,,社保通办,,\nHA,,8,,社保通办,,\n").encode()
        + "HA,,9,九号,社保通办,,\n".encode("gbk")
    )
    before = stored()

    with pytest.raises(ImportFileError) as raised:
        run(path)

    assert str(raised.value) == (
        'the file is not UTF-8 text (first problem near row 4); save it as "CSV UTF-8" '
        "and try again"
    )
    assert stored() == before


# --- dry run ----------------------------------------------------------------------------


def test_dry_run_reports_what_a_real_run_would_and_writes_nothing(tmp_path, configured_hall):
    # given rows that depend on each other (a new hall, then its second window) and bad rows
    path = write(
        tmp_path,
        HEADER
        + "HN,新大厅,1,,社保通办,新部门,S001\n"
        + "HN,,2,,医保通办,新部门,\n"
        + "HN,,1,,专业,,\n"
        + "HA,,1,一号,社保通办,社保管理中心,S001;S002\n"
        + "HA,,2,,专业,,LHS99\n",
    )
    before = stored()

    # when
    dry = run(path, dry_run=True)

    # then nothing is written
    assert stored() == before
    assert dry.dry_run is True
    assert dry.summary == "imported 2, unchanged 1, rejected 2"
    assert [str(error) for error in dry.errors] == [
        "row 4: window 1 of hall HN is already in row 2",
        "row 6: unknown service code LHS99",
    ]
    # and the real run agrees
    real = run(path)
    assert (real.summary, real.errors, real.dry_run) == (dry.summary, dry.errors, False)
    assert Window.objects.filter(hall__code="HN").count() == 2


def test_dry_run_with_create_missing_creates_no_service_items(tmp_path, db):
    path = write(tmp_path, SAMPLE)

    result = run(path, create_missing=True, dry_run=True)

    assert result.summary == "imported 3, unchanged 0, rejected 0"
    assert stored() == {key: [] for key in stored()}


# --- who may import what ----------------------------------------------------------------


def test_manager_rows_of_another_hall_are_rejected(tmp_path, manager_a, hall_b):
    path = write(
        tmp_path, HEADER + "HA,,1,,社保通办,,\nHB,,1,,社保通办,,\nHB,乙大厅改名,2,,专业,,\n"
    )

    result = run(path, user=manager_a)

    assert [str(error) for error in result.errors] == [
        "row 3: no permission for hall HB",
        "row 4: no permission for hall HB",
    ]
    assert result.summary == "imported 1, unchanged 0, rejected 2"
    assert stored()["halls"] == [("HA", "甲大厅"), ("HB", "乙大厅")]
    assert list(Window.objects.values_list("hall__code", "number")) == [("HA", 1)]


def test_manager_uploads_an_xlsx_as_the_admin_page_does(tmp_path, manager_a):
    path = write_xlsx(tmp_path, [["hall_code", "window_no", "zone"], ["HA", 3, "专业"]])
    upload = SimpleUploadedFile("窗口.xlsx", path.read_bytes())

    result = windows_import(file=upload, filename=upload.name, user=manager_a)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert stored()["windows"] == [("HA", 3, "", None, None, True)]


def test_manager_cannot_create_a_hall(tmp_path, manager_a):
    path = write(tmp_path, HEADER + "HN,新大厅,1,,社保通办,,\n")
    before = stored()

    result = run(path, user=manager_a)

    assert [str(error) for error in result.errors] == ["row 2: no permission for hall HN"]
    assert stored() == before


def test_superuser_may_create_a_hall_and_touch_any(tmp_path, hall_b):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    path = write(tmp_path, HEADER + "HN,新大厅,1,,社保通办,,\nHB,,1,,专业,,\n")

    result = run(path, user=admin)

    assert result.summary == "imported 2, unchanged 0, rejected 0"
    assert list(Window.objects.values_list("hall__code", "number")) == [("HB", 1), ("HN", 1)]


def test_supervisor_may_not_import(tmp_path, hall_a):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    path = write(tmp_path, HEADER + "HA,,1,,社保通办,,\n")

    with pytest.raises(PermissionDenied):
        run(path, user=supervisor)

    assert Window.objects.count() == 0


# --- the command ------------------------------------------------------------------------


def call(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_windows", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue(), exc.code
    return out.getvalue(), 0


def test_command_imports_and_exits_0(tmp_path, db):
    path = write(tmp_path, SAMPLE, bom=True)

    output, status = call(str(path), "--create-missing")

    assert (output, status) == ("imported 3, unchanged 0, rejected 0\n", 0)
    assert Window.objects.count() == 3


def test_command_prints_rejected_rows_then_summary_and_exits_1(tmp_path, db):
    path = write(tmp_path, SAMPLE)

    output, status = call(str(path))

    assert output == (
        "row 2: unknown service codes LHS04, LHS05, LHS06, LHS07, LHS08, LHS09\n"
        "row 3: unknown service codes LHS07, LHS08, LHS09, LHS10, LHS11, LHS12\n"
        "row 4: unknown service codes LHS10, LHS11, LHS12, LHS13, LHS14, LHS15\n"
        "imported 0, unchanged 0, rejected 3\n"
    )
    assert status == 1
    assert Hall.objects.count() == 0


def test_command_dry_run(tmp_path, db):
    path = write(tmp_path, SAMPLE)

    output, status = call(str(path), "--create-missing", "--dry-run")

    assert (output, status) == (
        "dry run: nothing was saved\nimported 3, unchanged 0, rejected 0\n",
        0,
    )
    assert Hall.objects.count() == 0


def test_command_missing_file(tmp_path, db):
    with pytest.raises(CommandError) as raised:
        call(str(tmp_path / "nowhere.csv"))

    assert str(raised.value) == f"cannot open {tmp_path / 'nowhere.csv'}: No such file or directory"


def test_command_unusable_file(tmp_path, db):
    path = write(tmp_path, "hall_code,window_no\nHA,1\n")

    with pytest.raises(CommandError) as raised:
        call(str(path))

    assert str(raised.value) == f"{path}: missing required column zone (片区)"
    assert raised.value.returncode == 1
