"""The annual review's detail sheet from raw rows (issue 13 item 4): the same workbook as
the detail written from Django's converted values, cell by cell with styles; the times
moved to the hall's wall clock as Python's astimezone moves them, across a DST change."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from reports.workbooks import annual, write_annual_review
from reports.workbooks.annual import DETAIL_COLUMNS, WallClock
from reports.workbooks.styles import (
    CHUNK_SIZE,
    DATE_FORMAT,
    DATETIME_FORMAT,
    SERVICE_CODE_SEPARATOR,
    VISIT_STATUS_LABELS,
    column_letters,
    excel_local_time,
    excel_serial,
    header_row,
    style_id,
    table_ref,
    xml_number_cell,
)
from tests.windows.factories import (
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import Visit, VisitItem, Zone
from windows.rules.hall_time import hall_zone
from windows.workbook_cells import quote_prefix_style, xml_text_cell
from windows.workbook_print import print_as_list


def reference_detail(sheet, *, hall, start, end):
    """The detail sheet as written before issue 13 (Django's values, converted per cell)."""
    visits = Visit.objects.counted().filter(hall=hall, service_date__range=(start, end))
    annual.setup_columns(sheet, annual._detail_columns(hall))
    sheet.freeze_panes = "A2"
    print_as_list(sheet)
    sheet.auto_filter.ref = table_ref(1, visits.count() + 1, len(DETAIL_COLUMNS))
    sheet.append(header_row(sheet, DETAIL_COLUMNS))
    date_style = style_id(sheet, DATE_FORMAT)
    time_style = style_id(sheet, DATETIME_FORMAT)
    quote_style = quote_prefix_style(sheet)
    tz = hall_zone(hall)
    fields = (
        "pk", "ticket_no", "service_date", "window__number", "window__name",
        "staff__badge_no", "staff__display_name", "item_count", "status", "issued_at",
        "called_at", "started_at", "finished_at", "rating__level",
    )  # fmt: skip
    rows = visits.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    codes = (
        VisitItem.objects.filter(visit__hall=hall, visit__service_date__range=(start, end))
        .order_by("visit_id", "service_item__code")
        .values_list("visit_id", "service_item__code")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return reference_rows(rows, codes, date_style, time_style, quote_style, tz)


def reference_rows(rows, codes, date_style, time_style, quote_style, tz):
    letters = column_letters(len(DETAIL_COLUMNS))
    pending = next(codes, None)
    for row_number, row in enumerate(rows, start=2):
        pk, ticket, day, number, name, badge, staff, count, status, *times, level = row
        visit_codes = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                visit_codes.append(pending[1])
            pending = next(codes, None)
        n = str(row_number)
        cells = [
            xml_text_cell("A" + n, ticket, quote_style),
            xml_number_cell("B" + n, excel_serial(day), date_style),
            xml_number_cell("C" + n, number),
        ]
        for letter, text in (("D", name), ("E", badge), ("F", staff)):
            if text:
                cells.append(xml_text_cell(letter + n, text, quote_style))
        if visit_codes:
            joined = SERVICE_CODE_SEPARATOR.join(visit_codes)
            cells.append(xml_text_cell("G" + n, joined, quote_style))
        cells.append(xml_number_cell("H" + n, count))
        cells.append(xml_text_cell("I" + n, VISIT_STATUS_LABELS.get(status, status), quote_style))
        for letter, moment in zip(letters[9:13], times, strict=True):
            if moment is not None:
                cells.append(xml_number_cell(letter + n, excel_local_time(moment, tz), time_style))
        if level is not None:
            cells.append(xml_number_cell("N" + n, level))
        yield f'<row r="{n}">{"".join(cells)}</row>'


@pytest.fixture
def hall_year(hall_a):
    """Visits of 2024 with every kind of detail cell: text that starts like a formula,
    names with XML's special characters, several codes, missing times and staff, times
    with microseconds, a midnight, the last second of a day, no-shows and transfers."""
    general = WindowFactory(
        hall=hall_a,
        number=5,
        name='=HYPERLINK("x") & <通办>',
        zone=ZoneFactory(hall=hall_a, name="社保通办", kind=Zone.Kind.GENERAL),
    )
    other = WindowFactory(hall=hall_a, number=30, name="")
    staff = StaffFactory(hall=hall_a, badge_no="+B0101", display_name="王芳 & 李")
    codes = [ServiceItemFactory(code=code) for code in ("S202", "S101", "-S3")]
    shanghai = ZoneInfo("Asia/Shanghai")
    moments = [
        dt.datetime(2024, 1, 2, 0, 0, 0, tzinfo=shanghai),
        dt.datetime(2024, 3, 9, 23, 59, 59, 999999, tzinfo=shanghai),
        dt.datetime(2024, 6, 30, 8, 30, 17, 250000, tzinfo=shanghai),
        dt.datetime(2024, 12, 31, 16, 59, 1, tzinfo=dt.UTC),  # the next day in Shanghai
    ]
    for n in range(40):
        started = moments[n % 4] + dt.timedelta(minutes=7 * n)
        status = (Visit.Status.COMPLETED, Visit.Status.NO_SHOW, Visit.Status.TRANSFERRED)[n % 3]
        visit = VisitFactory(
            hall=hall_a,
            window=general if n % 2 else other,
            staff=staff if n % 5 else None,
            ticket_no=("@A%03d" if n % 7 == 0 else "A%03d") % n,
            service_date=started.astimezone(shanghai).date(),
            issued_at=started - dt.timedelta(minutes=3, seconds=n),
            called_at=started - dt.timedelta(seconds=30) if n % 4 else None,
            started_at=started,
            finished_at=started + dt.timedelta(minutes=9) if n % 3 == 0 else None,
            item_count=1 + n % 3,
            status=status,
        )
        for code in codes[: n % 4]:
            VisitItem.objects.create(visit=visit, service_item=code)
        if n % 3 == 0 and n % 6:
            Rating.objects.create(
                visit=visit, level=1 + n % 5, rated_at=visit.finished_at, source="import"
            )
    VisitFactory(hall=hall_a, window=other, service_date=dt.date(2023, 12, 31))  # not in 2024
    rollups_rebuild()
    return hall_a


def written(hall) -> bytes:
    output = io.BytesIO()
    write_annual_review(hall=hall, year=2024, output=output)
    return output.getvalue()


def cells_of(data: bytes) -> dict:
    """Every cell of every sheet: value, type, number format, quotePrefix, font, fill."""
    book = load_workbook(io.BytesIO(data))
    return {
        (sheet.title, cell.coordinate): (
            cell.value,
            cell.data_type,
            cell.number_format,
            cell.quotePrefix,
            cell.font.b,
            cell.fill.fgColor.rgb,
        )
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


def test_the_workbook_is_the_one_written_from_djangos_values(hall_year, monkeypatch):
    new = written(hall_year)
    monkeypatch.setattr(annual, "prepare_visit_detail_blocks", reference_detail)
    old = written(hall_year)

    new_cells, old_cells = cells_of(new), cells_of(old)

    assert new_cells == old_cells
    assert len([key for key in new_cells if key[0] == "明细"]) > 40 * 9
    assert new_cells[("明细", "D3")][:4] == ('=HYPERLINK("x") & <通办>', "s", "General", True)


def test_the_detail_sheets_xml_is_the_same_byte_for_byte(hall_year, monkeypatch):
    import zipfile

    new = written(hall_year)
    monkeypatch.setattr(annual, "prepare_visit_detail_blocks", reference_detail)
    old = written(hall_year)

    def detail(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("xl/worksheets/sheet2.xml")

    assert detail(new) == detail(old)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns", "Asia/Shanghai"])
def test_wall_clock_moves_utc_as_astimezone_does_across_a_dst_change(zone):
    tz = ZoneInfo(zone)
    clock = WallClock(tz)
    start = int(dt.datetime(2024, 3, 9, tzinfo=dt.UTC).timestamp())
    for utc in range(start, start + 40 * 86400, 599):  # every ten minutes, 40 days
        local = dt.datetime.fromtimestamp(utc, tz).replace(tzinfo=None)
        expected = int((local - dt.datetime(1970, 1, 1)).total_seconds())
        assert clock(utc) == expected, (zone, utc)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1960, 2, 29, 12, 0, 1),  # before the days whose fraction texts are shared
        dt.datetime(1989, 9, 15, 23, 59, 59),
        dt.datetime(1989, 9, 16, 0, 0, 0),  # the first shared day (serial 32,768)
        dt.datetime(2026, 11, 28, 8, 30, 17),
        dt.datetime(2079, 6, 5, 23, 59, 59),  # the last shared day (serial 65,535)
        dt.datetime(2079, 6, 6, 0, 0, 1),
        dt.datetime(2200, 1, 1, 6, 0, 0),
    ],
)
def test_a_time_cell_is_the_float_serials_text_on_any_day(moment):
    from reports.workbooks.annual_detail import detail_blocks

    seconds = int((moment - dt.datetime(1970, 1, 1)).total_seconds())
    row = (7, "A001", 46000, 5, "", "", "", 1, "completed", seconds, None, None, seconds, None)
    (block,) = detail_blocks([row], [], date_style=2, time_style=3, quote_style=4)
    serial = excel_local_time(moment, None)

    assert f'<c r="J2" s="3"><v>{serial}</v></c>'.encode() in block
    assert f'<c r="M2" s="3"><v>{serial}</v></c>'.encode() in block
    assert b"K2" not in block and b"N2" not in block
