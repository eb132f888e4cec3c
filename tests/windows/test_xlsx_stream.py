"""The streaming .xlsx reader (windows/importing/xlsx_stream.py, issue 13 item 2): every
cell type as the import reads it, files written by openpyxl and by LibreOffice, sparse
rows and cells, blocks cut anywhere, flat memory, and bad files refused in one sentence."""

import datetime as dt
import io
import os
import shutil
import subprocess
import tracemalloc
import zipfile

import openpyxl
import pytest

from windows.importing import ImportFileError, xlsx_stream
from windows.importing.tabular import Column, read_rows
from windows.importing.xlsx_stream import format_kind, sheet_rows

pytestmark = pytest.mark.usefixtures("english")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
KINDS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Cell styles: 0 general, 1 a custom datetime format, 2 the built-in duration [h]:mm:ss,
# 3 a percentage, 4 the built-in date m/d/yyyy (14).
STYLES = (
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="0.00%"/></numFmts><cellXfs count="5">'
    '<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="46"/><xf numFmtId="165"/>'
    '<xf numFmtId="14"/></cellXfs>'
)


def workbook(
    sheet_data: str,
    *,
    shared: str | None = None,
    styles: str | None = STYLES,
    date1904: bool = False,
    sheet_head: str = "",
) -> io.BytesIO:
    """A minimal workbook as Excel lays it out, around the given <sheetData> content."""
    relations = [f'<Relationship Id="rId1" Type="{KINDS}/worksheet" Target="worksheets/s1.xml"/>']
    if shared is not None:
        relations.append(
            f'<Relationship Id="rId2" Type="{KINDS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    if styles is not None:
        relations.append(f'<Relationship Id="rId3" Type="{KINDS}/styles" Target="styles.xml"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{KINDS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + '<sheets><sheet name="visits" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}">{"".join(relations)}</Relationships>',
        )
        archive.writestr(
            "xl/worksheets/s1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="{RELS}">{sheet_head}<sheetData>{sheet_data}</sheetData></worksheet>',
        )
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')
        if styles is not None:
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>')
    buffer.seek(0)
    return buffer


def rows_of(file) -> list[list[str]]:
    return list(sheet_rows(file))


def cell_texts(*cells: str, **options) -> list[str]:
    """The texts of one row's cells (the row number 1)."""
    (row,) = rows_of(workbook(f'<row r="1">{"".join(cells)}</row>', **options))
    return row


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ('<c r="A1"><v>5</v></c>', "5"),
        ('<c r="A1" t="n"><v>6.0</v></c>', "6"),
        ('<c r="A1"><v>12.5</v></c>', "12.5"),
        ('<c r="A1"><v>-3</v></c>', "-3"),
        ('<c r="A1"><v>007</v></c>', "7"),
        ('<c r="A1"><v>1E-7</v></c>', "1e-07"),
        ('<c r="A1"><v>1.5E+20</v></c>', "150000000000000000000"),
        ('<c r="A1" s="3"><v>0.5</v></c>', "0.5"),  # a percentage is a number
        ('<c r="A1" t="b"><v>1</v></c>', "true"),
        ('<c r="A1" t="b"><v>0</v></c>', "false"),
        ('<c r="A1" t="e"><v>#DIV/0!</v></c>', ""),
        ('<c r="A1" t="str"><f>B1&amp;"x"</f><v>A012</v></c>', "A012"),
        ('<c r="A1" t="inlineStr"><is><t>LH01</t></is></c>', "LH01"),
        ('<c r="A1" t="inlineStr"><is><t xml:space="preserve"> 5 </t></is></c>', " 5 "),
        ('<c r="A1" t="inlineStr"><is><t>R&amp;D &lt;1&gt;</t></is></c>', "R&D <1>"),
        (
            '<c r="A1" t="inlineStr"><is><r><t>办</t></r><r><rPr><b/></rPr><t>结</t></r></is></c>',
            "办结",
        ),
        ('<c r="A1" t="inlineStr"/>', ""),
        ('<c r="A1" t="inlineStr" />', ""),
        ('<c r="A1" s="1"/>', ""),
        ('<c r="A1" s="1"><v></v></c>', ""),
        ('<c r="A1" s="1"><v>45296.49395833333</v></c>', "2024-01-05 11:51:18"),
        ('<c r="A1" s="1"><v>45296.49395833</v></c>', "2024-01-05 11:51:18"),  # 17.99997 s
        ('<c r="A1" s="1"><v>45296</v></c>', "2024-01-05"),  # a whole serial: a date
        ('<c r="A1" s="4"><v>45296.5</v></c>', "2024-01-05 12:00:00"),  # built-in 14
        ('<c r="A1" s="1"><v>0.25</v></c>', "06:00:00"),  # below 1: a time of day
        ('<c r="A1" s="1"><v>59.5</v></c>', "1900-02-28 12:00:00"),  # Excel's 1900 leap day
        ('<c r="A1" s="1"><v>61</v></c>', "1900-03-01"),
        ('<c r="A1" s="1"><v>2958466</v></c>', "2958466"),  # after 9999-12-31: the number
        ('<c r="A1" s="2"><v>1.25</v></c>', "1 day, 6:00:00"),  # a duration
        ('<c r="A1" s="2"><v>-0.5</v></c>', "-1 day, 12:00:00"),
        ('<c r="A1" t="d"><v>2022-01-04T11:51:18</v></c>', "2022-01-04 11:51:18"),
        ('<c r="A1" t="d"><v>2022-01-04</v></c>', "2022-01-04"),
        ('<c r="A1" t="d"><v>11:51:18</v></c>', "11:51:18"),
    ],
)
def test_each_cell_type_reads_as_the_imports_text(cell, text):
    assert cell_texts(cell) == [text]


