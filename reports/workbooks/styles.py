"""Shared look of the reports' workbooks and the write-only helpers that apply it.

Headers and labels are data of the printed reports, in Chinese whatever the user's
language (as windows/exports.py does). Every cell is made by windows.workbook_cells, so
text typed by users is written as text, never as a formula (issue 11 item 2).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from windows import workbook_cells
from windows.rules.hall_time import hall_localtime
from windows.rules.rounding import ratio, round_half_up

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
SERVICE_CODE_SEPARATOR = ";"

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTERED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="center", wrap_text=True)

VISIT_STATUS_LABELS = {
    "completed": "已办结",
    "transferred": "已转办",
    "no_show": "过号未到",
}


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None
    wrap: bool = False  # long text (a window's name) wraps instead of being cut


def setup_columns(sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> None:
    """Column widths; in write-only mode they must be set before the first row."""
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def header_row(sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> list[WriteOnlyCell]:
    return [
        workbook_cells.cell(
            sheet,
            column.header,
            font=HEADER_FONT,
            fill=HEADER_FILL,
            border=HEADER_BORDER,
            alignment=CENTERED,
        )
        for column in columns
    ]


def styled(sheet: WriteOnlyWorksheet, value, *, number_format=None, font=None) -> WriteOnlyCell:
    return workbook_cells.cell(sheet, value, number_format=number_format, font=font)


def text_row(sheet: WriteOnlyWorksheet, values: Iterable) -> list[WriteOnlyCell]:
    """A row of plain cells (text stays text, numbers and dates stay typed values)."""
    return workbook_cells.row(sheet, values)


def formatted_row(sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Iterable) -> list:
    """A row whose cells carry their column's number format."""
    return [
        workbook_cells.cell(
            sheet,
            value,
            number_format=column.number_format,
            alignment=WRAPPED if column.wrap else None,
        )
        for column, value in zip(columns, values, strict=True)
    ]


def table_ref(first_row: int, last_row: int, column_count: int) -> str:
    return f"A{first_row}:{get_column_letter(column_count)}{max(last_row, first_row)}"


def fraction(pct: float | None) -> float | None:
    """A percentage of the statistics (97.12) as the fraction Excel formats as 97.12%."""
    return None if pct is None else round_half_up(Decimal(str(pct)) / 100, 6)


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with 1 decimal, half up."""
    return None if seconds is None else ratio(seconds, 60, places=1)


def whole(number: float | int) -> int:
    """Round half up to a whole number, as the source writes daily averages (833.8 → 834)."""
    return int(round_half_up(number, 0))


def pct_text(pct: float) -> str:
    return f"{abs(pct):.2f}%"


def naive_local(value: datetime | None, hall=None) -> datetime | None:
    """Excel has no time zones: a stored (aware) time as the hall's local wall time."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = hall_localtime(hall, value)
    return value.replace(tzinfo=None)


def blank_rows(count: int) -> Iterator[list]:
    for _ in range(count):
        yield []


# --- streamed rows spliced into a write-only sheet -----------------------------------------
#
# openpyxl writes ~60,000 cells a second without lxml (about 80 s for a 300,000-row
# detail sheet), far from the 20 s target. A detail sheet therefore gets its header,
# column widths, frozen pane, auto-filter and print titles from openpyxl as usual, and its
# data rows are streamed as ready-made XML into that sheet's part when the workbook is
# saved: the workbook is saved to memory (its summary sheets and charts are small), then
# copied part by part to the output with the rows spliced in before </sheetData>.

EXCEL_EPOCH = datetime(1899, 12, 30)


def column_letters(count: int) -> list[str]:
    return [get_column_letter(index) for index in range(1, count + 1)]


def style_id(sheet: WriteOnlyWorksheet, number_format: str) -> int:
    """The workbook's cell-format index of a number format (registering it)."""
    cell = WriteOnlyCell(sheet, value=0)
    cell.number_format = number_format
    return cell.style_id


def xml_number_cell(ref: str, value, style: int | None = None) -> str:
    if style is None:
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def excel_serial(value) -> float | int:
    """A date or naive datetime as Excel's serial number (days since 1899-12-30)."""
    if isinstance(value, datetime):
        delta = value - EXCEL_EPOCH
        return delta.days + round(delta.seconds / 86400, 8)
    return (value - EXCEL_EPOCH.date()).days


EXCEL_EPOCH_ORDINAL = EXCEL_EPOCH.toordinal()


def excel_local_time(moment: datetime, tz) -> float:
    """An aware time as the serial number of its wall time in tz (seconds kept)."""
    local = moment.astimezone(tz) if moment.tzinfo is not None else moment
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return local.toordinal() - EXCEL_EPOCH_ORDINAL + round(seconds / 86400, 8)


def save_with_streamed_rows(workbook, rows_by_sheet: dict, output) -> None:
    """Save a write-only workbook, splicing each sheet's rows (XML strings) into it.

    rows_by_sheet maps a sheet of the workbook (already holding its header rows) to an
    iterable of `<row>` elements; output is a path or a binary stream.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    parts = {sheet.path.lstrip("/"): rows for sheet, rows in rows_by_sheet.items()}
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            rows = parts.get(info.filename)
            if rows is None:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            xml = data.decode("utf-8")
            head, closing, tail = xml.partition("</sheetData>")
            if not closing:  # an empty <sheetData/>
                head, closing, tail = xml.partition("<sheetData/>")
                head += "<sheetData>"
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(head.encode("utf-8"))
                chunk = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) == CHUNK_SIZE:
                        part.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                part.write("".join(chunk).encode("utf-8"))
                part.write(("</sheetData>" + tail).encode("utf-8"))
