"""The first sheet of an .xlsx workbook, row by row, in flat memory (issue 13 item 2).

Why not a library: python-calamine (Rust) builds the whole sheet in memory before it
yields a row (a 320,000-row queue export held 422 MB, the CSV of the same rows 148 MB),
and openpyxl's read-only mode streams but is about ten times slower. An .xlsx is a zip of
XML parts, and the parts this needs are few:

* xl/workbook.xml and its relationships: which part is the first sheet, and whether the
  workbook counts days from 1904 (a Mac setting);
* xl/styles.xml: which cell styles show a number as a date or time, or as a duration;
* xl/sharedStrings.xml: the text cells' strings, referred to by index. A queue export can
  hold a million distinct strings (every timestamp saved as text); they are kept as one
  UTF-8 buffer and an array of offsets (about 30 MB) instead of a million str objects
  (about 100 MB), and decoded when a cell asks for one;
* the sheet itself, decompressed a block at a time: each block is cut after its last
  complete row, those rows are parsed by the C XML parser inside a copy of the sheet's own
  root tag (so its namespace declarations hold), turned into text and dropped. Memory
  holds one block, whatever the number of rows.

Cell values come back as the text the import reads: what tabular.py made of calamine's
values before (contracts.md section 2: a datetime cell as `YYYY-MM-DD HH:MM:SS`, a whole
number without `.0`, a boolean as `true`/`false`), computed the same way: a date is the
serial's days and milliseconds (rounded half away from zero, after Excel's 1900 leap-year
day below serial 60), a whole serial is a date `YYYY-MM-DD`, a serial below 1 a
time of day `HH:MM:SS`, a duration style (`[h]:mm`) Python's timedelta text. Rows are
numbered as the sheet numbers them: rows the file leaves out (before the first or between
two) come back empty, so the imports' `row N` is the spreadsheet's row N.

Only the sheet's rows are parsed in pieces; the prolog of each part is never parsed (a
document type declaration in a small part makes the file unreadable), so no entity of
the file is ever expanded. xlsx_limits.check_xlsx runs before any of this.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Generator, Iterator
from datetime import date, datetime, time, timedelta
from typing import BinaryIO
from xml.etree import ElementTree

BLOCK_SIZE = 1024 * 1024  # decompressed sheet XML parsed at a time
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

DATETIME, DURATION = "datetime", "duration"
_MS_PER_DAY = 86_400_000
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
# Built-in number formats (ECMA-376 18.8.30) that show a date or time, or a duration.
_BUILTIN_KINDS = {**dict.fromkeys((*range(14, 23), 45, 47), DATETIME), 46: DURATION}


class UnreadableWorkbook(Exception):
    """The file is not a workbook this reader can read (tabular.py says so in words)."""


# Everything that reading a broken, truncated or foreign file can raise.
READ_ERRORS = (
    UnreadableWorkbook,
    ElementTree.ParseError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    IndexError,
    OverflowError,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted zip entry
    NotImplementedError,  # a compression method zipfile does not know
)


def sheet_rows(file: BinaryIO) -> Generator[list[str]]:
    """Yield the first sheet's rows as lists of cell texts ("" for an empty cell), from
    row 1; raise one of READ_ERRORS if the file cannot be read."""
    with zipfile.ZipFile(file) as archive:
        book = _Workbook(archive)
        with archive.open(book.sheet_part) as sheet:
            yield from _SheetReader(book).rows(sheet)


# --- the workbook's small parts ------------------------------------------------------------


class _Workbook:
    """What reading the first sheet needs from the other parts."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._names = {name.lower(): name for name in archive.namelist()}
        workbook_part = self._target("_rels/.rels", "officeDocument") or "xl/workbook.xml"
        workbook = self._parse_small(workbook_part)
        if workbook is None:
            raise UnreadableWorkbook("no workbook part")
        self.date1904 = _date1904(workbook)
        sheet_id = _first_sheet_id(workbook)
        rels = _rels_part(workbook_part)
        folder = posixpath.dirname(workbook_part)
        sheet_part = self._target(rels, relation_id=sheet_id, folder=folder)
        if sheet_part is None:
            raise UnreadableWorkbook("no sheet")
        self.sheet_part = self._name(sheet_part)
        styles = self._parse_small(
            self._target(rels, "styles", folder=folder) or posixpath.join(folder, "styles.xml")
        )
        self.style_kinds = _style_kinds(styles) if styles is not None else {}
        strings_part = self._target(rels, "sharedStrings", folder=folder) or posixpath.join(
            folder, "sharedStrings.xml"
        )
        self.strings = (
            _read_shared_strings(archive.open(self._name(strings_part)))
            if self._has(strings_part)
            else _SharedStrings()
        )

    def _has(self, part: str) -> bool:
        return part.lower() in self._names

    def _name(self, part: str) -> str:
        """The part's name in the zip (some writers differ in case from their references)."""
        name = self._names.get(part.lower())
        if name is None:
            raise UnreadableWorkbook(f"missing part {part}")
        return name

    def _parse_small(self, part: str | None) -> ElementTree.Element | None:
        if part is None or not self._has(part):
            return None
        data = self.archive.read(self._name(part))
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise UnreadableWorkbook("a document type declaration")
        return ElementTree.fromstring(data)

    def _target(
        self,
        rels_part: str,
        kind: str | None = None,
        *,
        relation_id: str | None = None,
        folder: str = "",
    ) -> str | None:
        """The part a relationship points to, by type (its last word) or by id."""
        rels = self._parse_small(rels_part)
        if rels is None:
            return None
        for relation in rels.iter(f"{{{_PACKAGE_RELATIONSHIPS}}}Relationship"):
            if relation_id is not None:
                if relation.get("Id") != relation_id:
                    continue
            elif relation.get("Type", "").rsplit("/", 1)[-1] != kind:
                continue
            target = relation.get("Target", "")
            if target.startswith("/"):
                return posixpath.normpath(target.lstrip("/"))
            return posixpath.normpath(posixpath.join(folder, target))
        return None


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _date1904(workbook: ElementTree.Element) -> bool:
    for namespace in (_MAIN, _STRICT_MAIN):
        properties = workbook.find(f"{{{namespace}}}workbookPr")
        if properties is not None:
            return properties.get("date1904", "").lower() in ("1", "true")
    return False


