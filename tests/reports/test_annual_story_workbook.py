"""The annual review's analysis sheet (分析 / Analysis, issue 15 item 4) read back with
openpyxl, printed by LibreOffice, and printed by `annual_review --print-analysis`."""

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from evaluations.rollups import rollups_rebuild
from reports.selectors.annual_story import annual_story
from reports.workbooks import write_annual_review
from reports.workbooks.annual_story import story_sentences
from tests.reports.test_annual_story import SENTENCES_EN, seed_like_year, with_2019
from tests.windows.factories import VisitFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
A4_PORTRAIT = (595, 842)  # points


@pytest.fixture
def seed_like(hall_a):
    windows = seed_like_year(hall_a)
    with_2019(hall_a, windows)
    # One visit of the year for the command (which refuses a year without visits); the
    # factories write no rollups, so the figures stay the constructed ones.
    VisitFactory(hall=hall_a, window=windows["企保待遇通办"], service_date=dt.date(2020, 8, 10))
    return hall_a


def _workbook(hall, language="en"):
    output = io.BytesIO()
    with translation.override(language):
        write_annual_review(hall=hall, year=2020, output=output)
    output.seek(0)
    return load_workbook(output)


def test_the_analysis_sheet_sits_between_the_summary_and_the_detail(seed_like):
    assert _workbook(seed_like).sheetnames == ["汇总", "Analysis", "明细"]


def test_the_analysis_sheet_in_chinese(seed_like):
    """Chinese from the zh-hans catalogue (the entries of this part: annual's .po)."""
    workbook = _workbook(seed_like, "zh-hans")

    assert workbook.sheetnames == ["汇总", "分析", "明细"]
    sheet = workbook["分析"]
    assert sheet["A1"].value == "甲大厅2020年度业务量变化分析"
    assert sheet["A2"].value == "异常月份及其成因"
    assert sheet["A4"].value.startswith(
        "8月办件2,850件，日均135.7件，比7月（日均90.0件）增加50.79%"
    )


def test_every_sentence_is_a_text_cell_in_reading_order(seed_like):
    sheet = _workbook(seed_like)["Analysis"]

    rows = [row[0] for row in sheet.iter_rows(max_col=1)]
    assert [cell.value for cell in rows] == [
        "甲大厅: what changed in 2020 and why",
        "Unusual months and the days behind them",
        *SENTENCES_EN[:8],
        "Year on year by zone",
        SENTENCES_EN[8],
        "Evaluation rate",
        SENTENCES_EN[9],
    ]
    assert {cell.data_type for cell in rows} == {"s"}  # text, never a formula
    assert [cell.font.bold for cell in rows[:2]] == [True, True]
    assert rows[3].alignment.wrap_text is True


def test_the_sheet_prints_portrait_as_wide_as_the_page_with_tall_enough_rows(seed_like):
    sheet = _workbook(seed_like)["Analysis"]

    assert sheet.column_dimensions["A"].width == 75
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == ("portrait", 1)
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    # The step's sentence of 10 August, 216 columns wide: three lines of 15 points.
    assert sheet.row_dimensions[5].height == 45
    assert sheet.row_dimensions[3].height == 30


def test_no_analysis_sheet_when_the_data_supports_no_sentence(hall_b):
    """Two months, no ratings: no unusual month can be told (too few changes), no step
    (too few days), no year before, no evaluation rate."""
    VisitFactory(hall=hall_b, service_date=dt.date(2020, 8, 10), item_count=4)
    VisitFactory(hall=hall_b, service_date=dt.date(2020, 9, 10), item_count=2)
    rollups_rebuild()

    assert _workbook(hall_b).sheetnames == ["汇总", "明细"]


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_the_analysis_in_the_language_asked(seed_like, tmp_path):
    path = tmp_path / "review.xlsx"
    stdout = io.StringIO()

    call_command(
        "annual_review",
        "--hall",
        "HA",
        "--year",
        "2020",
        "--output",
        str(path),
        "--language",
        "en",
        "--print-analysis",
        stdout=stdout,
    )

    assert stdout.getvalue().splitlines() == [
        *SENTENCES_EN,
        f"Wrote the 2020 annual review of hall HA to {path}.",
    ]
    assert load_workbook(path)["Analysis"]["A3"].value == SENTENCES_EN[0]


def test_the_command_prints_nothing_more_without_print_analysis(seed_like, tmp_path):
    path = tmp_path / "review.xlsx"
    stdout = io.StringIO()

    call_command(
        "annual_review", "--hall", "HA", "--year", "2020", "--output", str(path), stdout=stdout
    )

    assert stdout.getvalue() == f"Wrote the 2020 annual review of hall HA to {path}.\n"


def test_an_unknown_language_exits_1_and_writes_nothing(seed_like, tmp_path):
    path = tmp_path / "review.xlsx"

    with pytest.raises(CommandError) as error:
        call_command(
            "annual_review",
            "--hall",
            "HA",
            "--year",
            "2020",
            "--output",
            str(path),
            "--language",
            "fr",
        )

    assert str(error.value) == "Unknown language: fr (expected zh-hans or en)."
    assert error.value.returncode == 1
    assert not path.exists()


# --- printed by LibreOffice ----------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it: .ci/run; there the test must run)",
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_libreoffice_prints_every_sentence_on_portrait_pages(seed_like, tmp_path, language):
    pypdf = pytest.importorskip("pypdf")
    path = tmp_path / "annual.xlsx"
    with translation.override(language):
        write_annual_review(hall=seed_like, year=2020, output=path)
        sentences = story_sentences(annual_story(hall=seed_like, year=2020))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "annual.pdf"

    pages = pypdf.PdfReader(pdf).pages
    # Page 1 is the summary (one landscape page); the analysis follows it.
    page = pages[1]
    size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
    text = "".join(page.extract_text().split())
    assert size == A4_PORTRAIT
    assert all("".join(sentence.split()) in text for sentence in sentences)  # none cut
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"annual-analysis-render-{'en' if language == 'en' else 'zh'}"
        subprocess.run(
            ["pdftoppm", "-png", "-f", "2", "-l", "2", "-scale-to-x", "1366",
             "-scale-to-y", "-1", "-singlefile", str(pdf), str(SCREENSHOTS / name)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
