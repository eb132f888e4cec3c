"""The annual review's detail sheet (明细): every visit of the year as sheet XML, fast
(issue 13 item 4: the workbook of 320,000 visits in under 6 s).

The rows come from the database as plain tuples (annual.prepare_visit_detail), and are
written here as UTF-8 bytes, the same XML byte for byte as styles.xml_number_cell and
workbook_cells.xml_text_cell write cell by cell (tests/reports/test_annual_review_fast.py):

* Most of a row repeats from one row to another: the ticket number's cell, the day's, the
  window and staff cells (C-F, a few hundred combinations), the service codes with the
  item count and status (G-I), the rating. Each such piece is made once, with a
  placeholder byte (NUL) where the row number goes, and a row is one `%` format of its
  pieces with the placeholder replaced by the row's number. A text cell is made by
  workbook_cells.xml_text_cell, so text stays text and starts-like-a-formula text gets the
  quotePrefix style; XML cannot hold a NUL (xml_text_cell drops it), so the only NULs of
  a piece are the placeholders.
* A time's cell is its day's piece and its second's piece: Excel's serial of a time is
  `day + round(second / 86400, 8)` as a float, and for every day from 1989-09-16 to
  2079-06-06 (serials 32,768 to 65,535: one binary exponent) that float's shortest text
  is the day's digits followed by the same fraction digits whatever the day, so the
  86,400 fractions' texts are made once. Other days are written from the float itself.
* Compressing the sheet (zlib, level 1) runs in a thread beside the building: zlib and
  the CRC release Python's lock, so the two cores both work (save_with_detail).
"""

from __future__ import annotations

import functools
import io
import queue
import threading
import zipfile
from collections.abc import Iterable, Iterator

from windows.workbook_cells import xml_text_cell

from .styles import SERVICE_CODE_SEPARATOR, VISIT_STATUS_LABELS

MARK = "\x00"  # where a piece's row number goes
_B_MARK = MARK.encode()
ROWS_PER_BLOCK = 2_000  # rows joined into one block of bytes (about 1.4 MB)
# Distinct texts whose pieces are kept (ticket numbers repeat every day, window and staff
# names, statuses and code lists come from short lists); past this many, made each time.
PIECES_KEPT = 100_000
_EXCEL_DAYS_BEFORE_1970 = 25569  # 1899-12-30 to 1970-01-01
_SECONDS_A_DAY = 86400
# Serials whose float has the binary exponent of 2**15: their text is the day's digits and
# a fraction's digits that do not depend on the day (see the module's docstring).
_FIRST_SHARED_DAY, _LAST_SHARED_DAY = 2**15, 2**16 - 1
_ROW = b'<row r="\x00">' + b"%s" * 13 + b"</row>"


@functools.cache
def day_fractions() -> tuple[float, ...]:
    """Each second of a day as Excel's fraction of a day, 8 decimals (as
    styles.excel_local_time rounds it)."""
    return tuple(round(seconds / _SECONDS_A_DAY, 8) for seconds in range(_SECONDS_A_DAY))


@functools.cache
def _second_pieces() -> tuple[bytes, ...]:
    """Each second's piece of a time cell: the serial's digits after the day's, and the
    cell's end."""
    base = _FIRST_SHARED_DAY
    skip = len(str(base))
    return tuple(
        (repr(base + fraction)[skip:] + "</v></c>").encode() for fraction in day_fractions()
    )


class _Pieces(dict):
    """A dict that makes a missing piece with `make` and keeps at most PIECES_KEPT."""

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key):
        piece = self.make(key)
        if len(self) < PIECES_KEPT:
            self[key] = piece
        return piece


