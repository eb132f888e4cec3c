"""The bulletin workbook (日报 / 周报 / 月报) of a hall's period (issue 5 items 2 and 3).

Sheets: 汇总 (the period's figures and a native bar chart of daily items, printed on one
landscape A4 page), 窗口 (figures per window), 人员 (figures per staff member), 排队 (the
hall's own queue, reports/workbooks/queue_sheet.py, when it issued tickets), in a monthly
bulletin 等候与满意度 (satisfaction against waiting and service time,
reports/workbooks/waiting_sheet.py), 明细
(every visit of the period, streamed from the database), then one sheet per section the
bulletin adds (bad reviews, cases, questionnaires...). Lists print as wide as the page
with their own header rows on every page (windows/workbook_print.py, issue 12 item 7).
"""

from __future__ import annotations

from datetime import date, datetime
from os import PathLike
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.selectors.periods import PeriodStats, daily_items, period_stats
from reports.selectors.queue import queue_figures
from windows.models import Hall
from windows.workbook_cells import cell as workbook_cell
from windows.workbook_print import (
    anchor_chart,
    fit_row_height,
    print_as_list,
    print_on_one_page,
    sheet_title,
    text_width,
)

from .annual import prepare_visit_detail
from .queue_sheet import SHEET_TITLE as QUEUE_SHEET
from .queue_sheet import write_queue_sheet
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
    minutes,
    naive_local,
    save_with_streamed_rows,
    setup_columns,
    styled,
    table_ref,
    text_row,
)
from .waiting_sheet import add_waiting_sheet

KIND_LABELS = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
REASON_LABELS = {
    "attitude": "态度不好",
    "long_wait": "等候时间长",
    "notification": "未一次性告知",
    "unskilled": "业务不熟练",
    "other": "其他",
}
FIGURE_COLUMNS = (
    Column("接待人次", 10, INTEGER_FORMAT),
    Column("办件量", 10, INTEGER_FORMAT),
    Column("工作日", 8, INTEGER_FORMAT),
    Column("日均办件量", 11, DECIMAL_FORMAT),
    Column("评价率", 10, PERCENT_FORMAT),
    Column("满意率", 10, PERCENT_FORMAT),
    Column("差评数", 8, INTEGER_FORMAT),
    Column("差评原因", 28, wrap=True),
    Column("平均等候（分钟）", 12, DECIMAL_FORMAT),
    Column("90%等候（分钟）", 12, DECIMAL_FORMAT),
    Column("平均办理（分钟）", 12, DECIMAL_FORMAT),
    Column("90%办理（分钟）", 12, DECIMAL_FORMAT),
    Column("过号数", 8, INTEGER_FORMAT),
    Column("过号率", 10, PERCENT_FORMAT),
    Column("通办窗口占比", 12, PERCENT_FORMAT),
)
WINDOW_COLUMNS = (Column("窗口号", 8), Column("窗口", 20, wrap=True), *FIGURE_COLUMNS)
STAFF_COLUMNS = (Column("工号", 10), Column("工作人员", 14, wrap=True), *FIGURE_COLUMNS)
SUMMARY_COLUMNS = (Column("项目", 24), Column("数值", 16))
DAILY_COLUMNS = (Column("日期", 12, DATE_FORMAT), Column("办件量", 10, INTEGER_FORMAT))
SUMMARY_FIGURES = (
    ("接待人次", "visits", INTEGER_FORMAT, None),
    ("办件量", "items", INTEGER_FORMAT, None),
    ("工作日", "business_days", INTEGER_FORMAT, None),
    ("日均办件量", "daily_average_items", DECIMAL_FORMAT, None),
    ("评价率", "evaluation_rate_pct", PERCENT_FORMAT, fraction),
    ("满意率", "satisfaction_rate_pct", PERCENT_FORMAT, fraction),
    ("差评数", "bad_reviews", INTEGER_FORMAT, None),
    ("平均等候（分钟）", "avg_wait_seconds", DECIMAL_FORMAT, minutes),
    ("平均办理（分钟）", "avg_service_seconds", DECIMAL_FORMAT, minutes),
    ("过号数", "no_shows", INTEGER_FORMAT, None),
    ("过号率", "no_show_rate_pct", PERCENT_FORMAT, fraction),
    ("通办窗口占比", "general_share_pct", PERCENT_FORMAT, fraction),
)
# Row numbers of the summary sheet: title, period, blank, caption, header, figures.
FIGURES_HEADER_ROW = 5
# The daily chart sits right of the tables, over columns D to Q, from row 4 down to the
# last daily row (rows CHART_MIN_ROWS to CHART_MAX_ROWS tall).
CHART_FIRST_COLUMN, CHART_LAST_COLUMN, CHART_COLUMN_WIDTH = 4, 17, 9
CHART_FIRST_ROW, CHART_MIN_ROWS, CHART_MAX_ROWS = 4, 18, 30
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def write_bulletin_workbook(
    *,
    hall: Hall,
    kind: str,
    start: date,
    end: date,
    output: str | PathLike | BinaryIO,
    extra: dict | None = None,
) -> None:
    """Write the bulletin of the hall's period (start and end included).

    extra maps a section title to a list of rows: a list of dicts (their keys are the
    headers) or of sequences (the first one is the header row); each becomes a sheet of
    its own after 明细, named by its title.
    """
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("汇总")
    hall_stats = period_stats(hall=hall, start=start, end=end, by="hall")[0]
    _write_summary(
        summary,
        hall=hall,
        kind=kind,
        start=start,
        end=end,
        stats=hall_stats,
        days=daily_items(hall=hall, start=start, end=end),
    )
    _write_groups(
        workbook.create_sheet("窗口"),
        WINDOW_COLUMNS,
        period_stats(hall=hall, start=start, end=end, by="window"),
        numeric_key=True,
    )
    _write_groups(
        workbook.create_sheet("人员"),
        STAFF_COLUMNS,
        period_stats(hall=hall, start=start, end=end, by="staff"),
    )
    queue = queue_figures(hall=hall, start=start, end=end)
    if queue.has_data:  # a hall without its own queue has no 排队 sheet
        write_queue_sheet(workbook.create_sheet(QUEUE_SHEET), queue)
    if kind == "monthly":  # satisfaction against waiting and service time (issue 15)
        add_waiting_sheet(workbook, hall=hall, start=start, end=end)
    detail = workbook.create_sheet("明细")
    rows = prepare_visit_detail(detail, hall=hall, start=start, end=end)
    for title, section_rows in (extra or {}).items():
        _write_section(workbook, str(title), section_rows, hall)
    save_with_streamed_rows(workbook, {detail: rows}, output)


