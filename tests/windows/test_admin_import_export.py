"""Excel exports of windows and service items, and the windows import upload page."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.windows.factories import (
    DepartmentFactory,
    ServiceItemFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows import roles
from windows.exports import write_windows_xlsx
from windows.importing import RowError, windows_import
from windows.models import ServiceItem, Window, WindowServiceItem

WINDOW_HEADER = ("大厅编码", "大厅名称", "窗口号", "窗口名称", "片区", "进驻部门", "业务编码")
CSV_HEADER = ",".join(WINDOW_HEADER)
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("windows.exports.timezone.localdate", lambda: TODAY)


@pytest.fixture
def items(db):
    return [
        ServiceItemFactory(code="SB001", name="参保登记"),
        ServiceItemFactory(code="SB002", name="缴费基数申报"),
    ]


@pytest.fixture
def windows_a(hall_a, items):
    zone = ZoneFactory(hall=hall_a, name="社保通办")
    general = WindowFactory(
        hall=hall_a,
        number=5,
        name="社保通办5号窗口",
        zone=zone,
        department=DepartmentFactory(hall=hall_a, name="社保管理中心"),
    )
    for item in reversed(items):
        WindowServiceItem.objects.create(window=general, service_item=item)
    specialist = WindowFactory(hall=hall_a, number=27, name="失业特殊业务窗口", zone=None)
    return [general, specialist]


@pytest.fixture
def window_b(hall_b):
    return WindowFactory(hall=hall_b, number=5, name="乙厅5号窗口", zone=None)


def read_xlsx(content: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def export_action(client, model, *, selected=(), select_across=False):
    return client.post(
        reverse(f"admin:windows_{model}_changelist"),
        {
            "action": "export_xlsx",
            "_selected_action": [str(pk) for pk in selected],
            "select_across": "1" if select_across else "0",
            "index": "0",
        },
    )


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def post_import(client, file, *, create_missing=False, dry_run=False):
    data = {"file": file}
    if create_missing:
        data["create_missing"] = "on"
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("admin:windows_window_import"), data)


def window_rows():
    return sorted(
        Window.objects.values_list("hall__code", "number", "name", "zone__name", "is_active")
    )


# Export


def test_windows_export_has_the_import_columns_and_only_the_managers_hall(
    client, manager_a, windows_a, window_b, today
):
    client.force_login(manager_a)

    response = export_action(client, "window", selected=[windows_a[0].pk], select_across=True)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="windows-20261125.xlsx"'
    assert read_xlsx(response.content) == [
        WINDOW_HEADER,
        ("HA", "甲大厅", 5, "社保通办5号窗口", "社保通办", "社保管理中心", "SB001;SB002"),
        ("HA", "甲大厅", 27, "失业特殊业务窗口", "专业", None, None),
    ]


def test_windows_export_has_only_the_selected_rows(client, manager_a, windows_a, window_b):
    client.force_login(manager_a)

    response = export_action(client, "window", selected=[windows_a[1].pk, window_b.pk])

    assert read_xlsx(response.content)[1:] == [
        ("HA", "甲大厅", 27, "失业特殊业务窗口", "专业", None, None),
    ]


def test_windows_export_sheet_is_formatted(windows_a):
    output = BytesIO()

    count = write_windows_xlsx(Window.objects.all(), output)

    sheet = load_workbook(BytesIO(output.getvalue())).active
    assert count == 2
    assert sheet.freeze_panes == "A2"
    assert [sheet.cell(row=1, column=c).font.b for c in range(1, 8)] == [True] * 7
    assert sheet.column_dimensions["G"].width == 40


def test_exported_windows_import_back_unchanged(manager_a, windows_a):
    # given hall A's windows exported
    output = BytesIO()
    write_windows_xlsx(Window.objects.for_user(manager_a), output)
    before = window_rows()
    items_before = sorted(WindowServiceItem.objects.values_list("window_id", "service_item_id"))

    # when the file is imported again
    result = windows_import(
        file=BytesIO(output.getvalue()), filename="windows.xlsx", user=manager_a
    )

    # then every row is unchanged
    assert (result.imported, result.unchanged, result.rejected) == (0, 2, 0)
    assert window_rows() == before
    assert (
        sorted(WindowServiceItem.objects.values_list("window_id", "service_item_id"))
        == items_before
    )


def test_supervisor_may_export_windows(client, hall_a, windows_a):
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    response = export_action(client, "window", select_across=True, selected=[windows_a[0].pk])

    assert [row[2] for row in read_xlsx(response.content)[1:]] == [5, 27]


def test_service_items_export(client, manager_a, today):
    ServiceItemFactory(code="SB001", name="参保登记", category="参保")
    ServiceItemFactory(
        code="YL010",
        name="退休审批",
        category="养老",
        handling=ServiceItem.Handling.TIME_LIMITED,
        promised_working_days=5,
        required_materials="身份证\n\n退休申请表\n",
        is_published=False,
    )
    client.force_login(manager_a)

    response = export_action(
        client, "serviceitem", select_across=True, selected=[ServiceItem.objects.first().pk]
    )

    assert response["Content-Disposition"] == 'attachment; filename="service-items-20261125.xlsx"'
    assert read_xlsx(response.content) == [
        (
            "业务编码",
            "事项名称",
            "类别",
            "办理方式",
            "承诺时限（工作日）",
            "一次性告知材料",
            "是否公开",
        ),
        ("SB001", "参保登记", "参保", "即办件", None, None, "是"),
        ("YL010", "退休审批", "养老", "限时办结", 5, "身份证\n退休申请表", "否"),
    ]


# Import upload page


def test_window_list_links_to_the_import_page(client, manager_a, hall_a, english):
    client.force_login(manager_a)
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)

    manager_page = client.get(reverse("admin:windows_window_changelist"))
    client.force_login(supervisor)
    supervisor_page = client.get(reverse("admin:windows_window_changelist"))

    link = f'<a href="{reverse("admin:windows_window_import")}" class="import-windows">'
    assert f"{link}Import windows</a>" in manager_page.content.decode()
    assert link not in supervisor_page.content.decode()


def test_supervisor_may_not_open_the_import_page(client, hall_a):
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    assert client.get(reverse("admin:windows_window_import")).status_code == 403


def test_import_page_shows_the_form(client, manager_a, english):
    client.force_login(manager_a)

    response = client.get(reverse("admin:windows_window_import"))

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["file", "create_missing", "dry_run"]
    assert response.context["result"] is None


def test_import_upload_creates_the_windows(client, manager_a, hall_a, items, english):
    client.force_login(manager_a)
    csv = (
        f"{CSV_HEADER}\n"
        "HA,甲大厅,5,社保通办5号窗口,社保通办,社保管理中心,SB001;SB002\n"
        "HA,甲大厅,27,失业特殊业务窗口,专业,,\n"
    )

    response = post_import(client, upload("windows.csv", csv))

    assert response.status_code == 302
    assert response.url == reverse("admin:windows_window_changelist")
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == ["Windows imported: imported 2, unchanged 0, rejected 0."]
    assert window_rows() == [
        ("HA", 5, "社保通办5号窗口", "社保通办", True),
        ("HA", 27, "失业特殊业务窗口", None, True),
    ]
    assert list(Window.objects.get(number=5).service_items.values_list("code", flat=True)) == [
        "SB001",
        "SB002",
    ]


def test_import_upload_shows_the_rejected_rows(client, manager_a, hall_a, items, english):
    client.force_login(manager_a)
    csv = (
        f"{CSV_HEADER}\n"
        "HA,甲大厅,5,社保通办5号窗口,社保通办,,SB001\n"
        "HA,甲大厅,6,社保通办6号窗口,社保通办,,XX999\n"
        "HA,甲大厅,7,,后院,,\n"
    )

    response = post_import(client, upload("windows.csv", csv))

    assert response.status_code == 200
    result = response.context["result"]
    assert result.summary == "imported 1, unchanged 0, rejected 2"
    assert result.errors == [
        RowError(row=3, reason="unknown service code XX999"),
        RowError(row=4, reason="unknown zone 后院: use 社保通办, 医保通办, 企保待遇通办, 专业"),
    ]
    html = response.content.decode()
    assert "<tr><td>3</td><td>unknown service code XX999</td></tr>" in html
    assert [str(m) for m in response.context["messages"]] == [
        "Windows imported with rejected rows: imported 1, unchanged 0, rejected 2."
    ]
    assert window_rows() == [("HA", 5, "社保通办5号窗口", "社保通办", True)]


def test_import_upload_creates_missing_service_items_when_asked(client, manager_a, hall_a, english):
    client.force_login(manager_a)
    csv = f"{CSV_HEADER}\nHA,甲大厅,5,,专业,,NEW01\n"

    response = post_import(client, upload("windows.csv", csv), create_missing=True)

    assert response.status_code == 302
    assert list(ServiceItem.objects.values_list("code", "is_published")) == [("NEW01", False)]


@pytest.mark.parametrize("name", ["windows.txt", "windows.xls", "windows"])
def test_import_upload_refuses_other_file_types(client, manager_a, hall_a, english, name):
    client.force_login(manager_a)

    response = post_import(client, upload(name, f"{CSV_HEADER}\nHA,甲大厅,5,,专业,,\n"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["Upload a .csv or .xlsx file."]}
    assert response.context["result"] is None
    assert window_rows() == []


def test_import_upload_shows_a_file_error_on_the_form(client, manager_a, hall_a, english):
    client.force_login(manager_a)

    response = post_import(client, upload("windows.csv", "大厅编码,窗口名称\nHA,甲\n"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["missing required columns window_no (窗口号), zone (片区)"]
    }
    assert window_rows() == []


def test_import_upload_without_a_file_is_refused(client, manager_a, english):
    client.force_login(manager_a)

    response = client.post(reverse("admin:windows_window_import"), {"dry_run": "on"})

    assert response.context["form"].errors == {"file": ["This field is required."]}
    assert window_rows() == []


def test_import_dry_run_stores_nothing(client, manager_a, hall_a, windows_a, english):
    client.force_login(manager_a)
    before = window_rows()
    csv = f"{CSV_HEADER}\nHA,甲大厅,5,改名,医保通办,新部门,\nHA,甲大厅,8,新窗口,专业,,\n"

    response = post_import(client, upload("windows.csv", csv), dry_run=True)

    assert response.status_code == 200
    assert response.context["result"].summary == "imported 2, unchanged 0, rejected 0"
    assert [str(m) for m in response.context["messages"]] == [
        "Dry run, nothing was stored: imported 2, unchanged 0, rejected 0."
    ]
    assert window_rows() == before
    assert WindowServiceItem.objects.count() == 2


def test_manager_cannot_import_into_another_hall(
    client, manager_a, hall_a, hall_b, window_b, english
):
    client.force_login(manager_a)
    before = window_rows()
    csv = f"{CSV_HEADER}\nHB,乙大厅,5,改名,专业,,\nHB,乙大厅,9,新窗口,专业,,\n"

    response = post_import(client, upload("windows.csv", csv))

    assert response.status_code == 200
    assert response.context["result"].errors == [
        RowError(row=2, reason="no permission for hall HB"),
        RowError(row=3, reason="no permission for hall HB"),
    ]
    assert window_rows() == before


def test_the_upload_page_lists_200_rejected_rows_and_counts_the_rest(
    client, manager_a, hall_a, items, english
):
    client.force_login(manager_a)
    bad_rows = "".join(f"HA,甲大厅,{n},窗口{n},社保通办,,XX999\n" for n in range(1, 251))

    response = post_import(client, upload("windows.csv", f"{CSV_HEADER}\n{bad_rows}"))

    assert response.status_code == 200
    assert response.context["result"].summary == "imported 0, unchanged 0, rejected 250"
    assert len(response.context["result"].errors) == 250  # all kept; the page lists 200
    html = response.content.decode()
    assert html.count("<td>unknown service code XX999</td>") == 200
    assert "<tr><td>201</td>" in html and "<tr><td>202</td>" not in html
    assert (
        '<p id="import-errors-not-shown">And 50 more rejected rows, not listed here: '
        "the import command lists every one.</p>"
    ) in html
    assert window_rows() == []


def test_a_page_within_the_cap_says_nothing_more(client, manager_a, hall_a, items, english):
    client.force_login(manager_a)

    response = post_import(
        client, upload("windows.csv", f"{CSV_HEADER}\nHA,甲大厅,5,窗口5,社保通办,,XX999\n")
    )

    assert response.context["errors_not_shown"] == 0
    assert b"import-errors-not-shown" not in response.content
