"""How the portal's workbooks print (issue 12 item 7): halls print bulletins and lists for
their meetings, through Excel or LibreOffice.

- a summary sheet (figures and charts) prints on one landscape A4 page: its print area
  covers every cell and chart, scaled to fit that page;
- a list or detail sheet prints as wide as the page (as many pages down as it takes),
  repeating its own header rows on every page.

Charts are anchored to cells at both corners (`anchor_chart`), so a print area written
in cells holds them whole whatever the rows' heights. Works on normal and write-only
worksheets alike; on a write-only sheet call print_on_one_page and print_as_list before
its first row (the fit-to-page flag is written with the sheet's head).
"""

from __future__ import annotations

import re
from math import ceil
from unicodedata import east_asian_width

from openpyxl.chart._chart import ChartBase
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.page import PageMargins

PAPER_A4 = "9"
LINE_HEIGHT = 15  # points, a line of 11-point text
INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")
# Narrow margins, in inches (Excel's "narrow" preset): more room, larger print.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.5, "header": 0.3, "footer": 0.3}


def anchor_chart(sheet, chart: ChartBase, top_left: str, bottom_right: str) -> None:
    """Add chart to sheet over the cells top_left:bottom_right (both included)."""
    first_column, first_row = _cell(top_left)
    last_column, last_row = _cell(bottom_right)
    chart.anchor = TwoCellAnchor(
        _from=AnchorMarker(col=first_column - 1, row=first_row - 1),
        to=AnchorMarker(col=last_column, row=last_row),
    )
    sheet.add_chart(chart)


def print_on_one_page(sheet, *, last_column: int, last_row: int) -> None:
    """Print A1 to (last_column, last_row) on one landscape A4 page."""
    _page(sheet, landscape=True, pages_down=1)
    sheet.print_area = f"A1:{get_column_letter(last_column)}{max(last_row, 1)}"


def print_as_list(sheet, *, header_rows: int = 1, landscape: bool = True) -> None:
    """Print the sheet as wide as an A4 page, rows 1 to header_rows on every page."""
    _page(sheet, landscape=landscape, pages_down=0)
    sheet.print_title_rows = f"1:{header_rows}"


def text_width(value) -> int:
    """Columns a value needs in a sheet: a Chinese (wide) character takes two."""
    if value is None:
        return 0
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in str(value))


def fit_row_height(sheet, row: int, cells) -> None:
    """Make row (1-based, not written yet on a write-only sheet) tall enough for its
    wrapped text: cells are (value, column width) pairs. Excel and LibreOffice keep a
    row one line tall unless its height is written, cutting the wrapped lines."""
    lines = max(
        (ceil(text_width(value) / max(width - 1, 1)) for value, width in cells if value),
        default=1,
    )
    if lines > 1:
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines


def sheet_title(workbook, title: str) -> str:
    """title as a sheet name the workbook does not have yet (Excel: 31 characters at
    most, none of []:*?/\\)."""
    name = INVALID_TITLE.sub(" ", title).strip()[:31] or "Sheet"
    taken = set(workbook.sheetnames)
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: 31 - len(suffix)] + suffix
    return candidate


def _page(sheet, *, landscape: bool, pages_down: int) -> None:
    setup = sheet.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = pages_down
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(**MARGINS)
    sheet.print_options.horizontalCentered = True


def _cell(coordinate: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(coordinate)
    return column_index_from_string(letters), row
