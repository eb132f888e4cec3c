"""A workbook over the limits is refused from its zip directory, before any sheet is parsed:
a zip bomb (a small file that unpacks to hundreds of MB) costs seconds and no memory."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.management import CommandError, call_command

from windows.importing import ImportFileError
from windows.importing.tabular import Column, read_rows
from windows.importing.xlsx_limits import XlsxLimits, check_xlsx, column_number

COLUMNS = [Column("hall_code", "大厅编码", required=True)]
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"/>'
)
pytestmark = pytest.mark.usefixtures("english")

ROW = b'<row><c t="inlineStr"><is><t>LH01</t></is></c></row>'


def workbook(*, rows: int = 2, dimension: str | None = None, filler_mb: int = 0) -> bytes:
    """A minimal .xlsx whose sheet repeats one row: `filler_mb` megabytes of identical rows
    compress about a thousandfold (the shape of a zip bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet>')
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>" + ROW * rows)
            block = ROW * (1024 * 1024 // len(ROW))
            for _ in range(filler_mb):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def refusal(content: bytes, **limits) -> str:
    with pytest.raises(ImportFileError) as raised:
        check_xlsx(io.BytesIO(content), XlsxLimits(**limits))
    return str(raised.value)


def test_column_letters_are_numbered_like_excel():
    assert [column_number(letters) for letters in (b"A", b"Z", b"AA", b"AZ", b"XFD")] == [
        1,
        26,
        27,
        52,
        16384,
    ]


def test_a_zip_bomb_is_refused_by_its_ratio_in_seconds_without_memory():
    bomb = workbook(filler_mb=200)  # 200 MB of sheet XML in a file of a few hundred KB
    assert len(bomb) < 2 * 1024 * 1024

    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as raised:
        list(read_rows(io.BytesIO(bomb), "bomb.xlsx", COLUMNS))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert str(raised.value).startswith(
        "the workbook is too large to import: its part xl/worksheets/sheet1.xml unpacks "
    )
    assert str(raised.value).endswith(" times its size (at most 50); split it or save it as CSV")
    assert elapsed < 2
    assert peak < 10 * 1024 * 1024


def test_the_unpacked_size_is_limited():
    assert refusal(workbook(filler_mb=3), max_unpacked_bytes=2 * 1024 * 1024, max_ratio=10**6) == (
        "the workbook is too large to import: it unpacks to 3 MB (at most 2 MB); "
        "split it or save it as CSV"
    )


@pytest.mark.parametrize(
    ("dimension", "reason"),
    [
        ("A1:XFD1048576", "a sheet declares 16384 columns (at most 64)"),
        ("A1:L2000000", "a sheet declares 2000000 rows (at most 1048576)"),
        ("A2000000", "a sheet declares 2000000 rows (at most 1048576)"),
    ],
)
def test_a_sheets_declared_dimension_is_limited(dimension, reason):
    assert refusal(workbook(dimension=dimension)) == (
        f"the workbook is too large to import: {reason}; split it or save it as CSV"
    )


def test_a_workbook_within_the_limits_is_read_and_left_at_its_start():
    content = workbook(dimension="A1:A3", filler_mb=0)
    file = io.BytesIO(content)

    check_xlsx(file, XlsxLimits())

    assert file.tell() == 0


def test_limits_come_from_settings(settings):
    settings.IMPORT_XLSX_LIMITS = {"max_rows": 10}

    assert XlsxLimits.from_settings() == XlsxLimits(max_rows=10)
    with pytest.raises(ImportFileError, match="a sheet declares 11 rows"):
        list(read_rows(io.BytesIO(workbook(dimension="A1:A11")), "w.xlsx", COLUMNS))


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_visits", "import_windows"])
def test_the_commands_refuse_a_bomb_with_one_line_and_store_nothing(tmp_path, command):
    from windows.models import Visit, Window

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook(filler_mb=100))

    with pytest.raises(CommandError) as raised:
        call_command(command, str(path))

    assert str(raised.value).startswith(f"{path}: the workbook is too large to import: ")
    assert (Visit.objects.count(), Window.objects.count()) == (0, 0)
