"""The one way the portal puts a value into a workbook cell (issue 11 item 2).

Every workbook the portal writes (the bulletins, the annual review, the windows and
service-item exports, the rectification checklist) builds its cells here, so text typed
by someone (a ticket number, a window, hall, staff, department or item name, a measure, a
comment...) can never become a live formula in a file that is downloaded or emailed.

The rule:

* A number (int, float, Decimal, bool), a date, time or duration, and None are written as
  typed values: they stay numbers and dates Excel can sum, sort and format.
* Anything else is text. It is written as a string cell (data type "s") whatever it looks
  like: openpyxl on its own turns every str starting with "=" into a formula (and a str
  such as "#N/A" into an error value); the cell's data type is set back to text, so the
  file carries an inline string, never an <f> element.
* Text starting with one of the characters OWASP's CSV-injection guidance names (= + - @,
  tab, carriage return; and line feed, since XML reads a carriage return back as one)
  also gets the quotePrefix cell style. That is how Excel and LibreOffice store a cell
  typed with a leading apostrophe: the cell shows exactly what the user typed, and the
  application keeps it as text when someone edits it later (presses F2 and Enter) instead
  of turning it into a formula then. The characters themselves are left alone.
* Characters XML 1.0 cannot hold (control characters other than tab, line feed and
  carriage return) are dropped, as openpyxl would otherwise refuse the whole workbook;
  the formula check looks at the text left after that.

Why quotePrefix rather than OWASP's literal advice for CSV (prepend an apostrophe, or a
space): in a CSV file the text is all there is, so the marker has to be a character; an
xlsx cell has a type and a style, which say "text" without changing it. An added
apostrophe would show in every cell, change what the windows export imports back, and
differ from what people typed; quotePrefix keeps the visible text identical and is the
format's own way of saying "this leading character is not a formula". The cell type
(string, not formula) is what stops evaluation on opening; the style keeps it stopped.

Write-only and normal workbooks both go through cell() / row(): a cell made here can be
appended to either kind of sheet. The detail sheets of the reports stream their rows as
ready-made XML (reports/workbooks/styles.py); xml_text_cell() writes those text cells by
the same rule, with the quotePrefix style registered by quote_prefix_style().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

# OWASP: "= + - @", tab (0x09) and carriage return (0x0D); line feed as well, since an
# XML reader turns a carriage return into one (XML 1.0 section 2.11).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
TYPED_VALUES = (int, float, Decimal, dt.date, dt.time, dt.timedelta)  # bool is an int

# Control characters XML 1.0 does not allow (openpyxl refuses them): dropped.
_DROPPED = {code: None for code in (*range(0, 9), 11, 12, *range(14, 32))}
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", **_DROPPED}


def as_text(value) -> str:
    """A value as the text a cell holds: str(value) without XML-illegal characters."""
    return str(value).translate(_DROPPED)


def needs_quote_prefix(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula if it were typed in."""
    return text.startswith(FORMULA_TRIGGERS)


def put(cell: Cell, value) -> Cell:
    """Set a cell's value by the rule above (a typed value, or text that stays text)."""
    if value is None or isinstance(value, TYPED_VALUES):
        cell.value = value
        return cell
    text = as_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl made "=..." a formula and "#N/A" an error
    if needs_quote_prefix(text):
        cell.quotePrefix = True
    return cell


def cell(
    sheet,
    value,
    *,
    number_format: str | None = None,
    font=None,
    fill=None,
    border=None,
    alignment=None,
) -> Cell:
    """A styled cell holding value, to append to a sheet (write-only or not) in a row."""
    made = put(WriteOnlyCell(sheet), value)
    if number_format and value is not None:
        made.number_format = number_format
    if font is not None:
        made.font = font
    if fill is not None:
        made.fill = fill
    if border is not None:
        made.border = border
    if alignment is not None:
        made.alignment = alignment
    return made


def row(sheet, values: Iterable) -> list[Cell]:
    """A row for sheet.append: each value a cell() (cells made by cell() kept as they are)."""
    return [value if isinstance(value, Cell) else cell(sheet, value) for value in values]


# --- text cells of rows streamed as XML (reports/workbooks/styles.save_with_streamed_rows) --


def quote_prefix_style(sheet) -> int:
    """The workbook's cell-format index of the quotePrefix style (registering it)."""
    marker = WriteOnlyCell(sheet, value="")
    marker.quotePrefix = True
    return marker.style_id


def xml_text_cell(ref: str, value, quote_style: int) -> str:
    """A text cell as sheet XML: an inline string (never a formula), with the quotePrefix
    style (quote_style, from quote_prefix_style) when it starts like a formula."""
    text = str(value).translate(_XML_TEXT)
    style = f' s="{quote_style}"' if needs_quote_prefix(text) else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
