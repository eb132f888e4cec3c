"""The annual review workbook read back with openpyxl (issue 5 item 3, contracts.md §6)."""

import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.workbooks import write_annual_review
from tests.windows.factories import (
    SHANGHAI,
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import Visit, VisitItem, Zone


@pytest.fixture
def year_2020(hall_a):
    """2019: 5 items. 2020: Jan 3 items (2 general), Feb 3 (all general), a no-show."""
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
    VisitFactory(hall=hall_a, window=general, service_date=dt.date(2019, 3, 5), item_count=5)
    first = VisitFactory(
        hall=hall_a,
        window=general,
        staff=staff,
        ticket_no="A001",
        service_date=dt.date(2020, 1, 6),
        item_count=2,
    )
    for code in ("S202", "S101"):
        VisitItem.objects.create(visit=first, service_item=ServiceItemFactory(code=code))
    second = VisitFactory(
        hall=hall_a, window=specialist, service_date=dt.date(2020, 1, 7), item_count=1
    )
    VisitFactory(hall=hall_a, window=general, service_date=dt.date(2020, 2, 3), item_count=3)
    VisitFactory(
        hall=hall_a,
        window=general,
        service_date=dt.date(2020, 2, 4),
        item_count=1,
        status=Visit.Status.NO_SHOW,
        finished_at=None,
    )
    for visit, level in ((first, 5), (second, 2)):
        Rating.objects.create(
            visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.IMPORT
        )
    rollups_rebuild()  # the factories write visits and ratings without the services
    return hall_a


def _workbook(hall, year=2020):
    output = io.BytesIO()
    write_annual_review(hall=hall, year=year, output=output)
    output.seek(0)
    return load_workbook(output)


def test_sheets_are_the_summary_the_analysis_and_the_detail(year_2020):
    with translation.override("en"):  # the analysis sheet's name is translated (分析)
        workbook = _workbook(year_2020)

    assert workbook.sheetnames == ["汇总", "Analysis", "明细"]


def test_table_1_has_the_months_this_year_beside_last_year(year_2020):
    sheet = _workbook(year_2020)["汇总"]

    assert sheet["A1"].value == "甲大厅2020年度办件量分析"
    assert sheet["A2"].value == "表1：月度办件量"
    assert [cell.value for cell in sheet[3]][:5] == [
        "月份",
        "本年办件量",
        "上年办件量",
        "环比",
        "通办窗口占比",
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(4, 16, 1, 5)]
    assert rows[:4] == [
        ["1月", 3, 0, None, 0.667],
        ["2月", 3, 0, 0, 1],
        ["3月", 0, 5, -1, None],
        ["4月", 0, 0, None, None],
    ]
    assert rows[11] == ["12月", 0, 0, None, None]
    assert rows[12] == ["合计", 6, 5, None, 0.833]


def test_table_1_number_formats_frozen_header_filter_and_print_titles(year_2020):
    sheet = _workbook(year_2020)["汇总"]

    assert [sheet.cell(4, column).number_format for column in range(2, 6)] == [
        "#,##0",
        "#,##0",
        "General",
        "0.00%",
    ]
    assert sheet["D5"].number_format == "0.00%"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:E15"
    assert sheet.print_title_rows is None  # one page: nothing repeats
    assert sheet.print_area == "'汇总'!$A$1:$Q$34"
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToHeight) == ("landscape", 1)
    assert sheet.column_dimensions["B"].width == 14
    assert sheet["B3"].font.bold is True


def test_analysis_sentences_in_the_source_style(year_2020):
    sheet = _workbook(year_2020)["汇总"]

    assert sheet["A18"].value == "分析"
    assert [sheet.cell(row, 1).value for row in range(19, 25)] == [
        "2020年全年共办件6件，比上年（5件）增加20.00%；日均办件0件；2月3日办件量最高，达3件。",
        "全年对外业务经办249个工作日，接待办事群众3人次。",
        "办件量最高的3天依次为：2月3日（3件）、1月6日（2件）、1月7日（1件）。",
        "环比降幅最大的是3月，比2月减少100.00%。",
        "通办窗口办件量占全年办件量的83.30%，各月占比在66.70%至100.00%之间。",
        "全年评价率66.67%，满意率50.00%。",
    ]