def test_shared_strings_plain_rich_phonetic_escaped_and_empty():
    shared = (
        "<si><t>A012</t></si>"
        '<si><r><t>社保</t></r><r><rPr><b/></rPr><t xml:space="preserve">通办 </t></r>'
        '<rPh sb="0" eb="2"><t>しゃほ</t></rPh></si>'
        "<si><t>R&amp;D</t></si>"
        "<si><t/></si>"
        '<si><t xml:space="preserve">a&#13;\nb</t></si>'
    )
    cells = "".join(f'<c r="{letter}1" t="s"><v>{n}</v></c>' for n, letter in enumerate("ABCDE"))

    assert cell_texts(cells, shared=shared) == ["A012", "社保通办 ", "R&D", "", "a\r\nb"]


def test_the_1904_date_system():
    cells = '<c r="A1" s="1"><v>1</v></c><c r="B1" s="1"><v>45296.25</v></c>'

    assert cell_texts(cells, date1904=True) == ["1904-01-02", "2028-01-06 06:00:00"]


def test_sparse_rows_and_cells_keep_their_places():
    # given rows 2 and 5 only, cells B2 and D2, and cells without a reference after C5
    data = (
        '<row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row>'
        '<row r="5" spans="1:5"><c r="C5"><v>3</v></c><c><v>4</v></c><c><v>5</v></c></row>'
        "<row><c><v>6</v></c></row>"
    )

    assert rows_of(workbook(data)) == [
        [],
        ["", "1", "", "2"],
        [],
        [],
        ["", "", "3", "4", "5"],
        ["6"],
    ]


def test_self_closing_and_attribute_heavy_rows_as_excel_writes_them():
    data = (
        '<row r="1" spans="1:2" x14ac:dyDescent="0.25" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        '<c r="A1" s="0" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="2" ht="20" customHeight="1"/>'
        '<row spans="1:2" r="3"><c t="inlineStr" r="A3"><is><t>b</t></is></c></row>'
    )

    assert rows_of(workbook(data)) == [["a"], [], ["b"]]


def test_a_namespace_prefix_on_every_tag():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{MAIN}" xmlns:r="{RELS}"><x:sheets>'
            '<x:sheet name="a" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{KINDS}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="B1" '
            't="inlineStr"><x:is><x:t>LH01</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>',
        )

    assert rows_of(buffer) == [["", "LH01"]]


