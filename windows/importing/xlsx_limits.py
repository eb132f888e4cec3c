"""What an .xlsx must be before it is read: a workbook is a zip, and a small file can unpack
to gigabytes of sheet XML (a zip bomb) that the reader would hold in memory.

Checked from the zip's central directory and the first bytes of each sheet, before any
sheet is parsed: the declared uncompressed size of all parts, the ratio of each large part,
and each sheet's declared dimension (rows, columns). The limits come from settings, with
defaults for a hall's year of visits (about 300,000 rows of a dozen columns unpack to
about 200 MB of sheet XML, compressed about tenfold).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from .results import ImportFileError

MB = 1024 * 1024
# A part this small is never a bomb, whatever its ratio (styles, themes).
RATIO_CHECKED_FROM = 1 * MB
_DIMENSION = re.compile(rb'<dimension[^>]*\sref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


@dataclass(frozen=True)
class XlsxLimits:
    max_unpacked_bytes: int = 512 * MB
    max_ratio: int = 50
    max_rows: int = 1_048_576  # Excel's own maximum
    max_columns: int = 64  # the imports read a dozen columns

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        return cls(**getattr(settings, "IMPORT_XLSX_LIMITS", {}))


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - ord("A") + 1)
    return number


def check_xlsx(file: BinaryIO, limits: XlsxLimits | None = None) -> None:
    """Raise ImportFileError, with one clear reason, if the workbook is over a limit; leave
    the file at its start. A file that is not a zip is left to the reader to refuse."""
    limits = limits or XlsxLimits.from_settings()
    start = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            _check_sizes(parts, limits)
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    with archive.open(part) as sheet:
                        _check_dimension(sheet.read(4096), limits)
    except zipfile.BadZipFile:
        pass
    finally:
        file.seek(start)


def _too_large(reason: str) -> ImportFileError:
    return ImportFileError(
        _("the workbook is too large to import: %(reason)s; split it or save it as CSV")
        % {"reason": reason}
    )


def _check_sizes(parts: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise _too_large(
            _("it unpacks to %(size)d MB (at most %(limit)d MB)")
            % {"size": unpacked // MB, "limit": limits.max_unpacked_bytes // MB}
        )
    for part in parts:
        if part.file_size < RATIO_CHECKED_FROM:
            continue
        ratio = part.file_size / max(part.compress_size, 1)
        if ratio > limits.max_ratio:
            raise _too_large(
                _("its part %(part)s unpacks %(ratio)d times its size (at most %(limit)d)")
                % {"part": part.filename, "ratio": ratio, "limit": limits.max_ratio}
            )


def _check_dimension(head: bytes, limits: XlsxLimits) -> None:
    match = _DIMENSION.search(head)
    if match is None:
        return
    columns, rows = column_number(match.group(1)), int(match.group(2))
    if rows > limits.max_rows:
        raise _too_large(
            _("a sheet declares %(rows)d rows (at most %(limit)d)")
            % {"rows": rows, "limit": limits.max_rows}
        )
    if columns > limits.max_columns:
        raise _too_large(
            _("a sheet declares %(columns)d columns (at most %(limit)d)")
            % {"columns": columns, "limit": limits.max_columns}
        )
