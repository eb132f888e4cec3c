import io
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from windows.importing import ImportFileError
from windows.importing.tabular import Column, read_rows

COLUMNS = (
    Column("hall_code", "大厅编码", required=True),
    Column("window_no", "窗口号", required=True),
    Column("window_name", "窗口名称"),
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_file(text: str, *, bom: bool = False) -> io.BytesIO:
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def xlsx_file(rows: list[list[object]]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def read_all(file, filename="windows.csv", columns=COLUMNS):
    return list(read_rows(file, filename, columns))


def test_csv_with_chinese_headers_and_bom():
    # given a CSV as Excel saves it ("CSV UTF-8"): BOM, CRLF, Chinese headers
    file = csv_file("大厅编码,窗口号,窗口名称\r\nLH01, 5 ,社保通办5号窗口\r\n", bom=True)

    # when / then
    assert read_all(file) == [
        (2, {"hall_code": "LH01", "window_no": "5", "window_name": "社保通办5号窗口"})
    ]


@pytest.mark.parametrize(
    "header",
    [
        "hall_code,window_no,window_name",
        " Hall_Code , WINDOW_NO ,Window_Name",
        "Hall Code,Window No,window-name",
        "大厅编码 ,  窗口号,窗口名称",
        "大厅编码*,窗口号*,window_name",
        "\u3000大厅编码\u3000,window_no,窗口名称",
    ],
)
def test_header_names_in_english_or_chinese_any_case_and_spacing(header):
    file = csv_file(f"{header}\nLH01,5,五号\n")

    assert read_all(file) == [(2, {"hall_code": "LH01", "window_no": "5", "window_name": "五号"})]


def test_columns_in_any_order_extra_columns_ignored_missing_optional_column_is_empty():
    file = csv_file("备注,窗口号,大厅编码,other\nx,7,LH01,y\n")

    assert read_all(file) == [(2, {"hall_code": "LH01", "window_no": "7", "window_name": ""})]


def test_short_rows_read_as_empty_and_quoted_fields_keep_commas_and_newlines():
    file = csv_file('hall_code,window_no,window_name\nLH01,5\nLH01,6,"a, b\nc"\n')

    assert read_all(file) == [
        (2, {"hall_code": "LH01", "window_no": "5", "window_name": ""}),
        (3, {"hall_code": "LH01", "window_no": "6", "window_name": "a, b\nc"}),
    ]


def test_csv_blank_rows_skipped_but_counted():
    # given blank lines, a row of empty cells and a row of spaces between data rows
    file = csv_file("hall_code,window_no,window_name\nLH01,1,\n\n,,\n  , ,\nLH01,2,\n")

    rows = read_all(file)

    assert [number for number, _values in rows] == [2, 6]


def test_blank_rows_before_the_header_are_counted():
    file = csv_file("\n,,\nhall_code,window_no\nLH01,1\n")

    assert [number for number, _values in read_all(file)] == [4]


def test_header_only_file_has_no_rows():
    assert read_all(csv_file("hall_code,window_no\n")) == []


def test_xlsx_numbers_dates_and_blank_rows():
    # given a workbook with numeric and date cells and a blank row
    file = xlsx_file(
        [
            ["大厅编码", "窗口号", "窗口名称"],
            ["LH01", 5, datetime(2022, 1, 4, 11, 51, 18)],
            [None, None, None],
            ["LH01", 6.0, 12.5],
            [" LH02 ", 7, None],
        ]
    )

    # when
    rows = read_all(file, "windows.xlsx")

    # then
    assert rows == [
        (2, {"hall_code": "LH01", "window_no": "5", "window_name": "2022-01-04 11:51:18"}),
        (4, {"hall_code": "LH01", "window_no": "6", "window_name": "12.5"}),
        (5, {"hall_code": "LH02", "window_no": "7", "window_name": ""}),
    ]


def test_xlsx_gap_rows_keep_spreadsheet_row_numbers():
    # given a workbook whose rows 3 and 4 were never written at all
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "hall_code", "window_no"
    sheet["A2"], sheet["B2"] = "LH01", 1
    sheet["A5"], sheet["B5"] = "LH01", 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert [number for number, _values in read_all(buffer, "W.XLSX")] == [2, 5]


def test_csv_streams_without_reading_the_whole_file():
    # given a CSV of about 2 MB
    body = "".join(f"LH01,{n},窗口{n}\n" for n in range(1, 100_001))
    file = csv_file("hall_code,window_no,window_name\n" + body)

    # when the first row is read
    rows = read_rows(file, "big.csv", COLUMNS)
    first = next(rows)

    # then only the beginning of the file has been read
    assert first == (2, {"hall_code": "LH01", "window_no": "1", "window_name": "窗口1"})
    assert file.tell() < 10_000


@pytest.mark.parametrize(
    "upload",
    [
        lambda data: SimpleUploadedFile("w.csv", data),
        lambda data: _temporary_upload(data),
    ],
    ids=["in-memory", "temporary"],
)
def test_reads_django_uploads_and_leaves_them_open(upload):
    uploaded = upload("大厅编码,窗口号\nLH01,3\n".encode())

    assert read_all(uploaded, uploaded.name) == [
        (2, {"hall_code": "LH01", "window_no": "3", "window_name": ""})
    ]
    assert not uploaded.closed


def _temporary_upload(data: bytes) -> TemporaryUploadedFile:
    uploaded = TemporaryUploadedFile("w.csv", "text/csv", len(data), "utf-8")
    uploaded.write(data)
    uploaded.seek(0)
    return uploaded


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("windows.xls", "unsupported file type windows.xls: use a .csv or .xlsx file"),
        ("windows.txt", "unsupported file type windows.txt: use a .csv or .xlsx file"),
        ("windows", "unsupported file type windows: use a .csv or .xlsx file"),
    ],
)
def test_bad_extension(filename, message):
    with pytest.raises(ImportFileError) as raised:
        read_rows(csv_file("hall_code,window_no\n"), filename, COLUMNS)

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("大厅编码,窗口名称", "missing required column window_no (窗口号)"),
        ("窗口名称", "missing required columns hall_code (大厅编码), window_no (窗口号)"),
        ("hall,window", "missing required columns hall_code (大厅编码), window_no (窗口号)"),
    ],
)
def test_missing_required_column_names_it_in_both_languages(header, message):
    with pytest.raises(ImportFileError) as raised:
        read_rows(csv_file(f"{header}\nLH01,1\n"), "w.csv", COLUMNS)

    assert str(raised.value) == message