def detail_blocks(
    rows: Iterable[tuple],
    codes: Iterable[tuple],
    *,
    date_style: int,
    time_style: int,
    quote_style: int,
    wall_clock=None,
    first_row: int = 2,
) -> Iterator[bytes]:
    """The detail's <row> elements from first_row on, as blocks of UTF-8 bytes.

    rows: (pk, ticket, day serial, window number, window name, badge, staff name, item
    count, status, issued, called, started, finished, rating level), ordered by pk, the
    times as whole seconds of the hall's wall clock since 1970 (or of UTC, with
    wall_clock to move them); codes: (visit pk, service code) ordered by pk and code.
    """

    def text(letter: str, value) -> bytes:
        return xml_text_cell(letter + MARK, value, quote_style).encode()

    def people(key) -> bytes:
        number, name, badge, staff_name = key
        piece = f'<c r="C{MARK}"><v>{number}</v></c>'.encode()
        for letter, value in (("D", name), ("E", badge), ("F", staff_name)):
            if value:
                piece += text(letter, value)
        return piece

    def work(key) -> bytes:
        joined, item_count, status = key
        piece = text("G", joined) if joined else b""
        piece += f'<c r="H{MARK}"><v>{item_count}</v></c>'.encode()
        return piece + text("I", VISIT_STATUS_LABELS.get(status, status))

    def time_days(letter: str) -> _Pieces:
        def make(days: int) -> bytes | None:
            serial_day = days + _EXCEL_DAYS_BEFORE_1970
            if not _FIRST_SHARED_DAY <= serial_day <= _LAST_SHARED_DAY:
                return None  # written from the float (_time_cell)
            return f'<c r="{letter}{MARK}" s="{time_style}"><v>{serial_day}'.encode()

        return _Pieces(make)

    tickets = _Pieces(lambda ticket: text("A", ticket))
    days = _Pieces(lambda day: f'<c r="B{MARK}" s="{date_style}"><v>{day}</v></c>'.encode())
    people_pieces = _Pieces(people)
    work_pieces = _Pieces(work)
    levels = _Pieces(
        lambda level: b"" if level is None else f'<c r="N{MARK}"><v>{level}</v></c>'.encode()
    )
    issued_days, called_days, started_days, finished_days = (time_days(letter) for letter in "JKLM")
    seconds_pieces = _second_pieces()
    # The wall clock's offsets by quarter hour (None: it changes within that quarter).
    offsets = wall_clock.offsets if wall_clock is not None else None
    quarter, unknown = (wall_clock.QUARTER if wall_clock is not None else 1), object()
    row_xml, mark, separator = _ROW, _B_MARK, SERVICE_CODE_SEPARATOR
    day_seconds = _SECONDS_A_DAY

    def time_cell(letter: str, seconds: int) -> tuple[bytes, bytes]:
        """A time's cell on a day outside the shared days: from the float itself."""
        days, in_day = divmod(seconds, day_seconds)
        serial = days + _EXCEL_DAYS_BEFORE_1970 + day_fractions()[in_day]
        return f'<c r="{letter}{MARK}" s="{time_style}"><v>{serial}</v></c>'.encode(), b""

    end = (float("inf"), None)
    codes = iter(codes)
    code_pk, code = next(codes, end)
    block: list[bytes] = []
    row_number = first_row - 1
    for (
        pk,
        ticket,
        day,
        window_number,
        window_name,
        badge,
        staff_name,
        item_count,
        status,
        issued,
        called,
        started,
        finished,
        level,
    ) in rows:
        while code_pk < pk:
            code_pk, code = next(codes, end)
        if code_pk == pk:
            joined = code
            code_pk, code = next(codes, end)
            while code_pk == pk:
                joined = f"{joined}{separator}{code}"
                code_pk, code = next(codes, end)
        else:
            joined = ""
        if offsets is not None:  # UTC seconds: moved to the wall clock
            if issued is not None:
                offset = offsets.get(issued // quarter, unknown)
                issued = (
                    wall_clock(issued) if offset is None or offset is unknown else issued + offset
                )
            if called is not None:
                offset = offsets.get(called // quarter, unknown)
                called = (
                    wall_clock(called) if offset is None or offset is unknown else called + offset
                )
            if started is not None:
                offset = offsets.get(started // quarter, unknown)
                started = (
                    wall_clock(started) if offset is None or offset is unknown else started + offset
                )
            if finished is not None:
                offset = offsets.get(finished // quarter, unknown)
                finished = (
                    wall_clock(finished)
                    if offset is None or offset is unknown
                    else finished + offset
                )
        if issued is None:
            j1 = j2 = b""
        else:
            d, s = divmod(issued, day_seconds)
            j1 = issued_days[d]
            j2 = seconds_pieces[s] if j1 is not None else b""
            if j1 is None:
                j1, j2 = time_cell("J", issued)
        if called is None:
            k1 = k2 = b""
        else:
            d, s = divmod(called, day_seconds)
            k1 = called_days[d]
            k2 = seconds_pieces[s] if k1 is not None else b""
            if k1 is None:
                k1, k2 = time_cell("K", called)
        if started is None:
            l1 = l2 = b""
        else:
            d, s = divmod(started, day_seconds)
            l1 = started_days[d]
            l2 = seconds_pieces[s] if l1 is not None else b""
            if l1 is None:
                l1, l2 = time_cell("L", started)
        if finished is None:
            m1 = m2 = b""
        else:
            d, s = divmod(finished, day_seconds)
            m1 = finished_days[d]
            m2 = seconds_pieces[s] if m1 is not None else b""
            if m1 is None:
                m1, m2 = time_cell("M", finished)
        row_number += 1
        block.append(
            (
                row_xml
                % (
                    tickets[ticket],
                    days[day],
                    people_pieces[(window_number, window_name, badge, staff_name)],
                    work_pieces[(joined, item_count, status)],
                    j1,
                    j2,
                    k1,
                    k2,
                    l1,
                    l2,
                    m1,
                    m2,
                    levels[level],
                )
            ).replace(mark, b"%d" % row_number)
        )
        if len(block) == ROWS_PER_BLOCK:
            yield b"".join(block)
            block.clear()
    if block:
        yield b"".join(block)


# --- the workbook saved with the detail spliced in -----------------------------------------


def save_with_detail(workbook, sheet, blocks: Iterable[bytes | str], output) -> None:
    """Save a write-only workbook with `blocks` (the sheet's <row> elements, as bytes or
    text) spliced into `sheet`'s part before </sheetData>: as styles.save_with_streamed_rows
    does, but the sheet's part is compressed in a thread while the blocks are made."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    detail_part = sheet.path.lstrip("/")
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != detail_part:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            xml = data.decode("utf-8")
            head, closing, tail = xml.partition("</sheetData>")
            if not closing:  # an empty <sheetData/>
                head, closing, tail = xml.partition("<sheetData/>")
                head += "<sheetData>"
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(head.encode("utf-8"))
                _write_in_thread(part, _as_bytes(blocks))
                part.write(("</sheetData>" + tail).encode("utf-8"))


def _as_bytes(blocks: Iterable[bytes | str]) -> Iterator[bytes]:
    """Blocks of bytes as they come; text (rows of the tests' reference) encoded, joined
    ROWS_PER_BLOCK at a time."""
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, bytes):
            yield block
            continue
        texts.append(block)
        if len(texts) == ROWS_PER_BLOCK:
            yield "".join(texts).encode("utf-8")
            texts.clear()
    if texts:
        yield "".join(texts).encode("utf-8")


def _write_in_thread(part, blocks: Iterable[bytes]) -> None:
    """part.write(block) for each block, in a thread; the blocks are made here meanwhile.
    An error on either side is raised here once the thread has ended."""
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=3)
    failed: list[BaseException] = []

    def write() -> None:
        while (block := pending.get()) is not None:
            if not failed:
                try:
                    part.write(block)
                except BaseException as exc:  # raised again below
                    failed.append(exc)

    writer = threading.Thread(target=write, name="annual-detail-zip", daemon=True)
    writer.start()
    try:
        for block in blocks:
            if failed:
                break
            pending.put(block)
    finally:
        pending.put(None)
        writer.join()
    if failed:
        raise failed[0]