def _first_sheet_id(workbook: ElementTree.Element) -> str:
    for namespace in (_MAIN, _STRICT_MAIN):
        sheet = workbook.find(f"{{{namespace}}}sheets/{{{namespace}}}sheet")
        if sheet is not None:
            for relationships in (_RELATIONSHIPS, _STRICT_RELATIONSHIPS):
                relation_id = sheet.get(f"{{{relationships}}}id")
                if relation_id is not None:
                    return relation_id
    raise UnreadableWorkbook("no sheet")


def _style_kinds(styles: ElementTree.Element) -> dict[str, str]:
    """{cell style index as the sheet writes it ("3"): DATETIME or DURATION} for the
    styles whose number format shows a date, a time or a duration."""
    namespace = styles.tag[: -len("styleSheet")]
    custom = {
        int(number_format.get("numFmtId", "-1")): number_format.get("formatCode", "")
        for number_format in styles.iter(f"{namespace}numFmt")
    }
    kinds = {}
    cell_formats = styles.find(f"{namespace}cellXfs")
    for index, cell_format in enumerate(
        cell_formats.iterfind(f"{namespace}xf") if cell_formats is not None else ()
    ):
        format_id = int(cell_format.get("numFmtId", "0"))
        if format_id in custom:
            kind = format_kind(custom[format_id])
        else:
            kind = _BUILTIN_KINDS.get(format_id)
        if kind is not None:
            kinds[str(index)] = kind
    return kinds


