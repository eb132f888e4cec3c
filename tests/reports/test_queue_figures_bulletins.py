"""The queue's figures in the bulletins (issue 14 item 5): the stored figures, the page's
排队 section and the workbook's 排队 sheet; the detail sheet lists only counted visits."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.services import bulletin_build
from tests.reports.test_queue_figures import DAY, appointments, queue  # noqa: F401 (fixtures)
from windows.models import QueueCategory

CATEGORY_A = {
    "key": "A",
    "label": "社保通办",
    "tickets": 4,
    "visits": 3,
    "no_shows": 1,
    "no_show_rate_pct": 25.0,
    "mean_wait_minutes": 11.67,
    "p90_wait_minutes": 18.0,
    "mean_service_minutes": 6.0,
    "appointments": 4,
    "appointments_on_time": 2,
    "appointments_missed": 1,
    "punctuality_pct": 50.0,
}


@pytest.fixture
def daily(hall_a, request):
    request.getfixturevalue("appointments")  # and the queue's tickets
    return bulletin_build(hall=hall_a, kind="daily", day=DAY)


def test_the_bulletin_stores_the_queue_figures(daily):
    stored = daily.figures["queue"]

    assert stored["hall"] == {
        "tickets": 6,
        "visits": 4,
        "no_shows": 1,
        "no_show_rate_pct": 16.67,
        "mean_wait_minutes": 9.5,
        "p90_wait_minutes": 17.0,
        "mean_service_minutes": 5.75,
        "appointments": 4,
        "appointments_on_time": 2,
        "appointments_missed": 1,
        "punctuality_pct": 50.0,
    }
    assert stored["categories"][0] == CATEGORY_A
    assert [(row["key"], row["tickets"], row["p90_wait_minutes"]) for row in stored["windows"]] == [
        ("1", 3, 9.5),
        ("2", 3, 18.3),
    ]
    assert [(row["key"], row["label"], row["appointments"]) for row in stored["staff"]] == [
        ("S1", "张一", None),
        ("S2", "李二", None),
    ]


def _workbook(bulletin):
    with bulletin.workbook.open("rb") as stored:
        return load_workbook(io.BytesIO(stored.read()))


def test_the_workbook_has_a_queue_sheet(daily):
    workbook = _workbook(daily)
    assert workbook.sheetnames[:5] == ["汇总", "窗口", "人员", "排队", "明细"]

    sheet = workbook["排队"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "排队"
    assert rows[3][0] == "按业务类别"
    assert rows[4] == [
        "类别",
        "名称",
        "取号数",
        "接待人次",
        "过号数",
        "过号率",
        "平均等候（分钟）",
        "90%等候（分钟）",
        "平均办理（分钟）",
        "预约数",
        "准时签到",
        "爽约数",
        "准时率",
    ]
    assert rows[5] == ["全厅", "甲大厅", 6, 4, 1, 0.1667, 9.5, 17, 5.75, 4, 2, 1, 0.5]
    assert rows[6] == ["A", "社保通办", 4, 3, 1, 0.25, 11.67, 18, 6, 4, 2, 1, 0.5]
    assert rows[7] == ["M", "医保专窗", 2, 1, 0, 0, 3, 3, 5, 0, 0, 0, None]
    assert sheet.cell(row=7, column=7).number_format == "#,##0.00"
    assert sheet.cell(row=7, column=6).number_format == "0.00%"
    staff_title = next(n for n, row in enumerate(rows) if row[0] == "按工作人员")
    assert rows[staff_title + 2][:9] == ["S1", "张一", 3, 2, 0, 0, 7.5, 9.5, 5]
    assert rows[staff_title + 2][9:] == [None] * 4  # no appointments per staff member


def test_the_detail_sheet_lists_only_the_counted_visits(daily):
    """An export of visits re-imports: no waiting, called or abandoned ticket in it."""
    sheet = _workbook(daily)["明细"]
    statuses = [row[0].value for row in sheet.iter_rows(min_row=2, min_col=9, max_col=9)]

    assert sorted(statuses) == ["已办结"] * 5 + ["已转办", "过号未到"]


@pytest.mark.usefixtures("appointments")
def test_a_category_name_is_written_as_text(hall_a):
    QueueCategory.objects.filter(prefix="A").update(name='=HYPERLINK("http://x","y")')
    bulletin = bulletin_build(hall=hall_a, kind="daily", day=DAY)
    cell = _workbook(bulletin)["排队"].cell(row=7, column=2)

    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


@pytest.mark.usefixtures("english")
def test_the_page_shows_the_queue_section(client, manager_a, daily):
    client.force_login(manager_a)
    html = client.get(reverse("bulletins:detail", args=[daily.pk])).content.decode()
    section = html[html.index('id="bulletin-queue"') :]

    totals = dict(re.findall(r'data-queue="(\w+)">([^<]*)<', section))
    assert (totals["mean_wait_minutes"], totals["p90_wait_minutes"]) == ("9.50", "17.00")
    assert totals["punctuality_pct"] == "50.00%"
    first = re.search(r'id="bulletin-queue-1".*?<tbody>(.*?)</tbody>', section, re.S).group(1)
    assert "A · 社保通办" in first
    assert "11.67" in first and "18.00" in first


@pytest.mark.usefixtures("english")
def test_a_bulletin_without_the_queue_has_no_section(client, manager_a, daily):
    figures = dict(daily.figures)
    del figures["queue"]  # as a bulletin built before the queue, or of a hall without it
    daily.figures = figures
    daily.save(update_fields=["figures"])
    client.force_login(manager_a)
    html = client.get(reverse("bulletins:detail", args=[daily.pk])).content.decode()

    assert 'id="bulletin-queue"' not in html


def test_another_halls_manager_cannot_see_it(client, manager_b, daily):
    client.force_login(manager_b)

    assert client.get(reverse("bulletins:detail", args=[daily.pk])).status_code == 404
