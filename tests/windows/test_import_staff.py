"""The staff import (contracts.md section 4a): import_staff and staff_import."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.windows.factories import (
    DepartmentFactory,
    HallFactory,
    StaffFactory,
    UserFactory,
    make_manager,
)
from windows import roles
from windows.importing import ImportFileError, staff_import
from windows.models import Department, Staff

User = get_user_model()

CN_HEADER = "大厅编码,工号,姓名,部门,职务,邮箱,在岗,登录名\n"
EN_HEADER = "hall_code,badge_no,name,department,job_title,email,on_duty,username\n"
ROWS = (
    "HA,A001,张三,社保管理中心,窗口受理员,zhangsan@example.com,是,zhangsan\n"
    "HA,A002,李四,,,,否,\n"
    "HA,A003,王五,医保中心,,wangwu@example.com,,\n"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path, text: str, *, name: str = "staff.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def write_xlsx(tmp_path, rows: list[list[object]], *, name: str = "staff.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path, **options):
    with open(path, "rb") as file:
        return staff_import(file=file, filename=path.name, **options)


def call(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_staff", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue(), exc.code
    return out.getvalue(), 0


def cards() -> list[tuple]:
    return list(
        Staff.objects.order_by("hall__code", "badge_no").values_list(
            "hall__code",
            "badge_no",
            "display_name",
            "department__name",
            "job_title",
            "email",
            "is_active",
            "user__username",
        )
    )


def stored() -> dict[str, list]:
    """Everything the import may write, as plain values."""
    return {
        "cards": cards(),
        "departments": sorted(Department.objects.values_list("hall__code", "name")),
        "users": sorted(User.objects.values_list("username", "is_active", "is_staff", "password")),
        "groups": sorted(User.objects.values_list("username", "groups__name")),
    }


IMPORTED = [
    ("HA", "A001", "张三", "社保管理中心", "窗口受理员", "zhangsan@example.com", True, "zhangsan"),
    ("HA", "A002", "李四", None, "", "", False, None),
    ("HA", "A003", "王五", "医保中心", "", "wangwu@example.com", True, None),
]


# --- creating and updating -------------------------------------------------------------


@pytest.mark.parametrize("header", [CN_HEADER, EN_HEADER], ids=["chinese", "english"])
def test_import_creates_cards_departments_and_a_login(tmp_path, hall_a, header):
    # given an empty hall and a file in either language
    path = write(tmp_path, header + ROWS, bom=header == CN_HEADER)

    # when
    result = run(path)

    # then
    assert (result.summary, result.errors) == ("imported 3, unchanged 0, rejected 0", [])
    assert result.created == {"departments": 2}
    assert cards() == IMPORTED
    assert stored()["departments"] == [("HA", "医保中心"), ("HA", "社保管理中心")]
    login = User.objects.get(username="zhangsan")
    assert (login.is_active, login.is_staff, login.is_superuser) == (True, False, False)
    assert login.has_usable_password() is False  # no password until a manager sets one
    assert login.email == ""  # the staff member's email is on the card
    assert list(login.groups.values_list("name", flat=True)) == [roles.WINDOW_STAFF]


def test_reimporting_the_same_file_changes_nothing(tmp_path, hall_a):
    path = write(tmp_path, CN_HEADER + ROWS)
    run(path)
    before = stored()

    again = run(path)

    assert again.summary == "imported 0, unchanged 3, rejected 0"
    assert stored() == before


def test_a_reimport_updates_the_card_and_never_duplicates_it(tmp_path, hall_a):
    run(write(tmp_path, CN_HEADER + ROWS))
    changed = ROWS.replace("张三,社保管理中心,窗口受理员", "张三丰,综合科,科长").replace(
        "李四,,,,否,", "李四,,,lisi@example.com,是,"
    )

    result = run(write(tmp_path, CN_HEADER + changed))

    assert result.summary == "imported 2, unchanged 1, rejected 0"
    assert cards() == [
        ("HA", "A001", "张三丰", "综合科", "科长", "zhangsan@example.com", True, "zhangsan"),
        ("HA", "A002", "李四", None, "", "lisi@example.com", True, None),
        IMPORTED[2],
    ]
    assert Staff.objects.count() == 3
    assert User.objects.filter(username="zhangsan").count() == 1


def test_empty_cells_clear_and_absent_columns_keep(tmp_path, hall_a):
    run(write(tmp_path, CN_HEADER + ROWS))

    # a file with only badges and names keeps department, job title, email, duty and login
    names_only = run(write(tmp_path, "大厅编码,工号,姓名\nHA,A001,张三\n"))
    # a row with the columns but empty cells clears them (on_duty empty means yes)
    cleared = run(write(tmp_path, EN_HEADER + "HA,A003,王五,,,,,\n"))

    assert names_only.summary == "imported 0, unchanged 1, rejected 0"
    assert cleared.summary == "imported 1, unchanged 0, rejected 0"
    assert cards()[0] == IMPORTED[0]
    assert cards()[2] == ("HA", "A003", "王五", None, "", "", True, None)


def test_an_existing_login_is_never_changed_or_removed(tmp_path, hall_a):
    staff = StaffFactory(hall=hall_a, badge_no="A001", display_name="张三", user__username="zhang")
    password = staff.user.password

    # an empty username leaves the login alone; the same username (any case) too
    result = run(write(tmp_path, EN_HEADER + "HA,A001,张三,,,,是,\nHA,A001X,李四,,,,是,\n"))
    same = run(write(tmp_path, EN_HEADER + "HA,A001,张三,,,,是,ZHANG\n"))

    assert result.summary == "imported 2, unchanged 0, rejected 0"  # A001: its email cleared
    assert same.summary == "imported 0, unchanged 1, rejected 0"
    staff.refresh_from_db()
    assert (staff.user.username, staff.user.password, staff.user.is_active) == (
        "zhang",
        password,
        True,
    )


def test_a_card_without_a_login_gets_one_on_a_later_import(tmp_path, hall_a):
    run(write(tmp_path, EN_HEADER + "HA,A002,李四,,,,否,\n"))

    result = run(write(tmp_path, EN_HEADER + "HA,A002,李四,,,,否,lisi\n"))

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    staff = Staff.objects.get(badge_no="A002")
    assert staff.user.username == "lisi"
    assert staff.user.is_active is False  # off duty: the login is closed, as in the admin
    assert staff.user.has_usable_password() is False


def test_taking_a_card_off_duty_closes_its_login_and_back_on_duty_opens_it(tmp_path, hall_a):
    staff = StaffFactory(hall=hall_a, badge_no="A001", display_name="张三", user__username="zhang")

    off = run(write(tmp_path, "工号,姓名,在岗\nA001,张三,否\n"), hall_code="HA")
    staff.user.refresh_from_db()
    assert (off.summary, staff.user.is_active) == ("imported 1, unchanged 0, rejected 0", False)

    on = run(write(tmp_path, "工号,姓名,在岗\nA001,张三,YES\n"), hall_code="HA")
    staff.user.refresh_from_db()
    assert (on.summary, staff.user.is_active) == ("imported 1, unchanged 0, rejected 0", True)


def test_an_existing_department_is_reused(tmp_path, hall_a, hall_b):
    department = DepartmentFactory(hall=hall_a, name="社保管理中心")
    DepartmentFactory(hall=hall_b, name="医保中心")

    result = run(write(tmp_path, CN_HEADER + ROWS))

    assert result.created == {"departments": 1}  # 医保中心 of hall A
    assert Staff.objects.get(badge_no="A001").department == department
    assert Department.objects.filter(name="医保中心").count() == 2  # one per hall


def test_xlsx_with_chinese_headers_and_numbers(tmp_path, hall_a):
    path = write_xlsx(
        tmp_path,
        [
            ["大厅编码", "工号", "姓名", "邮箱", "在岗"],
            ["HA", 1001, "张三", "zs@example.com", "是"],
            [None, None, None, None, None],
            ["HA", "A002", "李四", None, "no"],
        ],
    )

    result = run(path)

    assert result.summary == "imported 2, unchanged 0, rejected 0"
    assert cards() == [
        ("HA", "1001", "张三", None, "", "zs@example.com", True, None),
        ("HA", "A002", "李四", None, "", "", False, None),
    ]


def test_hall_option_names_every_rows_hall(tmp_path, hall_a):
    path = write(tmp_path, "badge_no,name\nA001,张三\n")

    result = run(path, hall_code="HA")

    assert result.summary == "imported 1, unchanged 0, rejected 0"
    assert cards() == [("HA", "A001", "张三", None, "", "", True, None)]


# --- rejected rows ---------------------------------------------------------------------


@pytest.fixture
def others(hall_a, hall_b):
    """A card of hall A with the login "taken_a", one of hall B with "taken_b", and a
    manager's account "boss" without a card."""
    StaffFactory(hall=hall_a, badge_no="A900", user__username="taken_a")
    StaffFactory(hall=hall_b, badge_no="B900", user__username="taken_b")
    make_manager(hall_a, "boss")


