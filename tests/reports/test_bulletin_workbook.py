"""The bulletin workbook read back with openpyxl (issue 5 item 3)."""

import datetime as dt
import io

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.workbooks import write_bulletin_workbook
from tests.windows.factories import StaffFactory, VisitFactory, WindowFactory, ZoneFactory
from windows.models import Visit, Zone

MONDAY, SUNDAY = dt.date(2020, 9, 14), dt.date(2020, 9, 20)


@pytest.fixture
def week(hall_a):
    """Window 5 (general, 王芳): 2 + 3 items, rated 5 and 1; window 30: 1 item, a no-show."""
    general = WindowFactory(
        hall=hall_a,
        number=5,
        name="5号窗口",
        zone=ZoneFactory(hall=hall_a, name="社保通办", kind=Zone.Kind.GENERAL),
    )
    specialist = WindowFactory(
        hall=hall_a,
        number=30,
        name="专业窗口",
        zone=ZoneFactory(hall=hall_a, name="专业", kind=Zone.Kind.SPECIALIST),
    )
    staff = StaffFactory(hall=hall_a, badge_no="B0101", display_name="王芳")
    good = VisitFactory(hall=hall_a, window=general, staff=staff, service_date=MONDAY, item_count=2)
    bad = VisitFactory(
        hall=hall_a,
        window=general,
        staff=staff,
        service_date=dt.date(2020, 9, 15),
        item_count=3,
    )
    VisitFactory(hall=hall_a, window=specialist, service_date=dt.date(2020, 9, 16))
    VisitFactory(
        hall=hall_a,
        window=specialist,
        service_date=dt.date(2020, 9, 16),
        status=Visit.Status.NO_SHOW,
        finished_at=None,
    )
    for visit, level, reasons in ((good, 5, []), (bad, 1, ["attitude", "long_wait"])):
        Rating.objects.create(
            visit=visit,
            level=level,
            reasons=reasons,
            rated_at=visit.finished_at,
            source=Rating.Source.IMPORT,
        )
    rollups_rebuild()  # the factories write visits and ratings without the services
    return hall_a


def _workbook(hall, extra=None):
    output = io.BytesIO()
    write_bulletin_workbook(
        hall=hall, kind="weekly", start=MONDAY, end=SUNDAY, output=output, extra=extra
    )
    output.seek(0)
    return load_workbook(output)


def _values(sheet, first_row, last_row, last_column):
    return [
        [cell.value for cell in row] for row in sheet.iter_rows(first_row, last_row, 1, last_column)
    ]


def test_sheets(week):
    assert _workbook(week).sheetnames == ["汇总", "窗口", "人员", "明细"]


def test_summary_has_the_periods_figures(week):
    sheet = _workbook(week)["汇总"]

    assert sheet["A1"].value == "甲大厅周报（2020-09-14至2020-09-20）"
    assert sheet["A2"].value == "统计期间：2020-09-14至2020-09-20"
    assert _values(sheet, 5, 18, 2) == [
        ["项目", "数值"],
        ["接待人次", 3],
        ["办件量", 6],
        ["工作日", 5],
        ["日均办件量", 1.2],
        ["评价率", 0.6667],
        ["满意率", 0.5],
        ["差评数", 1],
        ["平均等候（分钟）", 12],
        ["平均办理（分钟）", 8],
        ["过号数", 1],
        ["过号率", 0.25],
        ["通办窗口占比", 0.833],
        ["差评原因", "态度不好1；等候时间长1"],
    ]
    assert sheet["B10"].number_format == "0.00%"
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:B18"


def test_summary_prints_on_one_landscape_a4_page_with_its_chart(week):
    sheet = _workbook(week)["汇总"]

    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape",
        9,  # A4
        1,
        1,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows is None  # the key-figures header repeats over nothing
    assert sheet.print_area == "'汇总'!$A$1:$Q$28"
    (chart,) = sheet._charts
    start, end = chart.anchor._from, chart.anchor.to
    assert (start.col, start.row, end.col, end.row) == (3, 3, 17, 28)  # D4 to Q28, whole