def format_kind(code: str) -> str | None:
    """DATETIME if a number format code shows a date or time, DURATION if it shows elapsed
    time ([h]:mm), else None. The rule calamine follows: only the first section counts;
    quoted text, escaped characters and bracketed parts ([Red], [$-404]) are not tokens,
    except an elapsed-time bracket ([h], [mm], [ss]); "a/p" or "am/pm" are a time."""
    escaped = quoted = after_a = False
    brackets = 0
    previous = " "
    elapsed = False
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            if char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == ";":
            return None
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and elapsed:
            return DURATION
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not after_a and char in "aA":
            after_a = True
        elif brackets == 0 and after_a and char in "pmPM/":
            return DATETIME
        elif brackets == 0 and not after_a and char in "dmhysDMHYS":
            return DATETIME
        elif not (elapsed and char.lower() == previous.lower()):
            elapsed = previous == "[" and char in "mhsMHS"
        previous = char
    return None


# --- shared strings ------------------------------------------------------------------------


class _SharedStrings:
    """The shared strings as one UTF-8 buffer and their offsets into it."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q", [0])

    def add(self, text: str) -> None:
        self.add_utf8(text.encode("utf-8", "surrogatepass"))

    def add_utf8(self, text: bytes) -> None:
        self.data += text
        self.ends.append(len(self.data))

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        ends = self.ends
        return self.data[ends[index] : ends[index + 1]].decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self.ends) - 1


def _read_shared_strings(stream) -> _SharedStrings:
    strings = _SharedStrings()
    with stream:
        part = _Part(stream, "sst", "si")
        for chunk in part.chunks():
            items = _SHARED_STRING.findall(chunk) if part.plain else None
            if items is None or len(items) != chunk.count(b"<si"):
                _add_parsed_strings(strings, part.parse(chunk), part.tags)
                continue
            for text, other in items:
                if other:
                    _add_parsed_strings(strings, part.parse(b"<si>" + other + b"</si>"), part.tags)
                else:
                    strings.add_utf8(text)
    return strings


# A plain string item, as Excel, LibreOffice and openpyxl write most of them; any other
# (rich text, an entity such as &amp;, a carriage return) goes through the XML parser.
_SHARED_STRING = re.compile(
    rb'<si><t(?: xml:space="preserve")?>([^<&\r]*)</t></si>|<si>(.*?)</si>', re.DOTALL
)


def _add_parsed_strings(strings: _SharedStrings, root, tags: dict[str, str]) -> None:
    text_tag, run_tag = tags["t"], tags["r"]
    for item in root:
        if len(item) == 1 and item[0].tag == text_tag:
            strings.add(item[0].text or "")
        else:
            strings.add(_rich_text(item, text_tag, run_tag))


def _rich_text(element: ElementTree.Element, text_tag: str, run_tag: str) -> str:
    """A string item's text: its <t>, or its runs' <t> joined; phonetic runs (<rPh>) left
    out, as Excel shows them only above the text."""
    parts = []
    for child in element:
        if child.tag == text_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            run_text = child.find(text_tag)
            if run_text is not None:
                parts.append(run_text.text or "")
    return "".join(parts)


# --- a part's XML, a chunk of complete elements at a time ----------------------------------

_START_TAG = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(?:\s[^>]*)?/?>")


class _Part:
    """A part whose items (the sheet's rows, the shared strings) are read in chunks: each
    chunk the complete items of a block of the decompressed part, as bytes; parse()
    turns a chunk into elements, inside a copy of the part's root start tag."""

    def __init__(self, stream, root_name: str, item_name: str, container: str | None = None):
        self.stream = stream
        data, opening = _root_start_tag(stream)
        prefix, local_name = opening.group(1), opening.group(2).decode()
        if local_name != root_name:
            raise UnreadableWorkbook(f"not a {root_name} part")
        self.plain = prefix is None  # tags without a namespace prefix: the fast path
        qualified = "" if prefix is None else prefix.decode() + ":"
        self.start_tag = opening.group(0)
        self.end_tag = f"</{qualified}{root_name}>".encode()
        self.close = f"</{qualified}{item_name}>".encode()
        self.tags: dict[str, str] = {}
        self.rest: bytes | None = data[opening.end() :]
        if self.start_tag.endswith(b"/>"):
            self.rest = None
        elif container is not None:
            self.rest = _after_start_tag(stream, self.rest, qualified + container)

    def chunks(self) -> Iterator[bytes]:
        data = self.rest
        if data is None:
            return
        searched = 0
        while True:
            block = self.stream.read(BLOCK_SIZE)
            data += block
            cut = data.rfind(self.close, searched)
            if cut >= 0:
                cut += len(self.close)
                yield data[:cut]
                data = data[cut:]
            # What is left has no closing tag: the next search starts near its end (a row
            # longer than a block is not searched again from its start at every block).
            searched = max(len(data) - len(self.close), 0)
            if not block:
                if self.end_tag not in data:
                    raise UnreadableWorkbook("the part breaks off")
                return

    def parse(self, chunk: bytes) -> ElementTree.Element:
        root = ElementTree.fromstring(self.start_tag + chunk + self.end_tag)
        if not self.tags:
            namespace = root.tag[: root.tag.rindex("}") + 1] if root.tag[0] == "{" else ""
            self.tags = {name: namespace + name for name in ("c", "v", "t", "r", "is", "row")}
        return root


def _root_start_tag(stream) -> tuple[bytes, re.Match]:
    """The part's first bytes and its root element's start tag (after the XML
    declaration; a part with a document type declaration is refused)."""
    data = b""
    while True:
        block = stream.read(BLOCK_SIZE)
        if not block:
            raise UnreadableWorkbook("no root element")
        data += block
        match = _START_TAG.search(data)
        if match is not None:
            if b"<!" in data[: match.start()]:
                raise UnreadableWorkbook("a document type declaration before the root")
            return data, match


def _after_start_tag(stream, data: bytes, name: str) -> bytes | None:
    """The data after the start tag of element `name` (None if it is empty or absent)."""
    pattern = re.compile(rb"<" + re.escape(name.encode()) + rb"(?:\s[^>]*)?/?>")
    while True:
        match = pattern.search(data)
        if match is not None:
            return None if match.group(0).endswith(b"/>") else data[match.end() :]
        block = stream.read(BLOCK_SIZE)
        if not block:
            return None
        data = data[-4096:] + block


# --- the sheet's rows ----------------------------------------------------------------------

_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
# A cell as the writers write nearly all of them: reference, style and type in that order,
# a value or an inline string of plain text. Any other cell (a formula, rich text, an
# entity, attributes in another order) leaves its "<" to the last group, and its row goes
# through the XML parser.
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'
    rb'(?:\s?/>|>(?:<v>([^<&\r]*)</v>|<is><t(?: xml:space="preserve")?>([^<&\r]*)</t></is>)?</c>)'
    rb"|(<)"
)