BAD_ROWS = [
    ("HX,A010,赵六,,,,,", "unknown hall HX"),
    (",A010,赵六,,,,,", "missing hall code"),
    ("HA,,赵六,,,,,", "missing badge number"),
    ("HA,A010,,,,,,", "missing name"),
    ("HA,A010,赵六,,,not-an-email,,", "email not-an-email is not a valid email address"),
    ("HA,A010,赵六,,,a@b,,", "email a@b is not a valid email address"),
    ("HA,A010,赵六,,,,在,", "on_duty (在岗): 在 is not 是, 否, yes or no"),
    ("HA,A010,赵六,,,,true,", "on_duty (在岗): true is not 是, 否, yes or no"),
    ("HA,A010,赵六,,,,,taken_b", "username taken_b is already taken"),
    ("HA,A010,赵六,,,,,TAKEN_B", "username TAKEN_B is already taken"),
    ("HA,A010,赵六,,,,,boss", "username boss is already taken"),
    ("HA,A010,赵六,,,,,taken_a", "username taken_a is already the login of badge A900"),
    (
        "HA,A900,赵六,,,,,someone",
        "badge A900 already has the login taken_a; the import never changes a login",
    ),
    (
        "HA,A010,赵六,,,,,bad name!",
        "username (登录名): Enter a valid username. This value may contain only letters, "
        "numbers, and @/./+/-/_ characters.",
    ),
    (f"HA,{'A' * 21},赵六,,,,,", "badge_no (工号) is longer than 20 characters"),
    (f"HA,A010,{'赵' * 51},,,,,", "name (姓名) is longer than 50 characters"),
    (f"HA,A010,赵六,{'部' * 101},,,,", "department (部门) is longer than 100 characters"),
    (f"HA,A010,赵六,,{'科' * 51},,,", "job_title (职务) is longer than 50 characters"),
    (
        f"HA,A010,赵六,,,{'a' * 250}@x.cn,,",
        "email (邮箱) is longer than 254 characters",
    ),
    (f"HA,A010,赵六,,,,,{'u' * 151}", "username (登录名) is longer than 150 characters"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[reason for _, reason in BAD_ROWS])
def test_bad_row_is_rejected_with_its_reason_and_stores_nothing(tmp_path, others, row, reason):
    before = stored()
    path = write(tmp_path, EN_HEADER + row + "\n")

    output, status = call(str(path))

    assert (output, status) == (f"row 2: {reason}\nimported 0, unchanged 0, rejected 1\n", 1)
    assert stored() == before


def test_a_bad_row_does_not_stop_the_good_ones(tmp_path, hall_a):
    path = write(tmp_path, CN_HEADER + ROWS + "HA,A004,,,,,,\nHA,A005,赵六,,,,,\n")

    output, status = call(str(path))

    assert output == (
        "row 5: missing name\ndepartments created: 2\nimported 4, unchanged 0, rejected 1\n"
    )
    assert status == 1
    assert [card[1] for card in cards()] == ["A001", "A002", "A003", "A005"]


def test_duplicate_badge_and_username_within_the_file(tmp_path, hall_a, hall_b):
    path = write(
        tmp_path,
        EN_HEADER
        + "HA,A001,张三,,,,,zhangsan\n"
        + "HA,A001,张三二,,,,,\n"  # the same badge of the same hall
        + "HB,A001,张三,,,,,\n"  # the same badge in another hall is another person
        + "HB,A002,李四,,,,,ZhangSan\n",  # the username of row 2, in another case
    )

    result = run(path)

    assert [str(error) for error in result.errors] == [
        "row 3: badge A001 of hall HA is already in row 2",
        "row 5: username ZhangSan is already in row 2",
    ]
    assert result.summary == "imported 2, unchanged 0, rejected 2"
    assert [(card[0], card[1], card[2], card[7]) for card in cards()] == [
        ("HA", "A001", "张三", "zhangsan"),
        ("HB", "A001", "张三", None),
    ]


def test_row_of_another_hall_than_the_hall_option(tmp_path, hall_a, hall_b):
    path = write(tmp_path, EN_HEADER + "HB,A001,张三,,,,,\nHA,A002,李四,,,,,\n")

    result = run(path, hall_code="HA")

    assert [str(error) for error in result.errors] == [
        "row 2: hall code HB does not match --hall HA"
    ]
    assert cards() == [("HA", "A002", "李四", None, "", "", True, None)]


# --- the file as a whole ---------------------------------------------------------------


def test_hall_not_given_is_a_file_error(tmp_path, hall_a):
    path = write(tmp_path, "badge_no,name\nA001,张三\n")

    with pytest.raises(CommandError) as raised:
        call(str(path))

    assert str(raised.value) == (f"{path}: missing required column hall_code (大厅编码)")
    assert Staff.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("hall_code,name\n", "badge_no (工号)"),
        ("大厅编码,工号\n", "name (姓名)"),
        ("hall_code,email\n", "badge_no (工号), name (姓名)"),
    ],
)
def test_missing_required_column_is_a_file_error(tmp_path, hall_a, header, missing):
    path = write(tmp_path, header + "HA,x\n")

    with pytest.raises(ImportFileError) as raised:
        run(path)

    plural = "s" if "," in missing else ""
    assert str(raised.value) == f"missing required column{plural} {missing}"
    assert Staff.objects.count() == 0


