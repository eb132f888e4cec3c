"""The annual review workbook of a hall (contracts.md section 6, issue 5 item 3).

Sheet 汇总 reproduces the source's Table 1 (表1：月度办件量) with Figure 1 (monthly items,
this year beside last, clustered bars) and Figure 2 (the general windows' monthly share,
a line) as native Excel charts over it, and the year's analysis in Chinese sentences in
the source's style. Sheet 分析 (Analysis in English) tells the year's story found in the
data (annual_story: unusual months, the days that drove them, the zones behind them, the
zones year on year, the evaluation rate's climb). Sheet 明细 lists every visit of the
year, streamed from the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from os import PathLike
from typing import BinaryIO

from django.db import connections
from django.db.models import BigIntegerField, F, Func, IntegerField, Value
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.selectors.annual_story import AnnualStory, annual_story
from reports.selectors.periods import general_share_pct, peak_days
from reports.selectors.volume import hall_volume_stats
from windows.models import Hall, Visit, VisitItem, Window
from windows.rules.hall_time import hall_zone
from windows.workbook_cells import quote_prefix_style
from windows.workbook_print import anchor_chart, print_as_list, print_on_one_page, text_width

from .annual_detail import detail_blocks, save_with_detail
from .annual_story import write_story_sheet
from .styles import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECIMAL_FORMAT,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SECTION_FONT,
    TITLE_FONT,
    Column,
    formatted_row,
    fraction,
    header_row,
    pct_text,
    setup_columns,
    style_id,
    styled,
    table_ref,
    text_row,
    whole,
)

SUMMARY_TITLE = "汇总"
DETAIL_TITLE = "明细"
TABLE1_TITLE = "表1：月度办件量"
TABLE1_COLUMNS = (
    Column("月份", 12),
    Column("本年办件量", 14, INTEGER_FORMAT),
    Column("上年办件量", 14, INTEGER_FORMAT),
    Column("环比", 12, PERCENT_FORMAT),
    Column("通办窗口占比", 14, PERCENT_FORMAT),
)
# Row numbers of the summary sheet: title, table caption, header, 12 months, total.
TABLE1_HEADER_ROW = 3
TABLE1_FIRST_MONTH_ROW = TABLE1_HEADER_ROW + 1
TABLE1_LAST_MONTH_ROW = TABLE1_HEADER_ROW + 12
TABLE1_TOTAL_ROW = TABLE1_LAST_MONTH_ROW + 1
ANALYSIS_TITLE_ROW = TABLE1_TOTAL_ROW + 2
# Figures 1 and 2 stand one above the other right of the tables, over columns H to Q;
# column G leaves the analysis sentences room to run on (text overflows empty cells).
SENTENCE_COLUMN = 7
CHART_FIRST_COLUMN, CHART_LAST_COLUMN, CHART_COLUMN_WIDTH = 8, 17, 8
FIGURE_ROWS = ((2, 17), (19, 34))

DETAIL_COLUMNS = (
    Column("票号", 10),
    Column("办理日期", 12, DATE_FORMAT),
    Column("窗口号", 8),
    Column("窗口名称", 20),
    Column("工号", 10),
    Column("工作人员", 12),
    Column("业务编码", 24),
    Column("办件数", 8),
    Column("状态", 10),
    Column("取号时间", 20, DATETIME_FORMAT),
    Column("叫号时间", 20, DATETIME_FORMAT),
    Column("开始办理时间", 20, DATETIME_FORMAT),
    Column("办结时间", 20, DATETIME_FORMAT),
    Column("评价", 8),
)


def write_annual_review(*, hall: Hall, year: int, output: str | PathLike | BinaryIO) -> AnnualStory:
    """Write the annual review workbook of the hall's year to a path or a binary stream;
    return the year's story its analysis sheet tells (for the command to print)."""
    stats = hall_volume_stats(hall=hall, year=year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    stats = {
        **stats,
        "year_general_share_pct": general_share_pct(hall=hall, start=start, end=end),
    }
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(SUMMARY_TITLE)
    _write_summary(
        summary,
        hall=hall,
        year=year,
        stats=stats,
        peaks=peak_days(hall=hall, start=start, end=end, limit=5),
    )
    story = annual_story(hall=hall, year=year)
    write_story_sheet(workbook, hall=hall, year=year, story=story)
    detail = workbook.create_sheet(DETAIL_TITLE)
    rows = prepare_visit_detail_blocks(detail, hall=hall, start=start, end=end)
    save_with_detail(workbook, detail, rows, output)
    return story


# --- the summary sheet -------------------------------------------------------------------


def _write_summary(sheet: WriteOnlyWorksheet, *, hall, year: int, stats: dict, peaks) -> None:
    setup_columns(sheet, TABLE1_COLUMNS)
    sentences = analysis_sentences(year=year, stats=stats, peaks=peaks)
    tables_width = sum(column.width for column in TABLE1_COLUMNS) + 2  # and column F
    longest = max((text_width(sentence) for sentence in sentences), default=0)
    sheet.column_dimensions["F"].width = 2
    sheet.column_dimensions[get_column_letter(SENTENCE_COLUMN)].width = max(
        longest + 2 - tables_width, 2
    )
    for column in range(CHART_FIRST_COLUMN, CHART_LAST_COLUMN + 1):
        sheet.column_dimensions[get_column_letter(column)].width = CHART_COLUMN_WIDTH
    sheet.freeze_panes = f"A{TABLE1_FIRST_MONTH_ROW}"
    sheet.auto_filter.ref = table_ref(TABLE1_HEADER_ROW, TABLE1_LAST_MONTH_ROW, 5)
    # Write-only: the page set-up goes before the first row.
    last_row = ANALYSIS_TITLE_ROW + len(sentences) + 2 + len(key_figures(stats))
    print_on_one_page(
        sheet, last_column=CHART_LAST_COLUMN, last_row=max(last_row, FIGURE_ROWS[-1][1])
    )

    sheet.append([styled(sheet, f"{hall.name}{year}年度办件量分析", font=TITLE_FONT)])
    sheet.append([styled(sheet, TABLE1_TITLE, font=SECTION_FONT)])
    sheet.append(header_row(sheet, TABLE1_COLUMNS))
    for month in stats["months"]:
        sheet.append(formatted_row(sheet, TABLE1_COLUMNS, table1_row(month)))
    sheet.append(formatted_row(sheet, TABLE1_COLUMNS, table1_total_row(stats)))
    sheet.append([])
    sheet.append([styled(sheet, "分析", font=SECTION_FONT)])
    for sentence in sentences:
        sheet.append(text_row(sheet, [sentence]))
    sheet.append([])
    sheet.append([styled(sheet, "主要指标", font=SECTION_FONT)])
    for label, value, number_format in key_figures(stats):
        sheet.append(text_row(sheet, [label, styled(sheet, value, number_format=number_format)]))

    first, last = get_column_letter(CHART_FIRST_COLUMN), get_column_letter(CHART_LAST_COLUMN)
    for chart, (top, bottom) in zip(
        (figure1(sheet, year), figure2(sheet)), FIGURE_ROWS, strict=True
    ):
        anchor_chart(sheet, chart, f"{first}{top}", f"{last}{bottom}")


def table1_row(month: dict) -> tuple:
    return (
        f"{month['month']}月",
        month["items"],
        month["previous_year_items"],
        fraction(month["mom_change_pct"]),
        fraction(month["general_share_pct"]),
    )


def table1_total_row(stats: dict) -> tuple:
    return (
        "合计",
        stats["items_total"],
        stats["previous_year_items_total"],
        None,
        fraction(year_general_share_pct(stats)),
    )


def year_general_share_pct(stats: dict) -> float | None:
    """The general windows' share of the year's items (set by write_annual_review)."""
    return stats.get("year_general_share_pct")


def _axis_visible(chart) -> None:
    # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def figure1(sheet: WriteOnlyWorksheet, year: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = f"图1：{year}年与{year - 1}年月度办件量"
    chart.y_axis.title = "办件量（件）"
    chart.x_axis.title = "月份"
    chart.y_axis.numFmt = INTEGER_FORMAT
    data = Reference(
        sheet, min_col=2, max_col=3, min_row=TABLE1_HEADER_ROW, max_row=TABLE1_LAST_MONTH_ROW
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(_months_ref(sheet))
    chart.legend.position = "b"
    _axis_visible(chart)
    return chart


def figure2(sheet: WriteOnlyWorksheet) -> LineChart:
    chart = LineChart()
    chart.title = "图2：通办窗口业务量月度占比"
    chart.y_axis.title = "占比"
    chart.x_axis.title = "月份"
    chart.y_axis.numFmt = "0%"
    data = Reference(
        sheet, min_col=5, max_col=5, min_row=TABLE1_HEADER_ROW, max_row=TABLE1_LAST_MONTH_ROW
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(_months_ref(sheet))
    chart.series[0].marker.symbol = "circle"
    chart.legend.position = "b"
    _axis_visible(chart)
    return chart


def _months_ref(sheet: WriteOnlyWorksheet) -> Reference:
    return Reference(
        sheet, min_col=1, min_row=TABLE1_FIRST_MONTH_ROW, max_row=TABLE1_LAST_MONTH_ROW
    )


def key_figures(stats: dict) -> list[tuple[str, object, str]]:
    return [
        ("办件量（件）", stats["items_total"], INTEGER_FORMAT),
        ("接待人次", stats["visits_total"], INTEGER_FORMAT),
        ("工作日（天）", stats["business_days"], INTEGER_FORMAT),
        ("日均办件量（件）", stats["daily_average_items"], DECIMAL_FORMAT),
        ("上年办件量（件）", stats["previous_year_items_total"], INTEGER_FORMAT),
        ("同比", fraction(stats["yoy_change_pct"]), PERCENT_FORMAT),
        ("评价率", fraction(stats["evaluation_rate_pct"]), PERCENT_FORMAT),
        ("满意率", fraction(stats["satisfaction_rate_pct"]), PERCENT_FORMAT),
    ]


# --- the analysis in sentences -------------------------------------------------------------


def _day(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.month}月{value.day}日"


def _change(pct: float) -> str:
    if pct > 0:
        return f"增加{pct_text(pct)}"
    if pct < 0:
        return f"减少{pct_text(pct)}"
    return "持平"


def analysis_sentences(*, year: int, stats: dict, peaks) -> list[str]:
    """The year's analysis as the source writes it, one sentence per line."""
    items = stats["items_total"]
    previous = stats["previous_year_items_total"]
    clauses = [f"{year}年全年共办件{items:,}件"]
    if previous is None:
        clauses[0] += f"（{year - 1}年无办件数据，不作同比）"
    elif stats["yoy_change_pct"] is None:
        clauses[0] += f"，上年为{previous:,}件"
    elif stats["yoy_change_pct"] == 0:
        clauses[0] += f"，与上年（{previous:,}件）持平"
    else:
        clauses[0] += f"，比上年（{previous:,}件）{_change(stats['yoy_change_pct'])}"
    clauses.append(f"日均办件{whole(stats['daily_average_items'] or 0):,}件")
    peak = stats["peak_day"]
    if peak and peak.get("items"):
        clauses.append(f"{_day(peak['date'])}办件量最高，达{peak['items']:,}件")
    sentences = ["；".join(clauses) + "。"]

    sentences.append(
        f"全年对外业务经办{stats['business_days']:,}个工作日，"
        f"接待办事群众{stats['visits_total']:,}人次。"
    )
    peaks = [(day, count) for day, count in peaks if count]
    if peaks:
        listed = "、".join(f"{_day(day)}（{count:,}件）" for day, count in peaks)
        sentences.append(f"办件量最高的{len(peaks)}天依次为：{listed}。")

    sentence = _month_on_month_sentence(stats["months"])
    if sentence:
        sentences.append(sentence)
    share = year_general_share_pct(stats)
    if share is not None:
        shares = [
            m["general_share_pct"]
            for m in stats["months"]
            if m["items"] and m["general_share_pct"] is not None
        ]
        sentences.append(
            f"通办窗口办件量占全年办件量的{share:.2f}%，"
            f"各月占比在{min(shares):.2f}%至{max(shares):.2f}%之间。"
        )
    rates = []
    if stats["evaluation_rate_pct"] is not None:
        rates.append(f"评价率{stats['evaluation_rate_pct']:.2f}%")
    if stats["satisfaction_rate_pct"] is not None:
        rates.append(f"满意率{stats['satisfaction_rate_pct']:.2f}%")
    if rates:
        sentences.append("全年" + "，".join(rates) + "。")
    return sentences


def _month_on_month_sentence(months: list[dict]) -> str | None:
    changes = [(m["month"], m["mom_change_pct"]) for m in months if m["mom_change_pct"] is not None]
    rises = [c for c in changes if c[1] > 0]
    falls = [c for c in changes if c[1] < 0]
    parts = []
    if rises:
        month, pct = max(rises, key=lambda c: c[1])
        parts.append(f"环比增幅最大的是{month}月，比{month - 1}月增加{pct_text(pct)}")
    if falls:
        month, pct = min(falls, key=lambda c: c[1])
        parts.append(f"环比降幅最大的是{month}月，比{month - 1}月减少{pct_text(pct)}")
    return "；".join(parts) + "。" if parts else None


# --- the detail sheet ----------------------------------------------------------------------


def prepare_visit_detail(sheet: WriteOnlyWorksheet, *, hall, start: date, end: date):
    """prepare_visit_detail_blocks, its blocks as text (for styles.save_with_streamed_rows,
    which the bulletins use; annual_detail.save_with_detail takes the bytes as they are)."""
    blocks = prepare_visit_detail_blocks(sheet, hall=hall, start=start, end=end)
    return (block.decode("utf-8") for block in blocks)


def prepare_visit_detail_blocks(sheet: WriteOnlyWorksheet, *, hall, start: date, end: date):
    """Set up the detail sheet of the hall's visits from start to end (inclusive).

    Writes the header row and the sheet's settings, and returns the data rows as blocks
    of XML bytes (annual_detail.detail_blocks) to splice in when saving
    (annual_detail.save_with_detail). The rows stream from two
    queries ordered by visit id, the visits and their service codes, merged as they go:
    no model instance is built and memory stays flat however many visits there are.

    Why raw rows (issue 13 item 4): at 320,000 visits the Django converters (a timestamp
    parsed from text, made aware, moved to the hall's zone: four per row) cost more than
    the rest of the sheet. The database gives each time as whole seconds of the hall's wall
    clock since 1970 (PostgreSQL: AT TIME ZONE; SQLite, which has no time zones: UTC
    seconds, moved by the hall's offset, looked up once per quarter hour) and the day as
    its Excel serial; the rows come as the driver's plain tuples (psycopg's C loaders, the
    sqlite3 module's), from a server-side cursor on PostgreSQL.
    """
    visits = Visit.objects.counted().filter(hall=hall, service_date__range=(start, end))
    count = visits.count()
    setup_columns(sheet, _detail_columns(hall))
    sheet.freeze_panes = "A2"
    print_as_list(sheet)
    sheet.auto_filter.ref = table_ref(1, count + 1, len(DETAIL_COLUMNS))
    sheet.append(header_row(sheet, DETAIL_COLUMNS))
    date_style = style_id(sheet, DATE_FORMAT)
    time_style = style_id(sheet, DATETIME_FORMAT)
    quote_style = quote_prefix_style(sheet)
    tz = hall_zone(hall)
    database = connections[visits.db]
    local_in_sql = database.vendor == "postgresql"
    rows = visits.order_by("pk").annotate(
        day_serial=ExcelDay("service_date"),
        **{
            name: WallSeconds(field, tz if local_in_sql else None)
            for name, field in DETAIL_TIMES.items()
        },
    )
    rows = rows.values_list(*DETAIL_RAW_FIELDS)
    codes = (
        VisitItem.objects.filter(visit__hall=hall, visit__service_date__range=(start, end))
        .order_by("visit_id", "service_item__code")
        .values_list("visit_id", "service_item__code")
    )
    return detail_blocks(
        raw_rows(rows),
        raw_rows(codes),
        date_style=date_style,
        time_style=time_style,
        quote_style=quote_style,
        wall_clock=None if local_in_sql else WallClock(tz),
    )


# The detail's times, as annotations of whole seconds of the wall clock since 1970.
DETAIL_TIMES = {
    "issued_seconds": "issued_at",
    "called_seconds": "called_at",
    "started_seconds": "started_at",
    "finished_seconds": "finished_at",
}
DETAIL_RAW_FIELDS = (
    "pk",
    "ticket_no",
    "day_serial",
    "window__number",
    "window__name",
    "staff__badge_no",
    "staff__display_name",
    "item_count",
    "status",
    *DETAIL_TIMES,
    "rating__level",
)


class ExcelDay(Func):
    """A date as Excel's serial number (days since 1899-12-30), computed by the database."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1899-12-30')", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - julianday('1899-12-30') AS INTEGER)",
            **extra,
        )


class WallSeconds(Func):
    """A stored time as whole seconds since 1970: of the wall clock in `tz` (PostgreSQL),
    or of UTC without a zone (SQLite; WallClock then moves them to the hall's zone).
    Fractions of a second are dropped, not rounded (SQLite would round them to the
    millisecond first: 59.9999 s would become the next minute)."""

    output_field = BigIntegerField()

    def __init__(self, field: str, tz=None):
        expressions = [F(field)] if tz is None else [F(field), Value(str(tz))]
        super().__init__(*expressions)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint",
            arg_joiner=" AT TIME ZONE ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)",
            **extra,
        )


class WallClock:
    """UTC seconds since 1970 as the seconds of the wall clock in tz: the zone's offset is
    looked up once per quarter hour (zones change their offset on a quarter hour), and
    exactly for a quarter hour in which it changes."""

    QUARTER = 900

    def __init__(self, tz) -> None:
        self.tz = tz
        self.offsets: dict[int, int | None] = {}

    def __call__(self, utc_seconds: int) -> int:
        quarter = utc_seconds // self.QUARTER
        try:
            offset = self.offsets[quarter]
        except KeyError:
            first = quarter * self.QUARTER
            offset = self._offset(first)
            if self._offset(first + self.QUARTER - 1) != offset:
                offset = None  # the offset changes within this quarter hour
            self.offsets[quarter] = offset
        if offset is None:
            offset = self._offset(utc_seconds)
        return utc_seconds + offset

    def _offset(self, utc_seconds: int) -> int:
        moment = datetime.fromtimestamp(utc_seconds, self.tz)
        return int(moment.utcoffset().total_seconds())


def raw_rows(queryset) -> Iterator[tuple]:
    """The queryset's rows as the database driver returns them (no Django converters), a
    chunk at a time; a server-side cursor on PostgreSQL."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(RAW_CHUNK_SIZE):
            yield from chunk


def _detail_columns(hall) -> tuple[Column, ...]:
    """The detail's columns, the window's name as wide as the hall's longest (printed
    whole, not cut at the next cell; at most 60)."""
    names = Window.objects.filter(hall=hall).values_list("name", flat=True)
    longest = max((text_width(name) for name in names), default=0)
    columns = list(DETAIL_COLUMNS)
    name = columns[3]
    columns[3] = Column(name.header, min(max(name.width, longest + 2), 60))
    return tuple(columns)


RAW_CHUNK_SIZE = 2_000  # rows fetched at a time (10,000: no faster, 15 MB more at 320,000 rows)