# A row whose cells are all inline strings of plain text, in columns A, B, C... without a
# gap (as openpyxl and many queue systems write an export): its texts in one findall, no
# Python work per cell. Any other row returns None from _inline_cells and is read by _CELL.
_INLINE_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="\d+")? t="inlineStr"'
    r'(?:\s?/>|><is><t(?: xml:space="preserve")?>([^<&\r]*)</t></is></c>)'
)
_LETTERS = tuple(
    first + second
    for first in ("", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for second in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)  # A ... ZZ, in order


def _inline_cells(content: bytes) -> list[str] | None:
    """The row's cell texts if every cell is a plain inline string and the columns run
    from A without a gap; else None."""
    text = content.decode("utf-8")
    pairs = _INLINE_CELL.findall(text)
    if not pairs or len(pairs) != text.count("<c"):
        return None
    letters, values = zip(*pairs, strict=True)
    if letters != _LETTERS[: len(letters)]:
        return None
    return list(values)


class _SheetReader:
    def __init__(self, book: _Workbook) -> None:
        self.strings = book.strings
        self.style_kinds = book.style_kinds
        self.byte_style_kinds = {key.encode(): kind for key, kind in book.style_kinds.items()}
        self.epoch = _EPOCH_1904 if book.date1904 else _EPOCH_1900
        self.date1904 = book.date1904
        self.columns: dict[str, int] = {}
        self.byte_columns: dict[bytes, int] = {}
        self.days: dict[int, str] = {}

    def rows(self, stream) -> Iterator[list[str]]:
        part = _Part(stream, "worksheet", "row", container="sheetData")
        last_row = 0
        for chunk in part.chunks():
            for number, cells in self._chunk_rows(part, chunk):
                if number is None:
                    number = last_row + 1
                elif number <= last_row:
                    raise UnreadableWorkbook("rows out of order")
                while last_row < number - 1:
                    last_row += 1
                    yield []
                last_row = number
                yield cells

    def _chunk_rows(self, part: _Part, chunk: bytes) -> Iterator[tuple[int | None, list[str]]]:
        """The chunk's rows as (number or None, cells). A row as the writers write it
        (its start tag, then cells _CELL knows) is cut out of the bytes; anything else
        goes through the XML parser."""
        if not part.plain:
            yield from self._parsed_rows(part, chunk)
            return
        pieces = chunk.split(b"</row>")
        pieces.pop()  # the chunk ends with </row>
        for piece in pieces:
            start = piece.find(b"<row")
            end = piece.find(b">", start)
            if start < 0 or piece.find(b"<row", start + 4) >= 0 or piece[:start].strip():
                yield from self._parsed_rows(part, piece + b"</row>")  # more than one row
                continue
            attributes = piece[start + 4 : end]
            if attributes.startswith(b' r="'):
                number = attributes[4 : attributes.index(b'"', 4)]
            else:
                found = _ROW_NUMBER.search(attributes)
                number = found.group(1) if found else None
            content = piece[end + 1 :]
            cells = (_inline_cells(content) or self._plain_cells(content)) if content else []
            if cells is None:  # a cell _CELL does not know
                row = part.parse(b"<row>" + content + b"</row>")[0]
                cells = self._parsed_cells(row, part)
            yield int(number) if number else None, cells

    def _parsed_rows(self, part: _Part, xml: bytes) -> Iterator[tuple[int | None, list[str]]]:
        root = part.parse(xml)
        row_tag = part.tags["row"]
        for row in root:
            if row.tag == row_tag:
                reference = row.get("r")
                yield int(reference) if reference else None, self._parsed_cells(row, part)

    def _plain_cells(self, content: bytes) -> list[str] | None:
        """A row's cells read by _CELL; None if one of them is not plain."""
        cells: list[str] = []
        columns, style_kinds, strings = self.byte_columns, self.byte_style_kinds, self.strings
        for letters, style, kind, value, inline, other in _CELL.findall(content):
            if other:
                return None
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_index(letters.decode())
            width = len(cells)
            if column != width:
                if column < width:
                    raise UnreadableWorkbook("cells out of order")
                cells.extend([""] * (column - width))
            if kind == b"s":
                cells.append(strings[int(value)] if value else "")
            elif kind == b"inlineStr":
                cells.append(inline.decode())
            elif not kind or kind == b"n":
                if not value:
                    cells.append("")
                    continue
                date_kind = style_kinds.get(style)
                if date_kind is None:
                    cells.append(number_text(value.decode()))
                elif date_kind == DATETIME:
                    cells.append(self._datetime_text(float(value)))
                else:
                    cells.append(duration_text(float(value)))
            else:
                cells.append(self._other_text(kind.decode(), value.decode()))
        return cells

    def _parsed_cells(self, row: ElementTree.Element, part: _Part) -> list[str]:
        """A row's cells read from its parsed XML (any cell a writer may write)."""
        cells: list[str] = []
        columns, style_kinds, strings, tags = (
            self.columns,
            self.style_kinds,
            self.strings,
            part.tags,
        )
        value_tag = tags["v"]
        for cell in row:
            reference = cell.get("r")
            if reference is not None:
                letters = reference.rstrip("0123456789")
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = column_index(letters)
                width = len(cells)
                if column > width:
                    cells.extend([""] * (column - width))
                elif column < width:
                    raise UnreadableWorkbook("cells out of order")
            kind = cell.get("t")
            if kind == "inlineStr":
                inline = cell.find(tags["is"])
                cells.append("" if inline is None else _rich_text(inline, tags["t"], tags["r"]))
                continue
            text = cell.findtext(value_tag) or ""
            if kind == "s":
                cells.append(strings[int(text)] if text else "")
            elif kind is None or kind == "n":
                date_kind = style_kinds.get(cell.get("s"))
                if not text:
                    cells.append("")
                elif date_kind is None:
                    cells.append(number_text(text))
                elif date_kind == DATETIME:
                    cells.append(self._datetime_text(float(text)))
                else:
                    cells.append(duration_text(float(text)))
            else:
                cells.append(self._other_text(kind, text))
        return cells

    @staticmethod
    def _other_text(kind: str, text: str) -> str:
        if not text:
            return ""
        if kind == "str":  # a formula's text result
            return text
        if kind == "b":
            return "false" if text.strip() in ("0", "false") else "true"
        if kind == "d":
            return iso_date_text(text)
        return ""  # "e": an error value (#N/A, #DIV/0!) reads as empty, as calamine's did

    def _datetime_text(self, serial: float) -> str:
        """A date-styled number as the import's text (see the module's docstring)."""
        if serial >= 60 or self.date1904:
            shifted = serial
        else:
            shifted = serial + 1  # Excel counts a 29 February 1900
        if shifted >= 0:  # rounded half away from zero, as calamine rounds
            milliseconds = int(shifted * _MS_PER_DAY + 0.5)
        else:
            milliseconds = _round_half_away(shifted * _MS_PER_DAY)
        days, in_day = divmod(milliseconds, _MS_PER_DAY)
        clock = _clock_text(in_day // 1000)
        if serial < 1:
            return clock
        day = self.days.get(days)
        if day is None:
            try:
                day = (self.epoch + timedelta(days=days)).strftime("%Y-%m-%d")
            except OverflowError:  # after 9999-12-31: the number, as calamine gave it
                return str(int(serial)) if serial.is_integer() else str(serial)
            self.days[days] = day
        return day if serial.is_integer() else f"{day} {clock}"


@functools.cache
def _clock_text(seconds: int) -> str:
    """A second of the day as HH:MM:SS (at most 86,400 of them, made once each)."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _round_half_away(value: float) -> int:
    whole = int(value)  # towards zero
    rest = value - whole
    if rest >= 0.5:
        return whole + 1
    if rest <= -0.5:
        return whole - 1
    return whole


def column_index(letters: str) -> int:
    """A column's letters as its index from 0 (A -> 0, AA -> 26)."""
    if not letters or not letters.isascii() or not letters.isalpha():
        raise UnreadableWorkbook(f"bad cell reference {letters!r}")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number - 1


def number_text(text: str) -> str:
    """A number cell as text: a whole number without ".0" (12.0 -> "12", 12.5 -> "12.5")."""
    if text.isdigit() and len(text) < 16 and (text[0] != "0" or len(text) == 1):
        return text
    value = float(text)
    return str(int(value)) if value.is_integer() else str(value)


def duration_text(days: float) -> str:
    """A duration-styled number ([h]:mm) as Python writes a timedelta ("1 day, 2:03:00")."""
    return str(timedelta(milliseconds=_round_half_away(days * _MS_PER_DAY)))


def iso_date_text(text: str) -> str:
    """A t="d" cell (an ISO 8601 date, time or both) as the import's text."""
    text = text.strip()
    if "T" not in text and ":" in text:
        return time.fromisoformat(text).strftime("%H:%M:%S")
    moment = datetime.fromisoformat(text.rstrip("Z"))
    if "T" not in text:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M:%S")