def test_unknown_hall_option_is_a_file_error(tmp_path, hall_a):
    path = write(tmp_path, "badge_no,name\nA001,张三\n")

    with pytest.raises(CommandError) as raised:
        call(str(path), "--hall", "HX")

    assert str(raised.value) == f"{path}: unknown hall HX"
    assert Staff.objects.count() == 0


def test_bad_xlsx_is_a_file_error(tmp_path, hall_a):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")

    with pytest.raises(CommandError) as raised:
        call(str(path))

    assert str(raised.value) == f"{path}: the file is not a readable .xlsx workbook"
    assert Staff.objects.count() == 0


def test_other_file_type_is_a_file_error(tmp_path, hall_a):
    path = write(tmp_path, EN_HEADER, name="staff.txt")

    with pytest.raises(ImportFileError) as raised:
        run(path)

    assert str(raised.value) == "unsupported file type staff.txt: use a .csv or .xlsx file"


# --- dry run and the command ---------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_as_a_real_run(tmp_path, hall_a):
    path = write(tmp_path, CN_HEADER + ROWS + "HA,A001,重复,,,,,\n")

    output, status = call(str(path), "--dry-run")

    assert (output, status) == (
        "row 5: badge A001 of hall HA is already in row 2\n"
        "departments created: 2\n"
        "dry run: nothing was saved\n"
        "imported 3, unchanged 0, rejected 1\n",
        1,
    )
    assert stored() == {"cards": [], "departments": [], "users": [], "groups": []}
    assert call(str(path))[0].endswith("imported 3, unchanged 0, rejected 1\n")


