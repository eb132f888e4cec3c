"""The checklist workbook, read back with openpyxl: title, headers, rows, print settings."""

import datetime as dt
import re
import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from rectification.exports import write_checklist_xlsx
from rectification.models import Measure, RectificationChecklist
from tests.windows.factories import SHANGHAI, DepartmentFactory, StaffFactory, make_manager

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
HEADERS = (
    "序号", "整改措施", "责任部门", "责任人", "整改时限", "完成情况",
    "进度", "超期天数", "佐证材料", "验收人", "验收时间",
)  # fmt: skip


@pytest.fixture
def checklist(hall_a):
    checklist = RectificationChecklist.objects.create(
        hall=hall_a,
        title="社会保障综合服务大厅满意度提升13项工作措施完成进度清单",
        source=RectificationChecklist.Source.QUESTIONNAIRE,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 12, 31),
    )
    shebao = DepartmentFactory(hall=hall_a, name="社保管理中心")
    verifier = make_manager(hall_a, "wang")
    verifier.first_name = "王主任"
    verifier.save()
    staff = StaffFactory(hall=hall_a, display_name="李四")
    common = {"checklist": checklist, "responsible_department": shebao}
    # Created out of order: the sheet follows `order`.
    Measure.objects.create(
        **common, order=3, title="增加柜面提醒", deadline=dt.date(2026, 11, 20),
        status=Measure.Status.IN_PROGRESS, progress_pct=60, responsible_person=staff.user,
    )  # fmt: skip
    Measure.objects.create(
        **common, order=1, title="公开服务事项", deadline=dt.date(2026, 10, 1),
        status=Measure.Status.VERIFIED, progress_pct=100, completed_on=dt.date(2026, 10, 4),
        evidence_notes="公示栏照片\n触摸屏截图", verified_by=verifier,
        verified_at=dt.datetime(2026, 10, 6, 9, 30, tzinfo=SHANGHAI),
    )  # fmt: skip
    Measure.objects.create(
        checklist=checklist, order=2, title="标画一米线", deadline=dt.date(2026, 12, 1),
    )  # fmt: skip
    return checklist


def workbook_of(checklist):
    buffer = BytesIO()
    count = write_checklist_xlsx(checklist, buffer, today=TODAY)
    buffer.seek(0)
    return count, load_workbook(buffer)


def values(sheet):
    """Cell values; an empty text is stored as no value at all."""
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_sheet_has_the_title_the_headers_and_one_row_per_measure(checklist):
    count, workbook = workbook_of(checklist)
    sheet = workbook["整改清单"]

    assert count == 3
    assert values(sheet) == [
        ("社会保障综合服务大厅满意度提升13项工作措施完成进度清单",) + (None,) * 10,
        HEADERS,
        (1, "公开服务事项", "社保管理中心", None, "2026-10-01", "已验收", "100%", 3,
         "公示栏照片\n触摸屏截图", "王主任", "2026-10-06 09:30"),
        (2, "标画一米线", None, None, "2026-12-01", "未开始", "0%", 0, None, None, None),
        (3, "增加柜面提醒", "社保管理中心", "李四", "2026-11-20", "推进中", "60%", 5,
         None, None, None),
    ]  # fmt: skip


def test_the_sheet_prints_on_landscape_a4_fitted_to_width(checklist):
    _count, workbook = workbook_of(checklist)
    sheet = workbook.active

    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:K1"]
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJK"]
    assert widths == [6, 36, 16, 10, 12, 10, 8, 10, 36, 10, 17]


def test_cells_have_borders_and_wrapped_text(checklist):
    _count, workbook = workbook_of(checklist)
    sheet = workbook.active

    for row in sheet.iter_rows(min_row=2, max_row=5):
        for cell in row:
            assert cell.border.left.style == "thin"
            assert cell.border.bottom.style == "thin"
            assert cell.alignment.wrap_text is True
    assert sheet["A2"].font.bold is True
    assert sheet["A1"].font.size == 14


def test_an_empty_checklist_exports_title_and_headers(hall_a):
    empty = RectificationChecklist.objects.create(
        hall=hall_a, title="空清单", source="complaint",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31),
    )  # fmt: skip

    count, workbook = workbook_of(empty)

    assert count == 0
    assert values(workbook.active) == [("空清单",) + (None,) * 10, HEADERS]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_it_and_prints_one_landscape_a4_page(checklist, tmp_path):
    source = tmp_path / "checklist.xlsx"
    with source.open("wb") as output:
        write_checklist_xlsx(checklist, output, today=TODAY)

    subprocess.run(
        [
            "soffice", "--headless", "--norestore",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(source),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    pdf = (tmp_path / "checklist.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    width, height = (
        float(n) for n in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups()
    )
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
