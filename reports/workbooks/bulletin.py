"""The bulletin workbook (日报 / 周报 / 月报) of a hall's period (issue 5 items 2 and 3).

Sheets: 汇总 (the period's figures, sections the bulletin adds, a native bar chart of
daily items), 窗口 (figures per window), 人员 (figures per staff member) and 明细 (every
visit of the period, streamed from the database).
"""

from __future__ import annotations

from datetime import date, datetime
from os import PathLike
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.selectors.periods import PeriodStats, daily_items, period_stats
from windows.models import Hall

from .annual import prepare_visit_detail
from .styles import (
    DATE_FORMAT,
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
    Column("差评原因", 28),
    Column("平均等候（分钟）", 12, DECIMAL_FORMAT),
    Column("90%等候（分钟）", 12, DECIMAL_FORMAT),
    Column("平均办理（分钟）", 12, DECIMAL_FORMAT),
    Column("90%办理（分钟）", 12, DECIMAL_FORMAT),
    Column("过号数", 8, INTEGER_FORMAT),
    Column("过号率", 10, PERCENT_FORMAT),
    Column("通办窗口占比", 12, PERCENT_FORMAT),
)
WINDOW_COLUMNS = (Column("窗口号", 8), Column("窗口", 20), *FIGURE_COLUMNS)
STAFF_COLUMNS = (Column("工号", 10), Column("工作人员", 14), *FIGURE_COLUMNS)
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
    headers) or of sequences (the first one is the header row); each becomes a titled
    table on the summary sheet.
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
        extra=extra or {},
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
    detail = workbook.create_sheet("明细")
    rows = prepare_visit_detail(detail, hall=hall, start=start, end=end)
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
    setup_columns(sheet, columns)
    sheet.freeze_panes = "C2"
    sheet.print_title_rows = "1:1"
    sheet.auto_filter.ref = table_ref(1, len(rows) + 1, len(columns))
    sheet.append(header_row(sheet, columns))
    key = _key if numeric_key else str
    for stats in rows:
        sheet.append(formatted_row(sheet, columns, (key(stats.key), stats.label, *_figures(stats))))


def _write_summary(sheet, *, hall, kind, start, end, stats, days, extra) -> None:
    setup_columns(sheet, SUMMARY_COLUMNS)
    sheet.freeze_panes = f"A{FIGURES_HEADER_ROW + 1}"
    sheet.print_title_rows = f"1:{FIGURES_HEADER_ROW}"
    sheet.append([styled(sheet, bulletin_title(hall, kind, start, end), font=TITLE_FONT)])
    sheet.append(text_row(sheet, [f"统计期间：{start:%Y-%m-%d}至{end:%Y-%m-%d}"]))
    sheet.append([])
    sheet.append([styled(sheet, "主要指标", font=SECTION_FONT)])
    sheet.append(header_row(sheet, SUMMARY_COLUMNS))
    for label, name, number_format, convert in SUMMARY_FIGURES:
        value = getattr(stats, name)
        value = convert(value) if convert else value
        sheet.append(text_row(sheet, [label, styled(sheet, value, number_format=number_format)]))
    row = FIGURES_HEADER_ROW + len(SUMMARY_FIGURES)
    reasons = _reasons(stats.bad_reviews_by_reason)
    if reasons:
        sheet.append(text_row(sheet, ["差评原因", reasons]))
        row += 1
    sheet.auto_filter.ref = table_ref(FIGURES_HEADER_ROW, row, len(SUMMARY_COLUMNS))

    sheet.append([])
    sheet.append([styled(sheet, "每日办件量", font=SECTION_FONT)])
    sheet.append(header_row(sheet, DAILY_COLUMNS))
    daily_header_row = row + 3
    for day, items in days:
        sheet.append(formatted_row(sheet, DAILY_COLUMNS, (day, items)))
    row = daily_header_row + len(days)
    sheet.add_chart(daily_chart(sheet, daily_header_row, row), "D2")

    for title, rows in extra.items():
        table = _extra_table(rows)
        sheet.append([])
        sheet.append([styled(sheet, str(title), font=SECTION_FONT)])
        if not table:
            sheet.append(text_row(sheet, ["无"]))
            continue
        sheet.append(header_row(sheet, [Column(str(h), 0) for h in table[0]]))
        for values in table[1:]:
            sheet.append(text_row(sheet, [_excel_value(value, hall) for value in values]))


def daily_chart(sheet: WriteOnlyWorksheet, header_row_number: int, last_row: int) -> BarChart:
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
    chart.x_axis.number_format = "m/d"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 20, 9
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
