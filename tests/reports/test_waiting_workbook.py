"""The monthly bulletin's 等候与满意度 sheet (reports/workbooks/waiting_sheet.py): the band
tables equal to the selector's (and so to the dashboard feed's), the native charts and the
cells they read, only in monthly bulletins, and its LibreOffice render (a PDF page saved as
var/screenshots/waiting-workbook-render.png)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.rollups import rollups_rebuild
from evaluations.selectors.waiting_bands import WaitingFilters, waiting_bands
from reports.services import bulletin_build
from reports.workbooks.waiting_sheet import SHEET_TITLE, threshold_sentence
from tests.evaluations.test_waiting_bands import build_month

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SEPTEMBER = (dt.date(2020, 9, 1), dt.date(2020, 9, 30))
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@pytest.fixture
def month(hall_a):
    build_month(hall_a)
    rollups_rebuild()  # bulk_create wrote the visits without the services
    return hall_a


def _bulletin_bytes(hall, kind: str) -> bytes:
    bulletin = bulletin_build(hall=hall, kind=kind, day=dt.date(2020, 9, 28))
    with bulletin.workbook.open("rb") as stored:
        return stored.read()


@pytest.fixture
def monthly(month) -> bytes:
    return _bulletin_bytes(month, "monthly")


def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(max_col=9)]


def _trim(row: list) -> list:
    while row and row[-1] is None:
        row = row[:-1]
    return row


def test_only_the_monthly_bulletin_has_the_sheet(month, monthly):
    sheets = load_workbook(io.BytesIO(monthly)).sheetnames
    weekly = load_workbook(io.BytesIO(_bulletin_bytes(month, "weekly"))).sheetnames

    assert sheets[:4] == ["汇总", "窗口", "人员", SHEET_TITLE]
    assert sheets[4] == "明细"
    assert SHEET_TITLE not in weekly


def test_the_band_tables_are_the_selectors_figures(month, monthly):
    rows = [_trim(row) for row in _rows(load_workbook(io.BytesIO(monthly))[SHEET_TITLE])]

    assert rows[0] == [SHEET_TITLE]
    assert rows[1] == ["统计期间：2020-09-01至2020-09-30；评价495条，满意率89.49%，差评占比10.51%"]
    assert rows[6] == ["按等候时长（取号至叫号，分钟）"]
    assert rows[7] == ["等候时长（分钟）", "评价数", "好评", "差评", "满意率", "差评占比", "说明"]
    assert rows[8:16] == [
        ["0–5", 200, 190, 10, 0.95, 0.05],
        ["5–10", 100, 97, 3, 0.97, 0.03],
        ["10–15", 65, 62, 3, 0.9538, 0.0462],
        ["15–20", 50, 40, 10, 0.8, 0.2],
        ["20–30", 40, 28, 12, 0.7, 0.3],
        ["30–45", 10, None, None, None, None, "样本不足"],  # its count only
        ["45–60", 0, None, None, None, None, "样本不足"],
        ["≥60", 30, 21, 9, 0.7, 0.3],
    ]
    assert rows[16] == [
        "差评自等候15分钟起明显上升：15–20分钟区间差评占比20.00%，0–5分钟区间为5.00%"
        "（Wilson 95%置信区间不重叠，其后各区间均高于后者）。"
    ]
    service = rows.index(["按办理时长（开始至办结，分钟）"])
    assert rows[service + 2 : service + 8] == [
        ["0–5", 245, 219, 26, 0.8939, 0.1061],
        ["5–10", 245, 219, 26, 0.8939, 0.1061],
        ["10–15", 0, None, None, None, None, "样本不足"],
        ["15–20", 0, None, None, None, None, "样本不足"],
        ["20–30", 5, None, None, None, None, "样本不足"],
        ["≥30", 0, None, None, None, None, "样本不足"],
    ]
    assert rows[service + 8] == ["办理时间较长的区间差评占比未明显高于最短区间，未见上升时点。"]


def test_the_windows_table_gives_the_verdicts(month, monthly):
    rows = [_trim(row) for row in _rows(load_workbook(io.BytesIO(monthly))[SHEET_TITLE])]
    header = rows.index(
        [
            "窗口",
            "窗口号",
            "评价数",
            "满意率",
            "按等候结构预期满意率",
            "标准化满意率",
            "与全厅差距（百分点）",
            "等候可解释比例",
            "结论",
        ]
    )

    assert rows[header + 1 :] == [
        ["社保通办1号窗口", 1, 270, 0.8815, 0.8611, 0.9153, -1.35, None, "与全厅相当"],
        ["社保通办2号窗口", 2, 50, 0.8, 0.954, 0.7409, -9.49, 0, "服务所致"],
        ["社保通办3号窗口", 3, 170, 0.9412, 0.9296, 0.9065, 4.62, None, "不低于全厅"],
        ["社保通办4号窗口", 4, 5, None, None, None, None, None, "样本不足"],
    ]


def test_the_sheet_the_feed_and_the_selector_agree(client, manager_a, month, monthly):
    report = waiting_bands(WaitingFilters(hall=month, start=SEPTEMBER[0], end=SEPTEMBER[1]))
    client.force_login(manager_a)
    feed = client.get(
        reverse("dashboard-waiting"), {"hall": "HA", "start": "2020-09-01", "end": "2020-09-30"}
    ).json()
    rows = _rows(load_workbook(io.BytesIO(monthly))[SHEET_TITLE])
    sheet_bands = {row[0]: row for row in rows[8:16]}

    for band, fed in zip(report.wait.bands, feed["wait"]["bands"], strict=True):
        cells = sheet_bands[band.label]
        assert (cells[1], fed["ratings"]) == (band.ratings, band.ratings)
        assert fed["satisfaction_rate_pct"] == band.satisfaction_rate_pct
        expected = None if band.satisfaction_rate_pct is None else band.satisfaction_rate_pct / 100
        assert cells[4] == pytest.approx(expected) if expected is not None else cells[4] is None
    assert rows[16][0] == threshold_sentence(report.wait)
    assert feed["wait"]["threshold"]["minute"] == report.wait.threshold.minute == 15


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str:
    workbook = archive.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet [^>]*name="{title}"[^>]*r:id="(rId\d+)"', workbook).group(1)
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    path = (target.group(1) or target.group(2)).lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def _charts_of(archive: zipfile.ZipFile, sheet_part: str) -> list[str]:
    """The chart XML parts drawn on the sheet (sheet → drawing → charts)."""
    folder, name = sheet_part.rsplit("/", 1)
    rels = archive.read(f"{folder}/_rels/{name}.rels").decode()
    drawing = re.search(r'Target="([^"]*drawing\d+\.xml)"', rels).group(1)
    drawing_name = drawing.rsplit("/", 1)[1]
    drawing_rels = archive.read(f"xl/drawings/_rels/{drawing_name}.rels").decode()
    charts = re.findall(r'Target="([^"]*chart\d+\.xml)"', drawing_rels)
    return [archive.read("xl/charts/" + chart.rsplit("/", 1)[1]).decode() for chart in charts]


def test_the_sheet_has_two_native_charts_reading_its_band_cells(monthly):
    with zipfile.ZipFile(io.BytesIO(monthly)) as archive:
        charts = _charts_of(archive, _sheet_part(archive, SHEET_TITLE))

    assert len(charts) == 2
    sheet = f"'{SHEET_TITLE}'"
    for chart, first, last in ((charts[0], 9, 16), (charts[1], 27, 32)):
        root = ElementTree.fromstring(chart)
        # one bar series (评价数) and two lines (满意率, 差评占比) on a second value axis
        bars, lines = root.findall(f".//{C}barChart"), root.findall(f".//{C}lineChart")
        assert (len(bars), len(lines)) == (1, 1)
        assert (len(bars[0].findall(f"{C}ser")), len(lines[0].findall(f"{C}ser"))) == (1, 2)
        assert len(root.findall(f".//{C}valAx")) == 2
        assert root.find(f".//{C}dispBlanksAs").get("val") == "gap"

        def refs(element):
            return [f.text for f in element.iter(f"{C}f")]

        assert refs(bars[0]) == [
            f"{sheet}!B{first - 1}",  # the series' title: its header cell 评价数
            f"{sheet}!$A${first}:$A${last}",
            f"{sheet}!$B${first}:$B${last}",
        ]
        assert refs(lines[0]) == [
            f"{sheet}!E{first - 1}",
            f"{sheet}!$A${first}:$A${last}",
            f"{sheet}!$E${first}:$E${last}",
            f"{sheet}!F{first - 1}",
            f"{sheet}!$A${first}:$A${last}",
            f"{sheet}!$F${first}:$F${last}",
        ]


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it: .ci/run; there the test must run)",
)
def test_libreoffice_renders_the_sheet_with_its_charts(monthly, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    source = tmp_path / "monthly.xlsx"
    source.write_bytes(monthly)

    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip

    pdf = tmp_path / "monthly.pdf"
    pages = ["".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf).pages]
    number = next(n for n, text in enumerate(pages, start=1) if text.startswith(SHEET_TITLE))
    text = pages[number - 1]
    assert "评价数、满意率与差评占比（等候时长（分钟））" in text  # the wait chart is drawn
    assert "评价数、满意率与差评占比（办理时长（分钟））" in text
    assert "差评自等候15分钟起明显上升" in text
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-f", str(number), "-l", str(number),
             "-singlefile", str(pdf), str(SCREENSHOTS / "waiting-workbook-render")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