def bulletin_title(hall: Hall, kind: str, start: date, end: date) -> str:
    label = KIND_LABELS.get(kind, kind)
    if start == end:
        return f"{hall.name}{start:%Y年%m月%d日}{label}"
    return f"{hall.name}{label}（{start:%Y-%m-%d}至{end:%Y-%m-%d}）"


def _reasons(by_reason: dict[str, int]) -> str:
    return "；".join(
        f"{REASON_LABELS.get(reason, reason)}{count}"
        for reason, count in by_reason.items()
        if count
    )


def _figures(stats: PeriodStats) -> tuple:
    return (
        stats.visits,
        stats.items,
        stats.business_days,
        stats.daily_average_items,
        fraction(stats.evaluation_rate_pct),
        fraction(stats.satisfaction_rate_pct),
        stats.bad_reviews,
        _reasons(stats.bad_reviews_by_reason),
        minutes(stats.avg_wait_seconds),
        minutes(stats.p90_wait_seconds),
        minutes(stats.avg_service_seconds),
        minutes(stats.p90_service_seconds),
        stats.no_shows,
        fraction(stats.no_show_rate_pct),
        fraction(stats.general_share_pct),
    )


def _key(key: str):
    """A window's number as a number (period_stats gives every key as text)."""
    return int(key) if key.isdigit() else key


def _write_groups(
    sheet: WriteOnlyWorksheet, columns, rows: list[PeriodStats], *, numeric_key: bool = False
) -> None:
    label_width = max((text_width(stats.label) for stats in rows), default=0)
    columns = (
        columns[0],
        Column(columns[1].header, min(max(columns[1].width, label_width), 40), wrap=True),
        *columns[2:],
    )
    setup_columns(sheet, columns)
    sheet.freeze_panes = "C2"
    print_as_list(sheet)
    sheet.auto_filter.ref = table_ref(1, len(rows) + 1, len(columns))
    fit_row_height(sheet, 1, [(column.header, column.width) for column in columns])
    sheet.append(header_row(sheet, columns))
    key = _key if numeric_key else str
    for number, stats in enumerate(rows, start=2):
        values = (key(stats.key), stats.label, *_figures(stats))
        fit_row_height(
            sheet,
            number,
            [(v, c.width) for v, c in zip(values, columns, strict=True) if c.wrap],
        )
        sheet.append(formatted_row(sheet, columns, values))


