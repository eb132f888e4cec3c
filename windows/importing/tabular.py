"""Streaming reader for the .csv and .xlsx files of the imports (contracts.md sections 2, 4).

A file's header names its columns in English or Simplified Chinese; rows come back as
plain stripped strings keyed by the column's English name, one row at a time, so a
300,000-row queue-system export never sits in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .progress import report_row
from .results import ImportFileError
from .xlsx_limits import check_xlsx
from .xlsx_stream import READ_ERRORS, sheet_rows

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class Column:
    name: str  # canonical English name, the key of every row dict
    chinese: str
    required: bool = False

    def __str__(self) -> str:
        return f"{self.name} ({self.chinese})"


def read_rows(
    file: BinaryIO,
    filename: str,
    columns: Sequence[Column],
    *,
    present: set[str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column name: value}) for each data row that is not blank.

    Row numbers are the spreadsheet's: the header is row 1 (unless blank rows precede
    it), blank rows are skipped but still counted. A column missing from the file reads
    as "". The header is checked before this returns, so a bad extension, an empty file
    or a missing required column raise ImportFileError here; a problem found later in
    the file (a CSV that stops being UTF-8) raises it while iterating. `present`, if
    given, receives the names of the columns the header has (an import that leaves a
    field alone when its column is absent tells an absent column from an empty cell).
    """
    extension = PurePath(filename).suffix.lower()
    if extension == ".csv":
        raw_rows = _csv_rows(file)
    elif extension == ".xlsx":
        raw_rows = _xlsx_rows(file)
    else:
        raise ImportFileError(
            _("unsupported file type %(name)s: use a .csv or .xlsx file") % {"name": filename}
        )
    numbered = enumerate(raw_rows, start=1)
    try:
        positions = _header_positions(_first_non_blank(numbered), columns)
    except BaseException:
        raw_rows.close()
        raise
    if present is not None:
        present.update(name for name, position in positions.items() if position >= 0)
    return _data_rows(numbered, positions, raw_rows)


def _csv_rows(file: BinaryIO) -> Generator[list[str]]:
    # Decoding line by line (not io.TextIOWrapper) leaves the caller's file open.
    lines = codecs.iterdecode(file, "utf-8-sig")
    reader = csv.reader(lines)
    try:
        yield from reader
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "the file is not UTF-8 text (first problem near row %(row)s); "
                'save it as "CSV UTF-8" and try again'
            )
            % {"row": reader.line_num + 1}
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("the CSV file cannot be read near row %(row)s: %(problem)s")
            % {"row": reader.line_num, "problem": exc}
        ) from None


def _xlsx_rows(file: BinaryIO) -> Generator[list[str]]:
    """The first sheet's rows, streamed (xlsx_stream.py): memory stays flat however long
    the sheet is."""
    check_xlsx(file)  # before parsing: a zip bomb is refused from its directory
    try:
        yield from sheet_rows(file)
    except READ_ERRORS:
        raise ImportFileError(_("the file is not a readable .xlsx workbook")) from None


def _first_non_blank(numbered: Iterator[tuple[int, list[str]]]) -> list[str]:
    for _number, cells in numbered:
        if any(cell.strip() for cell in cells):
            return cells
    raise ImportFileError(_("the file is empty"))


_IGNORED_IN_HEADER = re.compile(r"[\s_\-*]+")


def _header_key(text: str) -> str:
    """'Hall Code', ' hall_code ', 'HALL-CODE' and 'hallcode' all name hall_code."""
    return _IGNORED_IN_HEADER.sub("", text.replace("\ufeff", "")).casefold()


def _header_positions(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    by_key = {}
    for column in columns:
        by_key[_header_key(column.name)] = column
        by_key[_header_key(column.chinese)] = column
    positions: dict[str, int] = {}
    for position, text in enumerate(header):
        column = by_key.get(_header_key(text))
        if column is None:
            continue
        if column.name in positions:
            raise ImportFileError(
                _("column %(column)s appears twice in the header") % {"column": column}
            )
        positions[column.name] = position
    missing = [column for column in columns if column.required and column.name not in positions]
    if missing:
        raise ImportFileError(
            ngettext(
                "missing required column %(columns)s",
                "missing required columns %(columns)s",
                len(missing),
            )
            % {"columns": ", ".join(str(column) for column in missing)}
        )
    return {column.name: positions.get(column.name, -1) for column in columns}


def _data_rows(
    numbered: Iterator[tuple[int, list[str]]],
    positions: dict[str, int],
    raw_rows: Generator[list[str]],
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for number, cells in numbered:
            width = len(cells)
            values = {
                name: cells[position].strip() if 0 <= position < width else ""
                for name, position in positions.items()
            }
            report_row(number)
            if any(values.values()):
                yield number, values
    finally:
        raw_rows.close()
