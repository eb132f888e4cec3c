"""Every kind of workbook prints as a hall prints it for the weekly staff meeting
(issue 12 item 7), rendered through LibreOffice headless to PDF:

- the summary sheet is one landscape A4 page holding its title and its charts whole
  (a chart is anchored inside the sheet's print area, and the sheet after it starts on
  the next page);
- a list or detail sheet is as wide as the page (each page holds its first and last
  column) and repeats its own header row on every page.

The first page of each is saved as var/screenshots/print-<kind>.png to look at, where
poppler's pdftoppm is installed (apt-get install poppler-utils).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from rectification.exports import write_checklist_xlsx
from rectification.models import Measure, RectificationChecklist
from reports.services import bulletin_build
from reports.workbooks import write_annual_review
from tests.windows.factories import DepartmentFactory, StaffFactory, VisitFactory, WindowFactory
from windows.exports import write_windows_xlsx
from windows.models import Visit, Window

pypdf = pytest.importorskip("pypdf")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("soffice") is None and not os.environ.get("CI"),
        reason="LibreOffice is not installed (CI installs it: .ci/run; there the test must run)",
    ),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LONG_NAME = "社保通办1号窗口（参保登记、缴费基数申报、转移接续、待遇核定）"
SEPTEMBER = [dt.date(2020, 9, day) for day in range(1, 31)]
A4_LANDSCAPE = (842, 595)  # points
A4_PORTRAIT = (595, 842)


@pytest.fixture
def september(hall_a):
    """30 days of visits at three windows (one with a long name), a bad review a day."""
    windows = [
        WindowFactory(hall=hall_a, number=1, name=LONG_NAME),
        WindowFactory(hall=hall_a, number=2, name="医保通办2号窗口"),
        WindowFactory(hall=hall_a, number=21, name="企保待遇通办21号窗口"),
    ]
    staff = [
        StaffFactory(hall=hall_a, badge_no=f"HA{n:03d}", display_name=name)
        for n, name in enumerate(("王小明", "李四", "欧阳建国"), start=1)
    ]
    for day in SEPTEMBER:
        for window, member in zip(windows, staff, strict=True):
            visit = VisitFactory(
                hall=hall_a, window=window, staff=member, service_date=day, item_count=2
            )
            level = 1 if window.number == 1 else 5
            Rating.objects.create(
                visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET
            )
    rollups_rebuild()  # the factories write visits and ratings without the services
    return hall_a


def _bulletin(kind: str):
    def build(hall) -> bytes:
        bulletin = bulletin_build(hall=hall, kind=kind, day=dt.date(2020, 9, 28))
        with bulletin.workbook.open("rb") as stored:
            return stored.read()

    return build


def _annual(hall) -> bytes:
    output = io.BytesIO()
    write_annual_review(hall=hall, year=2020, output=output)
    return output.getvalue()


def _checklist(hall) -> bytes:
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title="社会保障综合服务大厅满意度提升13项工作措施完成进度清单",
        source=RectificationChecklist.Source.QUESTIONNAIRE,
        period_start=dt.date(2020, 9, 1),
        period_end=dt.date(2020, 12, 31),
    )
    department = DepartmentFactory(hall=hall, name="社保管理中心")
    for order in range(1, 41):
        Measure.objects.create(
            checklist=checklist,
            order=order,
            title=f"第{order}项措施：在{LONG_NAME}增设一次性告知提示牌并每周检查落实情况",
            responsible_department=department,
            deadline=dt.date(2020, 10, 1),
        )
    output = io.BytesIO()
    write_checklist_xlsx(checklist, output, today=dt.date(2020, 11, 1))
    return output.getvalue()


def _render(path: Path, fmt: str) -> Path:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(path.parent / 'lo').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(path.parent),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return path.with_suffix(f".{fmt}")


def _screenshot(pdf: Path, name: str) -> None:
    """The PDF's first page as var/screenshots/<name>.png (with pdftoppm only)."""
    if shutil.which("pdftoppm") is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(SCREENSHOTS / name)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def _pages(pdf: Path) -> list[tuple[tuple[int, int], str]]:
    """Each page's (width, height) in points and its text without spaces."""
    reader = pypdf.PdfReader(pdf)
    return [
        (
            (round(float(page.mediabox.width)), round(float(page.mediabox.height))),
            "".join(page.extract_text().split()),
        )
        for page in reader.pages
    ]


