"""Rows of inline strings only (as openpyxl and many queue systems write an export) are read
in one pattern match (issue 13 item 2); any other row by the cell-by-cell reader. Either
way the cell texts are the same."""

import pytest

from tests.windows.test_xlsx_stream import cell_texts, rows_of, workbook
from windows.importing import xlsx_stream


def inline(ref: str, text: str | None, *, style: str = "", preserve: bool = False) -> str:
    s = f' s="{style}"' if style else ""
    if text is None:
        return f'<c r="{ref}"{s} t="inlineStr" />'
    space = ' xml:space="preserve"' if preserve else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


@pytest.mark.parametrize(
    ("cells", "texts", "fast"),
    [
        (
            [inline("A1", "GL07"), inline("B1", "B0001"), inline("C1", None)],
            ["GL07", "B0001", ""],
            True,
        ),
        (
            [inline("A1", " 王芳 ", preserve=True), inline("B1", "=1+2", style="3")],
            [" 王芳 ", "=1+2"],
            True,
        ),
        ([inline("A1", "x"), inline("C1", "gap")], ["x", "", "gap"], False),  # column B left out
        ([inline("B1", "from B")], ["", "from B"], False),
        ([inline("A1", "a &amp; b"), inline("B1", "y")], ["a & b", "y"], False),  # an entity
        ([inline("A1", "x"), '<c r="B1"><v>12.0</v></c>'], ["x", "12"], False),  # a number
        (
            ['<c r="A1" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'],
            ["rich"],
            False,
        ),
    ],
)
def test_inline_rows_read_the_same_by_either_path(cells, texts, fast):
    content = "".join(cells).encode()

    assert (xlsx_stream._inline_cells(content) is not None) is fast
    assert cell_texts(*cells) == texts


def test_a_sheet_of_inline_rows_keeps_its_row_numbers():
    rows = "".join(
        f'<row r="{n}">{inline(f"A{n}", f"t{n}")}{inline(f"B{n}", None)}</row>' for n in (1, 2, 5)
    )

    assert rows_of(workbook(rows)) == [["t1", ""], ["t2", ""], [], [], ["t5", ""]]