def _write_summary(sheet, *, hall, kind, start, end, stats, days) -> None:
    setup_columns(sheet, SUMMARY_COLUMNS)
    sheet.column_dimensions["C"].width = 2
    for column in range(CHART_FIRST_COLUMN, CHART_LAST_COLUMN + 1):
        sheet.column_dimensions[get_column_letter(column)].width = CHART_COLUMN_WIDTH
    sheet.freeze_panes = f"A{FIGURES_HEADER_ROW + 1}"
    # Write-only: the page set-up goes before the first row, so the layout is known first.
    reasons = _reasons(stats.bad_reviews_by_reason)
    figures_last_row = FIGURES_HEADER_ROW + len(SUMMARY_FIGURES) + (1 if reasons else 0)
    daily_header_row = figures_last_row + 3
    last_row = daily_header_row + len(days)
    chart_last_row = (
        CHART_FIRST_ROW
        - 1
        + min(max(last_row - CHART_FIRST_ROW + 1, CHART_MIN_ROWS), CHART_MAX_ROWS)
    )
    print_on_one_page(sheet, last_column=CHART_LAST_COLUMN, last_row=max(last_row, chart_last_row))

    sheet.append([styled(sheet, bulletin_title(hall, kind, start, end), font=TITLE_FONT)])
    sheet.append(text_row(sheet, [f"统计期间：{start:%Y-%m-%d}至{end:%Y-%m-%d}"]))
    sheet.append([])
    sheet.append([styled(sheet, "主要指标", font=SECTION_FONT)])
    sheet.append(header_row(sheet, SUMMARY_COLUMNS))
    for label, name, number_format, convert in SUMMARY_FIGURES:
        value = getattr(stats, name)
        value = convert(value) if convert else value
        sheet.append(text_row(sheet, [label, styled(sheet, value, number_format=number_format)]))
    if reasons:
        fit_row_height(sheet, figures_last_row, [(reasons, SUMMARY_COLUMNS[1].width)])
        value = workbook_cell(sheet, reasons, alignment=WRAP_TOP)
        sheet.append(text_row(sheet, ["差评原因", value]))
    sheet.auto_filter.ref = table_ref(FIGURES_HEADER_ROW, figures_last_row, len(SUMMARY_COLUMNS))

    sheet.append([])
    sheet.append([styled(sheet, "每日办件量", font=SECTION_FONT)])
    sheet.append(header_row(sheet, DAILY_COLUMNS))
    for day, items in days:
        sheet.append(formatted_row(sheet, DAILY_COLUMNS, (day, items)))
    anchor_chart(
        sheet,
        daily_chart(sheet, daily_header_row, last_row, monthly=len(days) > 7),
        f"{get_column_letter(CHART_FIRST_COLUMN)}{CHART_FIRST_ROW}",
        f"{get_column_letter(CHART_LAST_COLUMN)}{chart_last_row}",
    )


def _write_section(workbook, title: str, rows: list, hall: Hall) -> None:
    """A section the bulletin adds, as a sheet of its own: its title, its header row and
    its rows (or 无), printed as wide as the page with rows 1-2 on every page."""
    sheet = workbook.create_sheet(sheet_title(workbook, title))
    table = _extra_table(rows)
    values = [[_excel_value(value, hall) for value in line] for line in table[1:]]
    headers = [str(header) for header in table[0]] if table else []
    widths = [
        min(max([text_width(header) + 2, *(text_width(line[n]) for line in values)]), 40)
        for n, header in enumerate(headers)
    ]
    setup_columns(
        sheet,
        [Column(header, max(width, 10)) for header, width in zip(headers, widths, strict=True)],
    )
    sheet.freeze_panes = "A3"
    if table:
        print_as_list(sheet, header_rows=2, landscape=sum(widths) > 100)
    else:
        print_as_list(sheet, header_rows=1, landscape=False)
    sheet.append([styled(sheet, title, font=SECTION_FONT)])
    if not table:
        sheet.append(text_row(sheet, ["无"]))
        return
    sheet.append(header_row(sheet, [Column(header, 0) for header in headers]))
    for number, line in enumerate(values, start=3):
        fit_row_height(sheet, number, zip(line, widths, strict=True))
        sheet.append(
            [
                workbook_cell(sheet, value, alignment=WRAP_TOP)
                if isinstance(value, str)
                else styled(sheet, value, number_format=_number_format(value))
                for value in line
            ]
        )


def _number_format(value) -> str | None:
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def daily_chart(
    sheet: WriteOnlyWorksheet, header_row_number: int, last_row: int, *, monthly: bool = False
) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = "每日办件量"
    chart.y_axis.title = "办件量（件）"
    chart.y_axis.numFmt = INTEGER_FORMAT
    chart.add_data(
        Reference(sheet, min_col=2, min_row=header_row_number, max_row=last_row),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(sheet, min_col=1, min_row=header_row_number + 1, max_row=last_row)
    )
    chart.legend = None
    # A month's 31 bars keep readable labels as day numbers; a week's say month/day.
    chart.x_axis.number_format = "d" if monthly else "m/d"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def _excel_value(value, hall: Hall):
    """A value of an extra section as a cell can hold it (Excel has no time zones)."""
    if value is None or isinstance(value, int | float | str | date):
        return naive_local(value, hall) if isinstance(value, datetime) else value
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return str(value)  # lazy translations, decimals, anything else


def _extra_table(rows: list) -> list[list]:
    if not rows:
        return []
    if isinstance(rows[0], dict):
        headers = list(rows[0])
        return [headers, *([row.get(h) for h in headers] for row in rows)]
    return [list(row) for row in rows]