def test_command_exits_0_when_nothing_is_rejected(tmp_path, hall_a):
    path = write(tmp_path, CN_HEADER + ROWS, bom=True)

    assert call(str(path)) == (
        "departments created: 2\nimported 3, unchanged 0, rejected 0\n",
        0,
    )
    assert call(str(path)) == ("imported 0, unchanged 3, rejected 0\n", 0)
    assert call(str(path), "--hall", "HA") == ("imported 0, unchanged 3, rejected 0\n", 0)


def test_command_missing_file(tmp_path, db):
    with pytest.raises(CommandError) as raised:
        call(str(tmp_path / "nowhere.csv"))

    assert str(raised.value).startswith(f"cannot open {tmp_path / 'nowhere.csv'}: ")


# --- who may import what ------------------------------------------------------------------


def test_manager_rows_of_another_hall_are_rejected(tmp_path, hall_a, hall_b, manager_a):
    path = write(
        tmp_path,
        EN_HEADER + "HA,A001,张三,,,,,\nHB,B001,李四,,,,,\nHX,X001,王五,,,,,\n",
    )

    result = run(path, user=manager_a)

    assert [str(error) for error in result.errors] == [
        "row 3: no permission for hall HB",
        "row 4: no permission for hall HX",
    ]
    assert cards() == [("HA", "A001", "张三", None, "", "", True, None)]


def test_manager_hall_option_of_another_hall_is_refused(tmp_path, hall_a, hall_b, manager_a):
    with pytest.raises(ImportFileError) as raised:
        run(write(tmp_path, "badge_no,name\nB001,李四\n"), hall_code="HB", user=manager_a)

    assert str(raised.value) == "no permission for hall HB"
    assert Staff.objects.count() == 0


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.WINDOW_STAFF])
def test_supervisor_and_staff_may_not_import(tmp_path, hall_a, role):
    user = make_manager(hall_a, "someone", role=role)

    with pytest.raises(PermissionDenied):
        run(write(tmp_path, EN_HEADER + "HA,A001,张三,,,,,\n"), user=user)

    assert Staff.objects.count() == 0


def test_superuser_may_import_into_any_hall(tmp_path, hall_a):
    HallFactory(code="HC")
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    result = run(write(tmp_path, EN_HEADER + "HC,C001,张三,,,,,\n"), user=admin)

    assert result.summary == "imported 1, unchanged 0, rejected 0"