def test_only_the_first_sheet_is_read():
    book = openpyxl.Workbook()
    book.active.append(["first"])
    book.create_sheet("second").append(["second"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    assert rows_of(buffer) == [["first"]]


def test_a_sheet_without_rows():
    assert rows_of(workbook("")) == []


@pytest.mark.parametrize("block_size", [7, 64, 1000])
def test_blocks_cut_anywhere_give_the_same_rows(monkeypatch, block_size):
    # given an openpyxl workbook of every kind of value, read whole and in tiny blocks
    book = openpyxl.Workbook()
    book.active.append(["hall_code", "ticket_no", "issued_at", "window_no", "note"])
    for n in range(1, 200):
        when = dt.datetime(2024, 1, 2, 8, 30) + dt.timedelta(seconds=97 * n)
        book.active.append(["LH01", f"A{n:03d}", when, n, "R&D" if n % 7 == 0 else None])
    buffer = io.BytesIO()
    book.save(buffer)
    whole = rows_of(io.BytesIO(buffer.getvalue()))

    monkeypatch.setattr(xlsx_stream, "BLOCK_SIZE", block_size)

    assert rows_of(io.BytesIO(buffer.getvalue())) == whole
    assert whole[1] == ["LH01", "A001", "2024-01-02 08:31:37", "1"]
    assert whole[7] == ["LH01", "A007", "2024-01-02 08:41:19", "7", "R&D"]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("yyyy-mm-dd", "datetime"),
        ("YYYY-MM-DD HH:MM:SS", "datetime"),
        ('yyyy"年"m"月"d"日"', "datetime"),
        ("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", "datetime"),
        ("h:mm AM/PM", "datetime"),
        ("H:MM:SS;@", "datetime"),
        ("[h]:mm:ss", "duration"),
        ("[mm]", "duration"),
        ("0.00%", None),
        ("#,##0", None),
        ('"Y"0', None),
        ("\\Y000", None),
        ("[Red]0.0", None),
        ("#,##0*y", None),
        ("General", None),
    ],
)
def test_number_formats_that_show_dates_times_or_durations(code, kind):
    assert format_kind(code) == kind


# --- through read_rows, as the imports call it ----------------------------------------------

COLUMNS = (
    Column("hall_code", "大厅编码", required=True),
    Column("ticket_no", "排队号", required=True),
    Column("issued_at", "取号时间"),
    Column("window_no", "窗口号"),
)
CSV_TEXT = (
    "大厅编码,排队号,取号时间,窗口号\n"
    "LH01,A001,2024-01-02 08:30:23,5\n"
    "LH01,=1+2,2024-01-02 08:31:00,12\n"
    ",,,\n"
    "LH02,0012,2024-01-03 17:00:00,7\n"
)


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed",
)
def test_a_workbook_saved_by_libreoffice_reads_as_its_csv(tmp_path):
    # given a CSV, and the workbook LibreOffice makes of it (shared strings, its dates as
    # date-styled numbers, its numbers as numbers; "0012" typed as text)
    source = tmp_path / "visits.csv"
    source.write_text(CSV_TEXT.replace(",0012,", ',"0012",'), encoding="utf-8")
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--infilter=CSV:44,34,76,1,1/1/2/2/3/1/4/1,,,false,false",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    with (tmp_path / "visits.xlsx").open("rb") as file:
        rows = list(read_rows(file, "visits.xlsx", COLUMNS))

    assert [(number, list(values.values())) for number, values in rows] == [
        (2, ["LH01", "A001", "2024-01-02 08:30:23", "5"]),
        (3, ["LH01", "=1+2", "2024-01-02 08:31:00", "12"]),
        (5, ["LH02", "0012", "2024-01-03 17:00:00", "7"]),
    ]