def _charts_inside_the_print_area(sheet) -> bool:
    area = sheet.print_area.split("!")[1].replace("$", "")
    last = sheet[area.split(":")[1]]
    return all(
        chart.anchor.to.col <= last.column and chart.anchor.to.row <= last.row
        for chart in sheet._charts
    )


# (kind, workbook, title on the summary page, text of its charts, header of the next sheet)
KINDS = [
    ("daily", _bulletin("daily"), "甲大厅2020年09月28日日报", "办件量（件）", "窗口号"),
    (
        "weekly",
        _bulletin("weekly"),
        "甲大厅周报（2020-09-28至2020-10-04）",
        "办件量（件）",
        "窗口号",
    ),
    (
        "monthly",
        _bulletin("monthly"),
        "甲大厅月报（2020-09-01至2020-09-30）",
        "办件量（件）",
        "窗口号",
    ),
    ("annual", _annual, "甲大厅2020年度办件量分析", "图2：通办窗口业务量月度占比", "票号"),
]


@pytest.mark.parametrize(("kind", "write", "title", "chart_text", "next_header"), KINDS)
def test_the_summary_prints_on_one_landscape_page_with_its_charts_whole(
    september, tmp_path, kind, write, title, chart_text, next_header
):
    source = tmp_path / f"print-{kind}.xlsx"
    source.write_bytes(write(september))
    summary = load_workbook(source)["汇总"]

    pdf = _render(source, "pdf")
    pages = _pages(pdf)

    size, text = pages[0]
    assert size == A4_LANDSCAPE
    assert title in text  # whole, not cut at the page's edge
    assert chart_text in text  # the chart is drawn on it
    assert _charts_inside_the_print_area(summary)
    assert next_header in pages[1][1]  # the next sheet starts on page 2: the summary is one
    assert title not in pages[1][1]
    _screenshot(pdf, f"print-{kind}")


def test_the_monthly_lists_fit_the_page_width_and_repeat_their_header(september, tmp_path):
    source = tmp_path / "monthly.xlsx"
    source.write_bytes(_bulletin("monthly")(september))
    detail_rows = Visit.objects.counted().filter(hall=september).count()

    pages = _pages(_render(source, "pdf"))

    windows_page = pages[1][1]
    assert LONG_NAME in windows_page  # wrapped, not cut
    assert "窗口号" in windows_page and "通办窗口占比" in windows_page  # first and last column
    detail = [text for _size, text in pages if "开始办理时间" in text and "票号" in text]
    assert detail_rows == 90
    assert len(detail) >= 2  # the 90 visits take more than one page, each with its header
    assert all("评价" in text for text in detail)
    bad_reviews = [text for _size, text in pages if "差评" in text and "Rated" not in text]
    assert bad_reviews  # the bad reviews' sheet prints too
    assert all(size in (A4_LANDSCAPE, A4_PORTRAIT) for size, _text in pages)


def test_the_rectification_checklist_repeats_its_title_and_header_on_every_page(hall_a, tmp_path):
    source = tmp_path / "checklist.xlsx"
    source.write_bytes(_checklist(hall_a))

    pdf = _render(source, "pdf")
    pages = _pages(pdf)

    assert len(pages) >= 2
    assert all(size == A4_LANDSCAPE for size, _text in pages)
    assert all("整改措施" in text and "验收时间" in text for _size, text in pages)
    _screenshot(pdf, "print-rectification")


def test_the_admins_windows_export_fits_the_page_width_with_its_header(september, tmp_path):
    for number in range(30, 90):  # 63 windows: more than a page
        WindowFactory(hall=september, number=number, name=f"{LONG_NAME}{number}")
    source = tmp_path / "windows.xlsx"
    with source.open("wb") as output:
        write_windows_xlsx(Window.objects.filter(hall=september), output)

    pages = _pages(_render(source, "pdf"))

    assert len(pages) >= 2
    assert all(size == A4_LANDSCAPE for size, _text in pages)
    assert all("大厅编码" in text and "业务编码" in text for _size, text in pages)