def test_column_named_twice():
    with pytest.raises(ImportFileError) as raised:
        read_rows(csv_file("hall_code,window_no,大厅编码\n"), "w.csv", COLUMNS)

    assert str(raised.value) == "column hall_code (大厅编码) appears twice in the header"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b",,\r\n , \r\n"])
def test_empty_csv(content):
    with pytest.raises(ImportFileError) as raised:
        read_rows(io.BytesIO(content), "w.csv", COLUMNS)

    assert str(raised.value) == "the file is empty"


def test_empty_xlsx():
    with pytest.raises(ImportFileError) as raised:
        read_rows(xlsx_file([]), "w.xlsx", COLUMNS)

    assert str(raised.value) == "the file is empty"


def test_csv_not_utf8_in_the_header():
    # given a CSV saved by Excel as GBK ("CSV (comma delimited)" on a Chinese Windows)
    file = io.BytesIO("大厅编码,窗口号\nLH01,1\n".encode("gbk"))

    with pytest.raises(ImportFileError) as raised:
        read_rows(file, "w.csv", COLUMNS)

    assert str(raised.value) == (
        'the file is not UTF-8 text (first problem near row 1); save it as "CSV UTF-8" '
        "and try again"
    )


def test_csv_not_utf8_further_down_fails_while_iterating():
    file = io.BytesIO(
        b"hall_code,window_no,window_name\nLH01,1,a\n" + "LH01,2,窗口\n".encode("gbk")
    )
    rows = read_rows(file, "w.csv", COLUMNS)

    assert next(rows)[0] == 2
    with pytest.raises(ImportFileError) as raised:
        next(rows)

    assert str(raised.value) == (
        'the file is not UTF-8 text (first problem near row 3); save it as "CSV UTF-8" '
        "and try again"
    )


def test_csv_field_too_large():
    file = io.BytesIO(b"hall_code,window_no\nLH01,1\nLH01," + b"9" * 200_000 + b"\n")

    with pytest.raises(ImportFileError) as raised:
        list(read_rows(file, "w.csv", COLUMNS))

    assert str(raised.value) == (
        "the CSV file cannot be read near row 3: field larger than field limit (131072)"
    )


@pytest.mark.parametrize("content", [b"", b"not a zip file", "大厅编码,窗口号\n".encode()])
def test_unreadable_xlsx(content):
    with pytest.raises(ImportFileError) as raised:
        read_rows(io.BytesIO(content), "w.xlsx", COLUMNS)

    assert str(raised.value) == "the file is not a readable .xlsx workbook"