def test_summary_has_a_bar_chart_of_daily_items(week):
    sheet = _workbook(week)["汇总"]

    assert _values(sheet, 20, 28, 2) == [
        ["每日办件量", None],
        ["日期", "办件量"],
        [dt.datetime(2020, 9, 14), 2],
        [dt.datetime(2020, 9, 15), 3],
        [dt.datetime(2020, 9, 16), 1],
        [dt.datetime(2020, 9, 17), 0],
        [dt.datetime(2020, 9, 18), 0],
        [dt.datetime(2020, 9, 19), 0],
        [dt.datetime(2020, 9, 20), 0],
    ]
    (chart,) = sheet._charts
    assert isinstance(chart, BarChart)
    assert chart.title.tx.rich.p[0].r[0].t == "每日办件量"
    assert len(chart.series) == 1
    assert chart.series[0].val.numRef.f == "'汇总'!$B$22:$B$28"
    assert chart.series[0].cat.numRef.f == "'汇总'!$A$22:$A$28"


def test_extra_sections_become_sheets_of_their_own(week):
    workbook = _workbook(
        week,
        extra={"今日差评": [{"窗口": "5号窗口", "原因": "态度不好"}], "典型案例": []},
    )

    assert workbook.sheetnames == ["汇总", "窗口", "人员", "明细", "今日差评", "典型案例"]
    assert _values(workbook["今日差评"], 1, 3, 2) == [
        ["今日差评", None],
        ["窗口", "原因"],
        ["5号窗口", "态度不好"],
    ]
    assert workbook["今日差评"].print_title_rows == "$1:$2"
    assert workbook["今日差评"].page_setup.fitToHeight == 0
    assert _values(workbook["典型案例"], 1, 2, 1) == [["典型案例"], ["无"]]
    assert workbook["汇总"].max_row == 28


def test_window_sheet_ranks_the_windows(week):
    sheet = _workbook(week)["窗口"]

    assert _values(sheet, 1, 3, 17) == [
        [
            "窗口号",
            "窗口",
            "接待人次",
            "办件量",
            "工作日",
            "日均办件量",
            "评价率",
            "满意率",
            "差评数",
            "差评原因",
            "平均等候（分钟）",
            "90%等候（分钟）",
            "平均办理（分钟）",
            "90%办理（分钟）",
            "过号数",
            "过号率",
            "通办窗口占比",
        ],
        [5, "5号窗口", 2, 5, 5, 1, 1, 0.5, 1, "态度不好1；等候时间长1", 12, 12, 8, 8, 0, 0, 1],
        [30, "专业窗口", 1, 1, 5, 0.2, 0, None, 0, None, 12, 12, 8, 8, 1, 0.5, 0],
    ]
    assert sheet.max_row == 3
    assert sheet["G2"].number_format == "0.00%"
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:Q3"
    assert sheet.print_title_rows == "$1:$1"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet["B2"].alignment.wrap_text is True  # a long name wraps, never cut


def test_staff_sheet_lists_the_staff_with_visits(week):
    sheet = _workbook(week)["人员"]

    assert _values(sheet, 1, 2, 4) == [
        ["工号", "工作人员", "接待人次", "办件量"],
        ["B0101", "王芳", 2, 5],
    ]
    assert sheet.max_row == 2


def test_detail_lists_the_periods_visits(week):
    sheet = _workbook(week)["明细"]

    assert sheet.max_row == 5
    assert [cell.value for cell in sheet["I"]][1:] == ["已办结", "已办结", "已办结", "过号未到"]
    assert sheet.auto_filter.ref == "A1:N5"


def test_extra_values_are_written_as_cells_hold_them(week, english):
    rated_at = dt.datetime(2020, 9, 15, 1, 38, tzinfo=dt.UTC)

    sheet = _workbook(
        week,
        extra={
            gettext_lazy("Bad reviews"): [
                {gettext_lazy("Rated at"): rated_at, "原因": ["态度不好", "等候时间长"]}
            ]
        },
    )["Bad reviews"]

    assert _values(sheet, 1, 3, 2) == [
        ["Bad reviews", None],
        ["Rated at", "原因"],
        [dt.datetime(2020, 9, 15, 9, 38), "态度不好、等候时间长"],
    ]