def test_memory_stays_flat_however_long_the_sheet():
    # given a sheet of 60,000 rows (about 20 MB of XML, 5,000 shared strings)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 5000}</v></c><c r="B{n}" s="1">'
        f'<v>{45296 + n / 1000}</v></c><c r="C{n}" t="inlineStr"><is><t>LH{n:06d}</t></is>'
        f'</c><c r="D{n}"><v>{n}</v></c></row>'
        for n in range(1, 60_001)
    )
    shared = "".join(f"<si><t>S{n:05d}</t></si>" for n in range(5000))
    file = workbook(rows, shared=shared)

    tracemalloc.start()
    try:
        count = sum(1 for _row in sheet_rows(file))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 60_000
    assert peak < 12 * 1024 * 1024


# --- bad files ------------------------------------------------------------------------------


def bad_workbook(**parts: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name.replace("__", "/"), data)
    buffer.seek(0)
    return buffer


def good_parts(sheet: bytes) -> dict:
    return {
        "xl__workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl___rels__workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{KINDS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl__worksheets__sheet1.xml": sheet,
    }


def refusal(file) -> str:
    with pytest.raises(ImportFileError) as raised:
        list(read_rows(file, "visits.xlsx", COLUMNS))
    return str(raised.value)


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>hall_code</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>ticket_no</t></is></c></row>'
)


@pytest.mark.parametrize(
    "file",
    [
        pytest.param(lambda: bad_workbook(other=b"x"), id="a zip without a workbook"),
        pytest.param(
            lambda: bad_workbook(**{"xl__workbook.xml": good_parts(b"")["xl__workbook.xml"]}),
            id="a workbook without its sheet",
        ),
        pytest.param(
            lambda: bad_workbook(**good_parts(f"<worksheet xmlns='{MAIN}'><sheetData>".encode())),
            id="a sheet cut short before its first row",
        ),
        pytest.param(
            lambda: bad_workbook(
                **good_parts(
                    b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
                    + f"<worksheet xmlns='{MAIN}'><sheetData>".encode()
                    + HEADER_ROW.encode()
                    + b"</sheetData></worksheet>"
                )
            ),
            id="a document type declaration",
        ),
        pytest.param(
            lambda: bad_workbook(
                **good_parts(
                    f"<worksheet xmlns='{MAIN}'><sheetData>{HEADER_ROW}"
                    '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol;</t></is></c></row>'
                    "</sheetData></worksheet>".encode()
                )
            ),
            id="an undefined entity",
        ),
        pytest.param(
            lambda: workbook('<row r="1"><c r="A1" t="s"><v>3</v></c></row>', shared="<si/>"),
            id="a shared string that is not there",
        ),
        pytest.param(
            lambda: workbook(
                HEADER_ROW + '<row r="3"><c r="A3"><v>1</v></c></row>'
                '<row r="2"><c r="A2"><v>1</v></c></row>'
            ),
            id="rows out of order",
        ),
        pytest.param(
            lambda: workbook(
                HEADER_ROW + '<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>'
            ),
            id="cells out of order",
        ),
        pytest.param(
            lambda: workbook(HEADER_ROW + '<row r="2"><c r="A2"><v>twelve</v></c></row>'),
            id="a number that is not one",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_sentence(file):
    assert refusal(file()) == "the file is not a readable .xlsx workbook"


def test_a_sheet_broken_after_its_header_fails_while_iterating():
    # given a sheet whose data breaks off in the middle (a truncated download)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>LH01</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>A{n:04d}</t></is></c></row>'
        for n in range(2, 3000)
    )
    sheet = f"<worksheet xmlns='{MAIN}'><sheetData>{HEADER_ROW}{rows}".encode()
    file = bad_workbook(**good_parts(sheet[:-30] + b"<row r='9999'><c><v>1</c></row>"))
    read = read_rows(file, "visits.xlsx", COLUMNS)

    assert next(read) == (
        2,
        {"hall_code": "LH01", "ticket_no": "A0002", "issued_at": "", "window_no": ""},
    )
    with pytest.raises(ImportFileError) as raised:
        list(read)

    assert str(raised.value) == "the file is not a readable .xlsx workbook"
