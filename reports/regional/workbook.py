"""The regional ranking as a workbook: the period's ranking (each column's figure and rank)
and the same figures month by month. Written in openpyxl's write-only mode; every cell by
windows.workbook_cells (a hall's name stays text, never a formula); headers in Chinese
whatever the user's language, as the other report workbooks."""

from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook

from reports.workbooks.styles import (
    DECIMAL_FORMAT,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    TITLE_FONT,
    Column,
    formatted_row,
    fraction,
    header_row,
    setup_columns,
    styled,
    text_row,
)

from .selectors import HallRow, RegionalRanking

# (column name, Chinese header, number format, is a percentage)
FIGURES = (
    ("items", "办件量", INTEGER_FORMAT, False),
    ("daily_average_items", "日均办件量", DECIMAL_FORMAT, False),
    ("evaluation_rate_pct", "评价率", PERCENT_FORMAT, True),
    ("satisfaction_rate_pct", "满意率", PERCENT_FORMAT, True),
    ("callback_rate_pct", "回访率", PERCENT_FORMAT, True),
    ("overdue_cases", "超期件", INTEGER_FORMAT, False),
    ("completion_rate_pct", "整改完成率", PERCENT_FORMAT, True),
)
HALL_COLUMNS = (
    Column("综合排名", 9, INTEGER_FORMAT),
    Column("大厅编码", 12),
    Column("大厅名称", 26, wrap=True),
)
RANKING_SHEET = "大厅排名"
MONTHS_SHEET = "逐月"


def _value(row: HallRow, name: str, is_pct: bool):
    value = getattr(row, name)
    return fraction(value) if is_pct else value


def _title(sheet, ranking: RegionalRanking, what: str) -> None:
    region = ranking.region
    sheet.append([styled(sheet, f"{region.name}（{region.code}）{what}", font=TITLE_FONT)])
    sheet.append(
        text_row(
            sheet,
            [f"统计期间：{ranking.start:%Y-%m-%d} 至 {ranking.end:%Y-%m-%d}"],
        )
    )
    sheet.append([])


def write_regional_workbook(*, ranking: RegionalRanking, output: BinaryIO) -> None:
    """Write the two sheets to `output` (a path or a binary file)."""
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(RANKING_SHEET)
    columns = list(HALL_COLUMNS)
    for _name, header, number_format, _pct in FIGURES:
        columns += [Column(header, 12, number_format), Column("名次", 7, INTEGER_FORMAT)]
    setup_columns(sheet, columns)
    _title(sheet, ranking, "所辖大厅排名")
    sheet.append(header_row(sheet, columns))
    for row in ranking.rows:
        values = [row.rank, row.hall.code, row.hall.name]
        for name, _header, _format, is_pct in FIGURES:
            values += [_value(row, name, is_pct), row.ranks[name]]
        sheet.append(formatted_row(sheet, columns, values))

    sheet = workbook.create_sheet(MONTHS_SHEET)
    columns = [
        Column("月份", 10),
        *HALL_COLUMNS,
        *(Column(header, 12, number_format) for _n, header, number_format, _p in FIGURES),
    ]
    setup_columns(sheet, columns)
    _title(sheet, ranking, "所辖大厅逐月")
    sheet.append(header_row(sheet, columns))
    for month in ranking.months:
        for row in month.rows:
            values = [f"{month.month:%Y-%m}", row.rank, row.hall.code, row.hall.name]
            values += [_value(row, name, is_pct) for name, _h, _f, is_pct in FIGURES]
            sheet.append(formatted_row(sheet, columns, values))
    workbook.save(output)