def test_key_figures_are_numbers_with_formats(year_2020):
    sheet = _workbook(year_2020)["汇总"]

    rows = [[cell.value for cell in row] for row in sheet.iter_rows(27, 34, 1, 2)]
    assert sheet["A26"].value == "主要指标"
    assert rows == [
        ["办件量（件）", 6],
        ["接待人次", 3],
        ["工作日（天）", 249],
        ["日均办件量（件）", 0],
        ["上年办件量（件）", 5],
        ["同比", 0.2],
        ["评价率", 0.6667],
        ["满意率", 0.5],
    ]
    assert sheet["B32"].number_format == "0.00%"
    assert sheet["B30"].number_format == "#,##0.0"


def test_figure_1_is_a_clustered_bar_chart_of_table_1(year_2020):
    chart = _workbook(year_2020)["汇总"]._charts[0]

    assert isinstance(chart, BarChart)
    assert (chart.type, chart.grouping) == ("col", "clustered")
    assert chart.title.tx.rich.p[0].r[0].t == "图1：2020年与2019年月度办件量"
    assert [s.val.numRef.f for s in chart.series] == ["'汇总'!$B$4:$B$15", "'汇总'!$C$4:$C$15"]
    assert [s.tx.strRef.f for s in chart.series] == ["'汇总'!B3", "'汇总'!C3"]
    assert chart.series[0].cat.numRef.f == "'汇总'!$A$4:$A$15"


def test_figure_2_is_a_line_of_the_general_share(year_2020):
    chart = _workbook(year_2020)["汇总"]._charts[1]

    assert isinstance(chart, LineChart)
    assert chart.title.tx.rich.p[0].r[0].t == "图2：通办窗口业务量月度占比"
    assert len(chart.series) == 1
    assert chart.series[0].val.numRef.f == "'汇总'!$E$4:$E$15"
    assert chart.series[0].tx.strRef.f == "'汇总'!E3"


def test_without_a_previous_year_the_sentence_says_so(hall_b):
    window = WindowFactory(hall=hall_b, number=1)
    VisitFactory(hall=hall_b, window=window, service_date=dt.date(2020, 8, 10), item_count=4)
    rollups_rebuild()

    sheet = _workbook(hall_b)["汇总"]

    assert sheet["A19"].value == (
        "2020年全年共办件4件（2019年无办件数据，不作同比）；日均办件0件；8月10日办件量最高，达4件。"
    )
    assert [sheet.cell(row, 3).value for row in range(4, 17)] == [None] * 13
    assert sheet["B34"].value is None  # 同比


def test_detail_lists_every_visit_of_the_year(year_2020):
    sheet = _workbook(year_2020)["明细"]

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "票号",
        "办理日期",
        "窗口号",
        "窗口名称",
        "工号",
        "工作人员",
        "业务编码",
        "办件数",
        "状态",
        "取号时间",
        "叫号时间",
        "开始办理时间",
        "办结时间",
        "评价",
    ]
    assert len(rows) == 5
    assert rows[1] == [
        "A001",
        dt.datetime(2020, 1, 6),
        5,
        "5号窗口",
        "B0101",
        "王芳",
        "S101;S202",
        2,
        "已办结",
        dt.datetime(2020, 1, 6, 9, 18),
        None,
        dt.datetime(2020, 1, 6, 9, 30),
        dt.datetime(2020, 1, 6, 9, 38),
        5,
    ]
    assert [row[8] for row in rows[1:]] == ["已办结", "已办结", "已办结", "过号未到"]
    assert [row[13] for row in rows[1:]] == [5, 2, None, None]
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["J2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N5"
    assert sheet.print_title_rows == "$1:$1"


def test_detail_times_are_the_halls_wall_time(year_2020):
    visit = Visit.objects.get(ticket_no="A001")
    assert visit.started_at == dt.datetime(2020, 1, 6, 9, 30, tzinfo=SHANGHAI)

    sheet = _workbook(year_2020)["明细"]

    assert sheet["L2"].value == dt.datetime(2020, 1, 6, 9, 30)


def test_writes_to_a_path(year_2020, tmp_path):
    path = tmp_path / "annual.xlsx"

    with translation.override("en"):
        write_annual_review(hall=year_2020, year=2020, output=path)

    assert load_workbook(path).sheetnames == ["汇总", "Analysis", "明细"]


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it: .ci/run; there the test must run)",
)
def test_libreoffice_converts_the_workbook_to_pdf(year_2020, tmp_path):
    path = tmp_path / "annual.xlsx"
    write_annual_review(hall=year_2020, year=2020, output=path)

    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "annual.pdf").read_bytes()[:5] == b"%PDF-"
