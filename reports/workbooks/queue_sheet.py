"""The bulletin's 排队 sheet: the queue's figures of the period (reports.selectors.queue),
the hall's and each business category's (with the appointments), window's and staff
member's, one table under the other, printed as wide as the page.

Category, window and staff names are user text: written through windows.workbook_cells
(formatted_row), never as formulas.
"""

from __future__ import annotations

from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.selectors.queue import QueueFigures, QueueReport
from windows.workbook_print import fit_row_height, print_as_list, text_width

from .styles import (
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SECTION_FONT,
    TITLE_FONT,
    Column,
    formatted_row,
    fraction,
    header_row,
    setup_columns,
    styled,
    text_row,
)

SHEET_TITLE = "排队"
MINUTES_FORMAT = "#,##0.00"
NOTE = (
    "等候时间：取号至叫号（无叫号时间的，至开始办理）；等候与办理时间为已办结的号。"
    "过号率＝过号数÷取号数；准时率＝在预约时段开始前签到的预约÷未取消的预约。"
)
FIGURE_COLUMNS = (
    Column("取号数", 9, INTEGER_FORMAT),
    Column("接待人次", 9, INTEGER_FORMAT),
    Column("过号数", 8, INTEGER_FORMAT),
    Column("过号率", 9, PERCENT_FORMAT),
    Column("平均等候（分钟）", 11, MINUTES_FORMAT),
    Column("90%等候（分钟）", 11, MINUTES_FORMAT),
    Column("平均办理（分钟）", 11, MINUTES_FORMAT),
)
APPOINTMENT_COLUMNS = (
    Column("预约数", 8, INTEGER_FORMAT),
    Column("准时签到", 9, INTEGER_FORMAT),
    Column("爽约数", 8, INTEGER_FORMAT),
    Column("准时率", 9, PERCENT_FORMAT),
)
TABLES = (("按业务类别", "类别"), ("按窗口", "窗口号"), ("按工作人员", "工号"))


def _values(row: QueueFigures, *, appointments: bool) -> tuple:
    values = (
        row.tickets,
        row.visits,
        row.no_shows,
        fraction(row.no_show_rate_pct),
        row.mean_wait_minutes,
        row.p90_wait_minutes,
        row.mean_service_minutes,
    )
    if not appointments:
        return values
    return (
        *values,
        row.appointments,
        row.appointments_on_time,
        row.appointments_missed,
        fraction(row.punctuality_pct),
    )


def write_queue_sheet(sheet: WriteOnlyWorksheet, report: QueueReport) -> None:
    groups = (report.categories, report.windows, report.staff)
    label_width = max(
        (text_width(row.label) for rows in groups for row in rows),
        default=0,
    )
    name = Column("名称", min(max(16, label_width + 2), 40), wrap=True)
    full = (Column("编号", 10), name, *FIGURE_COLUMNS, *APPOINTMENT_COLUMNS)
    setup_columns(sheet, full)
    sheet.freeze_panes = "C1"
    print_as_list(sheet, header_rows=2)

    sheet.append([styled(sheet, SHEET_TITLE, font=TITLE_FONT)])
    sheet.append(text_row(sheet, [NOTE]))
    number = 2
    for (title, key_header), rows in zip(TABLES, groups, strict=True):
        appointments = rows is report.categories
        columns = (Column(key_header, 10), name, *FIGURE_COLUMNS)
        if appointments:
            columns = (*columns, *APPOINTMENT_COLUMNS)
        sheet.append([])
        sheet.append([styled(sheet, title, font=SECTION_FONT)])
        sheet.append(header_row(sheet, columns))
        number += 3
        entries = [(row.key, row.label, row) for row in rows]
        if appointments:  # the hall's total first
            entries.insert(0, ("全厅", report.hall.label, report.hall))
        for key, label, row in entries:
            values = (key, label, *_values(row, appointments=appointments))
            number += 1
            fit_row_height(sheet, number, [(label, name.width)])
            sheet.append(formatted_row(sheet, columns, values))
        if not rows:
            sheet.append(text_row(sheet, ["无"]))
            number += 1
